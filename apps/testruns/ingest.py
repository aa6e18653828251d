"""The streaming loader: parsed cases → TestCase identities + TestResult rows, in batches.

Owns the hot path of ingestion. Cases stream from the report engine; retries are folded as they
arrive (only failing attempts are held back, since only they can be retried), and every
``BATCH`` cases one batch is written: known identities resolved (from a per-run map, or per batch
for very large projects), new ones inserted in one statement, results loaded with ``COPY`` on
PostgreSQL (``bulk_create`` elsewhere). Memory is bounded by the batch, the failing tests awaiting a
possible retry and the identity map — never by the file. The caller owns the transaction (one per
run); history.py then sets each test's latest status in one set-based statement.
"""

from __future__ import annotations

import json
import re
import time
from collections.abc import Iterable, Iterator

from django.db import connection

from .models import FAILING, TestCase, TestResult, identity_hash
from .reports import ParsedCase, dedupe_cases, summarize

BATCH = 20000
KNOWN_MAP_LIMIT = 250_000
# The issue's \bREQ-\d+\b, with "_" also accepted as a separator so pytest-style names such as
# test_capture_REQ-12 link too; PREQ-12 or REQ-12a still don't.
REQUIREMENT_KEY = re.compile(r"(?<![A-Za-z0-9])REQ-(\d+)(?![A-Za-z0-9])")

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


def _clean(value: str) -> str:
    # PostgreSQL text can't hold NUL; the engine already maps other control characters.
    return value.replace("\x00", "") if value and "\x00" in value else (value or "")


class ResultLoader:
    """Writes batches of final cases for one run; accumulates totals and requirement mentions."""

    def __init__(self, *, run, batch_size: int | None = None):
        self.run = run
        self.batch_size = batch_size or BATCH
        self.batch: list[ParsedCase] = []
        self.totals = dict.fromkeys(("tests", "passed", "failed", "errors", "skipped"), 0)
        self.duration = 0.0
        self.flaky = 0
        self.requirements: dict[int, set[int]] = {}  # test_case_id -> REQ numbers
        self.postgres = connection.vendor == "postgresql"
        self.db_seconds = 0.0  # time spent writing, for the ingestion log line
        self.known: dict[str, int] | None = None
        self.known_complete = False

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

    def _lookup(self, keys: list[str]) -> dict[str, int]:
        """identity -> id for the batch's tests that already exist.

        A project with up to KNOWN_MAP_LIMIT tests is read once into a map (one query per run,
        ~150 bytes per test); bigger ones are looked up batch by batch, so memory stays bounded.
        """
        if self.known is None:
            count = TestCase.objects.filter(project_id=self.run.project_id).count()
            self.known = {}
            if count <= KNOWN_MAP_LIMIT:
                self.known = dict(TestCase.objects.filter(project_id=self.run.project_id)
                                  .values_list("identity", "id").iterator(chunk_size=10000))
                self.known_complete = True
        if self.known_complete:
            return {key: self.known[key] for key in keys if key in self.known}
        table = TestCase._meta.db_table
        if not self.postgres:
            found: dict[str, int] = {}
            for start in range(0, len(keys), 900):
                found.update(TestCase.objects.filter(project_id=self.run.project_id,
                                                     identity__in=keys[start:start + 900])
                             .values_list("identity", "id"))
            return found
        with connection.cursor() as cursor:
            # One unique-index probe per key. Mid-transaction statistics are stale, and the planner
            # would otherwise hash the project's whole test table for every batch.
            cursor.execute("SET LOCAL enable_hashjoin = off")
            cursor.execute("SET LOCAL enable_mergejoin = off")
            cursor.execute(
                f"SELECT k.identity, t.id FROM unnest(%s::text[]) AS k(identity) "
                f"JOIN {table} t ON t.project_id = %s AND t.identity = k.identity",
                [keys, self.run.project_id],
            )
            found = dict(cursor.fetchall())
            cursor.execute("RESET enable_hashjoin")
            cursor.execute("RESET enable_mergejoin")
        return found

    def _upsert_cases(self, batch: list[ParsedCase], identities: list[str]) -> dict[str, int]:
        """identity -> id for the batch, creating the tests seen for the first time.

        Known tests are only looked up here: their latest status is set once the run is loaded, by
        one set-based UPDATE (history.DENORMALISE_SQL).
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
