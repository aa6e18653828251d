"""The streaming loader: parsed cases → TestCase identities + TestResult rows.

Owns the hot path of ingestion. Cases stream from the report engine; retries are folded as they
arrive (only failing attempts are held back, since only they can be retried). On PostgreSQL every
result goes straight into one open ``COPY`` while the report is still being parsed (the server
inserts on the other core): a test seen before is found in the project's identity map, a new one
takes an id reserved from the table's sequence and its row waits for the next pause of the COPY.
Ingestions of one project are serialised by an advisory lock, so identities never race. Projects
too big for the identity map, and other databases, are written in batches instead. Memory is
bounded by the batch, the failing tests awaiting a possible retry and the identity map — never by
the file. The caller owns the transaction (one per run). Only the tests whose status changes are
updated (history.apply_status); a test's latest run and duration are read from its results.
"""

from __future__ import annotations

import contextlib
import json
import re
import time
from collections.abc import Iterable, Iterator

from django.db import connection
from django.utils import timezone

from .history import apply_status
from .models import FAILING, TestCase, TestResult, identity_hash
from .reports import ParsedCase, dedupe_cases

BATCH = 20000
# Projects with more test identities than this are resolved batch by batch (memory stays bounded).
KNOWN_MAP_LIMIT = 250_000
# Ids reserved from the sequence per pause of the COPY, doubling up to the maximum: few pauses for a
# first ingestion, few wasted ids for a run that adds a handful of tests.
RESERVE_FIRST, RESERVE_FIRST_EMPTY, RESERVE_MAX = 256, 16384, 65536
# pg_advisory_xact_lock(INGEST_LOCK, project id): one ingestion per project at a time.
INGEST_LOCK = 74_201
KEY_SEPARATOR_SQL = "chr(31)"
# The issue's \bREQ-\d+\b, with "_" also accepted as a separator so pytest-style names such as
# test_capture_REQ-12 link too; PREQ-12 or REQ-12a still don't.
REQUIREMENT_KEY = re.compile(r"(?<![A-Za-z0-9])REQ-(\d+)(?![A-Za-z0-9])")


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
CASE_COLUMNS = (
    "id, project_id, identity, suite, classname, name, file, last_status, first_failed_run_id, flaky, flips, "
    "flaky_score, created_at, updated_at"
)
_TOTAL_KEYS = {"passed": "passed", "failed": "failed", "error": "errors", "skipped": "skipped"}


class ResultLoader:
    """Writes the final cases of one run; accumulates totals and requirement mentions.

    PostgreSQL, project within the identity map: *streaming* — each case's result row is written
    to the open results ``COPY`` as it arrives. Otherwise (bigger projects, other databases):
    *batches* of ``batch_size`` cases, whose identities are looked up in one query. Statuses that
    change are stored at the end (per batch in batch mode).
    """

    def __init__(self, *, run, batch_size: int | None = None):
        self.run = run
        self.run_id = run.pk
        self.batch_size = batch_size or BATCH
        self.batch: list[ParsedCase] = []
        self.status_counts = dict.fromkeys(_TOTAL_KEYS, 0)
        self.duration = 0.0
        self.flaky = 0
        self.requirements: dict[int, set[int]] = {}  # test_case_id -> REQ numbers
        self.postgres = connection.vendor == "postgresql"
        self.db_seconds = 0.0  # time spent waiting for the database, for the ingestion log line
        # "suite␟classname␟name" -> test case id: the whole project's tests (streaming mode only). The
        # unit separator can't occur in XML text, so the key is unambiguous (identity_hash hashes it).
        self.known: dict[str, int] | None = None
        # test_case_id -> latest status stored (or set by this run so far); the tests whose status
        # changes wait in ``changes`` for history.apply_status.
        self.stored_status: dict[int, str] = {}
        self.changes: dict[int, str] = {}
        self.streaming: bool | None = None  # decided at the first case
        self.count = 0
        # New tests (PostgreSQL): ids reserved from the sequence, and rows waiting for a COPY pause.
        self.id_pool: list[int] = []
        self.reserve_next = RESERVE_FIRST
        self.new_cases: list[tuple] = []
        self.sequence: str | None = None
        self.now = timezone.now()
        self._cursor = None
        self._copy = None
        self._copy_context = None

    def add(self, case: ParsedCase) -> bool:
        """Take one case; returns True every ``batch_size`` cases (time to publish progress)."""
        if self.streaming is None:
            self._start()
        self.count += 1
        if self.streaming:
            test_case_id = self.known.get(f"{case.suite}\x1f{case.classname}\x1f{case.name}")
            if test_case_id is None:
                test_case_id = self._new_case(case)
            (self._copy or self._open_copy()).write_row(self._row(case, test_case_id))
            self._account(case, test_case_id)
        else:
            self.batch.append(case)
            if len(self.batch) >= self.batch_size:
                self._write_batch()
        return self.count % self.batch_size == 0

    @property
    def totals(self) -> dict[str, int]:
        """The run's counters: tests, passed, failed, errors, skipped."""
        totals = {_TOTAL_KEYS[status]: count for status, count in self.status_counts.items()}
        return {"tests": sum(totals.values()), **totals}

    def flush(self) -> None:
        """Write everything pending (buffered cases, the open COPY, new tests, status changes)."""
        self._write_batch()
        self._pause_copy()
        self._apply_changes()

    def abort(self, exc: BaseException | None = None) -> None:
        """Leave a COPY in progress (the run's transaction is being rolled back)."""
        if self._copy is not None:
            with contextlib.suppress(Exception):  # the original error is the one to report
                self._close_copy(exc or RuntimeError("ingestion aborted"))

    # -- set-up ------------------------------------------------------------------------------------

    def _start(self) -> None:
        """Lock the project's ingestions and read its identity map if it fits (one query)."""
        table = TestCase._meta.db_table
        with connection.cursor() as cursor:
            if self.postgres:
                cursor.execute("SELECT pg_advisory_xact_lock(%s, %s)", [INGEST_LOCK, self.run.project_id])
                # Statistics are stale mid-load: estimates big enough to JIT-compile small statements.
                cursor.execute("SET LOCAL jit = off")
            cursor.execute(f"SELECT count(*) FROM {table} WHERE project_id = %s", [self.run.project_id])
            count = cursor.fetchone()[0]
            self.streaming = self.postgres and count <= KNOWN_MAP_LIMIT
            if not self.streaming:
                return
            cursor.execute(
                f"SELECT suite || {KEY_SEPARATOR_SQL} || classname || {KEY_SEPARATOR_SQL} || name, id, last_status "
                f"FROM {table} WHERE project_id = %s",
                [self.run.project_id],
            )
            rows = cursor.fetchall()
        if not rows:  # a first ingestion: its tests are all new
            self.known, self.reserve_next = {}, RESERVE_FIRST_EMPTY
            return
        keys, ids, statuses = zip(*rows, strict=True)
        self.known = dict(zip(keys, ids, strict=True))
        self.stored_status = dict(zip(ids, statuses, strict=True))

    # -- streaming mode ----------------------------------------------------------------------------

    def _new_case(self, case: ParsedCase) -> int:
        """An id for a test seen for the first time; its row is written at the next COPY pause."""
        if not self.id_pool:
            self._pause_copy()
            self.id_pool = self._reserve_ids(self.reserve_next)
            self.reserve_next = min(self.reserve_next * 2, RESERVE_MAX)
        test_case_id = self.id_pool.pop()
        self.known[f"{case.suite}\x1f{case.classname}\x1f{case.name}"] = test_case_id
        self.stored_status[test_case_id] = case.status
        self.new_cases.append(self._case_row(case, test_case_id))
        return test_case_id

    def _reserve_ids(self, count: int) -> list[int]:
        """``count`` fresh ids from the test case table's sequence, smallest last (for ``pop``)."""
        started = time.perf_counter()
        with connection.cursor() as cursor:
            if self.sequence is None:
                cursor.execute("SELECT pg_get_serial_sequence(%s, 'id')", [TestCase._meta.db_table])
                self.sequence = cursor.fetchone()[0]
            cursor.execute("SELECT nextval(%s::regclass) FROM generate_series(1, %s)", [self.sequence, count])
            ids = [row[0] for row in cursor.fetchall()]
        self.db_seconds += time.perf_counter() - started
        ids.sort(reverse=True)
        return ids

    def _case_row(self, case: ParsedCase, test_case_id: int) -> tuple:
        status = case.status
        return (
            test_case_id, self.run.project_id, identity_hash(case.suite, case.classname, case.name),
            _clean(case.suite), _clean(case.classname), _clean(case.name), _clean(case.file), status,
            self.run_id if status in FAILING else None, False, 0, 0.0, self.now, self.now,
        )

    def _pause_copy(self) -> None:
        """Close the results COPY (if open) and write the new tests waiting for it."""
        self._close_copy()
        if not self.new_cases:
            return
        rows, self.new_cases = self.new_cases, []
        started = time.perf_counter()
        with (
            connection.cursor() as cursor,
            cursor.cursor.copy(f"COPY {TestCase._meta.db_table} ({CASE_COLUMNS}) FROM STDIN") as copy,
        ):
            for row in rows:
                copy.write_row(row)
        self.db_seconds += time.perf_counter() - started

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

    # -- batch mode --------------------------------------------------------------------------------

    def _write_batch(self) -> None:
        if not self.batch:
            return
        batch, self.batch = self.batch, []
        identities = [identity_hash(c.suite, c.classname, c.name) for c in batch]
        started = time.perf_counter()
        ids = self._resolve(batch, identities)
        if self.postgres:
            self._pause_copy()  # new tests first (no database-level FK, but keep them together)
            copy = self._open_copy()
            for case, identity in zip(batch, identities, strict=True):
                copy.write_row(self._row(case, ids[identity]))
            self._close_copy()
        else:
            TestResult.objects.bulk_create(
                [
                    TestResult(run_id=self.run_id, test_case_id=ids[h], **self._fields(c))
                    for c, h in zip(batch, identities, strict=True)
                ],
                batch_size=500,
            )
        self.db_seconds += time.perf_counter() - started
        for case, identity in zip(batch, identities, strict=True):
            self._account(case, ids[identity])
        self._apply_changes()
        self.stored_status.clear()  # memory bounded by the batch

    def _resolve(self, batch: list[ParsedCase], identities: list[str]) -> dict[str, int]:
        """identity -> id for the batch, creating the tests seen for the first time.

        New tests are created with this run's status; known tests are only looked up here, and the
        few whose status changes are updated at the end of the batch (history.apply_status).
        """
        first: dict[str, ParsedCase] = dict(zip(reversed(identities), reversed(batch), strict=True))
        found = self._lookup(list(first))
        new = [(identity, case) for identity, case in first.items() if identity not in found]
        if not new:
            return found
        if self.postgres:
            pool = self._reserve_ids(len(new))
            for identity, case in new:
                found[identity] = pool.pop()
                self.stored_status[found[identity]] = case.status
                self.new_cases.append(self._case_row(case, found[identity]))
            return found
        # Other databases: rows a concurrent ingestion inserted first are ignored, then looked up.
        TestCase.objects.bulk_create(
            [
                TestCase(project_id=self.run.project_id, identity=identity, suite=c.suite, classname=c.classname,
                         name=c.name, file=c.file, last_status=c.status,
                         first_failed_run_id=self.run_id if c.status in FAILING else None)
                for identity, c in new
            ],
            ignore_conflicts=True,
            batch_size=500,
        )
        statuses = {identity: case.status for identity, case in new}
        created = self._lookup([identity for identity, _ in new])
        for identity, pk in created.items():
            self.stored_status[pk] = statuses[identity]
        return {**found, **created}

    def _lookup(self, keys: list[str]) -> dict[str, int]:
        """identity -> id of the given tests that exist (noting their stored status)."""
        found: dict[str, int] = {}
        if not self.postgres:
            for start in range(0, len(keys), 900):
                for identity, pk, status in (TestCase.objects.filter(project_id=self.run.project_id,
                                                                     identity__in=keys[start:start + 900])
                                             .values_list("identity", "id", "last_status")):
                    found[identity] = pk
                    self.stored_status.setdefault(pk, status)
            return found
        table = TestCase._meta.db_table
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
            for identity, pk, status in cursor.fetchall():
                found[identity] = pk
                self.stored_status.setdefault(pk, status)
            cursor.execute("RESET enable_hashjoin")
            cursor.execute("RESET enable_mergejoin")
        return found

    # -- rows --------------------------------------------------------------------------------------

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
