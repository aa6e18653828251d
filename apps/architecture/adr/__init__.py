"""Decision-record engine of the architecture app: pure Python, no Django.

``parse_madr``/``render_madr`` read and write one MADR (or adr-tools) record; ``archive`` reads an
uploaded zip of records safely, writes one for export, and parses a batch collecting every error.
"""

from .archive import parse_many, read_zip, skip_reason, write_zip
from .madr import STATUSES, AdrError, ParsedAdr, filename_for, parse_madr, render_madr

__all__ = [
    "STATUSES",
    "AdrError",
    "ParsedAdr",
    "filename_for",
    "parse_madr",
    "parse_many",
    "read_zip",
    "render_madr",
    "skip_reason",
    "write_zip",
]
