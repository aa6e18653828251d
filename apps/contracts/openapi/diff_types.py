"""Type/format compatibility rules of oasdiff (``breakingTypeFormatChangedIn*``, ``isTypeContained``)."""

from __future__ import annotations

from .diff_schema_model import SchemaDiff, types_of

WIDENED, NARROWED, CHANGED = "widened", "narrowed", "changed"


def is_json_media_type(media_type: str | None) -> bool:
    """oasdiff's "strongly typed" media types: application/json and application/vnd.*+json."""
    if not media_type:
        return False
    media_type = media_type.split(";", 1)[0].strip().lower()
    return media_type == "application/json" or (
        media_type.startswith("application/vnd.") and media_type.endswith("+json")
    )


def _type_contained(to: list[str], from_: list[str], strongly_typed: bool) -> bool:
    """Every value of type ``from_`` is also valid under ``to``."""
    if to == ["number"] and from_ == ["integer"]:
        return True
    if not strongly_typed:
        return not to or to == ["string"]
    return False


def _format_contained(kind: str, to, from_) -> bool:
    if kind == "number":
        return to == "double" and from_ == "float"
    if kind == "integer":
        return (to, from_) in (("int64", "int32"), ("bigint", "int32"), ("bigint", "int64"))
    if kind == "string":
        return to == "date-time" and from_ in ("date", "time")
    return False


def verdict(diff: SchemaDiff, strongly_typed: bool) -> str | None:
    """How the revision's type/format relates to the base's: widened, narrowed, changed, or None (unchanged)."""
    if "type" in diff:
        base, rev = types_of(diff.base), types_of(diff.rev)
        if _type_contained(rev, base, strongly_typed):
            return WIDENED
        if _type_contained(base, rev, strongly_typed):
            return NARROWED
        return CHANGED
    if "format" in diff:
        rev_types = types_of(diff.rev)
        if len(rev_types) != 1:
            return CHANGED
        before, after = diff.f["format"]
        if _format_contained(rev_types[0], after, before):
            return WIDENED
        if _format_contained(rev_types[0], before, after):
            return NARROWED
        return CHANGED
    return None


def label(diff: SchemaDiff) -> str:
    """"type", "format" or "type/format": what changed."""
    if "type" in diff and "format" in diff:
        return "type/format"
    return "type" if "type" in diff else "format"


def describe(schema: dict | None) -> str:
    """"string", "integer/int32": a schema's type and format as oasdiff prints them."""
    if not schema:
        return ""
    kinds = ", ".join(types_of(schema))
    fmt = schema.get("format")
    return f"{kinds}/{fmt}" if fmt else kinds
