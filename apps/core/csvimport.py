"""Generic CSV import plumbing: decode an upload, check its columns, and report row-level errors.

An app's importer (e.g. apps.requirements.transfer) uses ``read_csv`` to get rows, validates each
row into ``RowError``s, and returns an ``ImportReport``; the generic import page
(apps.core.views.ProjectImportView, templates/generic/import.html) and the API show that report.

Decoding: a UTF-8 byte-order mark is dropped; the bytes are read as UTF-8 and, only if that
fails, as Windows-1252 (what Excel on Windows saves as "CSV"), then Latin-1. Files that look
binary (NUL bytes, or mostly control characters) are refused with a clear message.
"""

import csv
import io
from dataclasses import dataclass, field

from django.core.exceptions import ValidationError

from .export import unescape_formula

MAX_BYTES = 10 * 1024 * 1024
MAX_ROWS = 50_000
PREVIEW_ROWS = 200


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
    for encoding in ("utf-8", "cp1252", "latin-1"):
        try:
            text = data.decode(encoding)
            break
        except UnicodeDecodeError:
            continue
    sample = text[:4096]
    controls = sum(1 for ch in sample if ord(ch) < 32 and ch not in "\r\n\t")
    if sample and controls > len(sample) // 20:
        raise ValidationError({"file": "This doesn't look like a CSV file (too many control characters)."})
    return text


def read_csv(
    text: str, *, columns: list[str], required: list[str], max_rows: int = MAX_ROWS
) -> tuple[list[str], list[tuple[int, dict]]]:
    """The header and the (row number, {column: value}) rows of a CSV text.

    Column names are matched case-insensitively. Missing required columns, unknown columns, rows
    with more cells than the header, and more than ``max_rows`` rows are refused with a message
    naming the column or row. Values are stripped and formula escapes undone.
    """
    reader = csv.reader(io.StringIO(text, newline=""))
    try:
        header = [name.strip().lower() for name in next(reader)]
    except StopIteration:
        raise ValidationError({"file": "The file is empty; the first row must name the columns."}) from None
    except csv.Error as exc:
        raise ValidationError({"file": f"Row 1: not valid CSV ({exc})."}) from exc
    problems = []
    missing = [name for name in required if name not in header]
    if missing:
        problems.append(f"Missing column(s): {', '.join(missing)}.")
    unknown = [name or "(blank)" for name in header if name not in columns]
    if unknown:
        problems.append(f"Unknown column(s): {', '.join(unknown)}. Allowed columns: {', '.join(columns)}.")
    duplicated = sorted({name for name in header if header.count(name) > 1})
    if duplicated:
        problems.append(f"Column(s) given twice: {', '.join(duplicated)}.")
    if problems:
        raise ValidationError({"file": problems})
    rows = []
    try:
        for number, cells in enumerate(reader, start=2):
            if not any(cell.strip() for cell in cells):
                continue  # blank lines, e.g. a trailing one
            if len(rows) >= max_rows:
                raise ValidationError({"file": f"More than {max_rows} rows; split the file."})
            if len(cells) > len(header):
                raise ValidationError(
                    {"file": f"Row {number}: {len(cells)} cells but only {len(header)} columns."}
                )
            cells += [""] * (len(header) - len(cells))
            rows.append(
                (
                    number,
                    {name: unescape_formula(cell.strip()) for name, cell in zip(header, cells, strict=True)},
                )
            )
    except csv.Error as exc:
        raise ValidationError({"file": f"Row {reader.line_num}: not valid CSV ({exc})."}) from exc
    return header, rows
