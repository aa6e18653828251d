"""Requirements: keyed per project (REQ-n), with workflow, acceptance criteria, revisions and discussion."""

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models

from apps.core.models import ProjectScopedModel, ProjectScopedQuerySet, TimeStampedModel
from apps.core.text import is_number

from . import workflow

KEY_PREFIX = "REQ-"


def parse_key(key: str) -> int | None:
    """'REQ-12' -> 12; anything else -> None."""
    prefix, _, digits = (key or "").strip().upper().partition("-")
    # A number past the column's range names no requirement (and must not reach the database as one).
    return int(digits) if prefix == KEY_PREFIX[:-1] and is_number(digits) and len(digits) < 10 else None


class Label(ProjectScopedModel):
    """A free-form tag of requirements, one row per name per project (portable: no ArrayField)."""

    # Typed in one field, separated by these (see services.split_labels): a name can't hold them.
    SEPARATORS = (",", ";")

    name = models.CharField(max_length=50)
    description = models.TextField(blank=True, help_text="What the label means (Markdown).")

    class Meta:
        ordering = ["name"]
        constraints = [models.UniqueConstraint(
            fields=["project", "name"], name="label_unique_name_per_project",
            violation_error_message="This project already has a label with this name.",
        )]  # fmt: skip

    def __str__(self) -> str:
        return self.name

    def clean(self) -> None:
        if any(separator in self.name for separator in self.SEPARATORS):
            raise ValidationError({"name": "A label can't contain ',' or ';' (they separate labels)."})


class RequirementQuerySet(ProjectScopedQuerySet):
    def by_key(self, project, key: str) -> "Requirement | None":
        """The project's requirement with this key ("REQ-12", any case), or None: the one lookup by key."""
        number = parse_key(key)
        return self.filter(project=project, number=number).first() if number else None

    def by_keys(self, project, keys) -> tuple[list["Requirement"], list[str]]:
        """The project's requirements with these keys, in their order, and the keys that name none — from
        one query (for the link forms and serializers: "REQ-1, REQ-4")."""
        numbers = {key: parse_key(key) for key in keys}
        rows = {r.number: r for r in self.filter(project=project, number__in={n for n in numbers.values() if n})}
        found = [rows[numbers[key]] for key in keys if numbers[key] in rows]
        return found, [key for key in keys if numbers[key] not in rows]


class Requirement(ProjectScopedModel):
    """Something the system must do (functional) or be (non-functional), keyed REQ-<number>.

    ``status`` only changes through ``services.requirement_transition`` (see workflow.py).
    ``revision`` and ``fingerprint`` follow every content edit (title, description, criteria).

    Downstream links (a test case, an API operation, a component — other apps) store the
    requirement's ``fingerprint`` (and ``revision``, for display) when the link is made, and ask
    ``apps.requirements.revisions.is_suspect(link.fingerprint, requirement)`` to flag the link as
    suspect once a baselined requirement's content has changed since.
    """

    class Type(models.TextChoices):
        FUNCTIONAL = "functional", "Functional"
        NON_FUNCTIONAL = "non_functional", "Non-functional"

    class Category(models.TextChoices):
        PERFORMANCE = "performance", "Performance"
        SECURITY = "security", "Security"
        RELIABILITY = "reliability", "Reliability"
        USABILITY = "usability", "Usability"
        COMPLIANCE = "compliance", "Compliance"
        OTHER = "other", "Other"

    class Priority(models.TextChoices):
        MUST = "must", "Must"
        SHOULD = "should", "Should"
        COULD = "could", "Could"
        WONT = "wont", "Won't"

    Status = models.TextChoices("Status", [(value.upper(), (value, label)) for value, label in workflow.STATUSES])

    number = models.PositiveIntegerField(editable=False)
    title = models.CharField(max_length=200)
    description = models.TextField(blank=True, help_text="Markdown.")
    type = models.CharField(max_length=20, choices=Type.choices, default=Type.FUNCTIONAL)
    category = models.CharField(
        max_length=20, choices=Category.choices, blank=True, help_text="Only for non-functional requirements."
    )
    priority = models.CharField(max_length=10, choices=Priority.choices, default=Priority.SHOULD, help_text="MoSCoW.")
    status = models.CharField(max_length=20, choices=Status.choices, default=workflow.DRAFT, editable=False)
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        help_text="A member of the project.",
    )
    labels = models.ManyToManyField(Label, blank=True, related_name="requirements")
    parent = models.ForeignKey("self", null=True, blank=True, on_delete=models.SET_NULL, related_name="children")
    rationale = models.TextField(blank=True, help_text="Why this is needed.")
    source = models.CharField(max_length=200, blank=True, help_text="The stakeholder who asked for it.")
    revision = models.PositiveIntegerField(default=0, editable=False)
    fingerprint = models.CharField(max_length=64, blank=True, editable=False)

    objects = RequirementQuerySet.as_manager()

    class Meta:
        ordering = ["number"]
        constraints = [
            models.UniqueConstraint(fields=["project", "number"], name="requirement_unique_number_per_project"),
            models.CheckConstraint(
                condition=~models.Q(type="functional", category__gt=""),
                name="requirement_category_non_functional",
            ),
        ]
        indexes = [models.Index(fields=["project", "status"])]

    def __str__(self) -> str:
        return f"{self.key} {self.title}"

    @property
    def key(self) -> str:
        return f"{KEY_PREFIX}{self.number}" if self.number else "REQ-?"

    def clean(self) -> None:
        errors = {}
        category_error = category_problem(self.type, self.category)
        if category_error:
            errors["category"] = category_error
        if self.owner_id and not self._owner_is_member():
            errors["owner"] = f"{self.owner} is not a member of this project."
        if self.parent_id:
            parent_error = self.parent_problem(self.parent)
            if parent_error:
                errors["parent"] = parent_error
        if errors:
            raise ValidationError(errors)

    def _owner_is_member(self) -> bool:
        return self.project.memberships.filter(user_id=self.owner_id).exists()

    def parent_problem(self, parent: "Requirement") -> str | None:
        """Why ``parent`` can't be this requirement's parent (other project, itself, a cycle), or None."""
        if parent.project_id != self.project_id:
            return "The parent must be a requirement of the same project."
        if self.pk is None:
            return None
        seen, node = set(), parent
        while node is not None and node.pk not in seen:
            if node.pk == self.pk:
                return f"{parent.key} can't be the parent of {self.key}: that would make a cycle."
            seen.add(node.pk)
            node = node.parent
        return None


def category_problem(type_: str, category: str) -> str | None:
    """Non-functional requirements need a category; functional ones have none."""
    if type_ == Requirement.Type.NON_FUNCTIONAL and not category:
        return "Choose a category for a non-functional requirement."
    if type_ == Requirement.Type.FUNCTIONAL and category:
        return "Only non-functional requirements have a category."
    return None


class RequirementChild(TimeStampedModel):
    """Rows owned by one requirement; they belong to its project (for the change log)."""

    requirement = models.ForeignKey(Requirement, on_delete=models.CASCADE, related_name="+")

    class Meta:
        abstract = True

    @property
    def project(self):
        return self.requirement.project


class AcceptanceCriterion(RequirementChild):
    """One acceptance criterion, ideally Given/When/Then, on one line; ``position`` orders them."""

    requirement = models.ForeignKey(Requirement, on_delete=models.CASCADE, related_name="criteria")
    position = models.PositiveIntegerField(default=0)
    text = models.CharField(max_length=1000, help_text="One line; Given … when … then … works well.")
    met = models.BooleanField(default=False)

    class Meta:
        ordering = ["position", "id"]
        verbose_name_plural = "acceptance criteria"

    def __str__(self) -> str:
        return self.text[:80]

    def clean(self) -> None:
        if "\n" in self.text or "\r" in self.text:
            raise ValidationError({"text": "A criterion is one line; add another criterion instead."})


class RequirementRevision(RequirementChild):
    """The content (title, description, criteria) of a requirement after one edit, numbered 1, 2, …"""

    requirement = models.ForeignKey(Requirement, on_delete=models.CASCADE, related_name="revisions")
    number = models.PositiveIntegerField()
    title = models.CharField(max_length=200)
    description = models.TextField(blank=True)
    criteria = models.JSONField(default=list, help_text="Criterion texts, in order.")
    fingerprint = models.CharField(max_length=64)
    author = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")

    class Meta:
        ordering = ["-number"]
        constraints = [
            models.UniqueConstraint(fields=["requirement", "number"], name="revision_unique_number_per_requirement")
        ]

    def __str__(self) -> str:
        return f"revision {self.number}"


class RequirementTransition(RequirementChild):
    """One workflow move: who moved the requirement from which status to which, when, and why."""

    requirement = models.ForeignKey(Requirement, on_delete=models.CASCADE, related_name="transitions")
    from_status = models.CharField(max_length=20, choices=Requirement.Status.choices)
    to_status = models.CharField(max_length=20, choices=Requirement.Status.choices)
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    comment = models.TextField(blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"{self.from_status} → {self.to_status}"


class RequirementComment(RequirementChild):
    """A discussion comment (markdown, rendered sanitised)."""

    requirement = models.ForeignKey(Requirement, on_delete=models.CASCADE, related_name="comments")
    author = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    body = models.TextField()

    class Meta:
        ordering = ["created_at", "id"]

    def __str__(self) -> str:
        return f"Comment on {self.requirement.key}"
