"""Demo deployments for ``manage.py seed_demo``: staging and production over the last twelve weeks, as CI
would report them — releases with their commits (some naming requirements), one hotfix, one rollback
and two incidents — so the DORA dashboard, the matrix and the compare page have something to show.
Staging is one release ahead of production."""

from datetime import timedelta

from django.utils import timezone

from apps.architecture.models import Component
from apps.contracts.models import ContractVersion

from . import services
from .models import Deployment, Environment, Incident

RELEASES = [
    # environment, version, commit, days ago, kind, changes (sha, message)
    ("staging", "1.0.0", "1" * 40, 9, "planned", [("a" * 40, "REQ-1 Accept card payments")]),
    ("production", "1.0.0", "1" * 40, 8, "planned", [("a" * 40, "REQ-1 Accept card payments")]),
    ("staging", "1.1.0", "2" * 40, 2, "planned", [("b" * 40, "REQ-4 Refund a payment"),
                                                   ("c" * 40, "Faster card checks")]),
]  # fmt: skip
HISTORY_WEEKS = 11  # production releases before 1.0.0, one a week, so the trend charts have a shape


def _history() -> list[tuple]:
    rows = []
    for week in range(HISTORY_WEEKS, 0, -1):
        version, days = f"0.{HISTORY_WEEKS - week + 1}.0", 8 + week * 7
        sha, change = f"{week:x}".rjust(40, "e"), f"{week:x}".rjust(40, "d")
        for environment, delay in (("staging", 1), ("production", 0)):
            rows.append((environment, version, sha, days + delay, "planned", [(change, f"Release {version}")]))
    return rows


def seed_deployments(*, project, user) -> None:
    """Idempotent: does nothing if the project already has deployments."""
    if Deployment.objects.filter(project=project).exists():
        return
    now = timezone.now()
    made = {}
    components = list(Component.objects.filter(project=project, key__in=["payments-api", "web-shop"])
                      .values_list("key", flat=True))  # fmt: skip
    contract_versions = list(ContractVersion.objects.filter(contract__project=project, contract__slug="payments-api")
                             .order_by("number").values_list("pk", flat=True))  # fmt: skip
    for environment, version, commit, days, kind, changes in _history() + RELEASES:
        finished = now - timedelta(days=days)
        running = contract_versions[:1] if version == "1.0.0" else contract_versions[1:2] if version == "1.1.0" else []
        made[(environment, version)] = services.deployment_report(project=project, actor=user, values={
            "environment": environment, "version": version, "commit": commit, "status": "success", "kind": kind,
            "components": components, "contract_versions": running,
            "started_at": finished - timedelta(minutes=6), "finished_at": finished,
            "external_id": f"demo-{environment}-{version}",
            "changes": [{"sha": sha, "message": message, "committed_at": finished - timedelta(days=1, hours=days % 5),
                         "author": "Dana Developer"} for sha, message in changes]})  # fmt: skip
    for environment in Environment.objects.filter(project=project, tier_inferred=True):
        environment.tier_inferred = False  # the demo's names are plain: nothing to confirm
        environment.position = 1 if environment.tier == Environment.Tier.PRODUCTION else 0
        environment.save(update_fields=["tier_inferred", "position"])
    production = Environment.objects.get(project=project, slug="production")
    broken = made[("production", "0.9.0")]
    fix = services.deployment_report(project=project, actor=user, values={
        "environment": "production", "version": "0.9.1", "commit": "f" * 40, "kind": "hotfix",
        "started_at": broken.finished_at + timedelta(hours=3), "finished_at": broken.finished_at + timedelta(hours=3,
        minutes=5), "external_id": "demo-production-0.9.1",
        "changes": [{"sha": "9" * 40, "message": "Fix double charge on retry", "committed_at": broken.finished_at
                     + timedelta(hours=2)}]})  # fmt: skip
    services.incident_save(instance=Incident(project=project, source="ui"), actor=user, values={
        "title": "Card payments charged twice", "severity": "sev2", "environment": production,
        "started_at": broken.finished_at + timedelta(hours=1), "detected_at": broken.finished_at + timedelta(hours=1,
        minutes=10), "resolved_at": fix.finished_at, "fixed_by": fix, "cause_confirmed": True,
        "description": "Retries after a gateway timeout charged cards twice. Fixed by 0.9.1."})  # fmt: skip
    services.incident_save(instance=Incident(project=project, source="ui"), actor=user, values={
        "title": "Slow refunds page", "severity": "sev4", "environment": production,
        "started_at": now - timedelta(days=3),
        "description": "p95 above 2 s since Tuesday; under investigation."})  # fmt: skip
