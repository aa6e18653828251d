"""The streaming loader: parsed cases → TestCase identities + TestResult rows, in batches.

Owns the hot path of ingestion. Cases stream from the report engine; retries are folded as they
arrive (only failing attempts are held back, since only they can be retried), and every
``BATCH`` cases one batch is written: identities upserted in one statement, their ids fetched in
one query, results loaded with ``COPY`` on PostgreSQL (``bulk_create`` elsewhere). Memory is
bounded by the batch plus the failing tests awaiting a possible retry, never by the file.
The caller owns the transaction (one per run).
"""

from __future__ import annotations

import json
import queue
import re
import threading
import time
from collections.abc import Iterable, Iterator

from django.db import connection

from .models import FAILING, TestCase, TestResult, identity_hash
from .reports import ParsedCase, dedupe_cases, summarize

BATCH = 5000
REQUIREMENT_KEY = re.compile(r"\bREQ-(\d+)\b")

# PostgreSQL: new test identities in one statement per batch; RETURNING gives their ids (rows a
# concurrent run of the project inserted first are looked up afterwards).
INSERT_CASES_SQL = """
INSERT INTO {table} (project_id, identity, suite, classname, name, file, last_status, flaky, flips, flaky_score,
                     created_at, updated_at)
SELECT %(project)s, i, s, c, n, f, '', false, 0, 0, now(), now()
FROM unnest(%(i)s::text[], %(s)s::text[], %(c)s::text[], %(n)s::text[], %(f)s::text[]) AS t(i, s, c, n, f)
ON CONFLICT (project_id, identity) DO NOTHING
RETURNING identity, id
"""

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


_END = object()


def read_ahead(iterable: Iterable, *, chunk: int = 1000, depth: int = 4) -> Iterator:
    """Iterate ``iterable`` in a background thread, ``depth`` chunks ahead of the consumer.

    Parsing (CPU in Python/lxml) then overlaps with the database round trips of the consumer,
    which release the GIL while they wait. Memory stays bounded by ``chunk * depth`` items; an
    exception in the producer is re-raised, unchanged, in the consumer. The producer must not touch
    the database (it would get another connection, outside the run's transaction).
    """
    channel: queue.Queue = queue.Queue(maxsize=depth)
    stop = threading.Event()

    def put(item) -> bool:
        while not stop.is_set():
            try:
                channel.put(item, timeout=0.2)
                return True
            except queue.Full:
                continue
        return False

    def produce() -> None:
        try:
            buffer = []
            for item in iterable:
                buffer.append(item)
                if len(buffer) >= chunk:
                    if not put(buffer):
                        return
                    buffer = []
            if put(buffer):
                put(_END)
        except BaseException as exc:  # handed to the consumer, which re-raises it
            put(exc)

    thread = threading.Thread(target=produce, name="report-reader", daemon=True)
    thread.start()
    try:
        while True:
            item = channel.get()
            if item is _END:
                return
            if isinstance(item, BaseException):
                raise item
            yield from item
    finally:
        stop.set()
        thread.join(timeout=10)


def _clean(value: str) -> str:
    # PostgreSQL text can't hold NUL; the engine already maps other control characters.
    return value.replace("\x00", "") if value and "\x00" in value else (value or "")


class ResultLoader:
    """Writes batches of final cases for one run; accumulates totals and requirement mentions."""

    def __init__(self, *, run, batch_size: int = BATCH):
        self.run = run
        self.batch_size = batch_size
        self.batch: list[ParsedCase] = []
        self.totals = dict.fromkeys(("tests", "passed", "failed", "errors", "skipped"), 0)
        self.duration = 0.0
        self.flaky = 0
        self.requirements: dict[int, set[int]] = {}  # test_case_id -> REQ numbers
        self.postgres = connection.vendor == "postgresql"
        self.known: dict[str, int] | None = None
        self.db_seconds = 0.0  # time spent writing, for the ingestion log line

    def add(self, case: ParsedCase) -> bool:
        """Buffer one case; returns True when a batch was written."""
        self.batch.append(case)
        if len(self.batch) >= self.batch_size:
            self.flush()
            return True
        return False

    def flush(self) -> None:
        if not self.batch:
            return
        batch, self.batch = self.batch, []
        summary = summarize(batch)
        for key in self.totals:
            self.totals[key] += summary[key]
        self.duration += summary["duration"]
        identities = [identity_hash(c.suite, c.classname, c.name) for c in batch]
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
            self.flaky += case.flaky
            if case.properties or "REQ-" in case.name or "REQ-" in case.classname:
                numbers = requirement_numbers(case)
                if numbers:
                    self.requirements.setdefault(ids[identity], set()).update(numbers)

    def _known_identities(self) -> dict[str, int]:
        """identity -> id of the project's tests, read once per run (memory ∝ distinct tests)."""
        if self.known is None:
            with connection.cursor() as cursor:
                cursor.execute(
                    f"SELECT identity, id FROM {TestCase._meta.db_table} WHERE project_id = %s",
                    [self.run.project_id],
                )
                self.known = dict(cursor.fetchall())
        return self.known

    def _upsert_cases(self, batch: list[ParsedCase], identities: list[str]) -> dict[str, int]:
        """Create the tests seen for the first time; return identity -> id for the whole batch.

        Known tests cost nothing here: their latest status is set once the run is loaded, by one
        set-based UPDATE (history.DENORMALISE_SQL).
        """
        known = self._known_identities()
        new: dict[str, ParsedCase] = {}
        for case, identity in zip(batch, identities, strict=True):
            if identity not in known:
                new.setdefault(identity, case)
        if not new:
            return known
        project_id = self.run.project_id
        keys, cases = list(new), list(new.values())
        if self.postgres:
            params = {
                "project": project_id,
                "i": keys,
                "s": [_clean(c.suite) for c in cases],
                "c": [_clean(c.classname) for c in cases],
                "n": [_clean(c.name) for c in cases],
                "f": [_clean(c.file) for c in cases],
            }
            with connection.cursor() as cursor:
                cursor.execute(INSERT_CASES_SQL.format(table=TestCase._meta.db_table), params)
                known.update(cursor.fetchall())
        else:
            TestCase.objects.bulk_create(
                [
                    TestCase(project_id=project_id, identity=key, suite=c.suite, classname=c.classname,
                             name=c.name, file=c.file)
                    for key, c in new.items()
                ],
                ignore_conflicts=True,
                batch_size=500,
            )
        missing = [key for key in keys if key not in known]
        for start in range(0, len(missing), 900):  # created meanwhile by a concurrent run of the project
            chunk = missing[start : start + 900]
            known.update(
                TestCase.objects.filter(project_id=project_id, identity__in=chunk).values_list("identity", "id")
            )
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

    def _copy_results(self, batch: list[ParsedCase], identities: list[str], ids: dict[str, int]) -> None:
        table = TestResult._meta.db_table
        columns = (
            "run_id, test_case_id, status, duration, failure_type, failure_message, failure_text, "
            "message_signature, system_out, system_err, properties, file, line, flaky_in_run, retries"
        )
        run_id = self.run.pk
        with (
            connection.cursor() as cursor,
            cursor.cursor.copy(f"COPY {table} ({columns}) FROM STDIN") as copy,
        ):
            for case, identity in zip(batch, identities, strict=True):
                failing = case.status in FAILING
                copy.write_row(
                    (
                        run_id,
                        ids[identity],
                        case.status,
                        case.duration or 0.0,
                        _clean(case.failure_type),
                        _clean(case.failure_message),
                        _clean(case.failure_text),
                        message_signature(case.failure_message, case.failure_text) if failing else "",
                        _clean(case.system_out),
                        _clean(case.system_err),
                        json.dumps(case.properties) if case.properties else "{}",
                        _clean(case.file),
                        case.line,
                        case.flaky,
                        case.retries,
                    )
                )
