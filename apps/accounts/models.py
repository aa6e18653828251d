"""Personal API tokens. Users themselves are Django's auth.User, managed through django-allauth."""

import hashlib
import secrets

from django.conf import settings
from django.db import models
from django.utils import timezone

from apps.core.models import TimeStampedModel

TOKEN_PREFIX = "tl_"


def hash_token(raw: str) -> str:
    return hashlib.sha256(raw.encode()).hexdigest()


class ApiTokenQuerySet(models.QuerySet):
    def alive(self):
        now = timezone.now()
        return self.filter(revoked_at__isnull=True).filter(
            models.Q(expires_at__isnull=True) | models.Q(expires_at__gt=now)
        )


class ApiToken(TimeStampedModel):
    """A personal API token: belongs to a user, optionally limited to projects and to reading.

    "All projects" is a flag of its own, never inferred from an empty project list: a token limited
    to projects that were deleted (or that its user left) then sees nothing, instead of everything.
    Only a SHA-256 of the secret is stored; the secret is shown once, when created.
    """

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="api_tokens")
    name = models.CharField(max_length=100, help_text="What the token is for, e.g. 'GitHub Actions'.")
    key_hash = models.CharField(max_length=64, unique=True, editable=False)
    key_hint = models.CharField(max_length=12, editable=False, help_text="First characters, to recognise it.")
    read_only = models.BooleanField(default=False, help_text="Only allow reading (GET) requests.")
    all_projects = models.BooleanField(
        default=False, help_text="Every project the user belongs to, including ones joined later."
    )
    projects = models.ManyToManyField(
        "projects.Project", blank=True, related_name="+",
        help_text="The projects a token without 'all projects' may use; none left means it sees nothing.",
    )
    expires_at = models.DateTimeField(null=True, blank=True)
    last_used_at = models.DateTimeField(null=True, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)

    objects = ApiTokenQuerySet.as_manager()
    changelog_exclude = ("key_hash",)

    class Meta:
        ordering = ["-created_at"]
        verbose_name = "API token"

    def __str__(self) -> str:
        return f"{self.name} ({self.key_hint}…)"

    @staticmethod
    def generate() -> str:
        return TOKEN_PREFIX + secrets.token_urlsafe(32)

    @property
    def is_expired(self) -> bool:
        return self.expires_at is not None and self.expires_at <= timezone.now()

    @property
    def is_alive(self) -> bool:
        return self.revoked_at is None and not self.is_expired

    @property
    def status(self) -> str:
        if self.revoked_at:
            return "revoked"
        return "expired" if self.is_expired else "active"

    @property
    def restricts_projects(self) -> bool:
        return not self.all_projects

    def allows_project(self, project) -> bool:
        if self.all_projects:
            return True
        # Cached per token instance: the permission layer may ask more than once per request.
        if not hasattr(self, "_project_ids"):
            self._project_ids = set(self.projects.values_list("id", flat=True))
        return project.pk in self._project_ids
