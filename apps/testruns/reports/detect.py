"""The engine's entry point: picks the format from the root element and streams its cases.

Owns :func:`parse_report` and the root-element → format table. Nothing here reads report
content; that is the format modules' job.
"""

from __future__ import annotations

import itertools
from collections.abc import Iterator

from . import junit, nunit, trx, xunit
from .base import ParsedCase, ReportError, ReportLimits
from .fields import local
from .stream import ReportStream, iter_events, open_report_stream, push_parse, root_name

# Root element local name -> (format name, parser). Namespaces are ignored on purpose: TRX
# has one, the others normally do not, and tools are inconsistent about it.
FORMATS = {
    "testsuites": ("junit", junit.parse),
    "testsuite": ("junit", junit.parse),
    "TestRun": ("trx", trx.parse),
    "test-run": ("nunit3", nunit.parse_v3),
    "test-results": ("nunit2", nunit.parse_v2),
    "assemblies": ("xunit2", xunit.parse),
    "assembly": ("xunit2", xunit.parse),
}
# Formats read by a parser target (no element tree): root name -> target class.
TARGETS = {"testsuites": junit.JUnitTarget, "testsuite": junit.JUnitTarget}
_EXPECTED_ROOTS = ", ".join(f"<{name}>" for name in FORMATS)


def parse_report(fileobj, *, limits: ReportLimits | None = None) -> Iterator[ParsedCase]:
    """Stream the test cases of a JUnit, TRX, NUnit 2/3 or xUnit v2 report.

    ``fileobj`` is a binary file (gzip is detected) or a stream from ``open_report_stream``.
    Cases come out in document order as they are parsed; memory stays flat however large the
    file is (TRX results waiting for their definitions spill to a temporary file). Anything that is
    not a well-formed, safe test report raises :class:`ReportError` — possibly after some
    cases were already yielded, so callers must not commit before the iterator is exhausted.
    """
    limits = limits or ReportLimits()
    owned = not isinstance(fileobj, ReportStream)
    stream = open_report_stream(fileobj, limits=limits) if owned else fileobj
    try:
        name = root_name(stream)
        if name in TARGETS:
            yield from push_parse(stream, TARGETS[name](limits), root=name)
            return
        events = iter_events(stream)
        root = _first_element(events)
        name = local(root.tag)
        if name not in FORMATS:
            raise ReportError(
                f"Not a test report: root element <{name}> is not one of {_EXPECTED_ROOTS} "
                "(JUnit XML, .NET TRX, NUnit or xUnit v2)."
            )
        _, parse = FORMATS[name]
        yield from parse(itertools.chain([("start", root)], events), limits)
    finally:
        if owned:
            stream.close()


def _first_element(events):
    for event, element in events:
        if event == "start":
            return element
    raise ReportError("The report contains no XML element.")
