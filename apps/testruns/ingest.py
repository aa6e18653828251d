"""The streaming loader: parsed cases → TestCase identities + TestResult rows.

Owns the hot path of ingestion. Cases stream from the report engine; retries are folded as they
arrive (only failing attempts are held back, since only they can be retried). On PostgreSQL the
results of known tests go straight into one open ``COPY`` (the server inserts while the report is
parsed); tests seen for the first time are written in batches: new identities inserted in one
statement, their results with ``COPY`` (``bulk_create`` elsewhere, and every ``BATCH`` cases for
very large projects, whose identities are resolved batch by batch). Memory is bounded by the batch,
the failing tests awaiting a possible retry and the identity map — never by the file. The caller
owns the transaction (one per run). Only the tests whose status changes are updated
(history.apply_status); a test's latest run and duration are read from its results.
"""

from __future__ import annotations

import contextlib
import json
import re
import time
from collections.abc import Iterable, Iterator

from django.db import connection, transaction

from .history import apply_status
from .models import FAILING, TestCase, TestResult, identity_hash
from .reports import ParsedCase, dedupe_cases

BATCH = 20000
KNOWN_MAP_LIMIT = 250_000
# The issue's \bREQ-\d+\b, with "_" also accepted as a separator so pytest-style names such as
# test_capture_REQ-12 link too; PREQ-12 or REQ-12a still don't.
REQUIREMENT_KEY = re.compile(r"(?<![A-Za-z0-9])REQ-(\d+)(?![A-Za-z0-9])")

# PostgreSQL: new test identities in one statement per batch; RETURNING gives their ids (rows a
# concurrent run of the project inserted first are looked up afterwards). %(x)b: binary parameters.
INSERT_CASES_SQL = """
INSERT INTO {table} (project_id, identity, suite, classname, name, file, last_status, first_failed_run_id, flaky,
                     flips, flaky_score, created_at, updated_at)
SELECT %(project)s, i, s, c, n, f, st, CASE WHEN st IN ('failed', 'error') THEN %(run)s END, false, 0, 0, now(), now()
FROM unnest(%(i)b::text[], %(s)b::text[], %(c)b::text[], %(n)b::text[], %(f)b::text[], %(st)b::text[])
    AS t(i, s, c, n, f, st)
{on_conflict}
RETURNING identity, id
"""
ON_CONFLICT = "ON CONFLICT (project_id, identity) DO NOTHING"

_QUOTED = re.compile(r"'[^'\n]*'|\"[^\"\n]*\"|`[^`\n]*`")
_PATH = re.compile(r"(?:[A-Za-z]:)?(?:[\\/][\w.\-@]+){2,}[\\/]?")
_HEX = re.compile(r"\b0x[0-9a-fA-F]+\b|\b[0-9a-fA-F]{8,}(?:-[0-9a-fA-F]{4,})*\b")
_NUMBER = re.compile(r"[-+]?\d+(?:\.\d+)?")
_SPACE = re.compile(r"\s+")


def message_signature(message: str, text: str = "") -> str:
    """A failure's message with its variable parts replaced, so alike failures group together."""
    source = (message or text or "").strip()
    if not source:
        return ""
    line = source.splitlines()[0][:1000]
    line = _QUOTED.sub("'…'", line)
    line = _PATH.sub("<path>", line)
    line = _HEX.sub("<hex>", line)
    line = _NUMBER.sub("<n>", line)
    return _SPACE.sub(" ", line).strip()[:200]


def requirement_numbers(case: ParsedCase) -> set[int]:
    """REQ-<n> keys named by the test's name, class or any property value."""
    texts = [case.name, case.classname, *case.properties.values()]
    return {int(n) for text in texts if text and "REQ-" in text for n in REQUIREMENT_KEY.findall(text)}


def fold_retries(cases: Iterable[ParsedCase]) -> Iterator[ParsedCase]:
    """``dedupe_cases`` as a stream: a case is final once it doesn't fail (nobody retries a pass).

    Failing cases wait (keyed by identity) until a re-run of the same test arrives or the stream
    ends; the merge itself is the engine's ``dedupe_cases`` so the counting rules live in one place.
    """
    waiting: dict[tuple[str, str, str], ParsedCase] = {}
    for case in cases:
        if not case.name:
            yield case
            continue
        previous = waiting.pop(case.identity, None)
        if previous is not None:
            case = dedupe_cases([previous, case])[0]
        if case.status in FAILING:
            waiting[case.identity] = case
        else:
            yield case
    yield from waiting.values()


def _clean(value: str) -> str:
    # PostgreSQL text can't hold NUL; the engine already maps other control characters.
    return value.replace("\x00", "") if value and "\x00" in value else (value or "")


COPY_COLUMNS = (
    "run_id, test_case_id, status, duration, failure_type, failure_message, failure_text, "
    "message_signature, system_out, system_err, properties, file, line, flaky_in_run, retries"
)
# Streaming mode: after a test seen for the first time, cases are buffered (so results keep the
# report's order) until this many known tests in a row, then the buffer is written and streaming resumes.
RESUME_AFTER_KNOWN = 500
_TOTAL_KEYS = {"passed": "passed", "failed": "failed", "error": "errors", "skipped": "skipped"}


class ResultLoader:
    """Writes the final cases of one run; accumulates totals and requirement mentions.

    On PostgreSQL, for a project whose tests fit the known map, cases of known tests are streamed
    into one open ``COPY`` as they arrive, so the server inserts while the report is still being
    parsed. A test seen for the first time switches to buffering: the buffer is written as a batch
    (new identities inserted in one statement, then one ``COPY``) and streaming resumes. Elsewhere
    every ``batch_size`` cases form a batch. Statuses that change are stored when the COPY is closed.
    """

    def __init__(self, *, run, batch_size: int | None = None):
        self.run = run
        self.run_id = run.pk
        self.batch_size = batch_size or BATCH
        self.batch: list[ParsedCase] = []
        self.batch_identities: list[str] = []
        self.status_counts = dict.fromkeys(_TOTAL_KEYS, 0)
        self.duration = 0.0
        self.flaky = 0
        self.requirements: dict[int, set[int]] = {}  # test_case_id -> REQ numbers
        self.postgres = connection.vendor == "postgresql"
        self.db_seconds = 0.0  # time spent writing, for the ingestion log line
        self.known: dict[str, int] | None = None
        self.known_complete = False
        # test_case_id -> latest status stored (or set by this run so far), for the known map's tests
        # or the batch's; the tests whose status changes wait in ``changes`` for history.apply_status.
        self.stored_status: dict[int, str] = {}
        self.changes: dict[int, str] = {}
        self.streaming: bool | None = None  # decided at the first case
        self.known_in_a_row = 0
        self.count = 0
        self._cursor = None
        self._copy = None
        self._copy_context = None

    def add(self, case: ParsedCase) -> bool:
        """Take one case; returns True every ``batch_size`` cases (and when a batch was written)."""
        if self.streaming is None:
            self._load_known()
            self.streaming = self.postgres and self.known_complete
        identity = identity_hash(case.suite, case.classname, case.name)
        self.count += 1
        if self.streaming:
            test_case_id = self.known.get(identity)
            if not self.batch:
                if test_case_id is not None:
                    copy = self._copy or self._open_copy()
                    copy.write_row(self._row(case, test_case_id))
                    self._account(case, test_case_id)
                    return self.count % self.batch_size == 0
            else:
                self.known_in_a_row = self.known_in_a_row + 1 if test_case_id is not None else 0
        self.batch.append(case)
        self.batch_identities.append(identity)
        if len(self.batch) >= self.batch_size or (self.streaming and self.known_in_a_row >= RESUME_AFTER_KNOWN):
            self._write_batch()
            return True
        return self.count % self.batch_size == 0

    @property
    def totals(self) -> dict[str, int]:
        """The run's counters: tests, passed, failed, errors, skipped."""
        totals = {_TOTAL_KEYS[status]: count for status, count in self.status_counts.items()}
        return {"tests": sum(totals.values()), **totals}

    def flush(self) -> None:
        """Write everything pending (buffered cases, the open COPY, status changes)."""
        self._write_batch()
        self._close_copy()
        self._apply_changes()

    def abort(self, exc: BaseException | None = None) -> None:
        """Leave a COPY in progress (the run's transaction is being rolled back)."""
        if self._copy is not None:
            with contextlib.suppress(Exception):  # the original error is the one to report
                self._close_copy(exc or RuntimeError("ingestion aborted"))

    def _open_copy(self):
        self._cursor = connection.cursor()
        self._copy_context = self._cursor.cursor.copy(f"COPY {TestResult._meta.db_table} ({COPY_COLUMNS}) FROM STDIN")
        self._copy = self._copy_context.__enter__()
        return self._copy

    def _close_copy(self, exc: BaseException | None = None) -> None:
        if self._copy is None:
            return
        context, cursor = self._copy_context, self._cursor
        self._copy = self._copy_context = self._cursor = None
        started = time.perf_counter()
        try:
            context.__exit__(type(exc) if exc else None, exc, None)
        finally:
            cursor.close()
            self.db_seconds += time.perf_counter() - started

    def _apply_changes(self) -> None:
        changes, self.changes = self.changes, {}
        started = time.perf_counter()
        apply_status(self.run, changes)
        self.db_seconds += time.perf_counter() - started

    def _account(self, case: ParsedCase, test_case_id: int) -> None:
        status = case.status
        self.status_counts[status] += 1
        self.duration += case.duration
        if self.stored_status.get(test_case_id) != status:
            self.stored_status[test_case_id] = self.changes[test_case_id] = status
        if case.flaky:
            self.flaky += 1
        if case.properties or "REQ-" in case.name or "REQ-" in case.classname:
            numbers = requirement_numbers(case)
            if numbers:
                self.requirements.setdefault(test_case_id, set()).update(numbers)

    def _write_batch(self) -> None:
        if not self.batch:
            return
        batch, identities = self.batch, self.batch_identities
        self.batch, self.batch_identities, self.known_in_a_row = [], [], 0
        self._close_copy()  # no other statement while a COPY is open
        started = time.perf_counter()
        ids = self._upsert_cases(batch, identities)
        if self.postgres:
            self._copy_results(batch, identities, ids)
        else:
            TestResult.objects.bulk_create(
                [
                    TestResult(run_id=self.run.pk, test_case_id=ids[h], **self._fields(c))
                    for c, h in zip(batch, identities, strict=True)
                ],
                batch_size=500,
            )
        self.db_seconds += time.perf_counter() - started
        for case, identity in zip(batch, identities, strict=True):
            self._account(case, ids[identity])
        if not self.known_complete:
            self._apply_changes()
            self.stored_status.clear()  # very large project: memory bounded by the batch

    def _load_known(self) -> None:
        """A project with up to KNOWN_MAP_LIMIT tests is read once into a map (one query per run,
        ~150 bytes per test); bigger ones are looked up batch by batch, so memory stays bounded."""
        self.known = {}
        table = TestCase._meta.db_table
        with connection.cursor() as cursor:
            if self.postgres:
                # Statistics are stale mid-load: estimates big enough to JIT-compile small statements.
                cursor.execute("SET LOCAL jit = off")
            cursor.execute(f"SELECT count(*) FROM {table} WHERE project_id = %s", [self.run.project_id])
            if cursor.fetchone()[0] > KNOWN_MAP_LIMIT:
                return
            cursor.execute(f"SELECT identity, id, last_status FROM {table} WHERE project_id = %s",
                           [self.run.project_id])
            rows = cursor.fetchall()
        self.known = {identity: pk for identity, pk, _ in rows}
        self.stored_status = {pk: status for _, pk, status in rows}
        self.known_complete = True

    def _lookup(self, keys: list[str]) -> dict[str, int]:
        """identity -> id for the batch's tests that already exist (from the known map, or looked up)."""
        table = TestCase._meta.db_table
        if self.known_complete:
            known = self.known
            return {key: known[key] for key in keys if key in known}
        if not self.postgres:
            found: dict[str, int] = {}
            for start in range(0, len(keys), 900):
                for identity, pk, status in (TestCase.objects.filter(project_id=self.run.project_id,
                                                                     identity__in=keys[start:start + 900])
                                             .values_list("identity", "id", "last_status")):
                    found[identity] = pk
                    self.stored_status.setdefault(pk, status)
            return found
        with connection.cursor() as cursor:
            # One unique-index probe per key. Mid-transaction statistics are stale, and the planner
            # would otherwise hash the project's whole test table for every batch.
            cursor.execute("SET LOCAL enable_hashjoin = off")
            cursor.execute("SET LOCAL enable_mergejoin = off")
            cursor.execute(
                f"SELECT k.identity, t.id, t.last_status FROM unnest(%s::text[]) AS k(identity) "
                f"JOIN {table} t ON t.project_id = %s AND t.identity = k.identity",
                [keys, self.run.project_id],
            )
            found = {}
            for identity, pk, status in cursor.fetchall():
                found[identity] = pk
                self.stored_status.setdefault(pk, status)
            cursor.execute("RESET enable_hashjoin")
            cursor.execute("RESET enable_mergejoin")
        return found

    def _upsert_cases(self, batch: list[ParsedCase], identities: list[str]) -> dict[str, int]:
        """identity -> id for the batch, creating the tests seen for the first time.

        New tests are created with this run's status; known tests are only looked up here, and the
        few whose status changes are updated at the end of the batch (history.apply_status).
        """
        first: dict[str, ParsedCase] = {}
        for case, identity in zip(batch, identities, strict=True):
            first.setdefault(identity, case)
        known = self._lookup(list(first))
        new = {identity: case for identity, case in first.items() if identity not in known}
        if not new:
            return known
        project_id = self.run.project_id
        keys, cases = list(new), list(new.values())
        if self.postgres:
            params = {
                "project": project_id,
                "run": self.run.pk,
                "st": [c.status for c in cases],
                "i": keys,
                "s": [_clean(c.suite) for c in cases],
                "c": [_clean(c.classname) for c in cases],
                "n": [_clean(c.name) for c in cases],
                "f": [_clean(c.file) for c in cases],
            }
            import psycopg

            connection.ensure_connection()
            # A server-side-binding cursor on the same connection, with binary parameters: quoting
            # the arrays into the statement text (Django's client-side cursor) runs a regex over every
            # element, over a second for 100 000 new tests; binary dumping just encodes them.
            sql = INSERT_CASES_SQL.format(table=TestCase._meta.db_table, on_conflict="{on_conflict}")
            with psycopg.Cursor(connection.connection) as cursor:
                try:
                    # Without ON CONFLICT first: speculative insertion costs a third more per row, and
                    # a concurrent run of the project inserting the same tests is rare.
                    with transaction.atomic():
                        cursor.execute(sql.format(on_conflict=""), params)
                except psycopg.errors.UniqueViolation:
                    cursor.execute(sql.format(on_conflict=ON_CONFLICT), params)
                inserted = cursor.fetchall()
            known.update(inserted)
            statuses = dict(zip(keys, params["st"], strict=True))
            for identity, pk in inserted:
                self.stored_status[pk] = statuses[identity]
        else:
            TestCase.objects.bulk_create(
                [
                    TestCase(project_id=project_id, identity=key, suite=c.suite, classname=c.classname,
                             name=c.name, file=c.file, last_status=c.status,
                             first_failed_run_id=self.run.pk if c.status in FAILING else None)
                    for key, c in new.items()
                ],
                ignore_conflicts=True,
                batch_size=500,
            )
        missing = [key for key in keys if key not in known]
        for start in range(0, len(missing), 900):  # created meanwhile by a concurrent run of the project
            chunk = missing[start : start + 900]
            for identity, pk, status in (TestCase.objects.filter(project_id=project_id, identity__in=chunk)
                                         .values_list("identity", "id", "last_status")):
                known[identity] = pk
                self.stored_status.setdefault(pk, status)
        if self.known_complete:
            self.known.update(known)
        return known

    @staticmethod
    def _fields(case: ParsedCase) -> dict:
        return {
            "status": case.status,
            "duration": case.duration or 0.0,
            "failure_type": _clean(case.failure_type),
            "failure_message": _clean(case.failure_message),
            "failure_text": _clean(case.failure_text),
            "message_signature": (
                message_signature(case.failure_message, case.failure_text) if case.status in FAILING else ""
            ),
            "system_out": _clean(case.system_out),
            "system_err": _clean(case.system_err),
            "properties": case.properties or {},
            "file": _clean(case.file),
            "line": case.line,
            "flaky_in_run": case.flaky,
            "retries": case.retries,
        }

    def _row(self, case: ParsedCase, test_case_id: int) -> tuple:
        failure_type, message, text = case.failure_type, case.failure_message, case.failure_text
        signature = message_signature(message, text) if case.status in FAILING else ""
        return (
            self.run_id,
            test_case_id,
            case.status,
            case.duration or 0.0,
            _clean(failure_type) if failure_type else "",
            _clean(message) if message else "",
            _clean(text) if text else "",
            signature,
            _clean(case.system_out) if case.system_out else "",
            _clean(case.system_err) if case.system_err else "",
            json.dumps(case.properties) if case.properties else "{}",
            _clean(case.file) if case.file else "",
            case.line,
            case.flaky,
            case.retries,
        )

    def _copy_results(self, batch: list[ParsedCase], identities: list[str], ids: dict[str, int]) -> None:
        with (
            connection.cursor() as cursor,
            cursor.cursor.copy(f"COPY {TestResult._meta.db_table} ({COPY_COLUMNS}) FROM STDIN") as copy,
        ):
            row = self._row
            for case, identity in zip(batch, identities, strict=True):
                copy.write_row(row(case, ids[identity]))
