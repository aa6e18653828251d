"""NUnit result files: NUnit 3 (``<test-run>``) and NUnit 2 (``<test-results>``).

Cases are ``<test-case>`` elements at any depth of ``<test-suite>`` nesting; the suite of a
case is its assembly (the ``type="Assembly"`` suite, else the outermost suite).
"""

from __future__ import annotations

from collections.abc import Iterator

from .base import ERROR, FAILED, PASSED, SKIPPED, ParsedCase, ReportLimits
from .fields import (
    add_properties,
    basename,
    child,
    collect_properties,
    local,
    parse_seconds,
    release,
    set_failure,
    text_of,
    truncate,
)

# NUnit 3 @result. A Failed case keeps NUnit's @label (Error, Invalid, Cancelled…) as its
# failure_type but counts as a failure, not an error: that is what the corpus sources
# assert (enricomi-NUnit-issue44527.xml: 133 label="Error" cases, 0 errors, 144 failures).
_V3_RESULTS = {"passed": PASSED, "warning": PASSED, "failed": FAILED}
# NUnit 2 @result; Ignored, NotRunnable, Inconclusive, Skipped… did not produce a verdict.
_V2_RESULTS = {"success": PASSED, "failure": FAILED, "error": ERROR}


def _suite_events(events, suites: list[dict]):
    """Yield end events of test cases while keeping ``suites`` = the open <test-suite>s."""
    for event, element in events:
        tag = local(element.tag)
        if tag == "test-suite":
            if event == "start":
                suites.append({"type": element.get("type") or "", "name": element.get("name") or ""})
            else:
                suites.pop()
                release(element)
        elif tag == "test-case" and event == "end":
            yield element
            release(element)


def _assembly(suites: list[dict]) -> str:
    for suite in suites:
        if suite["type"] == "Assembly":
            return basename(suite["name"])
    return basename(suites[0]["name"]) if suites else ""


def _describe(case: ParsedCase, element, limits: ReportLimits) -> None:
    failure = child(element, "failure")
    reason = child(element, "reason")
    detail = failure if failure is not None and case.status != PASSED else reason
    if detail is not None:
        set_failure(case, text_of(child(detail, "message")), text_of(child(detail, "stack-trace")), limits)
    case.system_out = truncate(text_of(child(element, "output")), limits.max_output_bytes)


def parse_v3(events, limits: ReportLimits) -> Iterator[ParsedCase]:
    suites: list[dict] = []
    for element in _suite_events(events, suites):
        name = element.get("name") or ""
        fullname = element.get("fullname") or ""
        classname = element.get("classname") or fullname.removesuffix("." + name)
        result = (element.get("result") or "").lower()
        case = ParsedCase(
            suite=_assembly(suites),
            classname=classname,
            name=name,
            status=_V3_RESULTS.get(result, SKIPPED),
            duration=parse_seconds(element.get("duration")),
            properties=collect_properties(element, limits.max_output_bytes),
        )
        if case.status != PASSED:
            case.failure_type = element.get("label") or element.get("result") or ""
        _describe(case, element, limits)
        yield case


def parse_v2(events, limits: ReportLimits) -> Iterator[ParsedCase]:
    suites: list[dict] = []
    for element in _suite_events(events, suites):
        full = element.get("name") or ""
        # "Ns.Class.Method(1.5)": split the class off before any argument list.
        head, paren, args = full.partition("(")
        classname, _, method = head.rpartition(".")
        result = (element.get("result") or "").lower()
        if not result:  # very old files only have executed/success
            executed = (element.get("executed") or "").lower() == "true"
            success = (element.get("success") or "").lower() == "true"
            result = ("success" if success else "failure") if executed else "notrun"
        case = ParsedCase(
            suite=_assembly(suites),
            classname=classname,
            name=method + paren + args,
            status=_V2_RESULTS.get(result, SKIPPED),
            duration=parse_seconds(element.get("time")),
            properties=collect_properties(element, limits.max_output_bytes),
        )
        categories = (("Category", category.get("name")) for category in element.iter("{*}category"))
        add_properties(case.properties, categories, limits.max_output_bytes)
        if case.status != PASSED:
            case.failure_type = element.get("result") or ""
        _describe(case, element, limits)
        yield case
