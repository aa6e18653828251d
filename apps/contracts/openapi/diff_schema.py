"""Structural diff of two JSON schemas, in the shape of oasdiff's ``SchemaDiff`` (only what changed).

Each pair of schema nodes is compared once (memoised by node identity); a pair met again while it is still
being compared (a recursive schema) counts as unchanged at that point, so cycles terminate. References whose
target is identical in both documents (transitively) are skipped without being walked.
"""

from __future__ import annotations

from .diff_doc import Doc
from .diff_schema_model import (
    BOOL_KEYS,
    LIST_KEYS,
    MAP_KEYS,
    SUBSCHEMA_KEYS,
    VALUE_KEYS,
    EnumDiff,
    MapDiff,
    ModifiedSub,
    SchemaDiff,
    Sub,
    SubsDiff,
    enum_key,
    is_nullable,
    required_of,
    same_value,
    types_of,
)


def _component(ref: str | None) -> str:
    return ref.rsplit("/", 1)[-1] if ref else ""


#: Schemas nested deeper than this (inline, not through a $ref cycle) are compared as plain values below it,
#: so that no document can exhaust the interpreter's stack.
MAX_NESTING = 200


class SchemaDiffer:
    def __init__(self, base: Doc, revision: Doc, stable: set[str] | frozenset = frozenset()):
        self.b, self.r = base, revision
        self.stable = stable
        self.memo: dict[tuple[int, int], SchemaDiff | None] = {}
        self.active: set[tuple[int, int]] = set()

    def diff(self, base_node, revision_node) -> SchemaDiff | None:
        if base_node is None and revision_node is None:
            return None
        if base_node is None:
            return SchemaDiff(None, self.r.schema(revision_node)[0], {"added": True})
        if revision_node is None:
            return SchemaDiff(self.b.schema(base_node)[0], None, {"deleted": True})
        base, base_ref = self.b.schema(base_node)
        rev, rev_ref = self.r.schema(revision_node)
        if base_ref is not None and base_ref == rev_ref and base_ref in self.stable:
            return None
        key = (id(base), id(rev))
        if key in self.memo:
            return self.memo[key]
        if key in self.active:
            return None
        if len(self.active) >= MAX_NESTING:
            return None if same_value(base, rev) else SchemaDiff(base, rev, {"nested": (None, None)})
        self.active.add(key)
        try:
            result = self._compute(base, rev)
        finally:
            self.active.discard(key)
        self.memo[key] = result
        return result

    def _compute(self, b: dict, r: dict) -> SchemaDiff | None:
        f: dict = {}
        if b.get("$ref") != r.get("$ref"):  # opaque (external) references left unresolved
            f["ref"] = (b.get("$ref"), r.get("$ref"))
        base_types, rev_types = types_of(b), types_of(r)
        if base_types != rev_types:
            added = [t for t in rev_types if t not in base_types]
            deleted = [t for t in base_types if t not in rev_types]
            if added or deleted:
                f["type"] = (added, deleted)
        if is_nullable(b) != is_nullable(r):
            f["nullable"] = (is_nullable(b), is_nullable(r))
        for key in VALUE_KEYS:
            vb, vr = b.get(key), r.get(key)
            if not same_value(vb, vr) or isinstance(vb, bool) != isinstance(vr, bool):
                f[key] = (vb, vr)
        for key in BOOL_KEYS:
            vb, vr = bool(b.get(key)), bool(r.get(key))
            if vb != vr:
                f[key] = (vb, vr)
        for key in ("additionalProperties", "unevaluatedItems", "unevaluatedProperties"):
            vb, vr = b.get(key), r.get(key)
            if isinstance(vb, bool) or isinstance(vr, bool):
                flag_b = vb if isinstance(vb, bool) else None
                flag_r = vr if isinstance(vr, bool) else None
                if flag_b != flag_r:
                    f[key + "Allowed"] = (flag_b, flag_r)
        self._enum(b, r, f)
        self._required(b, r, f)
        self._extensions(b, r, f)
        self._discriminator(b, r, f)
        self._dependent_required(b, r, f)
        for key in SUBSCHEMA_KEYS:
            vb, vr = b.get(key), r.get(key)
            if isinstance(vb, bool) and key in ("additionalProperties", "unevaluatedItems", "unevaluatedProperties"):
                vb = None
            if isinstance(vr, bool) and key in ("additionalProperties", "unevaluatedItems", "unevaluatedProperties"):
                vr = None
            vb = vb if isinstance(vb, dict | bool) else None
            vr = vr if isinstance(vr, dict | bool) else None
            if vb is None and vr is None:
                continue
            sub = self.diff(vb, vr)
            if sub is not None:
                f[key] = sub
        for key in MAP_KEYS:
            mb, mr = b.get(key), r.get(key)
            mb = mb if isinstance(mb, dict) else {}
            mr = mr if isinstance(mr, dict) else {}
            if not mb and not mr:
                continue
            added = [name for name in mr if name not in mb]
            deleted = [name for name in mb if name not in mr]
            modified = {}
            for name, node in mb.items():
                if name in mr:
                    sub = self.diff(node, mr[name])
                    if sub is not None:
                        modified[name] = sub
            if added or deleted or modified:
                f[key] = MapDiff(added, deleted, modified)
        for key in LIST_KEYS:
            lb, lr = b.get(key), r.get(key)
            lb = lb if isinstance(lb, list) else []
            lr = lr if isinstance(lr, list) else []
            if lb or lr:
                subs = self._subschemas(lb, lr)
                if subs is not None:
                    f[key] = subs
        if not f:
            return None
        self._derived(b, r, f)
        return SchemaDiff(b, r, f)

    # --- keyword helpers ---

    @staticmethod
    def _enum(b: dict, r: dict, f: dict) -> None:
        eb, er = b.get("enum"), r.get("enum")
        eb = eb if isinstance(eb, list) else None
        er = er if isinstance(er, list) else None
        if eb == er:
            return
        keys_b = {enum_key(value): value for value in eb or []}
        keys_r = {enum_key(value): value for value in er or []}
        added = [value for key, value in keys_r.items() if key not in keys_b]
        deleted = [value for key, value in keys_b.items() if key not in keys_r]
        enum_added, enum_deleted = not eb and bool(er), bool(eb) and not er
        if added or deleted or enum_added or enum_deleted:
            f["enum"] = EnumDiff(added, deleted, enum_added, enum_deleted)

    @staticmethod
    def _required(b: dict, r: dict, f: dict) -> None:
        rb, rr = required_of(b), required_of(r)
        if rb != rr:
            added = [name for name in rr if name not in rb]
            deleted = [name for name in rb if name not in rr]
            if added or deleted:
                f["required"] = (added, deleted)

    @staticmethod
    def _extensions(b: dict, r: dict, f: dict) -> None:
        changed = {}
        for key in set(b) | set(r):
            if isinstance(key, str) and key.startswith("x-") and b.get(key) != r.get(key):
                changed[key] = (b.get(key), r.get(key))
        if changed:
            f["x"] = changed

    @staticmethod
    def _discriminator(b: dict, r: dict, f: dict) -> None:
        db, dr = b.get("discriminator"), r.get("discriminator")
        db = db if isinstance(db, dict) else None
        dr = dr if isinstance(dr, dict) else None
        if db == dr:
            return
        if db is None or dr is None:
            f["discriminator"] = {"added": db is None, "removed": dr is None}
            return
        out: dict = {"added": False, "removed": False}
        if db.get("propertyName") != dr.get("propertyName"):
            out["property_name"] = (db.get("propertyName"), dr.get("propertyName"))
        mb = db.get("mapping") if isinstance(db.get("mapping"), dict) else {}
        mr = dr.get("mapping") if isinstance(dr.get("mapping"), dict) else {}
        out["mapping_added"] = [key for key in mr if key not in mb]
        out["mapping_deleted"] = [key for key in mb if key not in mr]
        out["mapping_changed"] = {key: (mb[key], mr[key]) for key in mb if key in mr and mb[key] != mr[key]}
        f["discriminator"] = out

    @staticmethod
    def _dependent_required(b: dict, r: dict, f: dict) -> None:
        db, dr = b.get("dependentRequired"), r.get("dependentRequired")
        db = db if isinstance(db, dict) else {}
        dr = dr if isinstance(dr, dict) else {}
        if db == dr:
            return
        f["dependentRequired"] = {
            "added": {key: dr[key] for key in dr if key not in db},
            "deleted": {key: db[key] for key in db if key not in dr},
            "changed": {key: (db[key], dr[key]) for key in db if key in dr and db[key] != dr[key]},
        }

    def _subschemas(self, lb: list, lr: list) -> SubsDiff | None:
        """oasdiff's matching: $refs by ref string, inline ones by identical content, then title, then the last
        untitled pair."""
        added: list[Sub] = []
        deleted: list[Sub] = []
        modified: list[ModifiedSub] = []
        base_refs = [(i, n["$ref"]) for i, n in enumerate(lb) if isinstance(n, dict) and isinstance(n.get("$ref"), str)]
        rev_refs = [(i, n["$ref"]) for i, n in enumerate(lr) if isinstance(n, dict) and isinstance(n.get("$ref"), str)]
        used: set[int] = set()
        for i, ref in base_refs:
            j = next((j for j, other in rev_refs if other == ref and j not in used), None)
            if j is None:
                deleted.append(Sub(i, _component(ref)))
                continue
            used.add(j)
            sub = self.diff(lb[i], lr[j])
            if sub is not None:
                modified.append(self._modified(lb[i], lr[j], i, j, sub))
        added.extend(Sub(j, _component(ref)) for j, ref in rev_refs if j not in used)

        inline_b = [i for i, n in enumerate(lb) if not (isinstance(n, dict) and isinstance(n.get("$ref"), str))]
        inline_r = [j for j, n in enumerate(lr) if not (isinstance(n, dict) and isinstance(n.get("$ref"), str))]
        matched: set[int] = set()
        deleted_idx = []
        for i in inline_b:
            j = next((j for j in inline_r if j not in matched and self.diff(lb[i], lr[j]) is None), None)
            if j is None:
                deleted_idx.append(i)
            else:
                matched.add(j)
        added_idx = [j for j in inline_r if j not in matched]
        title_b = {i: self.b.schema(lb[i])[0].get("title") or "" for i in deleted_idx}
        title_r = {j: self.r.schema(lr[j])[0].get("title") or "" for j in added_idx}
        for j in list(added_idx):
            title = title_r[j]
            if not title:
                continue
            i = next((i for i in deleted_idx if title_b[i] == title), None)
            if i is None:
                continue
            added_idx.remove(j)
            deleted_idx.remove(i)
            sub = self.diff(lb[i], lr[j])
            if sub is not None:
                modified.append(self._modified(lb[i], lr[j], i, j, sub))
        if len(added_idx) == 1 and len(deleted_idx) == 1 and not title_b[deleted_idx[0]] and not title_r[added_idx[0]]:
            i, j = deleted_idx.pop(), added_idx.pop()
            sub = self.diff(lb[i], lr[j])
            if sub is not None:
                modified.append(self._modified(lb[i], lr[j], i, j, sub))
        added.extend(Sub(j, "", title_r[j]) for j in added_idx)
        deleted.extend(Sub(i, "", title_b[i]) for i in deleted_idx)
        if not added and not deleted and not modified:
            return None
        return SubsDiff(added, deleted, modified)

    def _modified(self, node_b, node_r, i: int, j: int, sub: SchemaDiff) -> ModifiedSub:
        ref_b = node_b.get("$ref") if isinstance(node_b, dict) else None
        ref_r = node_r.get("$ref") if isinstance(node_r, dict) else None
        return ModifiedSub(
            Sub(i, _component(ref_b), self.b.schema(node_b)[0].get("title") or ""),
            Sub(j, _component(ref_r), self.r.schema(node_r)[0].get("title") or ""),
            sub,
        )

    # --- derived recognitions (oasdiff's ListOfTypesDiff / OneOfWrappingDiff) ---

    @staticmethod
    def _simple_types(doc: Doc, schemas) -> list[str] | None:
        if not isinstance(schemas, list) or not schemas:
            return []
        found = []
        for node in schemas:
            alt = doc.schema(node)[0]
            kind = alt.get("type")
            kind = kind[0] if isinstance(kind, list) and len(kind) == 1 else kind
            if not isinstance(kind, str) or any(alt.get(k) for k in ("properties", "oneOf", "anyOf", "allOf")):
                return None
            found.append(kind)
        return found

    def _type_pattern(self, doc: Doc, schema: dict) -> tuple[list[str], bool] | None:
        """oasdiff's detectTypePattern: (types, is a oneOf/anyOf list) or None."""
        if schema.get("not") is not None or schema.get("allOf") or schema.get("properties"):
            return None
        kind = schema.get("type")
        if isinstance(kind, str):
            return [kind], False
        if isinstance(kind, list) and kind and isinstance(kind[0], str):
            return [kind[0]], False
        one_of, any_of = self._simple_types(doc, schema.get("oneOf")), self._simple_types(doc, schema.get("anyOf"))
        for found in (one_of, any_of):
            if found:
                return found, True
        for found in (one_of, any_of):
            if found is not None:
                return found, True
        return None

    def _derived(self, b: dict, r: dict, f: dict) -> None:
        base_pattern, rev_pattern = self._type_pattern(self.b, b), self._type_pattern(self.r, r)
        equal = (base_pattern is None and rev_pattern is None) or (
            base_pattern is not None
            and rev_pattern is not None
            and len(base_pattern[0]) == len(rev_pattern[0])
            and set(rev_pattern[0]) <= set(base_pattern[0])
        )
        if not equal and ((base_pattern and base_pattern[1]) or (rev_pattern and rev_pattern[1])):
            base_types = base_pattern[0] if base_pattern else []
            rev_types = rev_pattern[0] if rev_pattern else []
            added = sorted({t for t in rev_types if t not in base_types})
            removed = sorted({t for t in base_types if t not in rev_types})
            if added or removed:
                f["list_of_types"] = (added, removed)
        one_of = r.get("oneOf")
        props_b = b.get("properties")
        if (
            isinstance(one_of, list)
            and one_of
            and not b.get("oneOf")
            and isinstance(props_b, dict)
            and props_b
            and not r.get("properties")
            and not types_of(r)
        ):
            alternatives = [self.r.schema(node)[0] for node in one_of]
            moved = sorted(
                name
                for name in props_b
                if any(isinstance(alt.get("properties"), dict) and name in alt["properties"] for alt in alternatives)
            )
            if moved:
                f["wrapping"] = moved
