"""Projects and who belongs to them (Membership with a role), and invitations to join one."""

import hashlib
import secrets
from datetime import timedelta

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import RegexValidator
from django.db import models
from django.urls import reverse
from django.utils import timezone

from apps.core.models import TimeStampedModel
from apps.core.permissions import Role, visible_project_ids

slug_validator = RegexValidator(
    r"^[a-z0-9](?:[a-z0-9-]{0,48}[a-z0-9])?$",
    "Use 1-50 lowercase letters, digits and hyphens, not starting or ending with a hyphen.",
)
# "invitations": /projects/invitations/<token>/ is the invitation page.
RESERVED_SLUGS = {"new", "api", "admin", "static", "media", "accounts", "settings", "invitations"}


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


def invitation_expiry():
    """When an invitation made now expires: settings.INVITATION_DAYS from now."""
    return timezone.now() + timedelta(days=settings.INVITATION_DAYS)


class InvitationQuerySet(models.QuerySet):
    def open(self):
        """Neither accepted nor revoked (expired ones included): at most one per email and project."""
        return self.filter(accepted_at__isnull=True, revoked_at__isnull=True)

    def pending(self):
        """Open and not expired: can still be accepted."""
        return self.open().filter(expires_at__gt=timezone.now())

    def with_status(self, status: str):
        """The invitations whose ``Invitation.status`` is ``status``, as one query (the API's ?status=)."""
        if status == Invitation.Status.ACCEPTED:
            return self.filter(accepted_at__isnull=False)
        if status == Invitation.Status.REVOKED:
            return self.filter(accepted_at__isnull=True, revoked_at__isnull=False)
        if status == Invitation.Status.EXPIRED:
            return self.open().filter(expires_at__lte=timezone.now())
        if status == Invitation.Status.PENDING:
            return self.pending()
        raise ValueError(f"Unknown invitation status {status!r}.")


class Invitation(TimeStampedModel):
    """An email invited to join a project with a role, by a maintainer or owner.

    The link in the invitation email carries a random token; only its SHA-256 is stored (and never
    logged). Accepting it needs an account whose verified email addresses include ``email``.
    Re-inviting an email refreshes its open invitation: there is never more than one per project.
    """

    class Status(models.TextChoices):
        PENDING = "pending", "Pending"
        ACCEPTED = "accepted", "Accepted"
        REVOKED = "revoked", "Revoked"
        EXPIRED = "expired", "Expired"

    project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="invitations")
    email = models.EmailField(max_length=254)
    role = models.CharField(max_length=12, choices=Role.choices, default=Role.MEMBER)
    invited_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    # Not editable=False: the services refresh these on a re-invite, and instance_save keeps
    # non-editable fields as stored.
    token_hash = models.CharField(max_length=64, unique=True)
    expires_at = models.DateTimeField(default=invitation_expiry)
    accepted_at = models.DateTimeField(null=True, blank=True)
    accepted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    revoked_at = models.DateTimeField(null=True, blank=True)

    objects = InvitationQuerySet.as_manager()
    changelog_exclude = ("token_hash",)

    class Meta:
        ordering = ["-created_at", "-pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["project", "email"],
                condition=models.Q(accepted_at__isnull=True, revoked_at__isnull=True),
                name="invitation_one_open_per_email",
                violation_error_message="This email already has an open invitation to this project.",
            ),
            models.CheckConstraint(condition=models.Q(role__in=Role.values), name="invitation_role_valid"),
        ]

    def __str__(self) -> str:
        return f"Invitation of {self.email} as {self.role}"

    @staticmethod
    def new_token() -> str:
        return secrets.token_urlsafe(32)

    @staticmethod
    def hash_token(raw: str) -> str:
        return hashlib.sha256(raw.encode()).hexdigest()

    @property
    def status(self) -> str:
        if self.accepted_at is not None:
            return self.Status.ACCEPTED
        if self.revoked_at is not None:
            return self.Status.REVOKED
        if self.expires_at <= timezone.now():
            return self.Status.EXPIRED
        return self.Status.PENDING
