"""Apply sqlglot's parse of CREATE TABLE / ALTER TABLE / CREATE INDEX to the schema drafts.

Only the structure is read (tables, columns, keys, indexes, foreign keys, comments); CHECK
constraints, collations, storage options, triggers and the like are ignored on purpose.
"""

from __future__ import annotations

import re

import sqlglot
from sqlglot import exp

from .builder import ColumnDraft, SchemaDraft, TableDraft
from .coltypes import canonical_type
from .model import AUTOINCREMENT, qualified_name

#: sqlglot type -> canonical base name; anything missing is the type's own name in lower case.
_DTYPE_NAMES: dict[str, tuple[str, bool]] = {
    "INT": ("integer", False),
    "UINT": ("integer", True),
    "BIGINT": ("bigint", False),
    "UBIGINT": ("bigint", True),
    "SMALLINT": ("smallint", False),
    "USMALLINT": ("smallint", True),
    "TINYINT": ("tinyint", False),
    "UTINYINT": ("tinyint", True),
    "MEDIUMINT": ("mediumint", False),
    "UMEDIUMINT": ("mediumint", True),
    "SERIAL": ("integer", False),
    "BIGSERIAL": ("bigint", False),
    "SMALLSERIAL": ("smallint", False),
    "DECIMAL": ("numeric", False),
    "UDECIMAL": ("numeric", True),
    "DOUBLE": ("double precision", False),
    "UDOUBLE": ("double precision", True),
    "FLOAT": ("real", False),
    "NVARCHAR": ("varchar", False),
    "NCHAR": ("char", False),
    "BPCHAR": ("char", False),
    "TIMESTAMPLTZ": ("timestamptz", False),
    "USERDEFINED": ("", False),
}
_SERIALS = frozenset({"SERIAL", "BIGSERIAL", "SMALLSERIAL"})
_NEXTVAL = re.compile(r"\s*nextval\s*\(\s*'(?:[^']|'')*'(?:::regclass)?\s*\)\s*$", re.IGNORECASE)
_ON_DELETE = re.compile(r"ON\s+DELETE\s+(CASCADE|RESTRICT|SET\s+NULL|SET\s+DEFAULT|NO\s+ACTION)", re.IGNORECASE)


class Reader:
    """Turns sqlglot nodes of one dialect into draft changes (identifier folding included)."""

    def __init__(self, draft: SchemaDraft, dialect: str):
        self.draft = draft
        self.dialect = dialect
        self.fold = dialect == "postgres"  # PostgreSQL folds unquoted names to lower case
        self.default_schema = "public" if dialect == "postgres" else ""

    # -- names ---------------------------------------------------------------------------

    def ident(self, node: exp.Expression | None) -> str:
        if node is None:
            return ""
        if isinstance(node, exp.Identifier):
            return node.this if node.quoted or not self.fold else node.this.lower()
        if isinstance(node, exp.Column | exp.Ordered | exp.ColumnPrefix) and isinstance(node.this, exp.Expression):
            return self.ident(node.this)
        return node.sql(dialect=self.dialect, normalize_functions="lower")  # an expression: lower(email)

    def table_name(self, table: exp.Table) -> tuple[str, str]:
        return self.ident(table.args.get("db")) or self.default_schema, self.ident(table.this)

    def qualified(self, table: exp.Table) -> str:
        return qualified_name(*self.table_name(table))

    def names(self, nodes: list[exp.Expression] | None) -> list[str]:
        return [self.ident(node) for node in nodes or ()]

    # -- CREATE TABLE ----------------------------------------------------------------------

    def create_table(self, create: exp.Create, line: int) -> TableDraft | None:
        target = create.this
        table = target.this if isinstance(target, exp.Schema) else target
        properties = create.args.get("properties")
        props = properties.expressions if properties else []
        if any(isinstance(p, exp.TemporaryProperty) for p in props):
            self.draft.skipped["CREATE TEMPORARY TABLE"] += 1
            return None
        if create.args.get("expression") is not None:
            self.draft.warnings.append(f"line {line}: CREATE TABLE … AS SELECT has no column list; table skipped")
            return None
        draft = self.new_table(*self.table_name(table), bool(create.args.get("exists")), line)
        if draft is None:
            return None
        for prop in props:
            if isinstance(prop, exp.SchemaCommentProperty):
                draft.note = prop.this.name
            elif isinstance(prop, exp.PartitionedOfProperty):
                draft.copy_columns_from = self.qualified(prop.this)
        if isinstance(target, exp.Schema):
            for element in target.expressions:
                self.table_element(draft, element)
        return draft

    def new_table(self, schema: str, name: str, if_not_exists: bool, line: int) -> TableDraft | None:
        if if_not_exists and self.draft.get(schema, name) is not None:
            return None  # IF NOT EXISTS on a table we already have: a no-op
        return self.draft.create_table(schema, name, line)

    def table_element(self, draft: TableDraft, element: exp.Expression) -> None:
        if isinstance(element, exp.ColumnDef):
            self.column(draft, element)
        elif isinstance(element, exp.Constraint):
            for inner in element.expressions:
                self.constraint(draft, inner, self.ident(element.this))
        elif isinstance(element, exp.LikeProperty):
            draft.copy_columns_from = self.qualified(element.this)
        else:
            self.constraint(draft, element, None)

    def constraint(self, draft: TableDraft, node: exp.Expression, name: str | None) -> None:
        if isinstance(node, exp.PrimaryKey):
            draft.set_primary_key(self.names(node.expressions), name)
        elif isinstance(node, exp.ForeignKey):
            self.foreign_key(draft, name, self.names(node.expressions), node.args.get("reference"))
        elif isinstance(node, exp.UniqueColumnConstraint):
            inner = node.this
            columns = self.names(inner.expressions) if isinstance(inner, exp.Schema) else []
            own_name = self.ident(inner.this) if isinstance(inner, exp.Schema) and inner.this else None
            if columns:
                if own_name:  # MySQL UNIQUE KEY name (...): an index in its own right
                    draft.add_index(own_name, columns, unique=True)
                else:
                    draft.add_unique(name, columns)
        elif isinstance(node, exp.IndexColumnConstraint):
            kind = str(node.args.get("kind") or "").upper()
            draft.add_index(self.ident(node.this) or name, self.names(node.expressions), unique=kind == "UNIQUE")
        # CHECK, EXCLUDE and the rest say nothing about structure

    def foreign_key(
        self, draft: TableDraft, name: str | None, columns: list[str], reference: exp.Reference | None
    ) -> None:
        if reference is None or not columns:
            return
        target = reference.this
        table = target.this if isinstance(target, exp.Schema) else target
        ref_columns = self.names(target.expressions) if isinstance(target, exp.Schema) else []
        on_delete = ""
        for option in reference.args.get("options") or ():
            match = _ON_DELETE.search(str(option))
            if match:
                on_delete = normalize_action(match.group(1))
        draft.add_foreign_key(name, columns, self.qualified(table), ref_columns, on_delete)

    def column(self, draft: TableDraft, node: exp.ColumnDef) -> ColumnDraft:
        kind = node.args.get("kind")
        column = ColumnDraft(name=self.ident(node.this), type=self.type_text(kind) if kind else "")
        if isinstance(kind, exp.DataType) and kind.this.name in _SERIALS:
            column.default = AUTOINCREMENT
        primary_key = False
        for constraint in node.constraints:
            c = constraint.args.get("kind") if isinstance(constraint, exp.ColumnConstraint) else constraint
            if isinstance(c, exp.NotNullColumnConstraint):
                column.nullable = bool(c.args.get("allow_null"))
            elif isinstance(c, exp.DefaultColumnConstraint):
                column.default = self.default_text(c.this)
            elif isinstance(c, exp.PrimaryKeyColumnConstraint):
                primary_key = True
            elif isinstance(c, exp.UniqueColumnConstraint):
                column.unique = True
            elif isinstance(c, exp.AutoIncrementColumnConstraint) or (
                isinstance(c, exp.GeneratedAsIdentityColumnConstraint) and c.args.get("expression") is None
            ):
                column.default = AUTOINCREMENT
            elif isinstance(c, exp.CommentColumnConstraint):
                column.note = c.this.name
            elif isinstance(c, exp.Reference):
                self.foreign_key(draft, None, [column.name], c)
        draft.add_column(column, primary_key=primary_key)
        return column

    # -- types and defaults -------------------------------------------------------------

    def type_text(self, kind: exp.Expression) -> str:
        if not isinstance(kind, exp.DataType):
            return kind.sql(dialect=self.dialect).lower()
        dims = 0
        while kind.this == exp.DataType.Type.ARRAY and kind.expressions:
            dims += 1
            kind = kind.expressions[0]
        dtype = kind.this
        if not isinstance(dtype, exp.DataType.Type):
            return canonical_type(str(dtype).lower(), dims=dims)
        base, unsigned = _DTYPE_NAMES.get(dtype.name, (dtype.value.lower(), False))
        if dtype == exp.DataType.Type.TIMESTAMPTZ and self.dialect == "mysql":
            base = "timestamp"  # sqlglot reads MySQL TIMESTAMP as TIMESTAMPTZ; keep the name written
        if dtype == exp.DataType.Type.USERDEFINED:
            base = self.user_type_name(kind.args.get("kind"))
        if dtype in (exp.DataType.Type.ENUM, exp.DataType.Type.SET):
            params = [e.sql(dialect=self.dialect) for e in kind.expressions]
        else:
            params = [_param(e, self.dialect) for e in kind.expressions]
        return canonical_type(base, params, unsigned, dims)

    def user_type_name(self, node: exp.Expression | None) -> str:
        if isinstance(node, exp.Dot):
            parts = [self.ident(p) for p in node.flatten()]
            return ".".join(parts)
        if isinstance(node, exp.Identifier):
            return self.ident(node)
        return node.sql(dialect=self.dialect).lower() if node is not None else "unknown"

    def default_text(self, node: exp.Expression) -> str | None:
        return default_sql(node, self.dialect)

    # -- CREATE INDEX / ALTER TABLE ---------------------------------------------------------

    def create_index(self, create: exp.Create, line: int) -> None:
        index = create.this
        table = index.args.get("table")
        params = index.args.get("params")
        if table is None or params is None:
            self.draft.skipped["CREATE INDEX (not understood)"] += 1
            return
        draft = self.draft.get(*self.table_name(table))
        if draft is None:
            self.draft.warnings.append(f"line {line}: index on unknown table {self.qualified(table)} ignored")
            return
        columns = self.names(params.args.get("columns"))
        draft.add_index(self.ident(index.this) or None, columns, unique=bool(create.args.get("unique")))

    def alter_table(self, alter: exp.Alter, line: int) -> None:
        draft = self.draft.get(*self.table_name(alter.this))
        if draft is None:
            name = self.qualified(alter.this)
            self.draft.warnings.append(f"line {line}: ALTER TABLE on unknown table {name} ignored")
            return
        for action in alter.args.get("actions") or ():
            self.alter_action(draft, action)

    def alter_action(self, draft: TableDraft, action: exp.Expression) -> None:
        if isinstance(action, exp.ColumnDef):
            self.column(draft, action)
        elif isinstance(action, exp.AddConstraint):
            for element in action.expressions:
                self.table_element(draft, element)
        elif isinstance(action, exp.ModifyColumn):
            renamed_from = action.args.get("rename_from")
            old = self.ident(renamed_from) if renamed_from else self.ident(action.this.this)
            scratch = TableDraft(name=draft.name, schema=draft.schema)  # read the new definition alone
            column = self.column(scratch, action.this)
            draft.replace_column(old, column)
            if scratch.primary_key and column.name not in draft.primary_key:
                draft.primary_key.append(column.name)
            for fk in scratch.foreign_keys.values():
                draft.add_foreign_key(None, fk.columns, fk.ref_table, fk.ref_columns, fk.on_delete)
        elif isinstance(action, exp.Drop):
            kind = str(action.args.get("kind") or "").upper()
            for target in action.args.get("tables") or ():
                name = self.ident(target)
                if kind == "COLUMN":
                    draft.drop_column(name)
                else:  # CONSTRAINT, INDEX, FOREIGN KEY, PRIMARY KEY
                    draft.drop_constraint(name)
        elif isinstance(action, exp.AlterColumn):
            self.alter_column(draft, action)
        elif isinstance(action, exp.RenameColumn):
            draft.rename_column(self.ident(action.this), self.ident(action.args.get("to")))
        elif isinstance(action, exp.AlterRename):
            self.draft.rename_table(draft, *self.table_name(action.this))

    def alter_column(self, draft: TableDraft, action: exp.AlterColumn) -> None:
        column = draft.columns.get(self.ident(action.this))
        if column is None:
            return
        if action.args.get("dtype") is not None:
            column.type = self.type_text(action.args["dtype"])
        if action.args.get("default") is not None:
            column.default = self.default_text(action.args["default"])
        if "allow_null" in action.args and action.args["allow_null"] is not None:
            column.nullable = bool(action.args["allow_null"])
        elif action.args.get("drop"):
            column.default = None


def default_sql(node: exp.Expression, dialect: str) -> str | None:
    """A column default as text: literal casts dropped, ``nextval(...)`` -> AUTOINCREMENT, NULL -> None."""
    while isinstance(node, exp.Paren):
        node = node.this
    if isinstance(node, exp.Cast) and isinstance(node.this, exp.Literal):
        node = node.this
    # the common cases without sqlglot's generator (a dump has thousands of them)
    if isinstance(node, exp.Null):
        return None
    if isinstance(node, exp.Literal):
        return "'" + node.this.replace("'", "''") + "'" if node.is_string else node.this
    if isinstance(node, exp.Boolean):
        return "TRUE" if node.this else "FALSE"
    node = _strip_literal_casts(node)
    if isinstance(node, exp.Anonymous) and str(node.this).lower() == "nextval":
        return AUTOINCREMENT
    # always spelled the PostgreSQL way, so the same default reads the same from any source
    return node.sql(dialect="postgres", normalize_functions="lower")


def expression_default(text: str, dialect: str = "postgres") -> str | None:
    """``default_sql`` for an expression given as text (DBML backticks, ALTER ... SET DEFAULT)."""
    if _NEXTVAL.match(text):  # pg_dump's serial columns: one per table, no need for sqlglot
        return AUTOINCREMENT
    try:
        node = sqlglot.parse_one(text, read=dialect)
    except Exception:  # sqlglot can also fail with TypeError/RecursionError on garbage
        return " ".join(text.split()) or None
    return default_sql(node, dialect) if node is not None else None


def normalize_action(text: str) -> str:
    action = " ".join(text.lower().split())
    return "" if action == "no action" else action


def _param(node: exp.Expression, dialect: str) -> str:
    inner = node.this if isinstance(node, exp.DataTypeParam) else node
    if isinstance(inner, exp.Literal):
        return inner.this
    return inner.sql(dialect=dialect).lower()


def _strip_literal_casts(node: exp.Expression) -> exp.Expression:
    """``'G'::mpaa_rating`` -> ``'G'``: the cast is how pg_dump spells a literal, not a value."""

    def strip(n: exp.Expression) -> exp.Expression:
        if isinstance(n, exp.Cast) and isinstance(n.this, exp.Literal | exp.Neg | exp.Boolean):
            return n.this
        return n

    if not any(isinstance(n, exp.Cast) for n in node.walk()):
        return node
    return node.transform(strip)
