"""oasdiff's request-body / response-body checks: the body schema itself and every property below it.

``SchemaChecks(emit, side, media_type, status).run(diff, base_pointer, revision_pointer)`` emits through
``emit(change_id, location, *args)``; ``side`` is "request" or "response".
"""

from __future__ import annotations

from .diff_checks_keywords import KEYWORD_KEYS, KeywordChecks
from .diff_dates import parse_sunset, today
from .diff_doc import Doc
from .diff_schema_model import SchemaDiff
from .diff_types import CHANGED, NARROWED, WIDENED, describe, is_json_media_type, label, verdict
from .diff_walk import Node, walk

STABILITY = {"draft": 0, "alpha": 1, "beta": 2, "stable": 3}

# keyword -> (id slug, kind): kind "max" narrows when lowered, "min" narrows when raised
_BOUNDS = {
    "maximum": ("max", "max"),
    "minimum": ("min", "min"),
    "maxLength": ("max-length", "max"),
    "minLength": ("min-length", "min"),
    "minItems": ("min-items", "min"),
    "exclusiveMaximum": ("exclusive-max", "max"),
    "exclusiveMinimum": ("exclusive-min", "min"),
}
_ZERO_DEFAULT = {"minLength", "minItems"}  # absent means 0
_COMPOSITION = {"oneOf", "anyOf", "allOf"}


def _number(value):
    return value if isinstance(value, int | float) and not isinstance(value, bool) else None


class SchemaChecks(KeywordChecks):
    def __init__(self, emit, side: str, media_type: str, status: str | None, base_doc: Doc, revision_doc: Doc):
        self.emit = emit
        self.side = side
        self.media_type = media_type
        self.status = status
        self.base_doc, self.revision_doc = base_doc, revision_doc
        self.request = side == "request"

    # --- emission helpers ---

    def _id(self, scope: str, rest: str) -> str:
        return f"{self.side}-{scope}-{rest}"

    def _say(self, node: Node, rest: str, *core, status=True, removal=False, name_last=False, change_id=None):
        scope = "body" if node.is_root else "property"
        args = list(core)
        if not node.is_root:
            args = args + [node.full] if name_last else [node.full, *args]
        if status and self.side == "response":
            args.append(self.status)
        self.emit(change_id or self._id(scope, rest), node.bptr if removal else node.rptr, *args)

    # --- entry point ---

    def run(self, diff: SchemaDiff, bptr: str, rptr: str) -> None:
        for node in walk(diff, bptr, rptr):
            self.node(node)

    def node(self, node: Node) -> None:
        d = node.diff
        if not d.local:
            return
        keys = d.f.keys()
        wrapping = d.get("wrapping") if node.is_root else None
        if wrapping:
            self.emit(f"{self.side}-body-wrapped-in-one-of", node.rptr)
        list_of_types = d.get("list_of_types")
        if list_of_types is not None:
            self._list_of_types(node, list_of_types)
        elif ("type" in keys or "format" in keys) and not (wrapping and "type" in d and not d.rev.get("type")):
            self._type(node)
        if "enum" in keys:
            self._enum(node)
        if "nullable" in keys:
            self._nullable(node)
        if keys & _BOUNDS.keys():
            self._bounds(node)
        if "default" in keys:
            self._default(node)
        if keys & _COMPOSITION:
            self._composition(node, suppress_one_of=bool(wrapping) or list_of_types is not None)
        if "discriminator" in keys:
            self._discriminator(node)
        if keys & KEYWORD_KEYS:
            self._keywords(node)
        if "required" in keys:
            self._required(node)
        if "properties" in keys:
            self._properties(node, moved=set(wrapping or ()))
        if not node.is_root:
            if "pattern" in keys:
                self._pattern(node)
            if "readOnly" in keys or "writeOnly" in keys:
                self._access(node)
            if "deprecated" in keys or "x" in keys:
                self._lifecycle(node)
            if self.request and "x" in keys:
                self._extensible_enum(node)

    # --- checks ---

    def _type(self, node: Node) -> None:
        d = node.diff
        if "type" not in d and "format" not in d:
            return
        if self.request and not node.is_root and d.rev.get("readOnly"):
            return
        how = verdict(d, is_json_media_type(self.media_type))
        if self.request:
            rest = "type-generalized" if how == WIDENED else "type-changed"
        else:
            rest = {WIDENED: "type-generalized", NARROWED: "type-specialized", CHANGED: "type-changed"}[how]
        self._say(node, rest, label(d), describe(d.base), describe(d.rev))

    def _list_of_types(self, node: Node, list_of_types) -> None:
        added, removed = list_of_types
        status = (self.status,) if self.side == "response" else ()
        if added:
            self._say(node, "list-of-types-widened", added, self.media_type, *status, status=False)
        if removed:
            self._say(node, "list-of-types-narrowed", removed, self.media_type, *status, status=False)

    def _enum(self, node: Node) -> None:
        enum = node.diff.get("enum")
        if enum is None:
            return
        d = node.diff
        if self.request:
            if not node.is_root and d.rev.get("readOnly"):
                for value in [] if enum.enum_deleted else enum.deleted:
                    self.emit("request-read-only-property-enum-value-removed", node.bptr, value, node.full)
                return
            if enum.enum_added:
                self._say(node, "became-enum")
                return
            if enum.enum_deleted:
                return
            for value in enum.deleted:
                if node.is_root:
                    self.emit("request-body-enum-value-removed", node.bptr, value)
                else:
                    self.emit("request-property-enum-value-removed", node.bptr, value, node.full)
            if not node.is_root:
                for value in enum.added:
                    self.emit("request-property-enum-value-added", node.rptr, value, node.full)
            return
        if enum.enum_added or enum.enum_deleted:
            return
        if node.is_root:
            for value in enum.deleted:
                self.emit("response-mediatype-enum-value-removed", node.bptr, self.media_type, value)
            return
        added_id = "response-write-only-property-enum-value-added" if d.rev.get("writeOnly") else None
        for value in enum.added:
            self.emit(added_id or "response-property-enum-value-added", node.rptr, value, node.full, self.status)
        for value in enum.deleted:
            self.emit("response-property-enum-value-removed", node.bptr, value, node.full, self.status)

    def _nullable(self, node: Node) -> None:
        change = node.diff.get("nullable")
        if change is None:
            return
        self._say(node, "became-nullable" if change[1] else "became-not-nullable", status=not node.is_root)

    def _bounds(self, node: Node) -> None:
        d = node.diff
        read_only = self.request and not node.is_root and bool(d.rev.get("readOnly"))
        for keyword, (slug, kind) in _BOUNDS.items():
            change = d.get(keyword)
            if change is None:
                continue
            before, after = _number(change[0]), _number(change[1])
            if keyword in _ZERO_DEFAULT:
                before, after = before or 0, after or 0
                if before == after:
                    continue
            if before is None and after is None:
                continue
            narrows_up = kind == "min"  # raising a min / lowering a max narrows
            if self.request:
                if before is None or (keyword in _ZERO_DEFAULT and before == 0 and slug == "min-items"):
                    self._say(node, f"{slug}-set", after, status=False)
                    continue
                if after is None:
                    continue
                narrowed = after > before if narrows_up else after < before
                verb = ("increased" if after > before else "decreased")
                if narrowed and read_only:
                    self.emit(f"request-read-only-property-{slug}-{verb}", node.rptr, node.full, before, after)
                else:
                    self._say(node, f"{slug}-{verb}", before, after, status=False)
                continue
            if after is None or (keyword in _ZERO_DEFAULT and after == 0):
                self._say(node, f"{slug}-unset", before, status=not node.is_root, removal=True)
                continue
            if before is None:
                continue
            verb = "increased" if after > before else "decreased"
            self._say(node, f"{slug}-{verb}", before, after, status=not node.is_root)

    def _default(self, node: Node) -> None:
        change = node.diff.get("default")
        if change is None:
            return
        before, after = change
        core = (self.media_type,) if node.is_root else ()
        if before is None:
            self._say(node, "default-value-added", *core, after)
        elif after is None:
            self._say(node, "default-value-removed", *core, before, removal=True)
        else:
            self._say(node, "default-value-changed", *core, before, after)

    def _required(self, node: Node) -> None:
        change = node.diff.get("required")
        if change is None:
            return
        added, deleted = change
        d = node.diff
        props_b = d.base.get("properties") if isinstance(d.base.get("properties"), dict) else {}
        props_r = d.rev.get("properties") if isinstance(d.rev.get("properties"), dict) else {}
        for names, became in ((added, "required"), (deleted, "optional")):
            for name in names:
                if name not in props_b or name not in props_r:
                    continue
                prop = self.revision_doc.schema(props_r[name])[0]
                full = f"{node.full}/{name}" if node.full else name
                loc = f"{node.rptr}/properties/{name.replace('~', '~0').replace('/', '~1')}"
                if self.request:
                    if prop.get("readOnly"):
                        continue
                    change_id = f"request-property-became-{became}"
                    if became == "required" and "default" in prop:
                        change_id = "request-property-became-required-with-default"
                    self.emit(change_id, loc, full)
                else:
                    kind = "write-only-property" if prop.get("writeOnly") else "property"
                    self.emit(f"response-{kind}-became-{became}", loc, full, self.status)

    def _properties(self, node: Node, moved: set[str]) -> None:
        props = node.diff.get("properties")
        if props is None:
            return
        d = node.diff
        base_props, rev_props = d.base.get("properties") or {}, d.rev.get("properties") or {}
        for name in props.deleted:
            if name in moved:
                continue
            prop = self.base_doc.schema(base_props[name])[0]
            full = f"{node.full}/{name}" if node.full else name
            loc = f"{node.bptr}/properties/{name.replace('~', '~0').replace('/', '~1')}"
            if self.request:
                if not prop.get("readOnly"):
                    self.emit("request-property-removed", loc, full)
                continue
            kind = "required" if name in (d.base.get("required") or []) else "optional"
            write_only = "write-only-" if prop.get("writeOnly") else ""
            self.emit(f"response-{kind}-{write_only}property-removed", loc, full, self.status)
        for name in props.added:
            prop = self.revision_doc.schema(rev_props[name])[0]
            full = f"{node.full}/{name}" if node.full else name
            loc = f"{node.rptr}/properties/{name.replace('~', '~0').replace('/', '~1')}"
            required = name in (d.rev.get("required") or [])
            if self.request:
                if prop.get("readOnly"):
                    continue
                if not required:
                    self.emit("new-optional-request-property", loc, full)
                elif "default" in prop:
                    self.emit("new-required-request-property-with-default", loc, full)
                else:
                    self.emit("new-required-request-property", loc, full)
                continue
            write_only = "write-only-" if prop.get("writeOnly") else ""
            kind = "required" if required else "optional"
            self.emit(f"response-{kind}-{write_only}property-added", loc, full, self.status)

    def _pattern(self, node: Node) -> None:
        change = node.diff.get("pattern")
        if change is None:
            return
        before, after = change
        status = (self.status,) if self.side == "response" else ()
        if not after:
            if self.request:
                self.emit("request-property-pattern-removed", node.bptr, before, node.full)
            else:
                self.emit("response-property-pattern-removed", node.bptr, node.full, before, *status)
        elif not before:
            if self.request:
                self.emit("request-property-pattern-added", node.rptr, after, node.full)
            else:
                self.emit("response-property-pattern-added", node.rptr, node.full, after, *status)
        elif self.request:
            rest = "pattern-generalized" if after == ".*" else "pattern-changed"
            self.emit(f"request-property-{rest}", node.rptr, node.full, before, after)
        else:
            self.emit("response-property-pattern-changed", node.rptr, node.full, before, after, *status)

    def _access(self, node: Node) -> None:
        d = node.diff
        required = "required" if node.required_in_revision() else "optional"
        for keyword, word in (("readOnly", "read-only"), ("writeOnly", "write-only")):
            change = d.get(keyword)
            if change is None:
                continue
            became = word if change[1] else f"not-{word}"
            self._say(node, "", change_id=f"{self.side}-{required}-property-became-{became}")

    def _lifecycle(self, node: Node) -> None:
        d = node.diff
        deprecated = d.get("deprecated")
        if deprecated is not None:
            if deprecated[1]:
                sunset = d.rev.get("x-sunset")
                if sunset is None:
                    self._say(node, "deprecated", status=False)
                else:
                    date, error = parse_sunset(sunset)
                    if error:
                        self._say(node, "deprecated-sunset-invalid", error, status=False)
                    elif date < today():
                        self._say(node, "sunset-date-too-small", date.isoformat(), 0, status=False)
                    else:
                        self._say(node, "deprecated-with-sunset", date.isoformat(), status=False)
            else:
                self._say(node, "reactivated", status=False)
        stability = (d.get("x") or {}).get("x-stability-level")
        if stability is not None:
            before = STABILITY.get(stability[0] or "stable")
            after = STABILITY.get(stability[1] or "stable")
            if before is not None and after is not None and before != after:
                verb = "decreased" if after < before else "increased"
                self._say(node, f"stability-{verb}", stability[0] or "stable", stability[1] or "stable", status=False)

    def _extensible_enum(self, node: Node) -> None:
        change = (node.diff.get("x") or {}).get("x-extensible-enum")
        if change is None or not isinstance(change[0], list):
            return
        after = change[1] if isinstance(change[1], list) else []
        for value in change[0]:
            if value not in after:
                self.emit("request-property-x-extensible-enum-value-removed", node.bptr, value, node.full)
