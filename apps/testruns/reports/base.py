"""The engine's data model and run-level aggregation.

Owns what every format parser produces (:class:`ParsedCase`), the single error type callers
catch (:class:`ReportError`), the size limits (:class:`ReportLimits`), and the two
functions that turn a stream of cases into what a test run stores: :func:`dedupe_cases`
(retries collapse into one test) and :func:`summarize` (the counters).
"""

from __future__ import annotations

import dataclasses
import itertools
from collections.abc import Iterable
from dataclasses import dataclass, field

PASSED = "passed"
FAILED = "failed"
ERROR = "error"
SKIPPED = "skipped"
STATUSES = (PASSED, FAILED, ERROR, SKIPPED)
FAILING = frozenset({FAILED, ERROR})

MB = 1024 * 1024
# Property names one case keeps (real reports carry a handful): bounds what merging retries copies.
MAX_PROPERTIES = 100


class ReportError(ValueError):
    """The upload is not a report we can store. The message is shown to the user as is."""


@dataclass(frozen=True, slots=True)
class ReportLimits:
    """Hard limits that keep a hostile or accidental upload from exhausting the worker.

    ``max_bytes`` caps the (decompressed) XML read from the upload; the text limits cap what one
    case carries into the database, so a 50 MB ``system-out`` costs at most 64 KB per row.
    """

    max_bytes: int = 100 * MB
    max_output_bytes: int = 64 * 1024
    max_message_bytes: int = 8 * 1024
    # Cases a parser must hold back until later in the file (TRX results before their definitions)
    # stay in memory up to this many bytes of text, then go to a temporary file (reports/spill.py).
    max_pending_bytes: int = 16 * MB


@dataclass(slots=True)
class ParsedCase:
    """One executed test case, format independent.

    ``status`` is one of :data:`STATUSES`. For skipped cases ``failure_message`` holds the skip
    reason. A ``flaky`` case passed within this run after at least one failed attempt; it keeps
    the last failed attempt's ``failure_*`` fields so the reason it flaked is not lost.
    """

    suite: str = ""
    classname: str = ""
    name: str = ""
    file: str = ""
    line: int | None = None
    status: str = PASSED
    duration: float = 0.0
    failure_type: str = ""
    failure_message: str = ""
    failure_text: str = ""
    system_out: str = ""
    system_err: str = ""
    properties: dict[str, str] = field(default_factory=dict)
    flaky: bool = False
    retries: int = 0

    @property
    def identity(self) -> tuple[str, str, str]:
        return (self.suite, self.classname, self.name)


def _merge_attempt(previous: ParsedCase, attempt: ParsedCase) -> ParsedCase:
    """Fold a re-run ``attempt`` into the failed ``previous`` attempt(s) of the same test."""
    merged = dataclasses.replace(
        attempt,
        # Time spent on the test in this run includes every attempt.
        duration=previous.duration + attempt.duration,
        retries=previous.retries + attempt.retries + 1,
        properties=_merged_properties(previous.properties, attempt.properties),
        flaky=attempt.status == PASSED or attempt.flaky,
    )
    if merged.flaky and not merged.failure_message and not merged.failure_text:
        merged.failure_type = previous.failure_type
        merged.failure_message = previous.failure_message
        merged.failure_text = previous.failure_text
    return merged


def _merged_properties(previous: dict[str, str], attempt: dict[str, str]) -> dict[str, str]:
    """The attempt's properties over the previous attempts', at most MAX_PROPERTIES names: a merge
    copies a bounded dict, so folding many retries stays linear. Dicts are shared, never mutated."""
    if not attempt or not previous:
        return attempt or previous
    merged = {**previous, **attempt}
    return merged if len(merged) <= MAX_PROPERTIES else dict(itertools.islice(merged.items(), MAX_PROPERTIES))


def dedupe_cases(cases: Iterable[ParsedCase]) -> list[ParsedCase]:
    """Collapse re-runs of a test within one run into a single case, keeping first-seen order.

    A case is a re-run of an earlier case with the same identity only while that earlier
    attempt FAILED or ERRORED: nobody retries a passing or skipped test. The merged case has
    the final attempt's status, ``retries`` = attempts - 1 and ``flaky`` if the final attempt
    passed.

    Why not "every repeated identity is a retry": in real reports repeated identities are far
    more often distinct invocations with the same name — TestNG data providers (Surefire),
    ``test.each`` titles in Jest, same-titled ``it()`` in Mocha — and the tools that wrote them
    count each one (see tests/fixtures/junit: jest, maven-surefire, mocha entries). Retry
    tools (gotestsum --rerun-fails, go test -count, Bazel flaky attempts) only re-run what
    failed, which this rule recognises. A nameless case has no usable identity and is never
    merged.
    """
    result: list[ParsedCase] = []
    # identity -> index in ``result`` of a test whose latest attempt failed (a retry may follow)
    open_retry: dict[tuple[str, str, str], int] = {}
    for case in cases:
        if not case.name:
            result.append(case)
            continue
        key = case.identity
        index = open_retry.pop(key, None)
        if index is None:
            result.append(case)
            index = len(result) - 1
        else:
            result[index] = _merge_attempt(result[index], case)
        if result[index].status in FAILING:
            open_retry[key] = index
    return result


def summarize(cases: Iterable[ParsedCase]) -> dict:
    """Counters for a run: one test = one case; failures and errors are counted apart."""
    counts = dict.fromkeys(STATUSES, 0)
    duration = 0.0
    for case in cases:
        counts[case.status] += 1
        duration += case.duration
    return {
        "tests": sum(counts.values()),
        "passed": counts[PASSED],
        "failed": counts[FAILED],
        "errors": counts[ERROR],
        "skipped": counts[SKIPPED],
        # Rounded so float noise from summing thousands of durations never reaches the UI.
        "duration": round(duration, 6),
    }
