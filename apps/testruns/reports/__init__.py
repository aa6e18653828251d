"""Threadline's test-report parsing engine: pure Python + lxml, no Django.

Public API (other apps code against exactly these names)::

    from apps.testruns.reports import (
        parse_report, open_report_stream, dedupe_cases, summarize,
        ParsedCase, ReportError, ReportLimits,
    )

    with upload.open("rb") as f:
        cases = dedupe_cases(parse_report(f, limits=ReportLimits()))
    totals = summarize(cases)

Module map: ``base`` (data model, dedupe, summary), ``stream`` (gzip, byte budget, hardened
parser), ``detect`` (format dispatch), ``junit``/``trx``/``nunit``/``xunit`` (formats),
``fields`` (shared coercion helpers).
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
