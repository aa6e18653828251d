"""MADR / adr-tools decision records <-> ``ParsedAdr`` (pure Python, no Django).

This module owns reading and writing one architecture decision record:

* MADR 3/4 (https://adr.github.io/madr/): optional YAML front matter (status, date,
  decision-makers/deciders, consulted, informed), ``# title``, ``## Context and Problem Statement``,
  ``## Considered Options``, ``## Decision Outcome`` (whose ``### Consequences`` is split out), and
  any other section (Decision Drivers, Pros and Cons, More Information...) kept verbatim in
  ``extra``. MADR 2's ``* Status: ...`` bullet lines under the title are read too.
* adr-tools' plain format (https://github.com/npryce/adr-tools, ``src/template.md``):
  ``# 1. Title``, ``Date: ...``, ``## Status`` (with "Supersedes [..](..)" / "Superseded by" lines),
  ``## Context``, ``## Decision``, ``## Consequences``.

``render_madr`` writes MADR 4 with front matter, so ``parse_madr(render_madr(x)) == x``. Headings
inside fenced code blocks are text, not sections (MADR's own records quote templates in fences).
"""

from __future__ import annotations

import datetime
import re
import unicodedata
from dataclasses import dataclass, field

import yaml

from apps.architecture.catalog.safeyaml import CatalogError, load_all_lines

STATUSES = ("proposed", "accepted", "rejected", "deprecated", "superseded")
# Words seen in the wild for the five statuses (MADR's own ADR-0003 says "on hold"): read with a
# warning rather than refusing a whole repository of records over one synonym.
STATUS_ALIASES = {
    "on hold": "proposed", "draft": "proposed", "pending": "proposed", "open": "proposed",
    "approved": "accepted", "decided": "accepted", "declined": "rejected", "obsolete": "deprecated",
}
MAX_CHARS = 1_000_000  # one decision record; an archive is limited separately

_FENCE = re.compile(r"^ {0,3}(`{3,}|~{3,})")
_HEADING = re.compile(r"^ {0,3}(#{1,6})(?:[ \t]+(.*?))?(?:[ \t]+#+)?[ \t]*$")
_TITLE_NUMBER = re.compile(r"^(?:ADR[-_ ]?)?(\d+)(?:\.|:|\s+[-–—])\s+(?=\S)", re.IGNORECASE)
_FILE_NUMBER = re.compile(r"^(\d+)(?=[-_ .])")
_META_LINE = re.compile(
    r"^\s*(?:[*-]\s+)?(status|date|deciders|decision[- ]makers|consulted|informed)\s*:\s*(.*?)\s*$", re.IGNORECASE
)
_SUPERSEDES_LINE = re.compile(r"^\s*(?:[*-]\s+)?super[cs]edes\b\s*:?\s*(.*)$", re.IGNORECASE)
_SUPERSEDED = re.compile(r"^super[cs]eded(?:\s+by\b\s*:?\s*(.*))?$", re.IGNORECASE | re.DOTALL)
_COMMENT = re.compile(r"<!--.*?-->", re.DOTALL)
_LINK = re.compile(r"\[[^\]]*\]\([^)]*\)")
_SECTIONS = {
    "context and problem statement": "context", "context": "context",
    "considered options": "considered_options",
    "decision outcome": "decision", "decision": "decision",
    "consequences": "consequences", "status": "status",
}


class AdrError(ValueError):
    """A problem with one decision record (``file``: its name, ``line``: 1-based, when known)."""

    def __init__(self, message: str, file: str | None = None, line: int | None = None):
        super().__init__(message)
        self.message, self.file, self.line = message, file, line

    def __str__(self) -> str:
        where = ", ".join(p for p in (self.file or "", f"line {self.line}" if self.line else "") if p)
        return f"{where}: {self.message}" if where else self.message

    def __repr__(self) -> str:
        return f"AdrError({self.message!r}, file={self.file!r}, line={self.line})"


@dataclass
class ParsedAdr:
    number: int | None
    title: str
    status: str | None = None  # one of STATUSES; None when the record states none
    superseded_by: int | None = None
    date: datetime.date | None = None
    deciders: str = ""
    consulted: str = ""
    informed: str = ""
    context: str = ""
    considered_options: str = ""
    decision: str = ""
    consequences: str = ""
    supersedes: list[int] = field(default_factory=list)
    extra: str = ""  # every other "## " section, heading included, in file order
    filename: str = field(default="", compare=False)
    warnings: list[str] = field(default_factory=list, compare=False)


def ref_number(text: str) -> int | None:
    """The ADR number a reference names: "ADR-0005", "[5. Title](0005-title.md)", "0005-x.md", "5"."""
    for pattern in (r"ADR[-_ ]?0*(\d+)", r"\[\s*0*(\d+)[.:]", r"(?:^|/|\()0*(\d+)-[^)\s]*\.md", r"^\s*#?0*(\d+)\s*$"):
        match = re.search(pattern, text, re.IGNORECASE)
        if match:
            return int(match.group(1))
    return None


def parse_status(raw, *, file: str | None = None, line: int | None = None) -> tuple[str | None, int | None, str]:
    """(status, superseded_by, warning) for a status text such as "superseded by [ADR-0005](...)"."""
    if raw is None or raw == "":
        return None, None, ""
    if not isinstance(raw, str):
        raise AdrError(f"status must be text, not {type(raw).__name__} (is it still the template's placeholder?)",
                       file, line)
    text = raw.strip().strip("*_").strip().rstrip(".").strip()
    superseded = _SUPERSEDED.match(text)
    if superseded:
        target = superseded.group(1) or ""
        return "superseded", ref_number(target) if target else None, ""
    word = re.sub(r"\s+", " ", text.lower())
    if word in STATUSES:
        return word, None, ""
    if word in STATUS_ALIASES:
        return STATUS_ALIASES[word], None, f"status '{text}' read as '{STATUS_ALIASES[word]}'"
    raise AdrError(f"status '{text}' is not one of {', '.join(STATUSES)} (or 'superseded by ADR-NNNN')", file, line)


def _people(value) -> str:
    if value is None:
        return ""
    if isinstance(value, list):
        return ", ".join(str(v).strip() for v in value if v not in (None, ""))
    return str(value).strip()


def _date(value, file: str | None, line: int | None) -> datetime.date | None:
    if value is None or value == "":
        return None
    if isinstance(value, datetime.datetime):
        return value.date()
    if isinstance(value, datetime.date):
        return value
    if isinstance(value, str):
        try:
            return datetime.date.fromisoformat(value.strip())
        except ValueError:
            pass
    raise AdrError(f"date '{value}' is not an ISO date (YYYY-MM-DD)", file, line)


def _tidy(lines: list[str]) -> str:
    """A section's text: verbatim, without the blank lines around it."""
    return "\n".join(lines).strip("\n").rstrip()


class _Reader:
    def __init__(self, text: str, filename: str):
        self.file = filename or None
        self.warnings: list[str] = []
        text = text.lstrip("\ufeff").replace("\r\n", "\n").replace("\r", "\n")
        self.lines = text.split("\n")
        self.front: dict = {}
        self.front_lines: dict[str, int] = {}
        self.body_start = 0
        # Per line: inside a fenced code block (fence lines included)? heading level (0: none)?
        self.fenced: list[bool] = []
        self.levels: list[int] = []

    def read_front_matter(self) -> None:
        if not self.lines or self.lines[0].strip() != "---":
            return
        end = next((i for i in range(1, len(self.lines)) if self.lines[i].rstrip() in ("---", "...")), None)
        if end is None:
            raise AdrError("the YAML front matter (opened by '---' on line 1) is never closed", self.file, 1)
        try:
            docs = load_all_lines("\n".join(self.lines[1:end]), max_bytes=100_000, max_documents=1, max_nodes=1_000)
        except CatalogError as exc:
            raise AdrError(f"front matter: {exc.message}", self.file, exc.line + 1 if exc.line else 1) from None
        data = docs[0][1] if docs else None
        if data is not None and not isinstance(data, dict):
            raise AdrError("the front matter must be a YAML mapping (key: value lines)", self.file, 2)
        self.front = {str(k).lower(): v for k, v in (data or {}).items()}
        for i in range(1, end):
            key = self.lines[i].partition(":")[0].strip().lower()
            self.front_lines.setdefault(key, i + 1)
        self.body_start = end + 1

    def scan(self) -> None:
        fence = ""
        for line in self.lines:
            match = _FENCE.match(line)
            if fence:
                closes = match and match.group(1)[0] == fence[0] and len(match.group(1)) >= len(fence)
                if closes and not line.strip()[len(match.group(1)) :].strip():
                    fence = ""
                self.fenced.append(True)
            else:
                fence = match.group(1) if match else ""
                self.fenced.append(bool(match))
            heading = None if self.fenced[-1] else _HEADING.match(line)
            self.levels.append(len(heading.group(1)) if heading else 0)

    def heading(self, i: int) -> str:
        return (_HEADING.match(self.lines[i]).group(2) or "").strip()


def parse_madr(text: str, *, filename: str = "") -> ParsedAdr:
    """Read one MADR or adr-tools record. Raises ``AdrError`` (with file and line) when it can't."""
    if len(text) > MAX_CHARS:
        raise AdrError(f"the record is {len(text):,} characters; the limit is {MAX_CHARS:,}", filename or None)
    r = _Reader(text, filename)
    r.read_front_matter()
    r.scan()
    n = len(r.lines)
    title_at = next((i for i in range(r.body_start, n) if r.levels[i] == 1), None)
    if title_at is None:
        raise AdrError("no '# title' heading", r.file)
    if _COMMENT.sub("", "\n".join(r.lines[r.body_start : title_at])).strip():
        r.warnings.append("text before the title was ignored")
    title = _COMMENT.sub("", r.heading(title_at)).strip()
    number_in_title = None
    match = _TITLE_NUMBER.match(title)
    if match:
        number_in_title, title = int(match.group(1)), title[match.end() :].strip()
    if not title:
        raise AdrError("the '# title' heading is empty", r.file, title_at + 1)

    # Split the body at "## " headings (a later "# " heading stays text: only the first is the title).
    starts = [i for i in range(title_at + 1, n) if r.levels[i] == 2]
    preamble = list(range(title_at + 1, starts[0] if starts else n))
    fields: dict[str, list[str]] = {"context": [], "considered_options": [], "decision": [], "consequences": []}
    extra: list[str] = []
    status_lines: list[tuple[int, str]] = []
    meta: dict[str, tuple[str, int]] = {}
    kept_preamble = []
    for i in preamble:
        m = _META_LINE.match(r.lines[i])
        if m:
            meta[m.group(1).lower().replace(" ", "-")] = (_COMMENT.sub("", m.group(2)).strip(), i + 1)
        else:
            kept_preamble.append(r.lines[i])
    if _tidy(kept_preamble):
        fields["context"].append(_tidy(kept_preamble))
    for k, start in enumerate(starts):
        end = starts[k + 1] if k + 1 < len(starts) else n
        heading = r.heading(start)
        name = _SECTIONS.get(re.sub(r"\s+", " ", heading.lower()).rstrip(":"))
        body = list(range(start + 1, end))
        if name == "status":
            status_lines += [(i + 1, r.lines[i].strip()) for i in body if r.lines[i].strip()]
        elif name == "decision":
            # MADR puts "### Consequences" inside the outcome; it ends at the next heading of level <= 3.
            subs = [i for i in body if r.levels[i] == 3 and r.heading(i).lower().rstrip(":") == "consequences"]
            sub = subs[0] if subs else None
            if sub is None:
                fields["decision"].append(_tidy([r.lines[i] for i in body]))
            else:
                sub_end = next((i for i in range(sub + 1, end) if 0 < r.levels[i] <= 3), end)
                before, after = _tidy(r.lines[start + 1 : sub]), _tidy(r.lines[sub_end:end])
                fields["decision"].append("\n\n".join(p for p in (before, after) if p))
                fields["consequences"].append(_tidy(r.lines[sub + 1 : sub_end]))
        elif name:
            fields[name].append(_tidy([r.lines[i] for i in body]))
        else:
            section = _tidy([r.lines[i] for i in body])
            extra.append(f"## {heading}\n\n{section}" if section else f"## {heading}")

    adr = ParsedAdr(number=None, title=title, filename=filename, warnings=r.warnings)
    for key, parts in fields.items():
        setattr(adr, key, "\n\n".join(p for p in parts if p))
    _read_meta(r, adr, meta, status_lines, extra)
    adr.extra = "\n\n".join(extra)
    _read_number(r, adr, number_in_title)
    # "Supersedes [ADR-0002](...)" lines anywhere in the text (outside code) add to the front matter's list.
    for i in range(title_at + 1, n):
        m = not r.fenced[i] and _SUPERSEDES_LINE.match(r.lines[i])
        if m:
            number = ref_number(m.group(1))
            if number is not None and number not in adr.supersedes:
                adr.supersedes.append(number)
    adr.supersedes.sort()
    return adr


def _read_meta(r: _Reader, adr: ParsedAdr, meta: dict, status_lines: list, extra: list[str]) -> None:
    front, at = r.front, r.front_lines

    def pick(*keys):  # front matter first, then MADR 2 / adr-tools lines under the title
        for key in keys:
            if front.get(key) not in (None, ""):
                return front[key], at.get(key)
        for key in keys:
            if key in meta and meta[key][0]:
                return meta[key]
        return None, None

    raw_status, line = pick("status")
    status, superseded_by, warning = parse_status(raw_status, file=r.file, line=line)
    links = []
    for line_no, text in status_lines:  # adr-tools' "## Status" section
        if _SUPERSEDES_LINE.match(text):
            continue  # collected with the other Supersedes lines
        try:
            found = parse_status(text, file=r.file, line=line_no)
        except AdrError:
            if not _LINK.search(text):
                raise
            links.append(text)  # "Amends [..](..)", "Clarified by [..](..)": adr-tools' other links
            continue
        if status != "superseded":
            status, superseded_by, warning = found
    if links:
        extra.insert(0, "## Links\n\n" + "\n\n".join(links))
    if warning:
        r.warnings.append(warning)
    by, by_line = front.get("superseded-by", front.get("superseded_by")), at.get("superseded-by")
    if by not in (None, ""):
        number = by if isinstance(by, int) and not isinstance(by, bool) else ref_number(str(by))
        if number is None:
            raise AdrError(f"superseded-by '{by}' names no ADR number", r.file, by_line)
        if superseded_by not in (None, number):
            raise AdrError(f"status says superseded by {superseded_by} but superseded-by says {number}", r.file,
                           by_line)
        status, superseded_by = "superseded", number
    adr.status, adr.superseded_by = status, superseded_by
    raw_date, line = pick("date")
    adr.date = _date(raw_date, r.file, line)
    adr.deciders = _people(pick("decision-makers", "deciders")[0])
    adr.consulted = _people(pick("consulted")[0])
    adr.informed = _people(pick("informed")[0])
    raw = front.get("supersedes")
    for item in raw if isinstance(raw, list) else ([] if raw in (None, "") else [raw]):
        number = item if isinstance(item, int) and not isinstance(item, bool) else ref_number(str(item))
        if number is None:
            raise AdrError(f"supersedes '{item}' names no ADR number", r.file, at.get("supersedes"))
        if number not in adr.supersedes:
            adr.supersedes.append(number)


def _read_number(r: _Reader, adr: ParsedAdr, number_in_title: int | None) -> None:
    base = (adr.filename or "").replace("\\", "/").rsplit("/", 1)[-1]
    match = _FILE_NUMBER.match(base)
    from_file = int(match.group(1)) if match else None
    from_front = r.front.get("number")
    if from_front is not None and (not isinstance(from_front, int) or isinstance(from_front, bool)):
        raise AdrError(f"number '{from_front}' is not a whole number", r.file, r.front_lines.get("number"))
    found = [n for n in (from_file, from_front, number_in_title) if n is not None]
    if len(set(found)) > 1:
        r.warnings.append(f"the file name, front matter and title disagree on the number ({found}); using {found[0]}")
    adr.number = found[0] if found else None


def filename_for(number: int | None, title: str) -> str:
    """MADR's file name: ``NNNN-title-with-dashes.md``, title lower-cased with dashes (as adr-tools)."""
    ascii_title = unicodedata.normalize("NFKD", title).encode("ascii", "ignore").decode()
    slug = re.sub(r"[^a-z0-9]+", "-", ascii_title.lower()).strip("-")[:80].rstrip("-") or "untitled"
    return f"{number:04d}-{slug}.md" if number is not None else f"{slug}.md"


def render_madr(adr: ParsedAdr) -> str:
    """MADR 4 markdown with YAML front matter; ``parse_madr`` reads it back to an equal ``ParsedAdr``."""
    front: dict = {}
    if adr.status:
        by = f" by ADR-{adr.superseded_by:04d}" if adr.status == "superseded" and adr.superseded_by else ""
        front["status"] = f"{adr.status}{by}"
    if adr.date:
        front["date"] = adr.date
    for key, value in (("decision-makers", adr.deciders), ("consulted", adr.consulted), ("informed", adr.informed)):
        if value:
            front[key] = value
    if adr.number is not None:
        front["number"] = adr.number
    if adr.supersedes:
        front["supersedes"] = list(adr.supersedes)
    if adr.superseded_by is not None:
        front["superseded-by"] = adr.superseded_by
    parts = []
    if front:
        dumped = yaml.safe_dump(front, sort_keys=False, allow_unicode=True, default_flow_style=None, width=1000)
        parts.append(f"---\n{dumped}---")
    parts.append(f"# {adr.title}")
    sections = (("Context and Problem Statement", adr.context), ("Considered Options", adr.considered_options))
    for heading, text in sections:
        if text:
            parts.append(f"## {heading}\n\n{text}")
    if adr.decision or adr.consequences:
        parts.append("## Decision Outcome" + (f"\n\n{adr.decision}" if adr.decision else ""))
        if adr.consequences:
            parts.append(f"### Consequences\n\n{adr.consequences}")
    if adr.extra:
        parts.append(adr.extra)
    return "\n\n".join(parts) + "\n"
