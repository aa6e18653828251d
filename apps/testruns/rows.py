"""From parsed cases to result rows: retries folded, failure signatures, requirement keys, COPY text.

Django-free on purpose: pure functions of a parsed case, unit-testable without a database, and
shared by both paths of the loader (streaming COPY and batches).

A *record* is what the loader consumes for one final case::

    (key, requirement_numbers or None, result_values, plain_copy_tail or None)

``key`` is ``suite␟classname␟name`` (what ``identity_hash`` hashes); ``result_values`` are the
result row's columns after ``run_id, test_case_id`` (RESULT_COLUMNS), cleaned for PostgreSQL;
``plain_copy_tail`` is their COPY text when the case is a plain pass (the common case).
"""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Iterable, Iterator

from .reports import ParsedCase, dedupe_cases
from .reports.base import FAILING, PASSED

# The issue's \bREQ-\d+\b, with "_" also accepted as a separator so pytest-style names such as
# test_capture_REQ-12 link too; PREQ-12 or REQ-12a still don't.
REQUIREMENT_KEY = re.compile(r"(?<![A-Za-z0-9])REQ-(\d+)(?![A-Za-z0-9])")
# Joins suite, class and name into a test's key. XML text can't contain it, so keys are unambiguous.
KEY_SEPARATOR = "\x1f"
# The result columns, in the order of result_values() (run_id and test_case_id come first).
RESULT_COLUMNS = (
    "run_id", "test_case_id", "status", "duration", "failure_type", "failure_message", "failure_text",
    "message_signature", "system_out", "system_err", "properties", "file", "line", "flaky_in_run", "retries",
)

_QUOTED = re.compile(r"'[^'\n]*'|\"[^\"\n]*\"|`[^`\n]*`")
_PATH = re.compile(r"(?:[A-Za-z]:)?(?:[\\/][\w.\-@]+){2,}[\\/]?")
_HEX = re.compile(r"\b0x[0-9a-fA-F]+\b|\b[0-9a-fA-F]{8,}(?:-[0-9a-fA-F]{4,})*\b")
_NUMBER = re.compile(r"[-+]?\d+(?:\.\d+)?")
_SPACE = re.compile(r"\s+")


def message_signature(message: str, text: str = "") -> str:
    """A failure's message with its variable parts replaced, so alike failures group together."""
    source = (message or text or "").strip()
    if not source:
        return ""
    line = source.splitlines()[0][:1000]
    line = _QUOTED.sub("'…'", line)
    line = _PATH.sub("<path>", line)
    line = _HEX.sub("<hex>", line)
    line = _NUMBER.sub("<n>", line)
    return _SPACE.sub(" ", line).strip()[:200]


def requirement_numbers(case: ParsedCase) -> set[int]:
    """REQ-<n> keys named by the test's name, class or any property value."""
    if not (case.properties or "REQ-" in case.name or "REQ-" in case.classname):
        return set()
    texts = [case.name, case.classname, *case.properties.values()]
    return {int(n) for text in texts if text and "REQ-" in text for n in REQUIREMENT_KEY.findall(text)}


def fold_retries(cases: Iterable[ParsedCase]) -> Iterator[ParsedCase]:
    """``dedupe_cases`` as a stream: a case is final once it doesn't fail (nobody retries a pass).

    Failing cases wait (keyed by identity) until a re-run of the same test arrives or the stream
    ends; the merge itself is the engine's ``dedupe_cases`` so the counting rules live in one place.
    """
    waiting: dict[tuple[str, str, str], ParsedCase] = {}
    for case in cases:
        if not case.name:
            yield case
            continue
        previous = waiting.pop(case.identity, None) if waiting else None
        if previous is not None:
            case = dedupe_cases([previous, case])[0]
        if case.status in FAILING:
            waiting[case.identity] = case
        else:
            yield case
    yield from waiting.values()


def clean(value: str) -> str:
    # PostgreSQL text can't hold NUL; the engine already maps other control characters.
    return value.replace("\x00", "") if value and "\x00" in value else (value or "")


def test_key(suite: str, classname: str, name: str) -> str:
    return f"{suite}{KEY_SEPARATOR}{classname}{KEY_SEPARATOR}{name}"


def identity_of(key: str) -> str:
    """A test's stable identity (TestCase.identity): sha1 of its key."""
    return hashlib.sha1(key.encode(), usedforsecurity=False).hexdigest()


def result_values(case: ParsedCase) -> tuple:
    """The result row's values from ``status`` on (see RESULT_COLUMNS), for COPY or the ORM."""
    status = case.status
    message, text = case.failure_message, case.failure_text
    return (
        status,
        case.duration or 0.0,
        clean(case.failure_type) if case.failure_type else "",
        clean(message) if message else "",
        clean(text) if text else "",
        message_signature(message, text) if status in FAILING else "",
        clean(case.system_out) if case.system_out else "",
        clean(case.system_err) if case.system_err else "",
        json.dumps(case.properties) if case.properties else "{}",
        clean(case.file) if case.file else "",
        case.line,
        case.flaky,
        case.retries,
    )


def copy_formatter():
    """``format_row(row, buffer)``: append a tuple to ``buffer`` as one line of PostgreSQL COPY text.

    psycopg's own formatter (C with psycopg[binary]): what ``Copy.write_row`` calls per row, here
    callable on a whole batch before a single ``Copy.write``.
    """
    from psycopg import adapt
    from psycopg._copy_base import format_row_text  # noqa: PLC2701 - no public name for it

    transformer = adapt.Transformer()
    return lambda row, buffer: format_row_text(row, transformer, buffer)


# values[2:9] of a case that carries nothing but its status, duration, file and line.
NULL = "\\N"  # COPY text's NULL
_PLAIN = ("", "", "", "", "", "", "{}")
_COPY_ESCAPED = re.compile(r"[\\\t\n\r]")
FILE_TEXTS_LIMIT = 10_000


def _plain_tail(status: str, duration: float, file_text: str, line: int | None) -> bytes:
    # Byte for byte what psycopg's formatter writes for such values, in one format operation
    # instead of 13 dumper calls: most rows of a big report take this path.
    return f"{status}\t{duration!r}{file_text}{NULL if line is None else line}\tf\t0\n".encode()


def _file_text(file: str) -> str:
    """The COPY text between a plain row's duration and its line; "" if ``file`` would need escaping."""
    if _COPY_ESCAPED.search(file) or "\x00" in file:
        return ""
    return f"\t\t\t\t\t\t\t{{}}\t{file}\t"


def plain_copy_tail(values: tuple) -> bytes | None:
    """The COPY text of ``values`` for the usual case (a pass with no output), else None."""
    if values[2:9] != _PLAIN or values[11] or values[12]:
        return None
    file_text = _file_text(values[9])
    return _plain_tail(values[0], values[1], file_text, values[10]) if file_text else None


def records(cases: Iterable[ParsedCase]) -> Iterator[tuple]:
    """The loader's records (see the module docstring) of final (retry-folded) cases."""
    separator = KEY_SEPARATOR
    file_texts: dict[str, str] = {}  # _file_text() per file: a report's cases share a few hundred files
    for case in cases:
        suite, classname, name, file = case.suite, case.classname, case.name, case.file
        key = f"{suite}{separator}{classname}{separator}{name}"  # test_key(), inlined: the hot path
        if (
            # The common case, without building anything it doesn't need: a pass with no output.
            case.status == PASSED and not (case.system_out or case.properties or case.failure_message
                                           or case.failure_text or case.system_err or case.failure_type
                                           or case.flaky or case.retries)
            and "REQ-" not in name and "REQ-" not in classname
        ):
            file_text = file_texts.get(file)
            if file_text is None:
                if len(file_texts) > FILE_TEXTS_LIMIT:
                    file_texts.clear()
                file_text = file_texts[file] = _file_text(file)
            if file_text:
                duration, line = case.duration or 0.0, case.line
                yield key, None, (PASSED, duration, "", "", "", "", "", "", "{}", file, line, False, 0), \
                    _plain_tail(PASSED, duration, file_text, line)
                continue
        numbers = requirement_numbers(case)
        values = result_values(case)
        yield key, tuple(numbers) if numbers else None, values, plain_copy_tail(values)
