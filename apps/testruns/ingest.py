"""The loader: records of parsed cases (``rows``) → TestCase identities + TestResult rows.

Owns the hot path of ingestion. On PostgreSQL every result goes straight into one open ``COPY``
while the report is still being parsed (the server inserts on the other core): a test seen before
is found in the project's identity map, a new one takes an id reserved from the table's sequence
and its row waits for the next pause of the COPY. The identity map is read asynchronously on the
run's own connection while the first records are parsed. Ingestions of one project are serialised
by an advisory lock, so identities never race. Projects too big for the identity map, and other
databases, are written in batches instead. Memory is bounded by the batch, the records parsed
while the map loads and the identity map — never by the file. The caller owns the transaction (one
per run). Only the tests whose status changes are updated (history.apply_status); a test's latest
run and duration are read from its results.
"""

from __future__ import annotations

import contextlib
import json
import select
import time

from django.db import DatabaseError, connection
from django.utils import timezone

from .history import apply_status
from .models import FAILING, TestCase, TestResult
from .rows import KEY_SEPARATOR, RESULT_COLUMNS, clean, copy_formatter, identity_of

BATCH = 20000
# Projects with more test identities than this are resolved batch by batch (memory stays bounded).
KNOWN_MAP_LIMIT = 250_000
# Records kept while the identity map loads; past this, the loader waits for it.
PENDING_LIMIT = 50_000
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
SELECT count(*), string_agg(suite || chr({key}) || classname || chr({key}) || name, chr({map})),
       string_agg(id::text, ','), string_agg(last_status, ',')
FROM (SELECT suite, classname, name, id, last_status FROM {{table}} WHERE project_id = $1 LIMIT $2) AS t
""".format(key=ord(KEY_SEPARATOR), map=ord(MAP_SEPARATOR))
COPY_COLUMNS = ", ".join(RESULT_COLUMNS)
CASE_COLUMNS = (
    "id, project_id, identity, suite, classname, name, file, last_status, first_failed_run_id, flaky, flips, "
    "flaky_score, created_at, updated_at"
)
_TOTAL_KEYS = {"passed": "passed", "failed": "failed", "error": "errors", "skipped": "skipped"}
# Positions in rows.result_values.
STATUS, DURATION, FILE, FLAKY = 0, 1, 9, 11


class _SentQuery:
    """A query sent on the run's connection (same transaction) whose result is collected later.

    libpq's asynchronous interface: the server computes while the worker goes on parsing.
    Nothing else may use the connection until :meth:`values` has returned.
    """

    def __init__(self, sql: str, params: list):
        connection.ensure_connection()
        self.pgconn = connection.connection.pgconn
        self.pgconn.send_query_params(sql.encode(), [str(value).encode() for value in params])
        while self.pgconn.flush():  # non-blocking connection: the query may not be all sent yet
            select.select([], [self.pgconn.socket], [])

    def ready(self) -> bool:
        self.pgconn.consume_input()
        return not self.pgconn.is_busy()

    def values(self) -> list[bytes | None]:
        """The first row of the result (waits for it)."""
        from psycopg import pq

        self.pgconn.consume_input()
        while self.pgconn.is_busy():
            select.select([self.pgconn.socket], [], [])
            self.pgconn.consume_input()
        row, error = None, None
        while (result := self.pgconn.get_result()) is not None:
            if result.status == pq.ExecStatus.TUPLES_OK:
                row = [result.get_value(0, column) for column in range(result.nfields)]
            else:
                error = (result.error_message or b"query failed").decode(errors="replace").strip()
        if error or row is None:
            raise DatabaseError(error or "no result")
        return row


class ResultLoader:
    """Writes the final cases of one run; accumulates totals and requirement mentions.

    :meth:`start` (locks the project's ingestions, sends the identity map query), then
    :meth:`add_records` with the records of ``rows.records`` in order, then :meth:`flush`. Two paths:

    * *streaming* (PostgreSQL, project within the identity map): each result row goes to the open
      results ``COPY`` at once;
    * *batches* (bigger projects, other databases): every ``batch_size`` records are resolved in
      one query and written together.

    Statuses that change are stored at the end (per batch in batch mode).
    """

    def __init__(self, *, run, batch_size: int | None = None):
        self.run = run
        self.run_id = run.pk
        self.batch_size = batch_size or BATCH
        self.batch: list[tuple] = []
        self.pending: list[list[tuple]] = []  # record batches parsed while the identity map loads
        self.pending_count = 0
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
        self._map_query: _SentQuery | None = None
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

    def start(self) -> None:
        """Lock the project's ingestions and send the identity map query (PostgreSQL)."""
        if not self.postgres:
            return
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_xact_lock(%s, %s)", [INGEST_LOCK, self.run.project_id])
            # Statistics are stale mid-load: estimates big enough to JIT-compile small statements.
            cursor.execute("SET LOCAL jit = off")
        self._map_query = _SentQuery(KNOWN_MAP_SQL.format(table=TestCase._meta.db_table),
                                     [self.run.project_id, KNOWN_MAP_LIMIT + 1])

    def add_records(self, records: list[tuple]) -> None:
        """Take the next records (see ``rows``)."""
        if self._map_query is not None:
            self.pending.append(records)
            self.pending_count += len(records)
            if self.pending_count < PENDING_LIMIT and not self._map_query.ready():
                return
            self._receive_map()
            return
        if self.streaming:
            self._stream(records)
        else:
            self.batch.extend(records)
            while len(self.batch) >= self.batch_size:
                self._write_batch()

    @property
    def totals(self) -> dict[str, int]:
        """The run's counters: tests, passed, failed, errors, skipped."""
        totals = {_TOTAL_KEYS[status]: count for status, count in self.status_counts.items()}
        return {"tests": sum(totals.values()), **totals}

    def flush(self) -> None:
        """Write everything pending (buffered records, the open COPY, new tests, status changes)."""
        if self._map_query is not None:
            self._receive_map()
        while self.batch:
            self._write_batch()
        self._pause_copy()
        self._apply_changes()

    def abort(self, exc: BaseException | None = None) -> None:
        """Leave a query or COPY in progress (the run's transaction is being rolled back)."""
        with contextlib.suppress(Exception):  # the original error is the one to report
            if self._map_query is not None:
                self._map_query, query = None, self._map_query
                query.values()
            if self._copy is not None:
                self._close_copy(exc or RuntimeError("ingestion aborted"))

    # -- the identity map --------------------------------------------------------------------------

    def _receive_map(self) -> None:
        started = time.perf_counter()
        query, self._map_query = self._map_query, None
        count, keys, ids, statuses = query.values()
        self.db_seconds += time.perf_counter() - started
        count = int(count)
        self.streaming = count <= KNOWN_MAP_LIMIT
        if self.streaming and not count:  # a first ingestion: its tests are all new
            self.reserve_next = RESERVE_FIRST_EMPTY
        elif self.streaming:
            ids = list(map(int, ids.split(b",")))
            self.known = dict(zip(keys.decode().split(MAP_SEPARATOR), ids, strict=True))
            self.stored_status = dict(zip(ids, statuses.decode().split(","), strict=True))
        pending, self.pending, self.pending_count = self.pending, [], 0
        for records in pending:
            self.add_records(records)

    # -- streaming mode ----------------------------------------------------------------------------

    def _stream(self, records: list[tuple]) -> None:
        """Write the result rows of ``records`` to the open COPY, in one piece.

        The hot loop of an ingestion: everything it needs is bound to locals, ``_account`` inlined.
        """
        known, stored, changes, counts = self.known, self.stored_status, self.changes, self.status_counts
        requirements, run_id, format_row = self.requirements, self.run_id, self.format_row
        prefix = b"%d\t" % run_id
        buffer = bytearray()
        duration, flaky = 0.0, 0
        for key, numbers, values, tail in records:
            status = values[STATUS]
            test_case_id = known.get(key)
            if test_case_id is None:
                test_case_id = self._new_case(key, values[FILE], status)
            if tail is None:
                format_row((run_id, test_case_id, *values), buffer)
            else:
                buffer += b"%b%d\t%b" % (prefix, test_case_id, tail)
            counts[status] += 1
            duration += values[DURATION]
            if stored.get(test_case_id) != status:
                stored[test_case_id] = changes[test_case_id] = status
            if values[FLAKY]:
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
        self.new_cases.append(self._case_row(test_case_id, key, file, status))
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

    def _case_row(self, test_case_id: int, key: str, file: str, status: str) -> tuple:
        suite, classname, name = (clean(part) for part in key.split(KEY_SEPARATOR))
        return (
            test_case_id, self.run.project_id, identity_of(key), suite, classname, name, file, status,
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

    # -- batch mode --------------------------------------------------------------------------------

    def _write_batch(self) -> None:
        if not self.batch:
            return
        batch, self.batch = self.batch[:self.batch_size], self.batch[self.batch_size:]
        identities = [identity_of(record[0]) for record in batch]
        started = time.perf_counter()
        ids = self._resolve(batch, identities)
        if self.postgres:
            self._pause_copy()  # the batch's new tests
            copy = self._open_copy()
            buffer = bytearray()
            for (_, _, values, _), identity in zip(batch, identities, strict=True):
                self.format_row((self.run_id, ids[identity], *values), buffer)
            copy.write(buffer)
            self._close_copy()
        else:
            columns = RESULT_COLUMNS[2:]
            results = []
            for (_, _, values, _), identity in zip(batch, identities, strict=True):
                fields = dict(zip(columns, values, strict=True))
                fields["properties"] = json.loads(fields["properties"])
                results.append(TestResult(run_id=self.run_id, test_case_id=ids[identity], **fields))
            TestResult.objects.bulk_create(results, batch_size=500)
        self.db_seconds += time.perf_counter() - started
        for (_, numbers, values, _), identity in zip(batch, identities, strict=True):
            self._account(ids[identity], numbers, values)
        self._apply_changes()
        self.stored_status.clear()  # memory bounded by the batch

    def _account(self, test_case_id: int, numbers: tuple | None, values: tuple) -> None:
        """Totals, status changes and requirement mentions of one result (``_stream`` inlines it)."""
        status = values[STATUS]
        self.status_counts[status] += 1
        self.duration += values[DURATION]
        if self.stored_status.get(test_case_id) != status:
            self.stored_status[test_case_id] = self.changes[test_case_id] = status
        if values[FLAKY]:
            self.flaky += 1
        if numbers:
            self.requirements.setdefault(test_case_id, set()).update(numbers)

    def _resolve(self, batch: list[tuple], identities: list[str]) -> dict[str, int]:
        """identity -> id for the batch, creating the tests seen for the first time.

        New tests are created with this run's status; known tests are only looked up here, and the
        few whose status changes are updated at the end of the batch (history.apply_status).
        """
        first: dict[str, tuple] = dict(zip(reversed(identities), reversed(batch), strict=True))
        found = self._lookup(list(first))
        new = [(identity, record) for identity, record in first.items() if identity not in found]
        if not new:
            return found
        if self.postgres:  # the advisory lock (start) keeps other ingestions from adding them meanwhile
            pool = self._reserve_ids(len(new))
            for identity, (key, _, values, _) in new:
                found[identity] = test_case_id = pool.pop()
                self.stored_status[test_case_id] = values[STATUS]
                self.new_cases.append(self._case_row(test_case_id, key, values[FILE], values[STATUS]))
            return found
        # Other databases: rows a concurrent ingestion inserted first are ignored, then looked up.
        cases = []
        for identity, (key, _, values, _) in new:
            suite, classname, name = (clean(part) for part in key.split(KEY_SEPARATOR))
            status = values[STATUS]
            cases.append(TestCase(project_id=self.run.project_id, identity=identity, suite=suite, classname=classname,
                                  name=name, file=values[FILE], last_status=status,
                                  first_failed_run_id=self.run_id if status in FAILING else None))
        TestCase.objects.bulk_create(cases, ignore_conflicts=True, batch_size=500)
        statuses = {identity: values[STATUS] for identity, (_, _, values, _) in new}
        created = self._lookup(list(statuses))
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
