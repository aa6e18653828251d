"""Threadline's test-report parsing engine: pure Python + lxml, no Django.

Public API (other apps code against exactly these names)::

    from apps.testruns.reports import (
        parse_report, open_report_stream, dedupe_cases, summarize,
        ParsedCase, ReportError, ReportLimits,
    )

    with upload.open("rb") as f:
        warnings = []  # what had to be repaired, once the cases are all read
        cases = dedupe_cases(parse_report(f, limits=ReportLimits(), warnings=warnings))
    totals = summarize(cases)

Module map: ``base`` (data model, dedupe, summary), ``stream`` (gzip, byte budget, hardened
parser, reading again), ``detect`` (format dispatch, the one repaired retry), ``repair`` (escaping an
unescaped ``<`` in attribute values and a stray ``&``), ``junit``/``trx``/``nunit``/``xunit``
(formats), ``fields`` (shared coercion helpers, status words), ``spill`` (TRX results waiting).
"""

from .base import ParsedCase, ReportError, ReportLimits, dedupe_cases, summarize
from .detect import parse_report
from .stream import open_report_stream

__all__ = [
    "ParsedCase",
    "ReportError",
    "ReportLimits",
    "dedupe_cases",
    "open_report_stream",
    "parse_report",
    "summarize",
]
