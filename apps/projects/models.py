"""Projects and who belongs to them (Membership with a role)."""

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import RegexValidator
from django.db import models
from django.urls import reverse

from apps.core.models import TimeStampedModel
from apps.core.permissions import Role, visible_project_ids

slug_validator = RegexValidator(
    r"^[a-z0-9](?:[a-z0-9-]{0,48}[a-z0-9])?$",
    "Use 1-50 lowercase letters, digits and hyphens, not starting or ending with a hyphen.",
)
RESERVED_SLUGS = {"new", "api", "admin", "static", "media", "accounts", "settings"}


class ProjectQuerySet(models.QuerySet):
    def for_user(self, user, token=None):
        """Projects this user (through this API token, if any) may see."""
        return self.filter(id__in=visible_project_ids(user, token))


class Project(TimeStampedModel):
    """A backend project followed from requirements to deployments."""

    name = models.CharField(max_length=100)
    slug = models.SlugField(
        max_length=50,
        unique=True,
        validators=[slug_validator],
        help_text="Used in URLs and the API, e.g. payments-api.",
        error_messages={"unique": "A project with this slug already exists."},
    )
    description = models.TextField(blank=True)
    archived = models.BooleanField(default=False, help_text="Archived projects are read-only and hidden.")
    members = models.ManyToManyField(
        settings.AUTH_USER_MODEL, through="Membership", related_name="projects"
    )

    objects = ProjectQuerySet.as_manager()

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name

    def clean(self) -> None:
        if self.slug in RESERVED_SLUGS:
            raise ValidationError({"slug": f"'{self.slug}' is reserved; choose another slug."})

    def get_absolute_url(self) -> str:
        return reverse("projects:project_detail", kwargs={"project_slug": self.slug})


class Membership(TimeStampedModel):
    """A user's role in a project. Every project keeps at least one owner (enforced by services)."""

    project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="memberships")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="memberships")
    role = models.CharField(max_length=12, choices=Role.choices, default=Role.MEMBER)

    class Meta:
        ordering = ["user__username"]
        constraints = [
            models.UniqueConstraint(fields=["project", "user"], name="membership_unique_user_per_project"),
            models.CheckConstraint(condition=models.Q(role__in=Role.values), name="membership_role_valid"),
        ]

    def __str__(self) -> str:
        return f"{self.user} ({self.role}) in {self.project}"
