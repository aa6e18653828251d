"""Catalog import/export (Backstage's catalog-info.yaml) and decision records in and out (a zip of
MADR files). Imports are all-or-nothing, with a dry run that says what would happen; each logs once
per batch. The file formats themselves are the engines' (catalog/backstage.py, adr/)."""

from dataclasses import dataclass, field

from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError

from apps.core.changelog import log_change
from apps.core.csvimport import ImportReport, RowError
from apps.core.models import ObjectChange
from apps.core.services import atomic_or_conflict, reserve_numbers

from . import services
from .adr import archive as adr_archive
from .adr import madr
from .catalog import backstage
from .models import ApiReference, Component, Decision, Relation, System, Tag


@dataclass
class CatalogReport(ImportReport):
    """An ImportReport whose rows are catalog entities, plus what the file names but doesn't hold."""

    unknown_references: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)

    def as_dict(self) -> dict:
        return {**super().as_dict(), "unknown_references": self.unknown_references, "notes": self.notes}


def _plan(text: str):
    try:
        return backstage.parse_catalog(text)
    except backstage.CatalogError as exc:
        raise ValidationError({"file": str(exc)}) from None


def _members(project) -> dict[str, object]:
    field_name = get_user_model().USERNAME_FIELD
    users = get_user_model().objects.filter(memberships__project=project)
    return {getattr(user, field_name): user for user in users}


def _differs(instance, values: dict) -> bool:
    return any(getattr(instance, name) != value for name, value in values.items())


@atomic_or_conflict("Another import or edit saved the same entities at the same moment; nothing was saved. "
                    "Try again.")
def catalog_import(*, project, actor, text: str, dry_run: bool = False) -> CatalogReport:
    """Create or update systems, components, relations and API references from a Backstage catalog.

    A file the engine refuses (bad YAML, an unknown kind, a missing field) raises ValidationError
    naming the document and field, and nothing is written. References to entities that are neither
    in the file nor already in the catalog are listed and kept on the component (``unresolved``).
    A concurrent write of the same keys makes it a Conflict (409), with nothing saved.
    """
    plan = _plan(text)
    report = CatalogReport(dry_run=dry_run, notes=list(plan.notes))
    members = _members(project)
    systems = {s.key: s for s in System.objects.filter(project=project)}
    components = {c.key: c for c in Component.objects.filter(project=project).select_related("system")
                  .prefetch_related("tags")}  # fmt: skip
    system_keys = set(systems) | {s.key for s in plan.systems}
    component_keys = set(components) | {c.key for c in plan.components}

    def note(document, key, name, kind, action):
        report.rows += 1
        setattr(report, action, getattr(report, action) + 1)
        if len(report.preview) < 200:
            report.preview.append({"row": document, "action": action.rstrip("d") if action != "unchanged"
                                   else action, "key": key, "title": name, "status": kind, "errors": ""})  # fmt: skip

    # What the file names but doesn't hold may already be in the catalog; only the rest is unknown.
    known = {"system": system_keys, "component": component_keys, "resource": component_keys,
             "api": set(ApiReference.objects.filter(project=project).values_list("key", flat=True))
             | {a.key for a in plan.apis},
             "domain": set(System.objects.filter(project=project).values_list("domain", flat=True))
             | {d.key for d in plan.domains}}  # fmt: skip
    unresolved: dict[str, list[str]] = {}
    for ref in plan.unknown_references:
        if ref.key in known.get(ref.kind, set()):
            continue
        report.unknown_references.append(f"document {ref.document}: {ref.source} {ref.field} → {ref.ref}")
        if ref.source in component_keys:
            unresolved.setdefault(ref.source, []).append(ref.ref)

    # Systems first (components point at them), then components, then what links components.
    for index, item in enumerate(plan.systems, 1):
        values = {"name": item.name[:200] or item.key, "description": item.description,
                  "owner": members.get(item.owner), "domain": (item.domain or "")[:63]}  # fmt: skip
        current = systems.get(item.key)
        action = "created" if current is None else "updated" if _differs(current, values) else "unchanged"
        note(getattr(item, "document", index), item.key, values["name"], "system", action)
        if not dry_run and action != "unchanged":
            row = current or System(project=project, key=item.key)
            for name, value in values.items():
                setattr(row, name, value)
            _save_quietly(row)
            systems[item.key] = row
    for index, item in enumerate(plan.components, 1):
        values = {"name": item.name[:200] or item.key, "kind": item.kind, "lifecycle": item.lifecycle,
                  "description": item.description, "owner": members.get(item.owner), "team": (item.owner or "")[:100],
                  "technology": (item.technology or "")[:100], "repository_url": (item.repository_url or "")[:500],
                  "system": systems.get(item.system) if not dry_run else None}  # fmt: skip
        current = components.get(item.key)
        compare = {k: v for k, v in values.items() if k != "system"}
        changed = current is None or _differs(current, compare) or (
            (current.system.key if current.system_id else "") != (item.system if item.system in system_keys else "")
        ) or sorted(t.name for t in current.tags.all()) != sorted(set(item.tags))
        action = "created" if current is None else "updated" if changed else "unchanged"
        note(getattr(item, "document", index), item.key, values["name"], item.kind, action)
        missing = unresolved.get(item.key, [])
        # An unchanged row is not written again (a re-import of a big catalog costs reads only).
        if not dry_run and (action != "unchanged" or current.unresolved != missing):
            row = current or Component(project=project, key=item.key)
            for name, value in values.items():
                setattr(row, name, value)
            row.unresolved = missing
            _save_quietly(row)
            components[item.key] = row
            row.tags.set(_tags(project, item.tags) if item.tags else [])
    if report.errors or dry_run:
        return report
    _link_components(project, plan, components, systems)
    log_change(actor=actor, instance=project, action=ObjectChange.Action.ACTION, verb="imported a catalog",
               message=f"{report.created} created, {report.updated} updated, {report.unchanged} unchanged; "
               f"{len(report.unknown_references)} unknown references.")  # fmt: skip
    return report


def _save_quietly(row) -> None:
    """Validate and save one imported row; the whole import is logged once, not row by row."""
    try:
        row.full_clean()
    except ValidationError as exc:
        kind = type(row).__name__.lower()
        raise ValidationError({"file": [f"{kind} '{row.key}': {m}" for m in exc.messages]}) from None
    row.save()


def _tags(project, names: list[str]) -> list[Tag]:
    return services.tags_for(project=project, names=services.split_tags(list(names)))


def _link_components(project, plan, components: dict, systems: dict) -> None:
    """Parents, dependsOn relations (never twice) and API references, once every row exists. The
    plan names everything by key; a key that is nowhere was listed as unknown and is skipped here."""
    for item in plan.components:
        parent, row = components.get(item.parent), components[item.key]
        if item.parent and parent is not None and row.parent_id != parent.pk:
            row.parent = parent
            _save_quietly(row)
    # A dependsOn between two components that already have a relation (a "calls" exported as
    # dependsOn, say) is that relation: re-importing an export adds nothing.
    have = set(Relation.objects.filter(project=project).values_list("source_id", "target_id"))
    new = []
    for relation in plan.relations:
        source, target = components.get(relation.source), components.get(relation.target)
        if source is None or target is None or source.pk == target.pk:
            continue
        if (source.pk, target.pk) not in have:
            have.add((source.pk, target.pk))
            new.append(Relation(project=project, source=source, target=target, kind=relation.kind))
    Relation.objects.bulk_create(new)
    apis = {a.key: a for a in ApiReference.objects.filter(project=project)}
    for item in plan.apis:
        row = apis.get(item.key) or ApiReference(project=project, key=item.key)
        row.name, row.type = (item.name or item.key)[:200], (item.type or "")[:30]
        row.lifecycle, row.owner = (item.lifecycle or "")[:20], (item.owner or "")[:100]
        row.definition = item.definition_ref or item.definition or ""
        row.system = systems.get(item.system) if item.system else None
        _save_quietly(row)
        apis[item.key] = row
    # Providers and consumers, named on either side (an API's provided_by, a component's providesApis).
    providers, consumers = {}, {}
    for item in plan.apis:
        providers.setdefault(item.key, set()).update(item.provided_by)
        consumers.setdefault(item.key, set()).update(item.consumed_by)
    for item in plan.components:
        for key in item.provides_apis:
            providers.setdefault(key, set()).add(item.key)
        for key in item.consumes_apis:
            consumers.setdefault(key, set()).add(item.key)
    for links, name in ((providers, "providers"), (consumers, "consumers")):
        for key, component_keys in links.items():
            if key in apis:
                getattr(apis[key], name).add(*[components[k] for k in component_keys if k in components])


def catalog_export(*, project) -> str:
    """The whole catalog as Backstage YAML (multi-document), readable by catalog_import."""
    systems = list(System.objects.filter(project=project).select_related("owner"))
    components = list(Component.objects.filter(project=project).select_related("owner", "system", "parent")
                      .prefetch_related("tags", "relations_out__target", "provided_apis", "consumed_apis"))  # fmt: skip
    apis = list(ApiReference.objects.filter(project=project).select_related("system")
                .prefetch_related("providers", "consumers"))  # fmt: skip
    plan_systems = [backstage.PlanSystem(key=s.key, name=s.name, description=s.description,
                                         owner=s.owner.get_username() if s.owner else "", domain=s.domain)
                    for s in systems]  # fmt: skip
    domains = sorted({s.domain for s in systems if s.domain})
    plan_domains = [backstage.PlanDomain(key=d, name=d, description="", owner="") for d in domains]
    plan_components, relations = [], []
    for c in components:
        plan_components.append(backstage.PlanComponent(
            key=c.key, name=c.name, kind=c.kind, lifecycle=c.lifecycle, description=c.description,
            owner=c.team or (c.owner.get_username() if c.owner else ""), tags=[t.name for t in c.tags.all()],
            system=c.system.key if c.system else "", parent=c.parent.key if c.parent else "",
            technology=c.technology, repository_url=c.repository_url,
            provides_apis=[a.key for a in c.provided_apis.all()], consumes_apis=[a.key for a in c.consumed_apis.all()],
            # Backstage has one edge, dependsOn: every relation kind is written as one (once per target).
            depends_on=list(dict.fromkeys(f"component:{r.target.key}" for r in c.relations_out.all())),
        ))  # fmt: skip
    plan_apis = [backstage.PlanApi(key=a.key, name=a.name, type=a.type, lifecycle=a.lifecycle, owner=a.owner,
                                   system=a.system.key if a.system else "", definition_ref=a.definition,
                                   provided_by=[c.key for c in a.providers.all()],
                                   consumed_by=[c.key for c in a.consumers.all()]) for a in apis]  # fmt: skip
    return backstage.export_catalog(components=plan_components, systems=plan_systems, domains=plan_domains,
                                    apis=plan_apis, relations=relations)  # fmt: skip


# ---- decision records ---------------------------------------------------------------------------


@atomic_or_conflict("Another import saved decisions at the same moment; nothing was saved. Try again.")
def decisions_import(*, project, actor, data: bytes, dry_run: bool = False) -> ImportReport:
    """A zip of MADR (or adr-tools) files: each becomes or updates the decision of its number; the
    ones without a number get fresh numbers. All or nothing; every file's problem is listed."""
    try:
        files = adr_archive.read_zip(data)
    except madr.AdrError as exc:
        raise ValidationError({"file": str(exc)}) from None
    adrs, errors = adr_archive.parse_many(files)
    report = ImportReport(dry_run=dry_run, rows=len(files))
    for error in errors:
        report.errors.append(RowError(row=0, field=error.file or "", message=str(error)))
    if not files:
        report.errors.append(RowError(row=0, field="", message="The zip holds no .md decision records."))
    if report.errors:
        return report
    existing = {d.number: d for d in Decision.objects.filter(project=project)}
    for index, adr in enumerate(adrs, 1):
        action = "updated" if adr.number in existing else "created"
        setattr(report, action, getattr(report, action) + 1)
        report.preview.append({"row": index, "action": action[:-1], "key": f"ADR-{adr.number:04d}" if adr.number
                               else "new", "title": adr.title, "status": adr.status, "errors": ""})  # fmt: skip
    if dry_run:
        return report
    if adrs:
        reserve_numbers(project=project, name=services.ADR_COUNTER, count=0,
                        at_least=max((a.number or 0) for a in adrs))  # fmt: skip
    saved = {}
    for adr in adrs:
        row = existing.get(adr.number) or Decision(project=project)
        if row.pk is None and adr.number:
            row.number = adr.number
        elif row.pk is None:
            row.number = reserve_numbers(project=project, name=services.ADR_COUNTER)[0]
        for name, value in _decision_values(adr).items():
            setattr(row, name, value)
        row.full_clean()
        row.save()
        saved[row.number] = row
    numbers = {d.number: d for d in Decision.objects.filter(project=project)}
    for adr in adrs:
        row = saved.get(adr.number)
        if row is not None and adr.supersedes:
            row.supersedes.add(*[numbers[n] for n in adr.supersedes if n in numbers and n != row.number])
    message = f"{report.created} created, {report.updated} updated from a zip of {len(files)} files."
    log_change(actor=actor, instance=project, action=ObjectChange.Action.ACTION, verb="imported decisions",
               message=message)  # fmt: skip
    return report


def _decision_values(adr) -> dict:
    # Sections our fields don't have (MADR's "Pros and Cons of the Options", "More Information"):
    # kept under the consequences, headings included, so nothing is lost.
    consequences = "\n\n".join(part for part in (adr.consequences, adr.extra) if part)
    return {"title": adr.title[:200], "status": adr.status or "proposed", "date": adr.date,
            "deciders": (adr.deciders or "")[:300], "context": adr.context or "",
            "considered_options": adr.considered_options or "", "decision": adr.decision or "",
            "consequences": consequences.strip()}  # fmt: skip


def decisions_export(*, project) -> bytes:
    """Every decision as a MADR file (YAML front matter), zipped."""
    decisions = Decision.objects.filter(project=project).prefetch_related("supersedes", "superseded_by")
    files = []
    for d in decisions:
        adr = madr.ParsedAdr(
            number=d.number, title=d.title, status=d.status, date=d.date, deciders=d.deciders, context=d.context,
            considered_options=d.considered_options, decision=d.decision, consequences=d.consequences,
            supersedes=[s.number for s in d.supersedes.all()],
            superseded_by=min((s.number for s in d.superseded_by.all()), default=None),
        )  # fmt: skip
        files.append((madr.filename_for(d.number, d.title), madr.render_madr(adr)))
    return adr_archive.write_zip(files)
