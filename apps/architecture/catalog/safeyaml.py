"""Bounded, alias-free YAML loading for files users upload (catalogs, ADR front matter).

This module owns the one way the architecture app turns untrusted YAML text into Python data, and
the error type every catalog problem is reported with (``CatalogError``).

Why two passes: ``yaml.safe_load`` never runs code, but it is not bounded. An alias bomb ("billion
laughs") composes into a tiny graph of shared references that explodes only when someone walks it
(serialises, validates, copies) — and composing itself materialises every node before anyone can
count them. So a first pass reads only the *event stream* (libyaml, O(1) memory): it refuses
aliases and non-standard tags, and counts documents, nodes and nesting depth, stopping at the
first limit it crosses. Only text that passed is then composed and constructed, by the same
C loader, so the second pass is bounded by what the first one counted.
"""

from __future__ import annotations

from typing import Any

import yaml

try:  # libyaml's C parser: ~10x faster than the pure-Python one; same safety.
    from yaml import CSafeLoader as _Loader
except ImportError:  # pragma: no cover - PyYAML built without libyaml
    from yaml import SafeLoader as _Loader  # type: ignore[assignment]

__all__ = ["CatalogError", "load_all", "load_all_lines"]

# Deeper nesting than this is never a catalog entity; the C composer recurses per level, so a
# 100k-deep "[[[[..." must be refused before it is composed.
MAX_DEPTH = 100

# The core schema's tags: what plain YAML means anyway. Anything else (!!python/object, custom
# "!Ref" tags, !!binary, !!set) is refused by name rather than left to the constructor.
_SAFE_TAGS = frozenset(
    f"tag:yaml.org,2002:{name}" for name in ("str", "int", "float", "bool", "null", "seq", "map", "timestamp")
)


class CatalogError(ValueError):
    """One problem in a catalog (or YAML) text, located as precisely as the source allows.

    ``document`` is the 1-based index of the YAML document, ``line`` a 1-based line, ``field`` a
    dotted path such as ``spec.lifecycle``. When several problems are collected, the raised error
    carries them all in ``errors`` (each a ``CatalogError``) and its message lists them.
    """

    def __init__(
        self,
        message: str,
        document: int | None = None,
        field: str | None = None,
        line: int | None = None,
        *,
        errors: list[CatalogError] | None = None,
    ):
        super().__init__(message)
        self.message = message
        self.document = document
        self.field = field
        self.line = line
        self.errors = errors if errors is not None else [self]

    def __str__(self) -> str:
        return self.message

    def __repr__(self) -> str:
        return f"CatalogError({self.message!r}, document={self.document}, field={self.field!r}, line={self.line})"


def _check_size(text: str, max_bytes: int) -> None:
    if not isinstance(text, str):
        raise CatalogError(f"expected YAML text (str), got {type(text).__name__}")
    # len() in characters is a lower bound of the UTF-8 size: a 50 MB string fails here without
    # being encoded; only text near the limit pays for the exact count.
    size = len(text)
    if size <= max_bytes and size * 4 > max_bytes:
        size = len(text.encode("utf-8", "surrogatepass"))
    if size > max_bytes:
        raise CatalogError(f"the YAML text is {size:,} bytes; the limit is {max_bytes:,} bytes")


def _line(mark) -> int | None:
    return mark.line + 1 if mark is not None else None


def _scan(text: str, *, max_documents: int, max_nodes: int) -> list[int]:
    """First pass over the event stream: enforce the limits, return each document's first line."""
    loader = _Loader(text)
    starts: list[int] = []
    nodes = depth = 0
    try:
        while loader.check_event():
            event = loader.get_event()
            if isinstance(event, yaml.DocumentStartEvent):
                if len(starts) >= max_documents:
                    raise CatalogError(
                        f"more than {max_documents:,} YAML documents", len(starts) + 1, None, _line(event.start_mark)
                    )
                starts.append(_line(event.start_mark) or 1)
                continue
            document = len(starts) or None
            if isinstance(event, yaml.AliasEvent):
                raise CatalogError(
                    f"YAML aliases are not allowed (*{event.anchor} at line {_line(event.start_mark)}); "
                    "write the value out instead",
                    document,
                    None,
                    _line(event.start_mark),
                )
            if isinstance(event, yaml.NodeEvent):  # scalar, sequence start, mapping start
                nodes += 1
                if nodes > max_nodes:
                    raise CatalogError(
                        f"the YAML text has more than {max_nodes:,} values", document, None, _line(event.start_mark)
                    )
                tag = getattr(event, "tag", None)
                if tag is not None and tag not in _SAFE_TAGS:
                    shown = tag.replace("tag:yaml.org,2002:", "!!")
                    raise CatalogError(
                        f"YAML tag {shown} is not allowed (only plain strings, numbers, booleans, dates, "
                        "lists and mappings)",
                        document,
                        None,
                        _line(event.start_mark),
                    )
                if isinstance(event, yaml.CollectionStartEvent):
                    depth += 1
                    if depth > MAX_DEPTH:
                        raise CatalogError(
                            f"the YAML is nested more than {MAX_DEPTH} levels deep", document, None,
                            _line(event.start_mark),
                        )
            elif isinstance(event, yaml.CollectionEndEvent):
                depth -= 1
    except yaml.MarkedYAMLError as exc:
        raise _syntax_error(exc, len(starts) or 1) from None
    except yaml.YAMLError as exc:  # reader errors (control characters) carry no problem_mark
        raise CatalogError(f"invalid YAML: {exc}", len(starts) or 1) from None
    finally:
        loader.dispose()
    return starts


def _syntax_error(exc: yaml.MarkedYAMLError, document: int) -> CatalogError:
    mark = exc.problem_mark or exc.context_mark
    line = _line(mark)
    problem = exc.problem or "invalid YAML"
    context = f" {exc.context}" if exc.context else ""
    where = f" at line {line}" if line else ""
    return CatalogError(f"invalid YAML{where}: {problem}{context}", document, None, line)


def load_all_lines(
    text: str, *, max_bytes: int = 5_000_000, max_documents: int = 2_000, max_nodes: int = 500_000
) -> list[tuple[int, Any]]:
    """Like ``load_all`` but pairs each document with the 1-based line it starts on."""
    _check_size(text, max_bytes)
    starts = _scan(text, max_documents=max_documents, max_nodes=max_nodes)
    loader = _Loader(text)
    documents: list[Any] = []
    try:
        while loader.check_data():
            documents.append(loader.get_data())
    except yaml.MarkedYAMLError as exc:  # constructor errors, e.g. an impossible timestamp
        raise _syntax_error(exc, len(documents) + 1) from None
    except (yaml.YAMLError, ValueError, OverflowError) as exc:
        raise CatalogError(f"invalid YAML value: {exc}", len(documents) + 1) from None
    finally:
        loader.dispose()
    # Both passes see the same documents; the guard keeps a libyaml surprise from misnumbering them.
    if len(starts) != len(documents):
        starts = list(range(1, len(documents) + 1))
    return list(zip(starts, documents, strict=True))


def load_all(
    text: str, *, max_bytes: int = 5_000_000, max_documents: int = 2_000, max_nodes: int = 500_000
) -> list:
    """Every document of a multi-document YAML text, loaded safely and within the given limits.

    Refuses (``CatalogError``): text over ``max_bytes`` (before parsing), any alias (``*name``;
    Backstage files never need them), tags outside the YAML core schema, more than
    ``max_documents`` documents or ``max_nodes`` values, nesting deeper than ``MAX_DEPTH``, and
    invalid YAML (with the 1-based line and document). Empty documents load as ``None``.
    """
    return [data for _, data in load_all_lines(text, max_bytes=max_bytes, max_documents=max_documents,
                                               max_nodes=max_nodes)]
