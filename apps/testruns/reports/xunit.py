"""xUnit.net v2 XML (``<assemblies>``/``<assembly>``), also written by Fixie and others.

Cases are ``<test>`` elements in ``<collection>``s; the suite of a case is the file name of
its assembly.
"""

from __future__ import annotations

from collections.abc import Iterator

from .base import FAILED, PASSED, SKIPPED, ParsedCase, ReportLimits
from .fields import (
    add_properties,
    basename,
    child,
    local,
    parse_seconds,
    release,
    set_failure,
    text_of,
    truncate,
)

_RESULTS = {"pass": PASSED, "fail": FAILED}  # Skip, NotRun -> skipped


def parse(events, limits: ReportLimits) -> Iterator[ParsedCase]:
    assembly = ""
    for event, element in events:
        tag = local(element.tag)
        if tag == "assembly":
            if event == "start":
                assembly = basename(element.get("name") or "")
            else:
                release(element)
        elif tag == "collection" and event == "end":
            release(element)
        elif tag == "test" and event == "end":
            yield _case(element, assembly, limits)
            release(element)


def _case(element, assembly: str, limits: ReportLimits) -> ParsedCase:
    case = ParsedCase(
        suite=assembly,
        classname=element.get("type") or "",
        name=element.get("name") or "",
        status=_RESULTS.get((element.get("result") or "").lower(), SKIPPED),
        duration=parse_seconds(element.get("time")),
        system_out=truncate(text_of(child(element, "output")), limits.max_output_bytes),
    )
    traits = child(element, "traits")
    if traits is not None:
        pairs = ((trait.get("name"), trait.get("value")) for trait in traits if local(trait.tag) == "trait")
        add_properties(case.properties, pairs, limits.max_output_bytes)
    failure = child(element, "failure")
    if failure is not None and case.status != PASSED:
        case.failure_type = failure.get("exception-type") or ""
        set_failure(case, text_of(child(failure, "message")), text_of(child(failure, "stack-trace")), limits)
    elif case.status == SKIPPED:
        case.failure_message = truncate(text_of(child(element, "reason")), limits.max_message_bytes)
    return case
