"""Generic CSV import plumbing: decode an upload, check its columns, and report row-level errors.

An app's importer (e.g. apps.requirements.transfer) uses ``read_csv`` to get rows, validates each
row into ``RowError``s, and returns an ``ImportReport``; the generic import page
(apps.core.views.ProjectImportView, templates/generic/import.html) and the API show that report.

Decoding: a UTF-8 byte-order mark is dropped; the bytes are read as UTF-8 and, only if that
fails, as Windows-1252 (what Excel on Windows saves as "CSV"), both strictly: bytes that are
neither are refused with the row they sit on, never read as something else (Latin-1 would read any
byte, turning garbage into invisible control characters). Files that look binary (NUL bytes) are
refused, and so is any control character other than tab, CR and LF, with its row.

Every check is linear in the file's size: a hostile file can be refused, never make the server
spin (at most MAX_COLUMNS columns, MAX_ROWS rows, MAX_BYTES bytes).
"""

import csv
import io
import re
from collections import Counter
from dataclasses import dataclass, field

from django.core.exceptions import ValidationError

from .export import unescape_formula

MAX_BYTES = 10 * 1024 * 1024
MAX_ROWS = 50_000
MAX_COLUMNS = 200
PREVIEW_ROWS = 200
# C0 and C1 control characters (and DEL) except tab, LF and CR: never legitimate in a cell.
CONTROL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]")


@dataclass
class RowError:
    row: int  # spreadsheet numbering: the header is row 1, the first data row is row 2
    field: str
    message: str

    def __str__(self) -> str:
        return (
            f"Row {self.row}, {self.field}: {self.message}"
            if self.field
            else f"Row {self.row}: {self.message}"
        )


@dataclass
class ImportReport:
    """What an import did (or, in a dry run, would do)."""

    dry_run: bool
    rows: int = 0
    created: int = 0
    updated: int = 0
    unchanged: int = 0  # rows naming an existing object they leave exactly as it is
    errors: list[RowError] = field(default_factory=list)
    preview: list[dict] = field(default_factory=list)  # first PREVIEW_ROWS rows: {row, action, ...}

    @property
    def ok(self) -> bool:
        return not self.errors

    @property
    def saved(self) -> bool:
        return self.ok and not self.dry_run

    def as_dict(self) -> dict:
        return {
            "dry_run": self.dry_run,
            "saved": self.saved,
            "rows": self.rows,
            "created": self.created,
            "updated": self.updated,
            "unchanged": self.unchanged,
            "errors": [vars(e) for e in self.errors],
            "preview": self.preview,
        }


def decode_csv(data: bytes, *, max_bytes: int = MAX_BYTES) -> str:
    """Bytes of an uploaded CSV → text (see the module docstring for the encodings tried)."""
    if len(data) > max_bytes:
        raise ValidationError(
            {"file": f"The file is {len(data) // 1024} KB; the limit is {max_bytes // 1024} KB."}
        )
    if data.startswith(b"\xef\xbb\xbf"):
        data = data[3:]
    if b"\x00" in data[:65536]:
        raise ValidationError(
            {
                "file": "This doesn't look like a CSV file (it contains binary data). "
                "Save it as CSV (UTF-8) and try again."
            }
        )
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as not_utf8:
        try:
            return data.decode("cp1252")
        except UnicodeDecodeError as not_cp1252:
            raise ValidationError({"file": _undecodable(data, not_utf8, not_cp1252)}) from None


def _undecodable(data: bytes, not_utf8: UnicodeDecodeError, not_cp1252: UnicodeDecodeError) -> str:
    utf8_row, cp1252_row = (_row_of_byte(data, error.start) for error in (not_utf8, not_cp1252))
    where = f"byte 0x{data[not_utf8.start]:02X} can't be read as UTF-8"
    if cp1252_row != utf8_row:
        where += f"; read as Windows-1252, row {cp1252_row} has byte 0x{data[not_cp1252.start]:02X} that can't be"
    return (
        f"Row {utf8_row}: the file is not valid UTF-8 or Windows-1252 text ({where}). "
        "Save it as CSV (UTF-8) and try again."
    )


def _row_of_byte(data: bytes, index: int) -> int:
    return row_at(data[:index].decode("utf-8", "replace"))


def row_at(prefix: str) -> int:
    """The CSV row (the header is row 1) of the character just after ``prefix``: rows are records,
    so a quoted cell spanning several lines is one row, as ``read_csv`` numbers them."""
    complete = 0
    try:
        for _ in csv.reader(io.StringIO(prefix, newline=""), strict=True):
            complete += 1
    except csv.Error:  # the prefix ends inside a quoted cell: the character is in the row being read
        return complete + 1
    return complete + 1 if not prefix or prefix[-1] in "\r\n" else complete


def _check_characters(text: str) -> None:
    control = CONTROL.search(text)
    if control:
        raise ValidationError(
            {
                "file": f"Row {row_at(text[: control.start()])}: contains a control character "
                f"(U+{ord(control.group()):04X}) that a CSV cell can't hold. Remove it, or save the "
                "file again as CSV (UTF-8)."
            }
        )


def _header(reader) -> list[str]:
    try:
        header = [name.strip().lower() for name in next(reader)]
    except StopIteration:
        raise ValidationError({"file": "The file is empty; the first row must name the columns."}) from None
    except csv.Error as exc:
        raise ValidationError({"file": _csv_error(1, exc)}) from exc
    if len(header) > MAX_COLUMNS:
        raise ValidationError(
            {"file": f"Row 1: {len(header)} columns; at most {MAX_COLUMNS} are allowed. Remove the extra columns."}
        )
    return header


def _check_header(header: list[str], columns: list[str], required: list[str]) -> None:
    problems = []
    missing = [name for name in required if name not in header]
    if missing:
        problems.append(f"Missing column(s): {', '.join(missing)}.")
    unknown = [name or "(blank)" for name in header if name not in columns]
    if unknown:
        problems.append(f"Unknown column(s): {', '.join(unknown)}. Allowed columns: {', '.join(columns)}.")
    duplicated = sorted(name for name, count in Counter(header).items() if count > 1)
    if duplicated:
        problems.append(f"Column(s) given twice: {', '.join(duplicated)}.")
    if problems:
        raise ValidationError({"file": problems})


def _csv_error(row: int, exc: csv.Error) -> str:
    if "unexpected end of data" in str(exc):
        return f"Row {row}: a quoted cell is never closed (a '\"' is missing before the end of the file)."
    return f"Row {row}: not valid CSV ({exc})."


def _values(header: list[str], number: int, cells: list[str]) -> dict[str, str]:
    if len(cells) > len(header):
        raise ValidationError({"file": f"Row {number}: {len(cells)} cells but only {len(header)} columns."})
    cells += [""] * (len(header) - len(cells))
    return {name: unescape_formula(cell.strip()) for name, cell in zip(header, cells, strict=True)}


def read_csv(
    text: str, *, columns: list[str], required: list[str], max_rows: int = MAX_ROWS
) -> tuple[list[str], list[tuple[int, dict]]]:
    """The header and the (row number, {column: value}) rows of a CSV text.

    Column names are matched case-insensitively. Missing required columns, unknown columns, more
    than MAX_COLUMNS columns, rows with more cells than the header, more than ``max_rows`` rows,
    malformed CSV (e.g. a quote never closed) and control characters are refused with a message
    naming the column or row. Values are stripped and formula escapes undone.
    """
    _check_characters(text)
    reader = csv.reader(io.StringIO(text, newline=""), strict=True)
    header = _header(reader)
    _check_header(header, columns, required)
    rows = []
    number = 1  # the last row read: a csv.Error is about the next one
    try:
        for number, cells in enumerate(reader, start=2):
            if not any(cell.strip() for cell in cells):
                continue  # blank lines, e.g. a trailing one
            if len(rows) >= max_rows:
                raise ValidationError({"file": f"More than {max_rows} rows; split the file."})
            rows.append((number, _values(header, number, cells)))
    except csv.Error as exc:
        raise ValidationError({"file": _csv_error(number + 1, exc)}) from exc
    return header, rows
