"""Requirements in and out: CSV/JSON export rows, and the all-or-nothing CSV import.

The CSV columns are the export's columns, so export → import into an empty project gives the
same requirements (same keys, statuses, owners, labels, parents and criteria). Criteria sit one
per line in one cell; a line starting with "[x] " is a met criterion.
"""

from collections import defaultdict

from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.db import models, transaction
from django.http import HttpResponse
from django.utils import timezone

from apps.core.changelog import log_change
from apps.core.csvimport import PREVIEW_ROWS, ImportReport, RowError, decode_csv, read_csv
from apps.core.export import export_response
from apps.core.models import ObjectChange

from .models import AcceptanceCriterion, Requirement, RequirementRevision, RequirementTransition, parse_key
from .revisions import fingerprint
from .services import label_problems, labels_resolve, last_number, reserve_numbers, split_labels

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
CHOICE_FIELDS = ["type", "category", "priority", "status"]
TEXT_FIELDS = ["title", "description", "rationale", "source"]
MET = "[x] "
MAX_DEPTH = 1000  # levels of the requirement hierarchy an import may build


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
#
# Each row becomes the Requirement (and AcceptanceCriterion, Label) it would save, validated by the
# models themselves (full_clean). What one row can't tell is the importer's: keys (unique in the file,
# never reused), owners (a member map loaded once, the model's membership rule), parents (they may
# sit later in the file: existence, cycles and depth are checked over the whole file at once).

ROW_EXCLUDE = ["number", "project", "owner", "parent", "labels"]  # what one row can't validate


def _short(text: str) -> str:
    return text if len(text) <= 20 else text[:20] + "…"


def _parse_criteria(cell: str) -> list[tuple[str, bool]]:
    items = []
    for line in cell.splitlines():
        line = line.strip()
        met = line.lower().startswith(MET)
        text = line[len(MET) :].strip() if met else line.removeprefix("[ ]").strip()
        if text:
            items.append((text, met))
    return items


def _model_errors(instance: models.Model, *, exclude: list[str]) -> list[tuple[str, str]]:
    """(field, message) of the model's own validation; an unknown choice lists the valid ones.

    Unique checks and constraints are left out: the only unique key (project, number) is the
    importer's to check across the file, and the one check constraint repeats ``clean()``'s category
    rule (Django would check it with one query per row).
    """
    try:
        instance.full_clean(exclude=exclude, validate_unique=False, validate_constraints=False)
    except ValidationError as exc:
        return [(field, _message(instance, field, error)) for field, errors in exc.error_dict.items()
                for error in errors]  # fmt: skip
    return []


def _choice_errors(instance: models.Model, fields: tuple[str, ...] = ("status",)) -> list[tuple[str, str]]:
    """Choices of fields Django's validation skips because they aren't editable (``status`` only
    moves through the workflow, but an import sets it): the field's own choices and message."""
    errors = []
    for name in fields:
        field, value = instance._meta.get_field(name), getattr(instance, name)
        if value not in dict(field.flatchoices):
            error = ValidationError(field.error_messages["invalid_choice"], code="invalid_choice",
                                    params={"value": value})  # fmt: skip
            errors.append((name, _message(instance, name, error)))
    return errors


def _message(instance: models.Model, field: str, error: ValidationError) -> str:
    message = " ".join(error.messages)
    if error.code == "invalid_choice":
        choices = ", ".join(str(value) for value, _ in instance._meta.get_field(field).flatchoices if value)
        message += f" Choose one of: {choices}."
    return message


class _Row:
    """One CSV row turned into a would-be requirement, plus what must be resolved after saving."""

    def __init__(self, number: int, values: dict, old: Requirement | None):
        self.row, self.values, self.old, self.errors = number, values, old, []
        self.is_new = old is None
        self.instance: Requirement | None = None
        self.parent_number: int | None = None
        self.labels: list[str] | None = None
        self.criteria: list[AcceptanceCriterion] | None = None
        self.old_status = old.status if old else ""
        self.depth = 0  # in the hierarchy, once parents are checked (1 = top level)
        self.unchanged = False  # an existing requirement the row leaves exactly as it is

    def error(self, field: str, message: str) -> None:
        self.errors.append(RowError(self.row, "" if field == NON_FIELD_ERRORS else field, message))


class _Importer:
    def __init__(self, project, actor):
        self.project, self.actor = project, actor
        self.existing = {r.number: r for r in Requirement.objects.filter(project=project)
                         .prefetch_related("criteria", "labels")}  # fmt: skip
        self.numbers = {r.pk: n for n, r in self.existing.items()}
        self.last = last_number(project=project)
        self.members = {m.user.get_username().lower(): m.user for m in project.memberships.select_related("user")}
        self.seen: dict[int, int] = {}
        self.label_problems: dict[str, list[str]] = {}

    def build(self, number: int, values: dict, header: list[str]) -> _Row:
        key_number, problem = self._key(number, values.get("key", ""))
        row = _Row(number, values, self.existing.get(key_number) if key_number else None)
        if problem:
            row.error("key", problem)
        row.instance = _copy(row.old) if row.old else Requirement(project=self.project, number=key_number or 0)
        self._fill(row, header)
        for field, message in [*_model_errors(row.instance, exclude=ROW_EXCLUDE), *_choice_errors(row.instance)]:
            row.error(field, message)
        self._owner(row, header)
        self._parent(row, header)
        if "labels" in header:
            self._labels(row)
        if "criteria" in header:
            self._criteria(row)
        row.unchanged = row.old is not None and not row.errors and not self._changes(row)
        return row

    def _changes(self, row: _Row) -> bool:
        """Does the row change anything of the requirement it names (fields, parent, labels, criteria)?"""
        old, new = row.old, row.instance
        fields = [*TEXT_FIELDS, *CHOICE_FIELDS, "owner_id"]
        if any(getattr(old, name) != getattr(new, name) for name in fields):
            return True
        if row.parent_number != self.numbers.get(old.parent_id):
            return True
        if row.labels is not None and sorted(row.labels) != sorted(label.name for label in old.labels.all()):
            return True
        return row.criteria is not None and [(c.text, c.met) for c in row.criteria] != [
            (c.text, c.met) for c in old.criteria.all()]

    def _key(self, row_number: int, key: str) -> tuple[int | None, str]:
        """The key's number and, if it can't be used, why."""
        if not key:
            return None, ""
        number = parse_key(key)
        if number is None:
            return None, f"'{key}' is not a key like REQ-12 (leave it empty for a new requirement)."
        first = self.seen.setdefault(number, row_number)
        if first != row_number:
            return number, f"{key} appears twice (first on row {first})."
        if number not in self.existing and number <= self.last:
            return number, (
                f"REQ-{number} was used before and deleted; keys are never reused. "
                "Leave the key empty to get a new one."
            )
        return number, ""

    @staticmethod
    def _fill(row: _Row, header: list[str]) -> None:
        """Copy the row's cells onto the instance; choices are matched case-insensitively and an
        empty cell keeps the current value (except category, which an empty cell clears)."""
        for name in TEXT_FIELDS:
            if name in header:
                setattr(row.instance, name, row.values[name])
        for name in CHOICE_FIELDS:
            value = row.values.get(name, "").lower()
            if value or (name == "category" and name in header):
                setattr(row.instance, name, value)

    def _owner(self, row: _Row, header: list[str]) -> None:
        """Owners are looked up in the member map: the model's "owner is a member" rule, without a
        query per row."""
        if "owner" not in header:
            row.instance.owner_id = row.old.owner_id if row.old else None
            return
        name = row.values["owner"]
        row.instance.owner = self.members.get(name.lower()) if name else None
        if name and row.instance.owner is None:
            row.error("owner", f"No member of this project is called '{name}'.")

    def _parent(self, row: _Row, header: list[str]) -> None:
        if "parent" not in header:
            row.parent_number = self.numbers.get(row.old.parent_id) if row.old else None
        elif row.values["parent"]:
            row.parent_number = parse_key(row.values["parent"])
            if row.parent_number is None:
                row.error("parent", f"'{row.values['parent']}' is not a key like REQ-12.")

    def _labels(self, row: _Row) -> None:
        row.labels = split_labels(row.values["labels"])
        for name in row.labels:
            if name not in self.label_problems:
                self.label_problems[name] = label_problems(name)
            for problem in self.label_problems[name]:
                row.error("labels", problem)

    @staticmethod
    def _criteria(row: _Row) -> None:
        row.criteria = []
        for position, (text, met) in enumerate(_parse_criteria(row.values["criteria"])):
            criterion = AcceptanceCriterion(position=position, text=text, met=met)
            for _, message in _model_errors(criterion, exclude=["requirement"]):
                row.error("criteria", f"Criterion {position + 1} ('{_short(text)}'): {message}")
            row.criteria.append(criterion)

    def check_parents(self, rows: list[_Row]) -> None:
        """Parents must exist (in the project or the file), not be the row itself, make no cycle, and
        keep the hierarchy at most MAX_DEPTH levels deep. One pass over the parent links, however long
        the chains (walking each row's chain to the top was quadratic on a long chain)."""
        graph = self._graph(rows)
        depths = _depths(graph)
        for row in rows:
            row.depth = depths[row.instance.number] if row.instance.number else _below(depths, row.parent_number)
            if row.errors or row.depth == BELOW_CYCLE:
                continue
            if row.depth == ON_CYCLE:
                row.error("parent", f"REQ-{row.parent_number} as parent of {row.instance.key} makes a cycle.")
            elif row.depth == MAX_DEPTH + 1:  # the first row past the limit on its branch
                row.error("parent", f"REQ-{row.parent_number} as parent would put {row.instance.key} "
                                    f"{row.depth} levels deep; the hierarchy allows at most {MAX_DEPTH}.")  # fmt: skip

    def _graph(self, rows: list[_Row]) -> dict[int, int | None]:
        """Key number -> parent key number, for the project's requirements as the file leaves them."""
        in_file = {r.instance.number for r in rows if r.instance.number}
        graph = {number: self.numbers.get(r.parent_id) for number, r in self.existing.items()}
        for row in rows:
            parent = row.parent_number
            if parent is not None and parent not in in_file and parent not in self.existing:
                row.error("parent", f"REQ-{parent} is neither in this project nor in the file.")
                row.parent_number = None
            elif parent is not None and parent == row.instance.number:
                row.error("parent", "A requirement can't be its own parent.")
                row.parent_number = None
            if row.instance.number:
                graph[row.instance.number] = row.parent_number
        return graph


# Depth markers of _depths: a requirement on a parent cycle, or below one (its depth is unbounded).
ON_CYCLE, BELOW_CYCLE = -1, -2
_PENDING = 0


def _below(depths: dict[int, int], parent: int | None) -> int:
    """The depth of a requirement under ``parent`` (None: top level)."""
    depth = depths[parent] if parent is not None else 0
    return BELOW_CYCLE if depth < 0 else depth + 1


def _depths(graph: dict[int, int | None]) -> dict[int, int]:
    """Every node's depth (a top-level requirement is 1), each parent link followed once: a walk up
    stops at the first node whose depth is known and fills the path back down."""
    depths: dict[int, int] = {}
    for start in graph:
        path, node = [], start
        while node is not None and node not in depths:
            depths[node] = _PENDING
            path.append(node)
            node = graph.get(node)
        if node is not None and depths[node] == _PENDING:  # back on this walk's own path: a cycle
            on_cycle = path.index(node)
            depths.update(dict.fromkeys(path[on_cycle:], ON_CYCLE))
            path = path[:on_cycle]
        for below in reversed(path):
            depths[below] = _below(depths, node)
            node = below
    return depths


def _copy(requirement: Requirement) -> Requirement:
    """An unsaved copy to validate and save; owner and parent are set by the importer."""
    clone = Requirement(**{f.attname: getattr(requirement, f.attname) for f in Requirement._meta.concrete_fields
                           if f.name not in ("owner", "parent")})  # fmt: skip
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
    report = _report(rows, dry_run=dry_run)
    if report.errors or dry_run:
        return report
    _save(project, actor, rows, importer)
    log_change(
        actor=actor,
        instance=project,
        action=ObjectChange.Action.ACTION,
        verb="imported requirements",
        message=f"{report.created} created, {report.updated} updated, {report.unchanged} unchanged "
        f"from a CSV of {report.rows} rows.",
    )
    return report


def _report(rows: list[_Row], *, dry_run: bool) -> ImportReport:
    report = ImportReport(dry_run=dry_run, rows=len(rows))
    for row in rows:
        report.errors.extend(row.errors)
        report.created += row.is_new
        report.unchanged += row.unchanged
        report.updated += not row.is_new and not row.unchanged
        if len(report.preview) < PREVIEW_ROWS:
            report.preview.append({
                "row": row.row,
                "action": "create" if row.is_new else "unchanged" if row.unchanged else "update",
                "key": row.instance.key if row.instance.number else "(new key)",
                "title": row.instance.title,
                "status": row.instance.status,
                "errors": "; ".join(e.message for e in row.errors),
            })  # fmt: skip
    return report


def _save(project, actor, rows: list[_Row], importer: _Importer) -> None:
    rows = [row for row in rows if not row.unchanged]  # nothing to write, no revision, no new time
    _number_new(project, rows)
    revisions, transitions = _history(rows, importer, author=actor if getattr(actor, "pk", None) else None)
    pk_of = {number: requirement.pk for number, requirement in importer.existing.items()}
    _insert_new(rows, pk_of)
    _update_existing(rows, pk_of)
    RequirementRevision.objects.bulk_create(revisions, batch_size=1000)
    RequirementTransition.objects.bulk_create(transitions, batch_size=1000)
    _save_criteria(rows)
    _save_labels(project, rows)


def _number_new(project, rows: list[_Row]) -> None:
    """Keys for the new rows without one, past every key the file names."""
    keyless = [r for r in rows if r.is_new and not r.instance.number]
    highest = max((r.instance.number for r in rows if r.is_new), default=0)
    numbers = reserve_numbers(project=project, count=len(keyless), at_least=highest)
    for row, number in zip(keyless, numbers, strict=True):
        row.instance.number = number


def _history(rows: list[_Row], importer: _Importer, *, author) -> tuple[list, list]:
    """The revisions (content changed) and workflow transitions (status changed) the import makes."""
    now = timezone.now()
    revisions, transitions = [], []
    for row in rows:
        req = row.instance
        req.updated_at = now
        if row.criteria is None and not row.is_new:
            texts = [c.text for c in importer.existing[req.number].criteria.all()]
        else:
            texts = [c.text for c in row.criteria or []]
        new_fingerprint = fingerprint(req.title, req.description, texts)
        if new_fingerprint != req.fingerprint:
            req.revision, req.fingerprint = req.revision + 1, new_fingerprint
            revisions.append(RequirementRevision(
                requirement=req, number=req.revision, title=req.title, description=req.description,
                criteria=texts, fingerprint=new_fingerprint, author=author,
            ))  # fmt: skip
        if row.old_status and row.old_status != req.status:
            transitions.append(RequirementTransition(
                requirement=req, from_status=row.old_status, to_status=req.status, actor=author, comment="Imported"
            ))  # fmt: skip
    return revisions, transitions


def _insert_new(rows: list[_Row], pk_of: dict[int, int]) -> None:
    """New rows go in level by level from the top, so each parent id is known at insert (setting
    parents afterwards with bulk_update is slow): one bulk insert per level, not per row."""
    levels: dict[int, list[_Row]] = defaultdict(list)
    for row in rows:
        if row.is_new:
            levels[row.depth].append(row)
    for depth in sorted(levels):
        for row in levels[depth]:
            row.instance.parent_id = pk_of.get(row.parent_number)
        Requirement.objects.bulk_create([r.instance for r in levels[depth]], batch_size=500)
        pk_of.update({r.instance.number: r.instance.pk for r in levels[depth]})


def _update_existing(rows: list[_Row], pk_of: dict[int, int]) -> None:
    fields = ["updated_at", "revision", "fingerprint", *TEXT_FIELDS, *CHOICE_FIELDS, "owner_id"]
    for row in rows:
        if not row.is_new:
            row.instance.parent_id = pk_of.get(row.parent_number)
            values = {name: getattr(row.instance, name) for name in fields}
            Requirement.objects.filter(pk=row.instance.pk).update(parent_id=row.instance.parent_id, **values)


def _save_criteria(rows: list[_Row]) -> None:
    """The file's criteria replace the requirement's (a row without the column keeps them)."""
    with_criteria = [r for r in rows if r.criteria is not None]
    AcceptanceCriterion.objects.filter(requirement__in=[r.instance.pk for r in with_criteria if not r.is_new]).delete()
    for row in with_criteria:
        for criterion in row.criteria:
            criterion.requirement = row.instance
    AcceptanceCriterion.objects.bulk_create([c for r in with_criteria for c in r.criteria], batch_size=1000)


def _save_labels(project, rows: list[_Row]) -> None:
    """The file's labels replace the requirement's (a row without the column keeps them)."""
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
