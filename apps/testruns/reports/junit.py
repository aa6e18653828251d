"""JUnit XML, in all the dialects CI tools actually write.

Covers ``<testsuites>``/``<testsuite>`` roots with arbitrarily nested suites (PHPUnit), pytest,
Jest/jest-junit, Mocha, Maven Surefire/Failsafe (``rerun*``/``flaky*`` children), Go
(go-junit-report, gotestsum), ScalaTest, Swift, Bazel, Catch2, CUnit, cargo-nextest, the .NET
JUnit logger, C++ tst (``status="disabled"``) and gtest (``status="notrun"``).

Only the testcase's own elements are read; suite-level counters are ignored on purpose —
one test is one ``<testcase>``.
"""

from __future__ import annotations

from collections.abc import Iterator

from .base import ERROR, FAILED, PASSED, SKIPPED, ParsedCase, ReportLimits
from .fields import (
    child,
    collect_properties,
    local,
    parse_line,
    parse_seconds,
    release,
    text_of,
    truncate,
)

# Result children, by severity: a testcase carrying several (some tools write
# <skipped/> + <failure/> + <error/>) takes the most severe one.
_RESULT_CHILDREN = {"error": (3, ERROR), "failure": (2, FAILED), "skipped": (1, SKIPPED)}
_RESULT_CHILDREN.update({name: (1, SKIPPED) for name in ("skip", "disabled", "ignored")})
# A case's <properties> (or a bare <property>, some tools); only then is the case searched for them.
_PROPERTY_CHILDREN = {"properties", "property"}
# Surefire writes one of these per extra attempt (rerunFailingTestsCount).
_RERUN_CHILDREN = {"rerunFailure": FAILED, "rerunError": ERROR}
_FLAKY_CHILDREN = {"flakyFailure", "flakyError"}
# Status attributes used instead of a child element (C++ tst, gtest, some .NET loggers).
_STATUS_ATTRIBUTE = {
    **dict.fromkeys(
        ("disabled", "notrun", "not_run", "skipped", "skip", "ignored", "pending", "suppressed"),
        SKIPPED,
    ),
    **dict.fromkeys(("failed", "failure", "fail"), FAILED),
    **dict.fromkeys(("error", "errored"), ERROR),
}


# The elements the parser reads events of (end events only); see detect.FILTERED.
TAGS = ("{*}testcase", "{*}testsuite")
SUITE = "{*}testsuite"


def parse(events, limits: ReportLimits) -> Iterator[ParsedCase]:
    """Cases at the end events of ``<testcase>``; other events (if not filtered out) are ignored.

    A case's suite is its innermost enclosing ``<testsuite>``; a suite's ``file`` is inherited by
    the suites and cases below it. Ancestors are looked up once per run of sibling cases.
    """
    parent, suite, suite_file = None, "", ""
    for event, element in events:
        if event != "end":
            continue
        tag = element.tag
        if tag.__class__ is not str or "}" in tag:
            tag = local(tag)
        if tag == "testcase":
            if element.getparent() is not parent:
                parent = element.getparent()
                suite, suite_file = _suite_of(element)
            yield _case(element, suite, suite_file, limits)
            release(element)
        elif tag == "testsuite":
            parent = None  # a released suite's proxy may be reused for another element
            release(element)


def _suite_of(element) -> tuple[str, str]:
    """(name of the innermost enclosing suite, nearest ``file`` given by an enclosing suite)."""
    name = None
    for suite in element.iterancestors(SUITE):
        if name is None:
            name = suite.get("name") or ""
        file = suite.get("file")
        if file:
            return name, file
    return name or "", ""


def _first_line(text: str) -> str:
    # Scans instead of splitlines(): a failure text can be megabytes of one stack trace.
    start = 0
    while start < len(text):
        end = text.find("\n", start)
        end = len(text) if end < 0 else end
        line = text[start:end].strip()
        if line:
            return line
        start = end + 1
    return ""


def _case(element, suite: str, suite_file: str, limits: ReportLimits) -> ParsedCase:
    # The hot path of a large report: attributes read once, no work for what a case doesn't carry.
    get = element.get
    line = get("line")
    case = ParsedCase(
        suite,
        get("classname") or get("class") or "",
        get("name") or "",
        get("file") or suite_file,
        None if line is None else (int(line) if line.isdigit() and line.isascii() else parse_line(line)),
        PASSED,
        parse_seconds(get("time")),
    )
    if not len(element):  # no children: passed, unless a status attribute says otherwise
        if get("status") is not None or get("result") is not None:
            _status_attribute(case, element)
        return case
    outcome, rank, properties = None, 0, False
    rerun_status, flaky_detail = None, None
    outputs: dict[str, list[str]] = {"system-out": [], "system-err": []}
    for item in element:
        tag = item.tag
        if tag.__class__ is not str or "}" in tag:
            tag = local(tag)
        if tag in _RESULT_CHILDREN:
            severity, status = _RESULT_CHILDREN[tag]
            if severity > rank:
                outcome, rank, case.status = item, severity, status
        elif tag in _RERUN_CHILDREN:
            case.retries += 1
            if rerun_status != ERROR:
                rerun_status = _RERUN_CHILDREN[tag]
        elif tag in _FLAKY_CHILDREN:
            case.retries += 1
            flaky_detail = item
        elif tag in outputs:
            outputs[tag].append(text_of(item))
        elif tag in _PROPERTY_CHILDREN:
            properties = True
    if properties:
        case.properties = collect_properties(element, limits.max_output_bytes)
    out, err = outputs["system-out"], outputs["system-err"]
    if out:
        case.system_out = truncate(out[0] if len(out) == 1 else "\n".join(out), limits.max_output_bytes)
    if err:
        case.system_err = truncate(err[0] if len(err) == 1 else "\n".join(err), limits.max_output_bytes)

    if outcome is not None:
        _describe(case, outcome, text_of(outcome), limits)
        if case.status == SKIPPED and not case.failure_type and local(outcome.tag) != "skipped":
            case.failure_type = local(outcome.tag)
    elif rerun_status is not None:
        # Re-runs without a primary <failure>: every attempt failed, so the test did.
        case.status = rerun_status
    elif flaky_detail is not None:
        # Surefire: failed attempt(s), then passed -> a flaky pass that keeps why it flaked.
        case.flaky = True
        trace = child(flaky_detail, "stackTrace")
        _describe(
            case, flaky_detail, text_of(trace) if trace is not None else flaky_detail.text or "", limits
        )
    else:
        _status_attribute(case, element)
    return case


def _status_attribute(case: ParsedCase, element) -> None:
    # gtest writes status="run" result="skipped"|"suppressed": either attribute may tell.
    for attribute in ("status", "result"):
        status = (element.get(attribute) or "").strip().lower()
        if _STATUS_ATTRIBUTE.get(status, PASSED) != PASSED:
            case.status, case.failure_type = _STATUS_ATTRIBUTE[status], status
            break


def _describe(case: ParsedCase, outcome, text: str, limits: ReportLimits) -> None:
    # Several tools (Jest, Go) give no message attribute; its first line is what a reader
    # would look for in a list of failures.
    message = outcome.get("message") or _first_line(text)
    case.failure_type = outcome.get("type") or ""
    case.failure_message = truncate(message, limits.max_message_bytes)
    case.failure_text = truncate(text, limits.max_output_bytes)
