"""The engine's entry point: picks the format from the root element and streams its cases.

Owns :func:`parse_report`, the root-element → format table, and the one retry a report gets: when
the strict parse fails on a slip ``repair`` mends, the report is read again from its start through
that repair, the cases already handed out are skipped, and a warning says what was repaired. Nothing
here reads report content; that is the format modules' job.
"""

from __future__ import annotations

import itertools
from collections.abc import Iterator

from . import junit, nunit, trx, xunit
from .base import ParsedCase, ReportError, ReportLimits
from .fields import local
from .stream import RepairableError, ReportStream, iter_events, open_report_stream, push_parse, root_name

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


def parse_report(
    fileobj, *, limits: ReportLimits | None = None, warnings: list[str] | None = None
) -> Iterator[ParsedCase]:
    """Stream the test cases of a JUnit, TRX, NUnit 2/3 or xUnit v2 report.

    ``fileobj`` is a binary file (gzip is detected) or a stream from ``open_report_stream``.
    Cases come out in document order as they are parsed; memory stays flat however large the
    file is (TRX results waiting for their definitions spill to a temporary file). Anything that is
    not a well-formed, safe test report raises :class:`ReportError` — possibly after some
    cases were already yielded, so callers must not commit before the iterator is exhausted.

    A report that is not well-formed only because a reporter left a ``<`` unescaped in an attribute
    value or a ``&`` that starts no reference (see ``repair``) is read again, repaired, from its start
    (when ``fileobj`` can be re-read: a seekable file); the cases already yielded are not yielded
    again, and once the last case is out a sentence saying what was repaired is appended to
    ``warnings``. Every other check applies to the repaired report as to any other.
    """
    limits = limits or ReportLimits()
    owned = not isinstance(fileobj, ReportStream)
    stream = open_report_stream(fileobj, limits=limits) if owned else fileobj
    handed_out = _HandedOut()
    try:
        try:
            yield from _cases(stream, limits, handed_out)
        except RepairableError as exc:
            repairer = stream.restart_repairing()
            if repairer is None:
                raise
            again = _cases(stream, limits, _HandedOut())
            _skip_handed_out(again, handed_out, exc)
            yield from again
            if warnings is not None:
                warnings.append(repairer.warning(exc.line, exc.reason))
    finally:
        if owned:
            stream.close()


class _HandedOut:
    """How many cases a parse handed out, and the last one (a repaired parse starts after it)."""

    __slots__ = ("count", "last")

    def __init__(self) -> None:
        self.count, self.last = 0, None


def _skip_handed_out(cases: Iterator[ParsedCase], handed_out: _HandedOut, error: ReportError) -> None:
    # The repair changes nothing before the first error, so the repaired parse starts with the very
    # cases the strict one handed out; if it does not, refuse rather than give a test twice.
    remaining = handed_out.count
    if not remaining:
        return
    for case in cases:
        remaining -= 1
        if not remaining:
            if case != handed_out.last:
                raise error
            return
    raise error


def _cases(stream: ReportStream, limits: ReportLimits, handed_out: _HandedOut) -> Iterator[ParsedCase]:
    name = root_name(stream)
    if name in TARGETS:
        yield from push_parse(stream, TARGETS[name](limits), root=name, handed_out=handed_out)
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
    for case in parse(itertools.chain([("start", root)], events), limits):
        handed_out.count += 1
        handed_out.last = case
        yield case


def _first_element(events):
    for event, element in events:
        if event == "start":
            return element
    raise ReportError("The report contains no XML element.")
