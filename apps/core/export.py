"""Generic exports: rows of dicts → CSV or JSON download, safe to open in a spreadsheet.

Any app's export view (HTML or API) calls ``export_response``. CSV cells that a spreadsheet would
run as a formula (starting with = + - @ tab or CR) get a leading apostrophe — CSV injection,
https://owasp.org/www-community/attacks/CSV_Injection. The importer (apps.core.csvimport) takes
that apostrophe off again, so an export → import round trip is lossless.
"""

import csv
import io
import json
from collections.abc import Iterable

from django.core.serializers.json import DjangoJSONEncoder
from django.http import HttpResponse

FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")
FORMATS = ("csv", "json")


def escape_formula(value) -> str:
    """A cell value as text, with a leading apostrophe if a spreadsheet would treat it as a formula."""
    text = "" if value is None else str(value)
    return "'" + text if text.startswith(FORMULA_PREFIXES) else text


def unescape_formula(text: str) -> str:
    """Undo ``escape_formula`` (only where it would have added the apostrophe)."""
    return text[1:] if text.startswith("'") and text[1:].startswith(FORMULA_PREFIXES) else text


def to_csv(rows: Iterable[dict], columns: list[str]) -> str:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(columns)
    for row in rows:
        writer.writerow([escape_formula(row.get(column)) for column in columns])
    return buffer.getvalue()


def to_json(data) -> str:
    return json.dumps(data, cls=DjangoJSONEncoder, indent=2, ensure_ascii=False)


def export_response(
    *, fmt: str, rows: list[dict], columns: list[str], filename: str, json_data=None
) -> HttpResponse:
    """A download of ``rows`` as CSV (UTF-8 with a BOM, so Excel reads accents) or as JSON.

    JSON carries ``json_data`` when given (richer than the flat CSV rows), else the rows.
    """
    if fmt == "json":
        body, content_type = to_json(rows if json_data is None else json_data), "application/json"
    elif fmt == "csv":
        body, content_type = "\ufeff" + to_csv(rows, columns), "text/csv; charset=utf-8"
    else:
        raise ValueError(f"Unknown export format {fmt!r}; use one of {FORMATS}.")
    response = HttpResponse(body, content_type=content_type)
    response["Content-Disposition"] = f'attachment; filename="{filename}.{fmt}"'
    return response
