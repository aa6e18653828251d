"""Base models every app builds on, and the one change log (ObjectChange)."""

from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.db import models


class TimeStampedModel(models.Model):
    """Adds created/updated times; every Threadline model has them."""

    created_at = models.DateTimeField(auto_now_add=True, db_index=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        abstract = True


class ProjectScopedQuerySet(models.QuerySet):
    def visible_to(self, user, token=None):
        """Rows of projects the user (through this API token, if any) may see (ARCHITECTURE rule 1)."""
        from apps.core.permissions import visible_project_ids

        return self.filter(project_id__in=visible_project_ids(user, token))


class ProjectScopedModel(TimeStampedModel):
    """A row that belongs to one project; its visibility is the project's."""

    project = models.ForeignKey("projects.Project", on_delete=models.CASCADE, related_name="+")

    objects = ProjectScopedQuerySet.as_manager()

    class Meta:
        abstract = True

    def get_absolute_url(self) -> str:
        """The detail page, by the names of the model's kit (apps.core.kit)."""
        from .kit import kit_for

        return kit_for(self).url("detail", self)

    def validate_constraints(self, exclude=None):
        """As Django's, but a "unique in the project" rule reports on its one other field (the name
        a user typed), not above the form."""
        errors = {}
        for model_class, constraints in self.get_constraints():
            for constraint in constraints:
                try:
                    constraint.validate(model_class, self, exclude=exclude)
                except ValidationError as error:
                    fields = [name for name in getattr(constraint, "fields", ()) if name != "project"]
                    errors.setdefault(fields[0] if len(fields) == 1 else NON_FIELD_ERRORS, []).append(error)
        if errors:
            raise ValidationError(errors)


def stable_order(queryset):
    """A queryset pages can cut: grouping (annotate(Count(...))) drops the model's ordering."""
    return queryset if queryset.ordered else queryset.order_by(*(queryset.model._meta.ordering or []), "pk")


def limit_to_project(queryset, project):
    """The choices a form or serializer may link to: rows of the same project (directly, or through
    the row they belong to, e.g. a requirement's criteria), or its members. Anything else: none —
    a link must never reach into another project by accident."""
    from django.contrib.auth import get_user_model

    model = queryset.model
    if model is get_user_model():
        return queryset.filter(memberships__project=project)
    if model._meta.model_name == "project" and model._meta.app_label == "projects":
        return queryset.filter(pk=project.pk)
    if any(field.name == "project" for field in model._meta.fields):
        return queryset.filter(project=project)
    for field in model._meta.fields:
        if field.is_relation and any(f.name == "project" for f in field.related_model._meta.fields):
            return queryset.filter(**{f"{field.name}__project": project})
    return queryset.none()


class ProjectCounter(models.Model):
    """The last number handed out in a project for one kind of object ("requirement": REQ-12,
    "testrun": unit #7). Only ever goes up, so numbers are never reused; per project, so a number
    says nothing about other projects."""

    project = models.ForeignKey("projects.Project", on_delete=models.CASCADE, related_name="+")
    name = models.CharField(max_length=40)
    last_number = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["project", "name"], name="projectcounter_unique_name")]

    def __str__(self) -> str:
        return f"{self.name} counter at {self.last_number}"


class ObjectChange(models.Model):
    """One create/update/delete (or domain action) of one object, by whom, with before/after fields.

    Written only through apps.core.changelog.log_change, whatever the door (UI, API, admin, task).
    Bulk data (test results, indexed operations) is logged once per batch, never row by row.
    """

    class Action(models.TextChoices):
        CREATE = "create", "Created"
        UPDATE = "update", "Updated"
        DELETE = "delete", "Deleted"
        ACTION = "action", "Action"

    time = models.DateTimeField(auto_now_add=True, db_index=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    actor_name = models.CharField(max_length=150, blank=True, help_text="Kept when the user is deleted.")
    project = models.ForeignKey(
        "projects.Project", null=True, blank=True, on_delete=models.CASCADE, related_name="changes"
    )
    content_type = models.ForeignKey(ContentType, on_delete=models.PROTECT, related_name="+")
    object_id = models.CharField(max_length=64)
    object_repr = models.CharField(max_length=200)
    action = models.CharField(max_length=10, choices=Action.choices)
    verb = models.CharField(max_length=60, blank=True, help_text="Domain action, e.g. 'approved'.")
    message = models.CharField(max_length=500, blank=True)
    before = models.JSONField(null=True, blank=True)
    after = models.JSONField(null=True, blank=True)
    via = models.CharField(max_length=10, blank=True, help_text="ui, api, admin, task or cli.")

    class Meta:
        ordering = ["-time", "-id"]
        indexes = [
            models.Index(fields=["project", "-time"]),
            models.Index(fields=["content_type", "object_id"]),
        ]

    def __str__(self) -> str:
        return f"{self.actor_name or 'system'} {self.get_action_display().lower()} {self.object_repr}"

    @property
    def changed_fields(self) -> list[str]:
        before, after = self.before or {}, self.after or {}
        return sorted(key for key in set(before) | set(after) if before.get(key) != after.get(key))

    @property
    def summary(self) -> str:
        return self.verb or self.get_action_display().lower()
