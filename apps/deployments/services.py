"""Writes of the deployments app. A deployment report — from the API or a CI webhook, normalised by
``receivers`` — lands through ``deployment_report``: the environment is found or created (tier inferred
from the name, flagged), the same ``external_id`` updates the deployment it named (started, then
finished) instead of adding one, changes are stored once per project by SHA. One transaction, one
change-log entry; a bad field is a ValidationError naming it, and nothing is stored."""

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone

from apps.architecture.models import Component
from apps.contracts.models import ContractVersion
from apps.core.changelog import log_change
from apps.core.models import ObjectChange
from apps.core.services import Conflict

from .models import Change, Deployment, Environment
from .receivers.environments import infer_tier, slugify_environment
from .receivers.report import ReportError, check_sha, check_span, is_full_sha

FINAL = (Deployment.Status.SUCCESS, Deployment.Status.FAILURE, Deployment.Status.CANCELLED)
REPORT_FIELDS = ("version", "commit", "ref", "status", "kind", "started_at", "finished_at", "build_url")


def environment_for(*, project, name: str, actor) -> Environment:
    """The project's environment of this name (or slug), created with an inferred tier if new."""
    slug = slugify_environment(name).replace("/", "-")[:63]
    if not slug:
        raise ValidationError({"environment": "Name the environment (e.g. production, staging)."})
    environment = Environment.objects.filter(project=project, slug=slug).first()
    if environment is not None:
        return environment
    environment = Environment(project=project, slug=slug, name=name.strip()[:200] or slug, tier=infer_tier(name),
                              tier_inferred=True)  # fmt: skip
    environment.full_clean(exclude=["project"])
    environment.save()
    message = f"first named by a deployment report; tier {environment.tier} inferred from its name"
    log_change(actor=actor, instance=environment, action=ObjectChange.Action.CREATE, message=message)
    return environment


def _changes(project, items: list[dict]) -> list[Change]:
    """Store the reported commits once per project (new ones in bulk); returns them in report order."""
    limit = settings.DEPLOYMENTS_MAX_CHANGES
    if len(items) > limit:
        raise ValidationError({"changes": f"At most {limit} changes per report; send the rest in another report."})
    wanted: dict[str, dict] = {}
    for index, item in enumerate(items):
        try:
            sha = check_sha(str(item.get("sha", "")), f"changes[{index}].sha")
            if not is_full_sha(sha):
                raise ReportError(f"changes[{index}].sha", "a change needs the full 40-character SHA")
        except ReportError as exc:
            raise ValidationError({"changes": f"{exc.field}: {exc.message}"}) from None
        wanted.setdefault(sha, {**item, "sha": sha})
    existing = {c.sha: c for c in Change.objects.filter(project=project, sha__in=list(wanted))}
    new = [Change(project=project, sha=sha, message=str(item.get("message") or "")[:10_000],
                  author=str(item.get("author") or "")[:200], authored_at=item.get("authored_at"),
                  committed_at=item.get("committed_at"), pr_number=item.get("pr_number"),
                  pr_merged_at=item.get("pr_merged_at"))
           for sha, item in wanted.items() if sha not in existing]  # fmt: skip
    for change in Change.objects.bulk_create(new):
        existing[change.sha] = change
    return [existing[sha] for sha in wanted]


def _components(project, keys, environment) -> list[Component]:
    if keys is None:
        return list(environment.components.all())
    found = {c.key: c for c in Component.objects.filter(project=project, key__in=list(keys))}
    missing = [key for key in keys if key not in found]
    if missing:
        raise ValidationError({"components": f"Not in the catalog: {', '.join(missing)}."})
    return [found[key] for key in keys]


def resolve_contract_versions(project, value) -> list[ContractVersion]:
    """Ids, or {contract slug: version label} (the newest version with that label)."""
    if not value:
        return []
    versions = ContractVersion.objects.filter(contract__project=project)
    found, missing = [], []
    if isinstance(value, dict):
        for slug, label in value.items():
            version = versions.filter(contract__slug=slug, label=str(label)).order_by("-number").first()
            (found if version else missing).append(version or f"{slug} {label}")
    else:
        rows = {v.pk: v for v in versions.filter(pk__in=[v for v in value if isinstance(v, int)])}
        for pk in value:
            (found if pk in rows else missing).append(rows.get(pk) or str(pk))
    if missing:
        raise ValidationError({"contract_versions": f"No such contract version: {', '.join(missing)}."})
    return found


def _rollback_target(project, value) -> Deployment | None:
    if value in (None, ""):
        return None
    rows = Deployment.objects.filter(project=project)
    text = str(value)
    by_id = rows.filter(pk=int(text)).first() if text.isascii() and text.isdigit() and len(text) < 10 else None
    target = rows.filter(external_id=text).first() or by_id
    if target is None:
        raise ValidationError({"rollback_of": f"No deployment has the id or external id {value}."})
    return target


def deployment_report(*, project, actor, values: dict, source: str = "api") -> Deployment:
    """Record (or update, by ``external_id``) one deployment. ``values``: environment, version, commit,
    ref, status, kind, started_at, finished_at (aware datetimes), build_url, external_id, rollback_of,
    components (keys; None = the environment's), contract_versions, changes ([{sha, …}])."""
    try:
        return _report(project=project, actor=actor, values=values, source=source)
    except IntegrityError:  # two reports of one new external_id at once: the other one won
        raise Conflict("Another report of this deployment was saved at the same moment; send it again.") from None


@transaction.atomic
def _report(*, project, actor, values: dict, source: str) -> Deployment:
    try:
        commit = check_sha(values["commit"], "commit") if values.get("commit") else ""
        check_span(values.get("started_at"), values.get("finished_at"))
    except ReportError as exc:
        raise ValidationError({exc.field: exc.message}) from None
    environment = environment_for(project=project, name=values.get("environment") or "", actor=actor)
    external_id = str(values.get("external_id") or "")[:200]
    deployment = None
    if external_id:
        deployment = Deployment.objects.select_for_update().filter(project=project, external_id=external_id).first()
    creating = deployment is None
    if creating:
        deployment = Deployment(project=project, external_id=external_id, source=source, actor=actor)
    elif deployment.environment_id != environment.pk:
        raise ValidationError({"environment": f"Deployment {external_id} was reported to "
                                              f"{deployment.environment.slug}, not {environment.slug}."})  # fmt: skip
    deployment.environment = environment
    for name in REPORT_FIELDS:
        if name in values and values[name] not in (None, ""):
            setattr(deployment, name, commit if name == "commit" else values[name])
    if deployment.status in FINAL and deployment.finished_at is None:
        deployment.finished_at = timezone.now()  # CI that sends no times: it finished when it said so
    if "rollback_of" in values:
        deployment.rollback_of = _rollback_target(project, values.get("rollback_of"))
    deployment.full_clean(exclude=["project", "environment", "actor", "rollback_of"])
    deployment.save()
    if creating or "components" in values:
        deployment.components.set(_components(project, values.get("components"), environment))
    if "contract_versions" in values:
        deployment.contract_versions.set(resolve_contract_versions(project, values.get("contract_versions")))
    if values.get("changes"):
        deployment.changes.add(*_changes(project, list(values["changes"])))
    log_change(actor=actor, instance=deployment,
               action=ObjectChange.Action.CREATE if creating else ObjectChange.Action.UPDATE,
               message=f"{deployment.get_status_display()} to {environment.slug} ({source})")  # fmt: skip
    return deployment


def current_deployment(*, environment: Environment) -> Deployment | None:
    """What the environment runs now: its latest successful deployment."""
    return (environment.deployments.filter(status=Deployment.Status.SUCCESS).order_by("-finished_at", "-id")
            .first())  # fmt: skip
