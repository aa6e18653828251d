"""Visual Studio / ``dotnet test`` TRX files (``<TestRun>`` in the TeamTest 2010 namespace).

Results (``<UnitTestResult>``) carry the outcome; the class and assembly live in
``<TestDefinitions>/<UnitTest>``, which VSTest writes AFTER the results. Results whose
definition has not been seen yet wait and are emitted at the end of the document — in memory up
to ``ReportLimits.max_pending_bytes``, beyond that in a temporary file (reports/spill.py), so a
large TRX costs bounded memory; when definitions come first (MSTest) everything streams.
Data-driven tests report their rows under ``<InnerResults>``: the rows are the cases, the parent
is a roll-up and is not emitted.
"""

from __future__ import annotations

from collections.abc import Iterator

from .base import ERROR, FAILED, PASSED, SKIPPED, ParsedCase, ReportLimits
from .fields import basename, child, local, parse_timespan, release, set_failure, text_of, truncate
from .spill import Spill

# Outcomes as in Microsoft.VisualStudio.TestTools.Common.TestOutcome. Everything that did
# not run to a verdict (NotExecuted, Aborted, NotRunnable, Inconclusive, Pending…) is
# counted as skipped, which is what the corpus sources assert (see the yami TRX fixture).
_OUTCOMES = {
    "passed": PASSED,
    "passedbutrunaborted": PASSED,
    "completed": PASSED,
    "warning": PASSED,
    "failed": FAILED,
    "timeout": FAILED,
    "error": ERROR,
}


def parse(events, limits: ReportLimits) -> Iterator[ParsedCase]:
    definitions: dict[str, tuple[str, str]] = {}  # testId -> (assembly, class name)
    pending = Spill(limits.max_pending_bytes)
    try:
        yield from _parse(events, limits, definitions, pending)
        for test_id, case in pending.drain():
            yield _complete(case, definitions.get(test_id, ("", "")))
    finally:
        pending.close()


def _parse(events, limits: ReportLimits, definitions: dict, pending: Spill) -> Iterator[ParsedCase]:
    for event, element in events:
        if event != "end":
            continue
        tag = local(element.tag)
        if tag == "UnitTestResult":
            inner = child(element, "InnerResults")
            if inner is None or len(inner) == 0:
                test_id = element.get("testId") or ""
                case = _case(element, limits)
                if test_id in definitions:
                    yield _complete(case, definitions[test_id])
                else:
                    pending.add(test_id, case)
            if local(element.getparent().tag) != "InnerResults":
                release(element)
        elif tag == "UnitTest":
            method = child(element, "TestMethod")
            code_base = method.get("codeBase") if method is not None else None
            class_name = method.get("className") if method is not None else None
            definitions[element.get("id") or ""] = (
                basename(code_base or element.get("storage") or ""),
                # MSTest writes an assembly-qualified name: "Ns.Class, Assembly, Version=…".
                (class_name or "").split(",", 1)[0].strip(),
            )
            release(element)


def _complete(case: ParsedCase, definition: tuple[str, str]) -> ParsedCase:
    case.suite, case.classname = definition
    return case


def _case(element, limits: ReportLimits) -> ParsedCase:
    outcome = element.get("outcome") or ""
    status = _OUTCOMES.get(outcome.lower(), SKIPPED)
    case = ParsedCase(
        name=element.get("testName") or "",
        status=status,
        duration=parse_timespan(element.get("duration")),
    )
    if status != PASSED and outcome.lower() != "failed":
        case.failure_type = outcome  # Timeout, NotExecuted, Aborted…: why there is no pass
    output = child(element, "Output")
    if output is None:
        return case
    case.system_out = truncate(text_of(child(output, "StdOut")), limits.max_output_bytes)
    case.system_err = truncate(text_of(child(output, "StdErr")), limits.max_output_bytes)
    error = child(output, "ErrorInfo")
    if error is not None:
        set_failure(case, text_of(child(error, "Message")), text_of(child(error, "StackTrace")), limits)
    return case
