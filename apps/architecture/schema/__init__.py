"""The architecture app's schema engine: database schemas read, compared and drawn. Pure Python.

This package owns everything about a data model that does not need Django: reading DBML
(``parse_dbml``) and SQL DDL from pg_dump / mysqldump / migrations (``parse_ddl``) into one
frozen ``Schema`` shape, writing DBML back (``export_dbml``), storing a parse as JSON
(``Schema.to_dict`` / ``Schema.from_dict``), classifying the changes between two versions as
breaking or safe (``diff_schemas``), and drawing a Mermaid ER diagram (``erd_mermaid``).
It never imports Django and never executes SQL; bad input raises ``SchemaError``.
"""

from .dbml import export_dbml, parse_dbml
from .ddl import DIALECTS, parse_ddl
from .diff import CHANGE_IDS, diff_schemas, is_breaking
from .erd import erd_mermaid
from .errors import SchemaError
from .model import AUTOINCREMENT, Column, ForeignKey, Index, Schema, Table, qualified_name

__all__ = [
    "AUTOINCREMENT",
    "CHANGE_IDS",
    "DIALECTS",
    "Column",
    "ForeignKey",
    "Index",
    "Schema",
    "SchemaError",
    "Table",
    "diff_schemas",
    "erd_mermaid",
    "export_dbml",
    "is_breaking",
    "parse_dbml",
    "parse_ddl",
    "qualified_name",
]
