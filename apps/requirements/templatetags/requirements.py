from django import template

register = template.Library()

STATUS_BADGES = {
    "draft": "text-bg-light border", "in_review": "text-bg-warning", "approved": "text-bg-primary",
    "implemented": "text-bg-info", "verified": "text-bg-success", "rejected": "text-bg-danger",
    "obsolete": "text-bg-secondary",
}  # fmt: skip
PRIORITY_BADGES = {
    "must": "text-bg-danger",
    "should": "text-bg-warning",
    "could": "text-bg-info",
    "wont": "text-bg-light border",
}


@register.filter
def status_badge(status: str) -> str:
    return STATUS_BADGES.get(str(status), "text-bg-secondary")


@register.filter
def priority_badge(priority: str) -> str:
    return PRIORITY_BADGES.get(str(priority), "text-bg-secondary")


VERIFICATION_BADGES = {"verified": "text-bg-success", "failing": "text-bg-danger"}


@register.filter
def verification_badge(verification: str) -> str:
    return VERIFICATION_BADGES.get(str(verification), "text-bg-light border")


@register.filter
def suspect_for(link, requirement) -> bool:
    """Is this downstream link (a test, a decision …: anything with ``fingerprint``) suspect?
    The one rule: revisions.is_suspect."""
    from apps.requirements.revisions import is_suspect

    return is_suspect(getattr(link, "fingerprint", ""), requirement)
