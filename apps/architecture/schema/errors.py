"""The one exception the schema engine raises for input it cannot read."""

from __future__ import annotations


class SchemaError(ValueError):
    """Input that is not a readable schema (syntax error, no table at all, broken reference).

    ``line`` is the 1-based line in the submitted text the problem was found at, or ``None``
    when the problem has no single place (an empty file, a reference to a missing table).
    ``str(error)`` carries the line too, so callers can show it as is.
    """

    def __init__(self, message: str, line: int | None = None):
        self.message = message
        self.line = line
        super().__init__(f"line {line}: {message}" if line is not None else message)
