"""Regular-expression readers for the fixed statement shapes dumps repeat hundreds of times.

sqlglot is pure Python; a 300-table ``pg_dump`` has about as many ``ALTER TABLE ONLY ... ADD
CONSTRAINT`` and ``CREATE INDEX`` statements as tables, all in one of a few exact shapes. Those
shapes (and a few trivial ones: ``COMMENT ON``, ``DROP TABLE``, ``ALTER TABLE ... OWNER TO``)
are read here; each function returns False when the statement is not exactly its shape, and the
caller then gives it to sqlglot. CREATE TABLE always goes to sqlglot.
"""

from __future__ import annotations

import re

from .builder import SchemaDraft, TableDraft
from .model import AUTOINCREMENT, qualified_name

_ID = r'(?:"(?:[^"]|"")+"|`(?:[^`]|``)+`|[^\W\d][\w$]*)'
QNAME = rf"({_ID}(?:\s*\.\s*{_ID})?)"
_ALTER_HEAD = rf"ALTER\s+TABLE\s+(?:IF\s+EXISTS\s+)?(?:ONLY\s+)?{QNAME}\s+"
_LIST = r"\(([^()]*)\)"
_ACTION = r"(?:CASCADE|RESTRICT|NO\s+ACTION|SET\s+NULL|SET\s+DEFAULT)"
_I = re.IGNORECASE | re.DOTALL

_ADD_KEY = re.compile(rf"{_ALTER_HEAD}ADD\s+CONSTRAINT\s+({_ID})\s+(PRIMARY\s+KEY|UNIQUE)\s*{_LIST}\s*$", _I)
_ADD_FK = re.compile(
    rf"{_ALTER_HEAD}ADD\s+(?:CONSTRAINT\s+({_ID})\s+)?FOREIGN\s+KEY\s*{_LIST}\s*REFERENCES\s+{QNAME}\s*{_LIST}"
    rf"((?:\s+ON\s+(?:UPDATE|DELETE)\s+{_ACTION})*)"
    r"(?:\s+(?:NOT\s+)?DEFERRABLE)?(?:\s+INITIALLY\s+(?:DEFERRED|IMMEDIATE))?(?:\s+NOT\s+VALID)?\s*$",
    _I,
)
_ON_DELETE = re.compile(rf"ON\s+DELETE\s+({_ACTION})", re.IGNORECASE)
_CREATE_INDEX = re.compile(
    rf"CREATE\s+(UNIQUE\s+)?INDEX\s+(?:CONCURRENTLY\s+)?(?:IF\s+NOT\s+EXISTS\s+)?({_ID}\s+)?ON\s+(?:ONLY\s+)?{QNAME}"
    r"(?:\s+USING\s+\w+)?\s*\((.*)\)\s*$",
    _I,
)
_SET_DEFAULT = re.compile(rf"{_ALTER_HEAD}ALTER\s+(?:COLUMN\s+)?({_ID})\s+SET\s+DEFAULT\s+(.+)$", _I)
_ADD_IDENTITY = re.compile(rf"{_ALTER_HEAD}ALTER\s+(?:COLUMN\s+)?({_ID})\s+ADD\s+GENERATED\b", _I)
_COMMENT_ON = re.compile(
    rf"COMMENT\s+ON\s+(TABLE|COLUMN)\s+({_ID}(?:\s*\.\s*{_ID}){{0,2}})\s+IS\s+(NULL|'(?:[^']|'')*')\s*$", _I
)
_DROP_TABLE = re.compile(r"DROP\s+TABLE\s+(?:IF\s+EXISTS\s+)?", _I)
#: ALTER TABLE actions that change nothing we model (ownership, partitions, storage, triggers...)
_IGNORED_ALTER = re.compile(
    rf"{_ALTER_HEAD}(OWNER\s+TO|ATTACH\s+PARTITION|DETACH\s+PARTITION|REPLICA\s+IDENTITY|CLUSTER\s+ON|"
    r"(?:ENABLE|DISABLE)\s+(?:ALWAYS\s+|REPLICA\s+)?(?:TRIGGER|RULE|ROW\s+LEVEL\s+SECURITY)|"
    r"(?:FORCE|NO\s+FORCE)\s+ROW\s+LEVEL\s+SECURITY|SET\s*\(|RESET\s*\(|SET\s+(?:SCHEMA|TABLESPACE|"
    r"LOGGED|UNLOGGED|WITHOUT|ACCESS\s+METHOD)|INHERIT|NO\s+INHERIT|OF\b|NOT\s+OF|VALIDATE\s+CONSTRAINT|"
    rf"ALTER\s+(?:COLUMN\s+)?{_ID}\s+(?:SET\s+STATISTICS|SET\s+STORAGE|SET\s+COMPRESSION|SET\s*\(|RESET\s*\())",
    _I,
)
#: an index element that is a plain column: name, then ASC/DESC/NULLS FIRST or an operator class
_INDEX_ELEMENT = re.compile(rf"\s*({_ID})(?:\s+(?:ASC|DESC|NULLS\s+(?:FIRST|LAST)|{_ID}(?:\.{_ID})?))*\s*", _I)
_SPLIT_ID = re.compile(rf"\s*({_ID})\s*(?:\.|$)")


class FastReader:
    """Reads the fixed shapes; ``fold`` lower-cases unquoted names (PostgreSQL)."""

    def __init__(self, draft: SchemaDraft, dialect: str):
        self.draft = draft
        self.fold = dialect == "postgres"
        self.default_schema = "public" if dialect == "postgres" else ""

    def name(self, text: str) -> str:
        text = text.strip()
        if text[:1] in "\"`" and len(text) > 1:
            return text[1:-1].replace(text[0] * 2, text[0])
        return text.lower() if self.fold else text

    def parts(self, qname: str) -> list[str]:
        return [self.name(m.group(1)) for m in _SPLIT_ID.finditer(qname)]

    def table_key(self, qname: str) -> tuple[str, str]:
        parts = self.parts(qname)
        return (parts[-2] if len(parts) > 1 else self.default_schema), parts[-1]

    def table(self, qname: str, line: int) -> TableDraft | None:
        draft = self.draft.get(*self.table_key(qname))
        if draft is None:
            name = qualified_name(*self.table_key(qname))
            self.draft.warnings.append(f"line {line}: statement on unknown table {name} ignored")
        return draft

    def columns(self, text: str) -> list[str] | None:
        """Plain column names, or None when an element is an expression (let sqlglot read it)."""
        names = []
        for element in split_top_level(text):
            match = _INDEX_ELEMENT.fullmatch(element)
            if not match:
                return None
            names.append(self.name(match.group(1)))
        return names

    def alter(self, text: str, line: int) -> bool:
        match = _ADD_KEY.match(text)
        if match:
            columns = self.columns(match.group(4))
            draft = self.table(match.group(1), line) if columns else None
            if draft is not None and columns:
                if match.group(3).upper().startswith("PRIMARY"):
                    draft.set_primary_key(columns, self.name(match.group(2)))
                else:
                    draft.add_unique(self.name(match.group(2)), columns)
            return columns is not None
        match = _ADD_FK.match(text)
        if match:
            columns, ref_columns = self.columns(match.group(3)), self.columns(match.group(5))
            if columns is None or ref_columns is None:
                return False
            draft = self.table(match.group(1), line)
            if draft is not None:
                on_delete = _ON_DELETE.search(match.group(6) or "")
                action = " ".join(on_delete.group(1).lower().split()) if on_delete else ""
                draft.add_foreign_key(
                    self.name(match.group(2)) if match.group(2) else None,
                    columns,
                    qualified_name(*self.table_key(match.group(4))),
                    ref_columns,
                    "" if action == "no action" else action,
                )
            return True
        match = _IGNORED_ALTER.match(text)
        if match:
            self.draft.skipped["ALTER TABLE … " + " ".join(match.group(2).upper().split()[:2]).rstrip("(")] += 1
            return True
        match = _ADD_IDENTITY.match(text)
        if match:
            draft = self.table(match.group(1), line)
            column = draft.columns.get(self.name(match.group(2))) if draft else None
            if column is not None:
                column.default = AUTOINCREMENT
            return True
        return False

    def set_default(self, text: str, line: int) -> tuple[TableDraft, str, str] | None:
        """``ALTER TABLE ... ALTER COLUMN c SET DEFAULT expr``: (table, column, expr) to finish."""
        match = _SET_DEFAULT.match(text)
        if not match:
            return None
        draft = self.table(match.group(1), line)
        if draft is None:
            return None
        return draft, self.name(match.group(2)), match.group(3)

    def create_index(self, text: str, line: int) -> bool:
        match = _CREATE_INDEX.match(text)
        if not match or re.search(r"\b(WHERE|INCLUDE|WITH)\b", match.group(4), re.IGNORECASE):
            return False
        columns = self.columns(match.group(4))
        if columns is None:
            return False
        draft = self.table(match.group(3), line)
        if draft is not None:
            name = self.name(match.group(2)) if match.group(2) else None
            draft.add_index(name, columns, unique=bool(match.group(1)))
        return True

    def comment(self, text: str, line: int) -> bool:
        match = _COMMENT_ON.match(text)
        if not match:
            return False
        parts = self.parts(match.group(2))
        note = "" if match.group(3).upper() == "NULL" else match.group(3)[1:-1].replace("''", "'")
        if match.group(1).upper() == "TABLE":
            schema, name = (parts[-2] if len(parts) > 1 else self.default_schema), parts[-1]
            draft = self.draft.get(schema, name)
            if draft is not None:
                draft.note = note
        elif len(parts) >= 2:
            schema = parts[-3] if len(parts) > 2 else self.default_schema
            draft = self.draft.get(schema, parts[-2])
            column = draft.columns.get(parts[-1]) if draft else None
            if column is not None:
                column.note = note
        return True

    def drop_table(self, text: str) -> bool:
        match = _DROP_TABLE.match(text)
        if not match:
            return False
        names = text[match.end() :].rstrip()
        last = names.rsplit(None, 1)
        if len(last) == 2 and last[1].upper() in ("CASCADE", "RESTRICT"):
            names = last[0]
        for qname in split_top_level(names):
            self.draft.drop_table(*self.table_key(qname))
        return True


_STRUCTURE = re.compile(r"[(),'\"`]")


def split_top_level(text: str) -> list[str]:
    """Split on commas outside parentheses and quotes (column lists, CREATE TABLE bodies, DROP TABLE a, b)."""
    parts, depth, start = [], 0, 0
    i, end = 0, len(text)
    while True:
        match = _STRUCTURE.search(text, i)
        if match is None:
            break
        char, i = match.group(), match.start() + 1
        if char in "'\"`":
            close = text.find(char, i)  # '' inside a string: closes, then reopens at once
            i = end if close < 0 else close + 1
        elif char == "(":
            depth += 1
        elif char == ")":
            depth -= 1
        elif depth == 0:
            parts.append(text[start : i - 1])
            start = i
    parts.append(text[start:])
    return [p for p in (part.strip() for part in parts) if p]


def closing_paren(text: str, start: int) -> int | None:
    """Index of the ``)`` closing the parenthesis opened just before ``start`` (quote-aware)."""
    depth, i, end = 1, start, len(text)
    while True:
        match = _STRUCTURE.search(text, i)
        if match is None:
            return None
        char, i = match.group(), match.start() + 1
        if char in "'\"`":
            close = text.find(char, i)
            i = end if close < 0 else close + 1
        elif char == "(":
            depth += 1
        elif char == ")":
            depth -= 1
            if depth == 0:
                return i - 1
