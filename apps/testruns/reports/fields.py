"""Small, format-independent helpers the parsers share.

Owns attribute coercion (durations, line numbers, status words), text extraction and truncation,
and the element clearing that keeps a streaming parse at constant memory.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

from .base import ERROR, FAILED, MAX_PROPERTIES, PASSED, SKIPPED

_THOUSANDS = re.compile(r"^\d{1,3}(,\d{3})+(\.\d+)?$")
_DECIMAL_COMMA = re.compile(r"^\d+,\d+$")
_TIMESPAN = re.compile(r"^(?:(\d+)\.)?(\d+):(\d{1,2}):(\d{1,2}(?:\.\d+)?)$")


# The words tools write in a test's status/result attribute, and the verdict each one gives. A word
# missing here ("run", "completed", "executed", ...) says only that the test ran: the test's child
# elements decide. Who writes what:
# * googletest: status="run"|"notrun" with result="completed"|"skipped"|"suppressed" (suppressed = a
#   DISABLED_ test, written with status="notrun");
# * CTest (--output-junit): status="run"|"fail"|"notrun"|"disabled";
# * C++ tst: status="disabled"; Catch2 and Bazel: status="run"; boost-ext/ut: status="PASSED" etc.;
# * Qt Test (-o file,xunitxml): result="pass"|"fail"|"xfail"|"xpass"|"bpass"|"bfail"|"bxpass"|"bxfail",
#   counted as Qt's logger counts them in the file's own failures="…": fail, xpass (an unexpected pass),
#   bfail and bxfail are failures; pass, xfail (an expected failure), bpass and bxpass are not;
# * xUnit.net v2 result="Pass"|"Fail"|"Skip"|"NotRun", NUnit result="Passed"|"Failed"|"Skipped"|
#   "Inconclusive"|"Success"|"Failure"|"Error"|"Ignored"… (their own parsers read them; the words are
#   here too for JUnit files converted from them that keep the attribute).
STATUS_WORDS = {
    **dict.fromkeys(("pass", "passed", "success", "xfail", "bpass", "bxpass"), PASSED),
    **dict.fromkeys(("fail", "failed", "failure", "xpass", "bfail", "bxfail"), FAILED),
    **dict.fromkeys(("error", "errored"), ERROR),
    **dict.fromkeys(
        ("skip", "skipped", "disabled", "notrun", "not_run", "notexecuted", "ignored", "pending", "suppressed",
         "inconclusive"),
        SKIPPED,
    ),
}
_SEVERITY = {PASSED: 0, SKIPPED: 1, FAILED: 2, ERROR: 3}


def status_word(value: str | None) -> str | None:
    """The verdict of one status/result attribute value; None when the word gives none (or is unknown)."""
    if not value:
        return None
    return STATUS_WORDS.get(value.strip().lower())


def attribute_verdict(attrib, names: tuple[str, ...]) -> tuple[str, str] | None:
    """(status, word in lower case) from the first most severe of the ``names`` attributes that gives a
    verdict, e.g. gtest's status="notrun" result="suppressed" -> ("skipped", "notrun"); None if none does."""
    best: tuple[str, str] | None = None
    for name in names:
        word = attrib.get(name)
        status = status_word(word)
        if status is not None and (best is None or _SEVERITY[status] > _SEVERITY[best[0]]):
            best = (status, word.strip().lower())
    return best


def local(tag: object) -> str:
    """Tag name without namespace; '' for comments and processing instructions."""
    if not isinstance(tag, str):
        return ""
    return tag.rpartition("}")[2]


def text_of(element) -> str:
    """All text inside ``element`` (CDATA included, comments excluded)."""
    if element is None:
        return ""
    if not len(element):  # no children (the usual system-out or failure): its text is all of it
        return element.text or ""
    return "".join(element.itertext())


def child(element, name: str):
    """First direct child with local name ``name``, or None."""
    for item in element:
        if local(item.tag) == name:
            return item
    return None


def truncate(text: str | None, max_bytes: int) -> str:
    """Cap ``text`` at ``max_bytes`` of UTF-8, marking how much was dropped."""
    if not text:
        return ""
    # Cheap exit: a str of n code points is at most 4n bytes of UTF-8.
    if len(text) * 4 <= max_bytes:
        return text
    data = text.encode("utf-8", "surrogatepass")
    if len(data) <= max_bytes:
        return text
    # errors="ignore" drops a code point cut in half at the boundary.
    kept = data[:max_bytes].decode("utf-8", "ignore")
    dropped = len(data) - len(kept.encode("utf-8", "surrogatepass"))
    return f"{kept}… [truncated {dropped} bytes]"


def parse_seconds(value: str | None) -> float:
    """A ``time``/``duration`` attribute in seconds; 0.0 when missing or unusable.

    Surefire once wrote thousands separators ("1,234.5"); some .NET loggers in decimal-comma
    locales write "0,25". A comma followed by exactly three digits is read as a thousands
    separator (Surefire's pattern), any other single comma as a decimal comma.
    """
    if not value:
        return 0.0
    try:  # the usual "0.123" (float() also takes surrounding whitespace)
        seconds = float(value)
    except ValueError:
        pass
    else:
        return seconds if 0.0 <= seconds < float("inf") else 0.0
    value = value.strip()
    if "," in value:
        if _THOUSANDS.match(value):
            value = value.replace(",", "")
        elif _DECIMAL_COMMA.match(value):
            value = value.replace(",", ".")
    try:
        seconds = float(value)
    except ValueError:
        return 0.0
    # NaN fails every comparison, so this also maps NaN (and negatives, inf) to 0.
    return seconds if 0.0 <= seconds < float("inf") else 0.0


def parse_timespan(value: str | None) -> float:
    """A .NET TimeSpan ("00:00:01.2340000" or "1.02:03:04.5") in seconds; 0.0 if unusable."""
    match = _TIMESPAN.match((value or "").strip())
    if not match:
        return parse_seconds(value)
    days, hours, minutes, seconds = match.groups()
    return int(days or 0) * 86400 + int(hours) * 3600 + int(minutes) * 60 + float(seconds)


def parse_line(value: str | None) -> int | None:
    try:
        line = int((value or "").strip())
    except ValueError:
        return None
    return line if line >= 0 else None


def add_properties(properties: dict[str, str], pairs: Iterable[tuple[str | None, str | None]], max_bytes: int) -> None:
    """Record ``(name, value)`` pairs in a case's ``properties``. A name given several times (e.g.
    NUnit categories) keeps each distinct value once, joined by ", " and cut at ``max_bytes``; at
    most MAX_PROPERTIES names are kept. Values are gathered first and joined once: appending to a
    growing string made a case with many repeated properties cost quadratic time."""
    gathered = {name: {value: None} for name, value in properties.items()}
    sizes = {name: len(value) for name, value in properties.items()}
    for name, value in pairs:
        if not name or (name not in gathered and len(gathered) >= MAX_PROPERTIES):
            continue
        values = gathered.setdefault(name, {})
        if sizes.get(name, 0) <= max_bytes and (value := truncate(value, max_bytes)) not in values:
            values[value] = None
            sizes[name] = sizes.get(name, 0) + len(value) + 2
    for name, values in gathered.items():
        properties[name] = truncate(", ".join(values), max_bytes)


def collect_properties(element, max_bytes: int) -> dict[str, str]:
    """``<property name= value=>`` anywhere below ``element`` (value may also be the text)."""
    properties: dict[str, str] = {}
    pairs = ((prop.get("name"), _property_value(prop)) for prop in element.iter("{*}property"))
    add_properties(properties, pairs, max_bytes)
    return properties


def _property_value(prop) -> str:
    value = prop.get("value")
    return text_of(prop) if value is None else value


def set_failure(case, message: str, trace: str, limits) -> None:
    """Fill a case's failure message and text (message + stack trace) within the limits."""
    case.failure_message = truncate(message, limits.max_message_bytes)
    case.failure_text = truncate(
        "\n".join(part for part in (message, trace) if part), limits.max_output_bytes
    )


def release(element) -> None:
    """Free a finished element and everything before it, so memory does not grow with the file.

    Previous siblings are complete by the time a later sibling ends; the element itself is
    emptied but stays attached so the parser's position in the tree remains valid.
    """
    element.clear(keep_tail=False)
    parent = element.getparent()
    if parent is None:
        return
    while element.getprevious() is not None:
        del parent[0]


def basename(path: str) -> str:
    """File name of a Windows or POSIX path (assembly paths come from either)."""
    return path.replace("\\", "/").rsplit("/", 1)[-1]
