"""Every write of the architecture app beyond plain CRUD: components with their tags, documents with
revisions, data-model versions (parsed once), decisions with numbers, supersedes and requirement
links. Catalog and ADR imports live in transfer.py. Each write validates once and logs one change."""

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction

from apps.core.changelog import log_change
from apps.core.models import ObjectChange
from apps.core.services import instance_save, reserve_numbers
from apps.requirements.models import Requirement
from apps.requirements.revisions import set_links

from . import schema as schema_engine
from .models import (
    Component,
    DataModel,
    DataModelVersion,
    Decision,
    DecisionRequirement,
    Document,
    DocumentRevision,
    Tag,
)

ADR_COUNTER = "adr"


# ---- components ---------------------------------------------------------------------------------


def split_tags(text) -> list[str]:
    """Tags typed in one field ("python, pci tier-1") or given as a list, without repeats."""
    items = text if isinstance(text, list | tuple) else str(text or "").replace(";", ",").replace(",", " ").split()
    seen = []
    for item in items:
        name = str(item).strip()
        if name and name not in seen:
            seen.append(name)
    return seen


def tags_for(*, project, names: list[str]) -> list[Tag]:
    """The project's tags of these names, creating the missing ones (validated like any tag)."""
    existing = {tag.name: tag for tag in Tag.objects.filter(project=project, name__in=names)}
    for name in names:
        if name not in existing:
            tag = Tag(project=project, name=name)
            try:
                tag.full_clean(exclude=["project"])
            except ValidationError as exc:
                raise ValidationError({"tags": [f"'{name}': {m}" for m in exc.messages]}) from None
            tag.save()
            existing[name] = tag
    return [existing[name] for name in names]


def component_save(*, instance: Component, actor, values: dict) -> Component:
    """Create or update a component; ``tags`` may be names (created as needed) or Tag rows."""
    values = dict(values)
    tags = values.pop("tags", None)
    for name, value in values.items():
        setattr(instance, name, value)
    m2m = {}
    if tags is not None:
        names = [t if isinstance(t, str) else t.name for t in (split_tags(tags) if isinstance(tags, str) else tags)]
        m2m["tags"] = tags_for(project=instance.project, names=names)
    return instance_save(instance=instance, actor=actor, m2m=m2m)


# ---- documents (diagrams as code) ---------------------------------------------------------------


@transaction.atomic
def document_save(*, instance: Document, actor, values: dict) -> Document:
    """Create or update a document; a new title or source makes the next numbered revision."""
    values = dict(values)
    creating = instance.pk is None
    before = None if creating else Document.objects.filter(pk=instance.pk).values("title", "source").first()
    for name, value in values.items():
        if name != "components":
            setattr(instance, name, value)
    m2m = {"components": values["components"]} if "components" in values else None
    changed = creating or before != {"title": instance.title, "source": instance.source}
    document = instance_save(instance=instance, actor=actor, m2m=m2m)
    if changed:
        number = Document.objects.select_for_update().filter(pk=document.pk).values_list("revision", flat=True)[0] + 1
        DocumentRevision.objects.create(document=document, number=number, title=document.title,
                                        source=document.source, author=actor)  # fmt: skip
        Document.objects.filter(pk=document.pk).update(revision=number)
        document.revision = number
    return document


# ---- data models (ERD versions) -----------------------------------------------------------------


def parse_schema(*, text: str, format: str, dialect: str = ""):
    """The parsed schema of an upload, or a ValidationError naming the line: never half a version."""
    limit = settings.ARCHITECTURE_MAX_SCHEMA_BYTES
    if len(text.encode("utf-8", "surrogatepass")) > limit:
        raise ValidationError({"file": f"The schema is larger than the {limit // 2**20} MB limit."})
    if "\x00" in text:
        raise ValidationError({"file": "This is not a text file (it holds NUL bytes)."})
    try:
        if format == DataModelVersion.Format.DBML:
            return schema_engine.parse_dbml(text)
        if format == DataModelVersion.Format.SQL:
            return schema_engine.parse_ddl(text, dialect or DataModelVersion.Dialect.POSTGRES)
    except schema_engine.SchemaError as exc:
        where = f"Line {exc.line}: " if exc.line else ""
        raise ValidationError({"file": f"{where}{exc}"}) from None
    raise ValidationError({"format": "Choose dbml or sql."})


@transaction.atomic
def data_model_version_add(*, data_model: DataModel, actor, text: str, format: str, dialect: str = "",
                           label: str = "") -> DataModelVersion:  # fmt: skip
    """Parse an uploaded DBML/DDL, store it as the next version and mark whether it breaks the last."""
    if format == DataModelVersion.Format.SQL and dialect not in DataModelVersion.Dialect.values:
        raise ValidationError({"dialect": f"Choose one of: {', '.join(DataModelVersion.Dialect.values)}."})
    parsed = parse_schema(text=text, format=format, dialect=dialect)
    locked = DataModel.objects.select_for_update().get(pk=data_model.pk)
    previous = locked.versions.order_by("-number").first()
    changes = schema_engine.diff_schemas(schema_engine.Schema.from_dict(previous.schema), parsed) if previous else []
    breaking = schema_engine.is_breaking(changes) if previous else None
    version = DataModelVersion(
        data_model=locked, number=(previous.number if previous else 0) + 1, label=label[:100], format=format,
        dialect=dialect if format == DataModelVersion.Format.SQL else "", source=text, schema=parsed.to_dict(),
        tables=len(parsed.tables), warnings=list(parsed.warnings), breaking=breaking, author=actor,
    )  # fmt: skip
    version.full_clean(exclude=["data_model", "author"])
    version.save()
    DataModel.objects.filter(pk=locked.pk).update(latest_breaking=bool(breaking))
    data_model.latest_breaking = bool(breaking)
    log_change(actor=actor, instance=locked, action=ObjectChange.Action.ACTION, verb="version added",
               message=f"v{version.number}: {version.tables} tables" + (", breaking" if breaking else ""))  # fmt: skip
    return version


def data_model_diff(*, base: DataModelVersion, revision: DataModelVersion) -> dict:
    """{"breaking": bool, "changes": [...]} between two versions (the contracts diff's shape)."""
    changes = schema_engine.diff_schemas(
        schema_engine.Schema.from_dict(base.schema), schema_engine.Schema.from_dict(revision.schema)
    )
    return {"breaking": schema_engine.is_breaking(changes), "changes": changes}


# ---- decisions (ADRs) ---------------------------------------------------------------------------


def _link_requirements(decision: Decision, requirements: list[Requirement]) -> None:
    """Keep the links to exactly these requirements; a new link stores the requirement's fingerprint
    now, an existing one keeps the fingerprint it was made with (so a later change stays suspect)."""
    set_links(decision.requirement_links.all(), requirements,
              lambda r, **kept: DecisionRequirement(decision=decision, requirement=r, **kept))  # fmt: skip


def _check_supersedes(decision: Decision, supersedes: list[Decision]) -> None:
    for old in supersedes:
        if old.project_id != decision.project_id:
            raise ValidationError({"supersedes": "Choose decisions of this project."})
        if decision.pk is not None and old.pk == decision.pk:
            raise ValidationError({"supersedes": "A decision can't supersede itself."})


def _apply_supersedes(decision: Decision, supersedes: list[Decision], actor) -> None:
    """Link both sides and set every newly superseded decision to ``superseded`` (same transaction)."""
    _check_supersedes(decision, supersedes)
    before = set(decision.supersedes.values_list("pk", flat=True))
    decision.supersedes.set(supersedes)
    for old in supersedes:
        if old.pk not in before and old.status != Decision.Status.SUPERSEDED:
            locked = Decision.objects.select_for_update().get(pk=old.pk)
            locked.status = Decision.Status.SUPERSEDED
            instance_save(instance=locked, actor=actor, verb="superseded", message=f"by {decision.key}")


@transaction.atomic
def decision_save(*, instance: Decision, actor, values: dict) -> Decision:
    """Create (numbering it ADR-n) or update a decision with its components, requirements and supersedes."""
    values = dict(values)
    supersedes = values.pop("supersedes", None)
    requirements = values.pop("requirements", None)
    components = values.pop("components", None)
    for name, value in values.items():
        setattr(instance, name, value)
    if supersedes is not None:
        _check_supersedes(instance, supersedes)
    if instance.pk is None:
        instance.number = reserve_numbers(project=instance.project, name=ADR_COUNTER)[0]
    decision = instance_save(instance=instance, actor=actor,
                             m2m={"components": components} if components is not None else None)  # fmt: skip
    if requirements is not None:
        _link_requirements(decision, requirements)
    if supersedes is not None:
        _apply_supersedes(decision, supersedes, actor)
    return decision


def decision_requirement_rows(decision: Decision) -> list[dict]:
    """The requirements a decision concerns, each with its suspect flag (as test links have). Reads
    ``requirement_links`` through ``.all()``, so a prefetch (``requirement_links__requirement``) serves it."""
    from apps.requirements.revisions import is_suspect

    rows = []
    for link in decision.requirement_links.all():
        requirement = link.requirement
        rows.append({"requirement": requirement, "key": requirement.key, "title": requirement.title,
                     "suspect": is_suspect(link.fingerprint, requirement), "linked_revision": link.revision,
                     "url": requirement.get_absolute_url()})  # fmt: skip
    return rows
