"""Demo deployments for ``manage.py seed_demo``: staging and production, with what each runs (staging is
one release ahead), reported as CI would."""

from datetime import timedelta

from django.utils import timezone

from . import services
from .models import Deployment

RELEASES = [
    # environment, version, commit, days ago, changes (sha, message)
    ("staging", "1.0.0", "1" * 40, 9, [("a" * 40, "REQ-1 Accept card payments")]),
    ("production", "1.0.0", "1" * 40, 8, [("a" * 40, "REQ-1 Accept card payments")]),
    ("staging", "1.1.0", "2" * 40, 2, [("b" * 40, "REQ-4 Refund a payment"), ("c" * 40, "Faster card checks")]),
]


def seed_deployments(*, project, user) -> None:
    """Idempotent: does nothing if the project already has deployments."""
    if Deployment.objects.filter(project=project).exists():
        return
    now = timezone.now()
    for environment, version, commit, days, changes in RELEASES:
        finished = now - timedelta(days=days)
        services.deployment_report(project=project, actor=user, values={
            "environment": environment, "version": version, "commit": commit, "status": "success",
            "started_at": finished - timedelta(minutes=6), "finished_at": finished,
            "external_id": f"demo-{environment}-{version}",
            "changes": [{"sha": sha, "message": message, "committed_at": finished - timedelta(days=1)}
                        for sha, message in changes]})  # fmt: skip
