"""Sunset dates (``x-sunset``) as oasdiff reads them: a civil date "2025-12-31" or an RFC 3339 timestamp."""

from __future__ import annotations

import datetime as dt


def parse_sunset(value) -> tuple[dt.date | None, str | None]:
    """(date, None) or (None, error message)."""
    if isinstance(value, dt.datetime):
        return value.date(), None
    if isinstance(value, dt.date):
        return value, None
    if not isinstance(value, str):
        return None, "sunset value isn't a string nor valid json"
    text = value.strip()
    try:
        return dt.date.fromisoformat(text), None
    except ValueError:
        pass
    try:
        return dt.datetime.fromisoformat(text.replace("Z", "+00:00")).date(), None
    except ValueError:
        return None, f"sunset date doesn't conform with RFC3339: {text}"


def today() -> dt.date:
    return dt.date.today()
