"""Writes on accounts: API tokens (create, revoke, purge)."""

from datetime import timedelta

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models, transaction
from django.utils import timezone

from apps.core.changelog import log_change, snapshot
from apps.core.models import ObjectChange

from .models import ApiToken, hash_token


@transaction.atomic
def api_token_create(
    *,
    user,
    name: str,
    read_only: bool = False,
    all_projects: bool | None = None,
    projects=(),
    expires_in_days: int | None = None,
    actor=None,
) -> tuple[ApiToken, str]:
    """Mint a token for ``user``. Returns the row and the secret, which is never stored or shown again.

    Scope is stored explicitly: ``all_projects=True`` (every project of the user, also ones joined
    later) or some ``projects`` (and nothing else, ever). Left out, ``all_projects`` is True only when
    no projects are given; asking for both, or for neither, is refused.
    """
    projects = list(projects)
    if all_projects is None:
        all_projects = not projects
    if all_projects and projects:
        raise ValidationError({"projects": "Choose all of your projects, or some of them, not both."})
    if not all_projects and not projects:
        raise ValidationError({"projects": "Choose at least one project, or all of your projects."})
    allowed = set(user.memberships.values_list("project_id", flat=True))
    strangers = [p.slug for p in projects if p.pk not in allowed]
    if strangers:
        raise ValidationError({"projects": f"You are not a member of: {', '.join(strangers)}."})
    if expires_in_days is not None and not 1 <= expires_in_days <= 3650:
        raise ValidationError({"expires_in_days": "Choose between 1 and 3650 days, or no expiry."})
    raw = ApiToken.generate()
    token = ApiToken(
        user=user,
        name=name,
        read_only=read_only,
        all_projects=all_projects,
        key_hash=hash_token(raw),
        key_hint=raw[:10],
        expires_at=timezone.now() + timedelta(days=expires_in_days) if expires_in_days else None,
    )
    token.full_clean()
    token.save()
    token.projects.set(projects)
    log_change(actor=actor or user, instance=token, action=ObjectChange.Action.CREATE, after=snapshot(token))
    return token, raw


@transaction.atomic
def api_token_revoke(*, token: ApiToken, actor) -> ApiToken:
    if token.revoked_at is None:
        before = snapshot(token)
        token.revoked_at = timezone.now()
        token.save(update_fields=["revoked_at", "updated_at"])
        log_change(
            actor=actor, instance=token, action=ObjectChange.Action.UPDATE, verb="revoked",
            before=before, after=snapshot(token),
        )
    return token


@transaction.atomic
def api_tokens_purge() -> int:
    """Delete tokens revoked or expired longer ago than DEAD_TOKEN_RETENTION_DAYS. Idempotent."""
    cutoff = timezone.now() - settings.THREADLINE_DEAD_TOKEN_RETENTION
    dead = ApiToken.objects.filter(models.Q(revoked_at__lt=cutoff) | models.Q(expires_at__lt=cutoff))
    count = 0
    for token in dead:
        log_change(actor=None, instance=token, action=ObjectChange.Action.DELETE, before=snapshot(token),
                   message="purged: revoked or expired")
        token.delete()
        count += 1
    return count
