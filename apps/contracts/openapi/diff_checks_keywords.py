"""Body/property checks of composition lists, discriminators and the OpenAPI 3.1 / JSON Schema 2020-12 keywords
(const, if/then/else, contains, prefixItems, patternProperties, dependent*, propertyNames, unevaluated*, content*).

A mixin of ``SchemaChecks``: it relies on its ``_say``, ``emit``, ``side``, ``status``, ``media_type`` and documents.
"""

from __future__ import annotations

from .diff_schema_model import annotation_only, subs_text
from .diff_walk import Node

_PRESENCE = {
    "if": "if",
    "then": "then",
    "else": "else",
    "contains": "contains",
    "propertyNames": "property-names",
    "unevaluatedItems": "unevaluated-items",
    "unevaluatedProperties": "unevaluated-properties",
    "contentSchema": "content-schema",
}

KEYWORD_KEYS = set(_PRESENCE) | {
    "patternProperties",
    "dependentSchemas",
    "prefixItems",
    "minContains",
    "maxContains",
    "contentMediaType",
    "contentEncoding",
    "const",
    "dependentRequired",
}


def _number(value):
    return value if isinstance(value, int | float) and not isinstance(value, bool) else None


class KeywordChecks:
    def _composition(self, node: Node, suppress_one_of: bool) -> None:
        d = node.diff
        for keyword, slug in (("oneOf", "one-of"), ("anyOf", "any-of"), ("allOf", "all-of")):
            subs = d.get(keyword)
            if subs is None or (suppress_one_of and keyword in ("oneOf", "anyOf")):
                continue
            for verb, items, schema, doc in (
                ("added", subs.added, d.rev, self.revision_doc),
                ("removed", subs.deleted, d.base, self.base_doc),
            ):
                if not items:
                    continue
                if keyword == "allOf":
                    nodes = schema.get("allOf") or []
                    notes = [
                        s for s in items if s.index < len(nodes) and annotation_only(doc.schema(nodes[s.index])[0])
                    ]
                    items = [s for s in items if s not in notes]
                    if notes:
                        self._say(node, f"{slug}-{verb}-annotation-only", subs_text(notes), name_last=True)
                    if not items:
                        continue
                self._say(node, f"{slug}-{verb}", subs_text(items), name_last=True, removal=verb == "removed")

    def _discriminator(self, node: Node) -> None:
        change = node.diff.get("discriminator")
        if change is None:
            return
        if change["added"] or change["removed"]:
            self._say(node, "discriminator-added" if change["added"] else "discriminator-removed")
            return
        if "property_name" in change:
            self._say(node, "discriminator-property-name-changed", *change["property_name"])
        if change["mapping_added"]:
            self._say(node, "discriminator-mapping-added", change["mapping_added"], name_last=True)
        if change["mapping_deleted"]:
            self._say(node, "discriminator-mapping-deleted", change["mapping_deleted"], name_last=True)
        for key, (before, after) in change["mapping_changed"].items():
            self._say(node, "discriminator-mapping-changed", key, before, after, name_last=True)

    def _keywords(self, node: Node) -> None:
        """OpenAPI 3.1 / JSON Schema 2020-12 keywords: const, if/then/else, contains, prefixItems ..."""
        d = node.diff
        for keyword, slug in _PRESENCE.items():
            sub = d.get(keyword)
            if sub is not None and ("added" in sub or "deleted" in sub):
                self._say(node, f"{slug}-added" if "added" in sub else f"{slug}-removed", removal="deleted" in sub)
        for keyword, slug in (("patternProperties", "pattern-property"), ("dependentSchemas", "dependent-schema")):
            mapping = d.get(keyword)
            if mapping is None:
                continue
            for key in mapping.added:
                self._say(node, f"{slug}-added", key, name_last=True)
            for key in mapping.deleted:
                self._say(node, f"{slug}-removed", key, name_last=True, removal=True)
        prefix = d.get("prefixItems")
        if prefix is not None:
            if prefix.added:
                self._say(node, "prefix-items-added", subs_text(prefix.added), name_last=True, status=False)
            if prefix.deleted:
                self._say(node, "prefix-items-removed", subs_text(prefix.deleted), name_last=True, status=False)
        for keyword, slug in (("minContains", "min-contains"), ("maxContains", "max-contains")):
            change = d.get(keyword)
            if change is not None and _number(change[0]) is not None and _number(change[1]) is not None:
                self._say(node, f"{slug}-{'increased' if change[1] > change[0] else 'decreased'}", *change)
        for keyword, slug in (("contentMediaType", "content-media-type"), ("contentEncoding", "content-encoding")):
            if d.get(keyword) is not None:
                self._say(node, f"{slug}-changed", *d.f[keyword])
        const = d.get("const")
        if const is not None:
            core = (self.media_type,) if node.is_root else ()
            if const[0] is None:
                self._say(node, "const-added", *core, const[1])
            elif const[1] is None:
                self._say(node, "const-removed", *core, const[0], removal=True)
            else:
                self._say(node, "const-changed", *core, *const)
        dependent = d.get("dependentRequired")
        if dependent is not None:
            for verb in ("added", "deleted"):
                for key, names in dependent[verb].items():
                    detail = f"{key} -> {', '.join(map(str, names)) if isinstance(names, list) else names}"
                    rest = "dependent-required-" + ("added" if verb == "added" else "removed")
                    self._dependent(node, rest, detail)
            for key in dependent["changed"]:
                self._say(node, "dependent-required-changed", key)

    def _dependent(self, node: Node, rest: str, detail: str) -> None:
        args = [] if node.is_root else [node.full]
        if self.side == "response":
            args.append(self.status)
        args.append(detail)
        self.emit(self._id("body" if node.is_root else "property", rest), node.rptr, *args)
