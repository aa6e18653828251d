"""Requirements in and out: CSV/JSON export rows, and the all-or-nothing CSV import.

The CSV columns are the export's columns, so export → import into an empty project gives the
same requirements (same keys, statuses, owners, labels, parents and criteria). Criteria sit one
per line in one cell; a line starting with "[x] " is a met criterion.
"""

from django.core.exceptions import ValidationError
from django.db import transaction
from django.http import HttpResponse
from django.utils import timezone

from apps.core.changelog import log_change
from apps.core.csvimport import PREVIEW_ROWS, ImportReport, RowError, decode_csv, read_csv
from apps.core.export import export_response
from apps.core.models import ObjectChange

from .models import AcceptanceCriterion, Requirement, RequirementRevision, RequirementTransition, parse_key
from .models import category_problem as _category_problem
from .revisions import fingerprint
from .services import labels_resolve, last_number, reserve_numbers, split_labels

COLUMNS = [
    "key",
    "title",
    "description",
    "type",
    "category",
    "priority",
    "status",
    "owner",
    "labels",
    "parent",
    "rationale",
    "source",
    "criteria",
]
REQUIRED = ["title"]
CHOICES = {
    "type": Requirement.Type,
    "category": Requirement.Category,
    "priority": Requirement.Priority,
    "status": Requirement.Status,
}
TEXT_FIELDS = ["title", "description", "rationale", "source"]
MET = "[x] "


# ---- export -------------------------------------------------------------------------------------


def export_record(requirement: Requirement) -> dict:
    """One requirement as JSON-ready data (needs owner, parent, labels and criteria loaded)."""
    return {
        "key": requirement.key,
        "title": requirement.title,
        "description": requirement.description,
        "type": requirement.type,
        "category": requirement.category,
        "priority": requirement.priority,
        "status": requirement.status,
        "owner": requirement.owner.get_username() if requirement.owner else "",
        "labels": sorted(label.name for label in requirement.labels.all()),
        "parent": requirement.parent.key if requirement.parent else "",
        "rationale": requirement.rationale,
        "source": requirement.source,
        "criteria": [{"text": c.text, "met": c.met} for c in requirement.criteria.all()],
        "revision": requirement.revision,
        "fingerprint": requirement.fingerprint,
    }


def export_download(*, queryset, fmt: str, project) -> HttpResponse:
    """The requirements of ``queryset`` (see selectors.requirement_list) as a CSV or JSON download."""
    records = [export_record(requirement) for requirement in queryset]
    return export_response(
        fmt=fmt, rows=[csv_row(record) for record in records], columns=COLUMNS,
        filename=f"{project.slug}-requirements", json_data={"project": project.slug, "requirements": records},
    )  # fmt: skip


def csv_row(record: dict) -> dict:
    return {
        **record,
        "labels": ", ".join(record["labels"]),
        "criteria": "\n".join((MET if c["met"] else "") + c["text"] for c in record["criteria"]),
    }


# ---- import -------------------------------------------------------------------------------------


def _parse_criteria(cell: str) -> list[tuple[str, bool]]:
    items = []
    for line in cell.splitlines():
        line = line.strip()
        met = line.lower().startswith(MET)
        text = line[len(MET) :].strip() if met else line.removeprefix("[ ]").strip()
        if text:
            items.append((text, met))
    return items


class _Row:
    """One CSV row turned into a would-be requirement, plus what must be resolved after saving."""

    def __init__(self, number: int, values: dict):
        self.row, self.values, self.errors = number, values, []
        self.is_new = True
        self.instance: Requirement | None = None
        self.parent_number: int | None = None
        self.labels: list[str] | None = None
        self.criteria: list[tuple[str, bool]] | None = None
        self.old_status = ""

    def error(self, field: str, message: str) -> None:
        self.errors.append(RowError(self.row, field, message))


class _Importer:
    def __init__(self, project, actor):
        self.project, self.actor = project, actor
        self.existing = {r.number: r for r in Requirement.objects.filter(project=project).prefetch_related("criteria")}
        self.numbers = {r.pk: n for n, r in self.existing.items()}
        self.last = last_number(project=project)
        self.members = {m.user.get_username().lower(): m.user for m in project.memberships.select_related("user")}
        self.seen: dict[int, int] = {}

    def build(self, number: int, values: dict, header: list[str]) -> _Row:
        row = _Row(number, values)
        key_number = self._key(row, values.get("key", ""))
        old = self.existing.get(key_number) if key_number else None
        if old is not None:
            row.is_new = False
            instance = _copy(old)
            row.old_status = old.status
        else:
            instance = Requirement(project=self.project, number=key_number or 0)
        for name in TEXT_FIELDS:
            if name in header:
                setattr(instance, name, values[name])
        for name, choices in CHOICES.items():
            value = values.get(name, "").lower()
            if value and value not in choices.values:
                row.error(name, f"'{values[name]}' is not one of: {', '.join(choices.values)}.")
            elif value or (name == "category" and name in header):
                setattr(instance, name, value)
        if "owner" in header:
            instance.owner = self.members.get(values["owner"].lower()) if values["owner"] else None
            if values["owner"] and instance.owner is None:
                row.error("owner", f"No member of this project is called '{values['owner']}'.")
        if "parent" in header and values["parent"]:
            row.parent_number = parse_key(values["parent"])
            if row.parent_number is None:
                row.error("parent", f"'{values['parent']}' is not a key like REQ-12.")
        elif old is not None and "parent" not in header:
            row.parent_number = self.numbers.get(old.parent_id)
        if "labels" in header:
            row.labels = split_labels(values["labels"])
            for name in row.labels:
                if len(name) > 50:
                    row.error("labels", f"'{name[:20]}…' is longer than 50 characters.")
        if "criteria" in header:
            row.criteria = _parse_criteria(values["criteria"])
            for text, _ in row.criteria:
                if len(text) > 1000:
                    row.error("criteria", f"'{text[:20]}…' is longer than 1000 characters.")
        try:
            instance.clean_fields(exclude=["number", "project", "owner", "parent", "labels"])
        except ValidationError as exc:
            for field, messages in exc.message_dict.items():
                row.error(field, " ".join(messages))
        problem = _category_problem(instance.type, instance.category)
        if problem:
            row.error("category", problem)
        row.instance = instance
        return row

    def _key(self, row: _Row, key: str) -> int | None:
        if not key:
            return None
        number = parse_key(key)
        if number is None:
            row.error("key", f"'{key}' is not a key like REQ-12 (leave it empty for a new requirement).")
        elif number in self.seen:
            row.error("key", f"{key} appears twice (first on row {self.seen[number]}).")
        elif number not in self.existing and number <= self.last:
            row.error(
                "key",
                f"REQ-{number} was used before and deleted; keys are never reused. "
                "Leave the key empty to get a new one.",
            )
        if number is not None:
            self.seen.setdefault(number, row.row)
        return number

    def check_parents(self, rows: list[_Row]) -> None:
        """Parents must exist (in the project or the file) and must not make a cycle."""
        in_file = {r.instance.number: r for r in rows if r.instance.number}
        graph = {n: (r.parent.number if r.parent_id else None) for n, r in self.existing.items()}
        for row in rows:
            if row.parent_number is None:
                if row.instance.number:
                    graph[row.instance.number] = None
                continue
            if row.parent_number not in in_file and row.parent_number not in self.existing:
                row.error("parent", f"REQ-{row.parent_number} is neither in this project nor in the file.")
            elif row.parent_number == row.instance.number:
                row.error("parent", "A requirement can't be its own parent.")
            elif row.instance.number:
                graph[row.instance.number] = row.parent_number
        for row in rows:
            node, seen = row.instance.number, set()
            while node is not None and node not in seen:
                seen.add(node)
                node = graph.get(node)
            if node is not None and node == row.instance.number and not row.errors:
                row.error("parent", f"REQ-{row.parent_number} as parent of {row.instance.key} makes a cycle.")


def _copy(requirement: Requirement) -> Requirement:
    clone = Requirement(**{f.attname: getattr(requirement, f.attname) for f in Requirement._meta.concrete_fields})
    clone._state.adding = False
    return clone


@transaction.atomic
def requirements_import(*, project, actor, data: bytes | str, dry_run: bool = False) -> ImportReport:
    """Validate every row; save all of them in this one transaction only if none has an error.

    Raises ValidationError (field "file") when the file itself is unusable: wrong encoding,
    missing/unknown columns, too big. Row problems come back in ``report.errors``.
    """
    text = decode_csv(data) if isinstance(data, bytes) else data
    header, raw_rows = read_csv(text, columns=COLUMNS, required=REQUIRED)
    importer = _Importer(project, actor)
    rows = [importer.build(number, values, header) for number, values in raw_rows]
    importer.check_parents(rows)
    report = ImportReport(dry_run=dry_run, rows=len(rows))
    for row in rows:
        report.errors.extend(row.errors)
        report.updated += not row.is_new
        report.created += row.is_new
        if len(report.preview) < PREVIEW_ROWS:
            report.preview.append(
                {
                    "row": row.row,
                    "action": "create" if row.is_new else "update",
                    "key": row.instance.key if row.instance.number else "(new key)",
                    "title": row.instance.title,
                    "status": row.instance.status,
                    "errors": "; ".join(e.message for e in row.errors),
                }
            )
    if report.errors or dry_run:
        return report
    _save(project, actor, rows, importer, header)
    log_change(
        actor=actor,
        instance=project,
        action=ObjectChange.Action.ACTION,
        verb="imported requirements",
        message=f"{report.created} created, {report.updated} updated from a CSV of {report.rows} rows.",
    )
    return report


def _save(project, actor, rows: list[_Row], importer: _Importer, header: list[str]) -> None:
    now, author = timezone.now(), actor if getattr(actor, "pk", None) else None
    new = [r for r in rows if r.is_new]
    keyless = [r for r in new if not r.instance.number]
    highest = max((r.instance.number for r in new), default=0)
    for row, number in zip(
        keyless, reserve_numbers(project=project, count=len(keyless), at_least=highest), strict=True
    ):
        row.instance.number = number
    for row in rows:
        if row.criteria is None and not row.is_new:
            row.texts = [c.text for c in importer.existing[row.instance.number].criteria.all()]
        else:
            row.texts = [text for text, _ in row.criteria or []]
        row.fingerprint = fingerprint(row.instance.title, row.instance.description, row.texts)
    pk_of = {number: requirement.pk for number, requirement in importer.existing.items()}
    revisions, transitions = [], []
    for row in rows:
        req = row.instance
        req.updated_at = now
        if row.fingerprint != req.fingerprint:
            req.revision, req.fingerprint = req.revision + 1, row.fingerprint
            revisions.append(RequirementRevision(
                requirement=req, number=req.revision, title=req.title, description=req.description,
                criteria=row.texts, fingerprint=row.fingerprint, author=author,
            ))  # fmt: skip
        if row.old_status and row.old_status != req.status:
            transitions.append(RequirementTransition(
                requirement=req, from_status=row.old_status, to_status=req.status, actor=author, comment="Imported"
            ))  # fmt: skip
    # New rows go in parents first, so each parent id is known at insert (bulk_update is slow).
    pending = new
    while pending:
        ready = [r for r in pending if r.parent_number is None or r.parent_number in pk_of]
        if not ready:
            raise RuntimeError("Unresolvable parents in an import that passed validation.")
        for row in ready:
            row.instance.parent_id = pk_of.get(row.parent_number)
        Requirement.objects.bulk_create([r.instance for r in ready], batch_size=500)
        pk_of.update({r.instance.number: r.instance.pk for r in ready})
        pending = [r for r in pending if r.instance.pk is None]
    fields = ["updated_at", "revision", "fingerprint", *TEXT_FIELDS, *CHOICES, "owner_id"]
    for row in rows:
        if not row.is_new:
            row.instance.parent_id = pk_of.get(row.parent_number)
            values = {name: getattr(row.instance, name) for name in fields}
            Requirement.objects.filter(pk=row.instance.pk).update(parent_id=row.instance.parent_id, **values)
    RequirementRevision.objects.bulk_create(revisions, batch_size=1000)
    RequirementTransition.objects.bulk_create(transitions, batch_size=1000)
    with_criteria = [r for r in rows if r.criteria is not None]
    AcceptanceCriterion.objects.filter(requirement__in=[r.instance.pk for r in with_criteria if not r.is_new]).delete()
    AcceptanceCriterion.objects.bulk_create(
        [
            AcceptanceCriterion(requirement=r.instance, position=i, text=text, met=met)
            for r in with_criteria
            for i, (text, met) in enumerate(r.criteria)
        ],
        batch_size=1000,
    )
    with_labels = [r for r in rows if r.labels is not None]
    labels = {
        label.name: label
        for label in labels_resolve(project=project, names={name for r in with_labels for name in r.labels})
    }
    through = Requirement.labels.through
    through.objects.filter(requirement__in=[r.instance.pk for r in with_labels if not r.is_new]).delete()
    through.objects.bulk_create(
        [through(requirement_id=r.instance.pk, label_id=labels[name].pk) for r in with_labels for name in r.labels],
        batch_size=1000,
    )
