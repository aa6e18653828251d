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
import time

from django.db import connection
from django.utils import timezone

from .history import apply_status
from .models import FAILING, TestCase, TestResult, identity_hash
from .reports import ParsedCase
from .rows import KEY_SEPARATOR, RESULT_COLUMNS, clean, copy_formatter, requirement_numbers, result_values

BATCH = 20000
# Projects with more test identities than this are resolved batch by batch (memory stays bounded).
KNOWN_MAP_LIMIT = 250_000
# Ids reserved from the sequence per pause of the COPY, doubling up to the maximum: few pauses for a
# first ingestion, few wasted ids for a run that adds a handful of tests.
RESERVE_FIRST, RESERVE_FIRST_EMPTY, RESERVE_MAX = 256, 16384, 65536
# pg_advisory_xact_lock(INGEST_LOCK, project id): one ingestion per project at a time.
INGEST_LOCK = 74_201
# The project's identity map as three strings in one row: keys (rows.test_key) joined by a separator
# XML text can't contain, ids and statuses by commas — split in C on arrival, where fetching 100 000
# rows would build 300 000 Python objects first. One aggregation, so the three lists share one order.
MAP_SEPARATOR = "\x1d"
KNOWN_MAP_SQL = """
SELECT count(*), string_agg(suite || chr(31) || classname || chr(31) || name, chr(29)),
       string_agg(id::text, ','), string_agg(last_status, ',')
FROM (SELECT suite, classname, name, id, last_status FROM {table} WHERE project_id = %s LIMIT %s) AS t
"""


COPY_COLUMNS = ", ".join(RESULT_COLUMNS)
CASE_COLUMNS = (
    "id, project_id, identity, suite, classname, name, file, last_status, first_failed_run_id, flaky, flips, "
    "flaky_score, created_at, updated_at"
)
_TOTAL_KEYS = {"passed": "passed", "failed": "failed", "error": "errors", "skipped": "skipped"}


class ResultLoader:
    """Writes the final cases of one run; accumulates totals and requirement mentions.

    Call :meth:`start` first. It says which path the run takes:

    * *streaming* (PostgreSQL, project within the identity map): feed :meth:`add_records` with
      records (``rows.records``, possibly made by the parse worker process); each result row goes
      to the open results ``COPY`` at once;
    * *batches* (bigger projects, other databases): feed :meth:`add` with cases; every
      ``batch_size`` of them are resolved in one query and written together.

    Statuses that change are stored at the end (per batch in batch mode); call :meth:`flush` last.
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
        # rows.test_key -> test case id: the whole project's tests (streaming mode only).
        self.known: dict[str, int] = {}
        # test_case_id -> latest status stored (or set by this run so far); the tests whose status
        # changes wait in ``changes`` for history.apply_status.
        self.stored_status: dict[int, str] = {}
        self.changes: dict[int, str] = {}
        self.streaming = False
        # New tests (PostgreSQL): ids reserved from the sequence, and rows waiting for a COPY pause.
        self.id_pool: list[int] = []
        self.reserve_next = RESERVE_FIRST
        self.new_cases: list[tuple] = []
        self.sequence: str | None = None
        self.now = timezone.now()
        self.format_row = copy_formatter() if self.postgres else None
        self._cursor = None
        self._copy = None
        self._copy_context = None

    def start(self) -> bool:
        """Lock the project's ingestions, read its identity map if it fits; True: streaming mode."""
        if not self.postgres:
            return False
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_xact_lock(%s, %s)", [INGEST_LOCK, self.run.project_id])
            # Statistics are stale mid-load: estimates big enough to JIT-compile small statements.
            cursor.execute("SET LOCAL jit = off")
            cursor.execute(KNOWN_MAP_SQL.format(table=TestCase._meta.db_table),
                           [self.run.project_id, KNOWN_MAP_LIMIT + 1])
            count, keys, ids, statuses = cursor.fetchone()
        self.streaming = count <= KNOWN_MAP_LIMIT
        if not self.streaming:
            return False
        if not count:  # a first ingestion: its tests are all new
            self.reserve_next = RESERVE_FIRST_EMPTY
            return True
        ids = list(map(int, ids.split(",")))
        self.known = dict(zip(keys.split(MAP_SEPARATOR), ids, strict=True))
        self.stored_status = dict(zip(ids, statuses.split(","), strict=True))
        return True

    @property
    def count(self) -> int:
        return sum(self.status_counts.values()) + len(self.batch)

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

    # -- streaming mode ----------------------------------------------------------------------------

    def add_records(self, records: list[tuple]) -> None:
        """Write the result rows of ``records`` (see ``rows``) to the open COPY, in one piece.

        The hot loop of an ingestion: everything it needs is bound to locals.
        """
        known, stored, changes, counts = self.known, self.stored_status, self.changes, self.status_counts
        requirements, run_id, format_row = self.requirements, self.run_id, self.format_row
        buffer = bytearray()
        duration, flaky = 0.0, 0
        for key, numbers, values in records:
            status = values[0]
            test_case_id = known.get(key)
            if test_case_id is None:
                test_case_id = self._new_case(key, values[9], status)
            format_row((run_id, test_case_id, *values), buffer)
            counts[status] += 1
            duration += values[1]
            if stored.get(test_case_id) != status:
                stored[test_case_id] = changes[test_case_id] = status
            if values[11]:
                flaky += 1
            if numbers:
                requirements.setdefault(test_case_id, set()).update(numbers)
        self.duration += duration
        self.flaky += flaky
        if buffer:
            (self._copy or self._open_copy()).write(buffer)

    def _new_case(self, key: str, file: str, status: str) -> int:
        """An id for a test seen for the first time; its row is written at the next COPY pause."""
        if not self.id_pool:
            self._pause_copy()
            self.id_pool = self._reserve_ids(self.reserve_next)
            self.reserve_next = min(self.reserve_next * 2, RESERVE_MAX)
        test_case_id = self.id_pool.pop()
        self.known[key] = test_case_id
        self.stored_status[test_case_id] = status
        suite, classname, name = key.split(KEY_SEPARATOR)
        self.new_cases.append(self._case_row(test_case_id, suite, classname, name, file, status))
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

    def _case_row(self, test_case_id: int, suite: str, classname: str, name: str, file: str, status: str) -> tuple:
        return (
            test_case_id, self.run.project_id, identity_hash(suite, classname, name), clean(suite), clean(classname),
            clean(name), clean(file), status, self.run_id if status in FAILING else None, False, 0, 0.0,
            self.now, self.now,
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

    # -- batch mode --------------------------------------------------------------------------------

    def add(self, case: ParsedCase) -> bool:
        """Take one case (batch mode); returns True when a batch was written (time to publish progress)."""
        self.batch.append(case)
        if len(self.batch) >= self.batch_size:
            self._write_batch()
            return True
        return False

    def _write_batch(self) -> None:
        if not self.batch:
            return
        batch, self.batch = self.batch, []
        identities = [identity_hash(c.suite, c.classname, c.name) for c in batch]
        started = time.perf_counter()
        ids = self._resolve(batch, identities)
        if self.postgres:
            self._pause_copy()  # the batch's new tests
            with (
                connection.cursor() as cursor,
                cursor.cursor.copy(f"COPY {TestResult._meta.db_table} ({COPY_COLUMNS}) FROM STDIN") as copy,
            ):
                for case, identity in zip(batch, identities, strict=True):
                    copy.write_row((self.run_id, ids[identity], *result_values(case)))
        else:
            TestResult.objects.bulk_create(
                [
                    TestResult(run_id=self.run_id, test_case_id=ids[identity],
                               **dict(zip(RESULT_COLUMNS[2:], result_values(case), strict=True)))
                    for case, identity in zip(batch, identities, strict=True)
                ],
                batch_size=500,
            )
        self.db_seconds += time.perf_counter() - started
        for case, identity in zip(batch, identities, strict=True):
            self._account(case, ids[identity])
        self._apply_changes()
        self.stored_status.clear()  # memory bounded by the batch

    def _account(self, case: ParsedCase, test_case_id: int) -> None:
        status = case.status
        self.status_counts[status] += 1
        self.duration += case.duration
        if self.stored_status.get(test_case_id) != status:
            self.stored_status[test_case_id] = self.changes[test_case_id] = status
        if case.flaky:
            self.flaky += 1
        numbers = requirement_numbers(case)
        if numbers:
            self.requirements.setdefault(test_case_id, set()).update(numbers)

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
        if self.postgres:  # the advisory lock (start) keeps other ingestions from adding them meanwhile
            pool = self._reserve_ids(len(new))
            for identity, case in new:
                found[identity] = test_case_id = pool.pop()
                self.stored_status[test_case_id] = case.status
                self.new_cases.append(
                    self._case_row(test_case_id, case.suite, case.classname, case.name, case.file, case.status)
                )
            return found
        # Other databases: rows a concurrent ingestion inserted first are ignored, then looked up.
        TestCase.objects.bulk_create(
            [
                TestCase(project_id=self.run.project_id, identity=identity, suite=clean(c.suite),
                         classname=clean(c.classname), name=clean(c.name), file=clean(c.file), last_status=c.status,
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
