"""The change record of the OpenAPI diff engine and oasdiff's id -> level table.

Ids and default levels come from oasdiff (https://github.com/oasdiff/oasdiff, Apache-2.0): a copy of
its ``checker/rules.go`` table is kept in ``oasdiff_levels.json`` next to this module.
"""

from __future__ import annotations

import json
import math
from collections.abc import Iterable
from dataclasses import asdict, dataclass
from pathlib import Path

LEVELS: dict[str, int] = {"ERR": 3, "WARN": 2, "INFO": 1}

_LEVELS_FILE = Path(__file__).with_name("oasdiff_levels.json")

#: oasdiff change id -> default level ("ERR" | "WARN" | "INFO"), all 509 ids of oasdiff's table.
CHANGE_LEVELS: dict[str, str] = json.loads(_LEVELS_FILE.read_text(encoding="utf-8"))["ids"]


@dataclass(frozen=True)
class Change:
    id: str
    level: str
    operation: str
    location: str
    message: str

    def to_dict(self) -> dict[str, str]:
        return asdict(self)


def sort_key(change: Change) -> tuple:
    return (-LEVELS.get(change.level, 0), change.operation, change.location, change.id, change.message)


def sort_changes(changes: Iterable[Change]) -> list[Change]:
    """ERR first, then WARN, INFO; then by operation, location, id (message breaks ties); duplicates dropped."""
    return sorted(set(changes), key=sort_key)


# The helpers below take changes as records or as their ``to_dict()`` form (what the pipeline stores and
# the pages and the API pass around).


def level_of(change: Change | dict) -> str:
    return change["level"] if isinstance(change, dict) else change.level


def is_breaking(changes: Iterable[Change | dict]) -> bool:
    return any(level_of(change) == "ERR" for change in changes)


def worst_level(changes: Iterable[Change | dict]) -> str | None:
    """The highest level among the changes, or None when there are none."""
    worst = None
    for change in changes:
        if worst is None or LEVELS.get(level_of(change), 0) > LEVELS[worst]:
            worst = level_of(change)
    return worst


def filter_level(changes: Iterable[Change | dict], fail_on: str = "ERR") -> list:
    """The changes at or above ``fail_on`` ("ERR", "WARN" or "INFO")."""
    if fail_on not in LEVELS:
        raise ValueError(f"unknown level {fail_on!r}: expected one of {', '.join(LEVELS)}")
    floor = LEVELS[fail_on]
    return [change for change in changes if LEVELS.get(level_of(change), 0) >= floor]


# --- message argument rendering (oasdiff quotes every argument in backticks) ---


def text(value) -> str:
    """A value as oasdiff prints it: integral numbers without decimals, lists comma-separated."""
    if value is None:
        return "undefined"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float):
        if math.isfinite(value) and value.is_integer():
            return str(int(value))
        return repr(value)
    if isinstance(value, list | tuple):
        return ", ".join(text(item) for item in value)
    if isinstance(value, dict):
        return json.dumps(value, sort_keys=True, default=str)
    return str(value)


def q(value) -> str:
    return f"`{text(value)}`"


def escape_token(token) -> str:
    return str(token).replace("~", "~0").replace("/", "~1")


def pointer(base: str, *tokens) -> str:
    """Append JSON-pointer tokens to a pointer ("" is the document root)."""
    for token in tokens:
        token = str(token)
        if "~" in token or "/" in token:
            token = token.replace("~", "~0").replace("/", "~1")
        base = f"{base}/{token}"
    return base
