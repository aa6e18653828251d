"""oasdiff's request-parameter and response-header checks."""

from __future__ import annotations

from .diff_dates import parse_sunset, today
from .diff_doc import Doc
from .diff_model import pointer
from .diff_schema import SchemaDiffer
from .diff_schema_model import SchemaDiff, types_of
from .diff_types import NARROWED, WIDENED, describe, label, verdict
from .diff_walk import walk

# keyword -> (id slug, whether oasdiff has a "-set" id for it)
_PARAM_BOUNDS = {
    "maximum": ("max", True),
    "minimum": ("min", True),
    "maxLength": ("max-length", True),
    "minLength": ("min-length", False),
    "minItems": ("min-items", True),
    "exclusiveMaximum": ("exclusive-max", True),
    "exclusiveMinimum": ("exclusive-min", True),
}


def _number(value):
    return value if isinstance(value, int | float) and not isinstance(value, bool) else None


def param_schema(doc: Doc, param: dict):
    """The parameter's schema node: ``schema``, else the schema of its first ``content`` media type."""
    if "schema" in param:
        return param["schema"]
    content = param.get("content")
    if isinstance(content, dict):
        for media in content.values():
            media = doc.obj(media)
            if "schema" in media:
                return media["schema"]
    return None


class ParamChecks:
    def __init__(self, emit, differ: SchemaDiffer, base_doc: Doc, revision_doc: Doc):
        self.emit = emit
        self.differ = differ
        self.base_doc, self.revision_doc = base_doc, revision_doc

    def removed(self, param: dict, location: str) -> None:
        where, name = param.get("in"), param.get("name")
        if not param.get("deprecated"):
            self.emit("request-parameter-removed", location, where, name)
            return
        sunset = param.get("x-sunset")
        if sunset is None:
            self.emit("request-parameter-removed-with-deprecation", location, where, name)
            return
        date, error = parse_sunset(sunset)
        if error:
            self.emit("request-parameter-sunset-parse", location, where, name, error)
        elif today() < date:
            self.emit("request-parameter-removed-before-sunset", location, where, name, date.isoformat())

    def added(self, param: dict, location: str) -> None:
        where, name = param.get("in"), param.get("name")
        if where == "path":
            self.emit("new-request-path-parameter", location, name)
        elif param.get("required"):
            self.emit("new-required-request-parameter", location, where, name)
        else:
            self.emit("new-optional-request-parameter", location, where, name)

    def modified(self, base: dict, rev: dict, bptr: str, rptr: str) -> None:
        where, name = rev.get("in"), rev.get("name")
        if bool(base.get("required")) != bool(rev.get("required")) and where != "path":
            became = "required" if rev.get("required") else "optional"
            self.emit(f"request-parameter-became-{became}", rptr, where, name)
        self._lifecycle(base, rev, rptr, where, name)
        diff = self.differ.diff(param_schema(self.base_doc, base), param_schema(self.revision_doc, rev))
        if diff is None or diff.base is None or diff.rev is None:
            return
        self._schema(diff, rev, pointer(bptr, "schema"), pointer(rptr, "schema"), where, name)

    def _lifecycle(self, base: dict, rev: dict, rptr: str, where, name) -> None:
        if bool(base.get("deprecated")) != bool(rev.get("deprecated")):
            if rev.get("deprecated"):
                self.emit("request-parameter-deprecated", rptr, where, name)
                date, error = parse_sunset(rev["x-sunset"]) if "x-sunset" in rev else (None, None)
                if date is not None and date < today():
                    self.emit("request-parameter-sunset-date-too-small", rptr, where, name, date.isoformat(), 0)
            else:
                self.emit("request-parameter-reactivated", rptr, where, name)
        elif rev.get("deprecated") and "x-sunset" in base and "x-sunset" not in rev:
            self.emit("request-parameter-sunset-deleted", rptr, where, name)
        elif rev.get("deprecated") and "x-sunset" in base and base.get("x-sunset") != rev.get("x-sunset"):
            before, after = parse_sunset(base["x-sunset"])[0], parse_sunset(rev["x-sunset"])[0]
            if before is not None and after is not None and after < before and after < today():
                args = (where, name, before.isoformat(), after.isoformat(), before.isoformat(), 0)
                self.emit("request-parameter-sunset-date-changed-too-small", rptr, *args)

    def _schema(self, diff: SchemaDiff, rev_param: dict, bptr: str, rptr: str, where, name) -> None:
        list_of_types = diff.get("list_of_types")
        if list_of_types is not None:
            if list_of_types[0]:
                self.emit("request-parameter-list-of-types-widened", rptr, where, name, list_of_types[0])
            if list_of_types[1]:
                self.emit("request-parameter-list-of-types-narrowed", rptr, where, name, list_of_types[1])
        elif "type" in diff or "format" in diff:
            how = verdict(diff, False)
            change_id = "request-parameter-type-generalized"
            if how != WIDENED and not self._scalar_to_form_array(diff, rev_param):
                change_id = "request-parameter-type-changed"
            self.emit(change_id, rptr, where, name, label(diff), describe(diff.base), describe(diff.rev))
        enum = diff.get("enum")
        if enum is not None:
            if enum.enum_added:
                self.emit("request-parameter-became-enum", rptr, where, name)
            elif not enum.enum_deleted:
                for value in enum.deleted:
                    self.emit("request-parameter-enum-value-removed", bptr, value, where, name)
                for value in enum.added:
                    self.emit("request-parameter-enum-value-added", rptr, value, where, name)
        extensible = (diff.get("x") or {}).get("x-extensible-enum")
        if extensible is not None and isinstance(extensible[0], list):
            after = extensible[1] if isinstance(extensible[1], list) else []
            for value in extensible[0]:
                if value not in after:
                    self.emit("request-parameter-x-extensible-enum-value-removed", bptr, value, where, name)
        if diff.get("nullable") is not None:
            became = "nullable" if diff.f["nullable"][1] else "not-nullable"
            self.emit(f"request-parameter-became-{became}", rptr, where, name)
        self._bounds(diff, rptr, where, name)
        self._pattern(diff, bptr, rptr, where, name)
        default = diff.get("default")
        if default is not None:
            if default[0] is None:
                self.emit("request-parameter-default-value-added", rptr, where, name, default[1])
            elif default[1] is None:
                self.emit("request-parameter-default-value-removed", bptr, where, name, default[0])
            else:
                self.emit("request-parameter-default-value-changed", rptr, where, name, *default)
        for node in walk(diff, bptr, rptr):
            if node.is_root:
                if where == "header":
                    self._header_object(node, name)
                continue
            self._property(node, where, name)
            if where == "header":
                self._header_object(node, name)

    def _scalar_to_form_array(self, diff: SchemaDiff, param: dict) -> bool:
        """A scalar widened to an array of the same scalar is compatible under form/explode serialization."""
        base_types, rev_types = types_of(diff.base), types_of(diff.rev)
        if rev_types != ["array"] or len(base_types) != 1 or base_types == ["array"]:
            return False
        where = param.get("in")
        style = param.get("style") or ("form" if where in ("query", "cookie") else "simple")
        explode = param.get("explode", style == "form")
        if style != "form" or not explode or not isinstance(diff.rev.get("items"), dict | bool):
            return False
        item_diff = self.differ.diff(dict(diff.base), diff.rev["items"])
        return item_diff is None or all(key in ("title", "description", "example", "examples") for key in item_diff.f)

    def _bounds(self, diff: SchemaDiff, rptr: str, where, name) -> None:
        for keyword, (slug, has_set) in _PARAM_BOUNDS.items():
            change = diff.get(keyword)
            if change is None:
                continue
            before, after = _number(change[0]), _number(change[1])
            if keyword in ("minLength", "minItems"):
                before, after = before or 0, after or 0
                if before == after:
                    continue
                if keyword == "minItems" and before == 0:
                    before = None
            if after is None or before == after:
                continue
            if before is None:
                if has_set:
                    self.emit(f"request-parameter-{slug}-set", rptr, where, name, after)
                continue
            verb = "increased" if after > before else "decreased"
            self.emit(f"request-parameter-{slug}-{verb}", rptr, where, name, before, after)
        max_items = diff.get("maxItems")
        if max_items is None and diff.get("items") is not None:
            max_items = diff.f["items"].get("maxItems")
        if max_items is not None and _number(max_items[0]) is not None and _number(max_items[1]) is not None:
            verb = "increased" if max_items[1] > max_items[0] else "decreased"
            self.emit(f"request-parameter-max-items-{verb}", rptr, where, name, *max_items)

    def _pattern(self, diff: SchemaDiff, bptr: str, rptr: str, where, name) -> None:
        change = diff.get("pattern")
        if change is None:
            return
        before, after = change
        if not before:
            self.emit("request-parameter-pattern-added", rptr, after, where, name)
        elif not after:
            self.emit("request-parameter-pattern-removed", bptr, before, where, name)
        else:
            rest = "generalized" if after == ".*" else "changed"
            self.emit(f"request-parameter-pattern-{rest}", rptr, where, name, before, after)

    def _property(self, node, where, name) -> None:
        d = node.diff
        list_of_types = d.get("list_of_types")
        if list_of_types is not None:
            for types, verb in ((list_of_types[0], "widened"), (list_of_types[1], "narrowed")):
                if types:
                    change_id = f"request-parameter-property-list-of-types-{verb}"
                    self.emit(change_id, node.rptr, node.full, where, name, types)
        elif "type" in d or "format" in d:
            strongly = verdict(d, True) != WIDENED
            loosely = verdict(d, False) != WIDENED
            if strongly != loosely:
                change_id = "request-parameter-property-type-changed"
            elif strongly:
                change_id = "request-parameter-property-type-specialized"
            else:
                change_id = "request-parameter-property-type-generalized"
            args = (where, name, label(d), node.full, describe(d.base), describe(d.rev))
            self.emit(change_id, node.rptr, *args)
        enum = d.get("enum")
        if enum is not None:
            if enum.enum_added:
                if where == "header":
                    self.emit("request-header-property-became-enum", node.rptr, name, node.full)
            elif not enum.enum_deleted:
                for value in enum.deleted:
                    self.emit("request-parameter-property-enum-value-removed", node.bptr, value, node.full, where, name)
                for value in enum.added:
                    self.emit("request-parameter-property-enum-value-added", node.rptr, value, node.full, where, name)
        if d.get("nullable") is not None:
            became = "nullable" if d.f["nullable"][1] else "not-nullable"
            self.emit(f"request-parameter-property-became-{became}", node.rptr, node.full, where, name)

    def _header_object(self, node, name) -> None:
        d = node.diff
        required = d.get("required")
        props_b = d.base.get("properties") if isinstance(d.base.get("properties"), dict) else {}
        props_r = d.rev.get("properties") if isinstance(d.rev.get("properties"), dict) else {}
        prefix = f"{node.full}/" if node.full else ""
        if required is not None:
            for prop in required[0]:
                if prop in props_b and prop in props_r:
                    self.emit("request-header-property-became-required", node.rptr, name, prefix + prop)
        props = d.get("properties")
        if props is not None:
            for prop in props.added:
                if prop in (d.rev.get("required") or []):
                    location = pointer(node.rptr, "properties", prop)
                    self.emit("new-required-request-header-property", location, name, prefix + prop)


class HeaderChecks:
    """Response headers of one response status."""

    def __init__(self, emit, differ: SchemaDiffer, base_doc: Doc, revision_doc: Doc):
        self.emit = emit
        self.differ = differ
        self.base_doc, self.revision_doc = base_doc, revision_doc

    def run(self, base_headers: dict, rev_headers: dict, status: str, bptr: str, rptr: str) -> None:
        for header, node in base_headers.items():
            if header in rev_headers:
                continue
            required = self.base_doc.obj(node).get("required")
            change_id = "required-response-header-removed" if required else "optional-response-header-removed"
            self.emit(change_id, pointer(bptr, header), header, status)
        for header in rev_headers:
            if header not in base_headers:
                self.emit("response-header-added", pointer(rptr, header), header, status)
        for header, node in base_headers.items():
            if header not in rev_headers:
                continue
            base, rev = self.base_doc.obj(node), self.revision_doc.obj(rev_headers[header])
            location = pointer(rptr, header)
            if base.get("required") and not rev.get("required"):
                self.emit("response-header-became-optional", location, header, status)
            diff = self.differ.diff(param_schema(self.base_doc, base), param_schema(self.revision_doc, rev))
            if diff is None or diff.base is None or diff.rev is None:
                continue
            if "type" in diff or "format" in diff:
                # a header value travels as text: a change that only a strongly typed reading would reject is
                # "compatible" (oasdiff's response-header-type-compatible)
                how, strict = verdict(diff, False), verdict(diff, True)
                if how == WIDENED:
                    change_id = "generalized" if strict == WIDENED else "compatible"
                else:
                    change_id = "specialized" if how == NARROWED else "changed"
                args = (header, label(diff), describe(diff.base), describe(diff.rev), status)
                self.emit(f"response-header-type-{change_id}", location, *args)
            if diff.get("nullable") is not None:
                became = "nullable" if diff.f["nullable"][1] else "not-nullable"
                self.emit(f"response-header-became-{became}", location, header, status)

