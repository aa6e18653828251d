"""Writes of the deployments app. A deployment report — from the API or a CI webhook, normalised by
``receivers`` — lands through ``deployment_report``: the environment is found or created (tier inferred
from the name, flagged), the same ``external_id`` updates the deployment it named (started, then
finished) instead of adding one, changes are stored once per project by SHA. One transaction, one
change-log entry; a bad field is a ValidationError naming it, and nothing is stored."""

import re
from datetime import timedelta

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from apps.architecture.models import Component
from apps.contracts.models import ContractVersion
from apps.core.changelog import log_change
from apps.core.models import ObjectChange
from apps.core.services import atomic_or_conflict, instance_delete, instance_save
from apps.requirements.models import KEY_PREFIX, Requirement

from .dora_queries import forget_deployment, record_deliveries
from .models import Change, Deployment, Environment, GatePolicy, Incident, RequirementDelivery
from .receivers.environments import infer_tier, slugify_environment
from .receivers.report import IncidentEvent, ReportError, check_sha, check_span, is_full_sha

FINAL = (Deployment.Status.SUCCESS, Deployment.Status.FAILURE, Deployment.Status.CANCELLED)
REQUIREMENT_KEY = re.compile(rf"\b{KEY_PREFIX}(\d+)\b", re.IGNORECASE)
#: The gate a new production environment starts with (apps.deployments.gates runs it).
PRODUCTION_DEFAULTS = {"tests_pass": True, "excuse_flaky": False, "no_new_failures": False,
                       "requirement_coverage": None, "no_breaking_contracts": True, "no_lint_errors": False,
                       "incident_freeze": True}  # fmt: skip
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
    ensure_default_policy(environment)
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
    # The raw upload and the parsed document are the heavy columns; nothing here reads them.
    versions = ContractVersion.objects.filter(contract__project=project).defer("raw", "document")
    found, missing = [], []
    if isinstance(value, dict):
        wanted = {(slug, str(label)) for slug, label in value.items()}
        candidates = versions.filter(contract__slug__in={slug for slug, _ in wanted},
                                     label__in={label for _, label in wanted}).select_related("contract")  # fmt: skip
        newest = {}  # one query for every pair; ascending numbers, so the newest with a label is kept
        for version in candidates.order_by("number"):
            newest[(version.contract.slug, version.label)] = version
        for slug, label in value.items():
            version = newest.get((slug, str(label)))
            (found if version else missing).append(version or f"{slug} {label}")
    else:
        rows = {v.pk: v for v in versions.filter(pk__in=[v for v in value if isinstance(v, int)])}
        for pk in value:
            (found if pk in rows else missing).append(rows.get(pk) or str(pk))
    if missing:
        raise ValidationError({"contract_versions": f"No such contract version: {', '.join(missing)}."})
    return found


def _rollback_target(project, value, environment) -> Deployment | None:
    """The deployment a rollback undoes: by id or external id, in the same environment."""
    if value in (None, ""):
        return None
    rows = Deployment.objects.filter(project=project)
    text = str(value)
    by_id = rows.filter(pk=int(text)).first() if text.isascii() and text.isdigit() and len(text) < 10 else None
    target = rows.filter(external_id=text).first() or by_id
    if target is None:
        raise ValidationError({"rollback_of": f"No deployment has the id or external id {value}."})
    if target.environment_id != environment.pk:
        raise ValidationError({"rollback_of": f"Deployment {value} went to {target.environment.slug}; a rollback "
                                              f"undoes a deployment of its own environment ({environment.slug})."})
    return target


@atomic_or_conflict("Another report of this deployment was saved at the same moment; send it again.")
def deployment_report(*, project, actor, values: dict, source: str = "api") -> Deployment:
    """Record (or update, by ``external_id``) one deployment. ``values``: environment, version, commit,
    ref, status, kind, started_at, finished_at (aware datetimes), build_url, external_id, rollback_of,
    components (keys; None = the environment's), contract_versions, changes ([{sha, …}])."""
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
    previous_target = deployment.rollback_of_id
    if "rollback_of" in values:
        deployment.rollback_of = _rollback_target(project, values.get("rollback_of"), environment)
    deployment.full_clean(exclude=["project", "environment", "actor", "rollback_of"])
    deployment.save()
    if creating or "components" in values:
        deployment.components.set(_components(project, values.get("components"), environment))
    if "contract_versions" in values:
        deployment.contract_versions.set(resolve_contract_versions(project, values.get("contract_versions")))
    if values.get("changes"):
        deployment.changes.add(*_changes(project, list(values["changes"])))
    _after_report(deployment)
    if previous_target and previous_target != deployment.rollback_of_id:
        record_deliveries(Deployment(pk=previous_target))  # no longer rolled back by this one: its changes again
    log_change(actor=actor, instance=deployment,
               action=ObjectChange.Action.CREATE if creating else ObjectChange.Action.UPDATE,
               message=f"{deployment.get_status_display()} to {environment.slug} ({source})")  # fmt: skip
    return deployment


def _after_report(deployment: Deployment) -> None:
    """What a reported deployment changes elsewhere: the first deliveries of its changes (DORA's lead
    time), the incidents it may have caused, the requirements it brought to production."""
    record_deliveries(deployment)
    resuggest_causes(deployment)
    record_requirement_deliveries(deployment)


def requirement_numbers(text: str) -> set[int]:
    """The requirement numbers a commit message names: ``REQ-12`` → 12 (any case)."""
    return {int(number) for number in REQUIREMENT_KEY.findall(text or "") if len(number) < 10}


def record_requirement_deliveries(deployment: Deployment) -> None:
    """A successful production deployment: each requirement one of its changes names, not yet in
    production, is now — from this deployment and that change."""
    if deployment.status != Deployment.Status.SUCCESS or deployment.environment.tier != Environment.Tier.PRODUCTION:
        return
    named: dict[int, Change] = {}
    for change in deployment.changes.order_by("committed_at", "id").only("id", "message"):
        for number in requirement_numbers(change.message):
            named.setdefault(number, change)
    if not named:
        return
    waiting = Requirement.objects.filter(project_id=deployment.project_id, number__in=list(named),
                                         production_delivery__isnull=True)  # fmt: skip
    RequirementDelivery.objects.bulk_create(
        [RequirementDelivery(requirement=r, deployment=deployment, change=named[r.number],
                             delivered_at=deployment.finished_at) for r in waiting],
        ignore_conflicts=True)  # fmt: skip


def ensure_default_policy(environment: Environment) -> GatePolicy | None:
    """Give a production environment its default gate (tests pass, no breaking contracts, incident
    freeze) if it has no policy. Returns the environment's policy, or None for another tier without one."""
    existing = GatePolicy.objects.filter(environment=environment).first()
    if existing is not None or environment.tier != Environment.Tier.PRODUCTION:
        return existing
    policy, created = GatePolicy.objects.get_or_create(
        environment=environment, defaults={"project_id": environment.project_id, **PRODUCTION_DEFAULTS})  # fmt: skip
    if created:
        log_change(actor=None, instance=policy, action=ObjectChange.Action.CREATE,
                   message="the default gate of a production environment")  # fmt: skip
    return policy


@transaction.atomic
def deployment_delete(*, instance: Deployment, actor) -> None:
    """Delete a deployment (a mistaken report): the first deliveries it held move to the next deployment
    that brings those changes, so DORA's lead time stays right."""
    forget_deployment(instance)
    instance_delete(instance=instance, actor=actor)


def current_deployment(*, environment: Environment) -> Deployment | None:
    """What the environment runs now: its latest successful deployment."""
    return (environment.deployments.filter(status=Deployment.Status.SUCCESS).order_by("-finished_at", "-id")
            .first())  # fmt: skip


# ---- incidents -------------------------------------------------------------------------------------


def suggested_cause(*, environment_id, started_at) -> Deployment | None:
    """The latest successful deployment to the environment that finished before the incident started,
    within DEPLOYMENTS_CAUSE_WINDOW_HOURS (the pure engine's ``dora.metrics.suggest_cause``, in SQL)."""
    if environment_id is None or started_at is None:
        return None
    window = timedelta(hours=settings.DEPLOYMENTS_CAUSE_WINDOW_HOURS)
    return (Deployment.objects.filter(environment_id=environment_id, status=Deployment.Status.SUCCESS,
                                      finished_at__lt=started_at, finished_at__gte=started_at - window)
            .order_by("-finished_at", "-id").first())  # fmt: skip


@atomic_or_conflict("This incident was opened by another report at the same moment; send it again.")
def incident_save(*, instance: Incident, actor, values: dict, by_person: bool = True) -> Incident:
    """Open or update an incident. A person (the UI, the API) who sets ``caused_by`` — or ticks
    ``cause_confirmed`` — fixes the cause for good; until then it is re-suggested on every save, so a
    deployment reported late still gets the blame it should. An alerting tool never moves it."""
    previous_cause = instance.caused_by_id
    for name, value in values.items():
        setattr(instance, name, value)
    if by_person and "caused_by" in values and (instance.caused_by_id != previous_cause or instance._state.adding
                                                and instance.caused_by_id):  # fmt: skip
        instance.cause_confirmed = True
    # Confirming a new incident without naming a cause confirms the suggestion (there was none to see).
    if not instance.cause_confirmed or instance._state.adding and instance.caused_by_id is None:
        instance.caused_by = suggested_cause(environment_id=instance.environment_id, started_at=instance.started_at)
    if instance.detected_at is None and instance.started_at is not None:
        instance.detected_at = instance.started_at
    return instance_save(instance=instance, actor=actor)


def incident_event(*, project, actor, event: IncidentEvent) -> tuple[Incident, bool]:
    """Apply an alerting tool's firing/resolved event (by ``external_id``): opens, re-opens or resolves
    one incident; the same event twice changes nothing. Returns (incident, created)."""
    with transaction.atomic():
        incident = (Incident.objects.select_for_update().filter(project=project, external_id=event.external_id)
                    .first())  # fmt: skip
        created = incident is None
        now = timezone.now()
        values: dict = {}
        if created:
            environment = Environment.objects.filter(project=project, slug=event.environment).first()
            incident = Incident(project=project, external_id=event.external_id, source=event.source)
            values = {"title": event.title[:300], "severity": event.severity, "environment": environment,
                      "started_at": event.started_at or now, "description": event.description}  # fmt: skip
        if event.action == "resolve":
            if incident.resolved_at is None:
                values["resolved_at"] = max(event.resolved_at or now, values.get("started_at") or incident.started_at)
        elif incident.resolved_at is not None:  # firing again: the same problem is back
            values["resolved_at"] = None
        if values:
            incident = incident_save(instance=incident, actor=actor, values=values, by_person=False)
        return incident, created


def resuggest_causes(deployment: Deployment) -> None:
    """A successful deployment reported after an incident it may have caused: re-suggest the cause of
    the environment's unconfirmed incidents that started within the window after it finished."""
    if deployment.status != Deployment.Status.SUCCESS or deployment.finished_at is None:
        return
    window = timedelta(hours=settings.DEPLOYMENTS_CAUSE_WINDOW_HOURS)
    incidents = Incident.objects.filter(environment_id=deployment.environment_id, cause_confirmed=False,
                                        started_at__gt=deployment.finished_at,
                                        started_at__lte=deployment.finished_at + window)  # fmt: skip
    for incident in incidents:
        cause = suggested_cause(environment_id=incident.environment_id, started_at=incident.started_at)
        if cause is not None and cause.pk != incident.caused_by_id:
            Incident.objects.filter(pk=incident.pk).update(caused_by=cause)
