"""Backstage ``catalog-info.yaml`` <-> Threadline's architecture catalog, as plain data (no Django).

This module owns the mapping between Backstage's software-catalog entities (Component, Resource,
System, Domain, API; https://backstage.io/docs/features/software-catalog/descriptor-format) and the
``Plan*`` dataclasses the Django side turns into rows. ``parse_catalog`` validates by hand the fields
Backstage's JSON schemas (``packages/catalog-model/src/schema``) require and collects every problem
before raising; ``export_catalog`` writes the same shapes back so a round trip gives an equal plan.

Keys: an entity's key is its ``metadata.name``. Namespaces are dropped, because Threadline has one
catalog per project — except where two entities of the same Threadline class (component/resource,
system, domain, API) share a name in different namespaces: then the one in ``default`` keeps the
bare name and the others become ``"<namespace>--<name>"`` (still a valid Backstage name and
Threadline key, so an export writes it back as a plain name; a clash with a real name, or a result
over 63 characters, is an error). A Component and a Resource with the same name in the same
namespace would both become one Threadline component: that is an error too. References to entities
outside the file get the bare name as key (or ``<namespace>--<name>`` when that name is taken here).

The dataclasses and mapping tables live in ``plan``, the writer in ``export``; both are re-exported.
"""

from __future__ import annotations

from dataclasses import dataclass

from .export import export_catalog  # noqa: F401  (re-exported: parse and export as one module)
from .plan import (
    API_TYPES,
    API_VERSIONS,
    COMPONENT_TYPES,
    LIFECYCLE_ALIASES,
    LIFECYCLES,
    MAX_NAME,
    MODELLED_KINDS,
    NAME_RE,
    NAMESPACE_RE,
    RESOURCE_TYPES,
    SKIPPED_KINDS,
    TECHNOLOGY_ANNOTATION,
    CatalogPlan,
    PlanApi,
    PlanComponent,
    PlanDomain,
    PlanRelation,
    PlanSystem,
    UnknownReference,
    parse_ref,
)
from .safeyaml import CatalogError, load_all_lines

# Spec fields read per kind (beyond these, a field is noted as ignored). Resources accept the
# Component relations too: Backstage's schema leaves spec open and Threadline models both alike.
_COMPONENT_SPEC = (
    "type", "lifecycle", "owner", "system", "subcomponentOf", "providesApis", "consumesApis", "dependsOn",
)
SPEC_FIELDS = {
    "component": _COMPONENT_SPEC, "resource": _COMPONENT_SPEC, "system": ("owner", "domain"),
    "domain": ("owner", "subdomainOf"), "api": ("type", "lifecycle", "owner", "system", "definition"),
}
REQUIRED_SPEC = {
    "component": ("type", "lifecycle", "owner"), "resource": ("type", "owner"), "system": ("owner",),
    "domain": ("owner",), "api": ("type", "lifecycle", "owner", "definition"),
}
_TOP_LEVEL = frozenset({"apiVersion", "kind", "metadata", "spec", "relations", "status"})


def _class(kind: str) -> str:
    return "component" if kind in ("component", "resource") else kind


@dataclass
class _Entity:
    document: int
    line: int
    kind: str  # lower-case Backstage kind
    namespace: str
    name: str
    metadata: dict
    spec: dict
    key: str = ""

    @property
    def label(self) -> str:
        return f"{self.kind} '{self.name}'"


class _Parser:
    def __init__(self) -> None:
        self.errors: list[CatalogError] = []
        self.plan = CatalogPlan()
        self.entities: list[_Entity] = []
        self.index: dict[tuple[str, str, str], _Entity] = {}
        self.names: dict[str, set[str]] = {}  # Threadline class -> lower-case names in the file

    # --- reporting -------------------------------------------------------------------------
    def error(self, document: int, line: int | None, who: str | None, path: str | None, problem: str) -> None:
        where = f"document {document}" + (f" ({who})" if who else "")
        message = f"{where}: {path} {problem}" if path else f"{where}: {problem}"
        self.errors.append(CatalogError(message, document, path, line))

    def note(self, document: int, who: str, text: str) -> None:
        self.plan.notes.append(f"document {document} ({who}): {text}")

    # --- field readers ---------------------------------------------------------------------
    def string(self, ent: _Entity, data: dict, key: str, prefix: str, *, required: bool = False) -> str:
        value = data.get(key)
        path = f"{prefix}.{key}"
        if value is None or value == "":
            if required:
                self.error(ent.document, ent.line, ent.label, path, "is required")
            return ""
        if not isinstance(value, str):
            self.error(ent.document, ent.line, ent.label, path, f"must be a string, not {_type(value)}")
            return ""
        return value

    def strings(self, ent: _Entity, data: dict, key: str, prefix: str) -> list[str]:
        value = data.get(key)
        if value is None:
            return []
        path = f"{prefix}.{key}"
        if not isinstance(value, list) or not all(isinstance(v, str) and v for v in value):
            self.error(ent.document, ent.line, ent.label, path, "must be a list of non-empty strings")
            return []
        return value

    # --- pass 1: envelope ------------------------------------------------------------------
    def read_envelope(self, document: int, line: int, data) -> None:
        if data is None:  # an empty document ("---" at the end of a file)
            return
        if not isinstance(data, dict):
            self.error(document, line, None, None, f"expected an entity (a mapping), got {_type(data)}")
            return
        kind_raw = data.get("kind")
        if not isinstance(kind_raw, str) or not kind_raw:
            self.error(document, line, None, "kind", "is required")
            return
        kind = kind_raw.lower()
        metadata = data.get("metadata")
        name = metadata.get("name") if isinstance(metadata, dict) else None
        shown = f"{kind_raw} '{name}'" if isinstance(name, str) else kind_raw
        if kind in SKIPPED_KINDS:
            what = f"skipped {shown}: Threadline doesn't model Backstage {SKIPPED_KINDS[kind]} entities"
            if kind == "location":
                what += " (its targets are not followed; upload those files instead)"
            self.plan.notes.append(f"document {document}: {what}")
            return
        if kind not in MODELLED_KINDS:
            allowed = ", ".join(MODELLED_KINDS.values())
            self.error(document, line, None, "kind", f"'{kind_raw}' is not a kind Threadline reads ({allowed}; "
                       f"{', '.join(SKIPPED_KINDS.values())} are skipped)")
            return
        ent = _Entity(document, line, kind, "default", name if isinstance(name, str) else "?", {}, {})
        for extra in sorted(set(data) - _TOP_LEVEL, key=str):
            self.error(document, line, ent.label, str(extra), "is not an entity field (apiVersion, kind, metadata, "
                       "spec)")
        if data.get("apiVersion") not in API_VERSIONS:
            self.error(document, line, ent.label, "apiVersion", f"must be one of {', '.join(API_VERSIONS)}")
        if not isinstance(metadata, dict):
            self.error(document, line, None, "metadata", "is required (a mapping with at least a name)")
            return
        ent.metadata = metadata
        if not isinstance(name, str) or not name:
            self.error(document, line, None, "metadata.name", "is required")
            return
        if len(name) > MAX_NAME or not NAME_RE.match(name):
            self.error(document, line, ent.label, "metadata.name", "is not a valid Backstage name (letters, digits, "
                       "'-', '_' and '.', starting and ending with a letter or digit, at most 63 characters)")
            return
        namespace = metadata.get("namespace", "default")
        if not isinstance(namespace, str) or len(namespace) > MAX_NAME or not NAMESPACE_RE.match(namespace):
            self.error(document, line, ent.label, "metadata.namespace", "must be lower-case letters, digits and "
                       "'-' (at most 63 characters)")
            return
        ent.namespace = namespace
        spec = data.get("spec")
        if not isinstance(spec, dict):
            self.error(document, line, ent.label, "spec", "is required (a mapping)")
            return
        ent.spec = spec
        ident = (kind, namespace.lower(), name.lower())
        if ident in self.index:
            first = self.index[ident]
            self.error(document, line, ent.label, None, f"duplicate {kind} '{namespace}/{name}' "
                       f"(also document {first.document})")
            return
        self.index[ident] = ent
        self.entities.append(ent)

    # --- pass 2: keys ----------------------------------------------------------------------
    def assign_keys(self) -> None:
        groups: dict[tuple[str, str], list[_Entity]] = {}
        for ent in self.entities:
            groups.setdefault((_class(ent.kind), ent.name.lower()), []).append(ent)
            self.names.setdefault(_class(ent.kind), set()).add(ent.name.lower())
        for members in groups.values():
            seen: dict[str, _Entity] = {}
            for ent in members:
                other = seen.setdefault(ent.namespace.lower(), ent)
                if other is not ent:  # same namespace, so a Component and a Resource
                    self.error(ent.document, ent.line, ent.label, None, f"{other.label} (document {other.document}) "
                               "has the same name: both would become Threadline component "
                               f"'{ent.name}'; rename one")
                clash = len(members) > 1 and ent.namespace != "default"
                ent.key = f"{ent.namespace}--{ent.name}" if clash else ent.name
                if clash and (len(ent.key) > MAX_NAME or ent.key.lower() in self.names[_class(ent.kind)]):
                    self.error(ent.document, ent.line, ent.label, "metadata.name", f"shares its name with an entity "
                               f"in another namespace, and '{ent.key}' can't stand in for it; rename one")

    def resolve(self, ent: _Entity, raw: str, path: str, *, default_kind: str | None, allowed: tuple[str, ...]):
        """A ref's (kind, key), recording it when the file doesn't define it; None when invalid."""
        try:
            kind, namespace, name = parse_ref(raw, default_kind=default_kind, default_namespace=ent.namespace)
        except ValueError as exc:
            self.error(ent.document, ent.line, ent.label, path, str(exc))
            return None
        if kind not in allowed:
            self.error(ent.document, ent.line, ent.label, path, f"must refer to a {' or '.join(allowed)}, not '{raw}'")
            return None
        target = self.index.get((kind, namespace.lower(), name.lower()))
        if target is not None:
            return kind, target.key
        key = name
        if namespace != "default" and name.lower() in self.names.get(_class(kind), ()):
            key = f"{namespace}--{name}"
        self.plan.unknown_references.append(
            UnknownReference(ent.document, ent.key, path, kind, key, f"{kind}:{namespace}/{name}")
        )
        return kind, key

    def one_ref(self, ent: _Entity, key: str, default_kind: str) -> str:
        raw = self.string(ent, ent.spec, key, "spec")
        found = raw and self.resolve(ent, raw, f"spec.{key}", default_kind=default_kind, allowed=(default_kind,))
        return found[1] if found else ""

    def api_refs(self, ent: _Entity, key: str) -> list[str]:
        out = []
        for i, raw in enumerate(self.strings(ent, ent.spec, key, "spec")):
            found = self.resolve(ent, raw, f"spec.{key}[{i}]", default_kind="api", allowed=("api",))
            if found and found[1] not in out:
                out.append(found[1])
        return out

    def owner(self, ent: _Entity) -> str:
        raw = self.string(ent, ent.spec, "owner", "spec", required=True)
        try:
            return parse_ref(raw, default_kind="group")[2] if raw else ""
        except ValueError as exc:
            self.error(ent.document, ent.line, ent.label, "spec.owner", str(exc))
            return ""

    def lifecycle(self, ent: _Entity, *, required: bool) -> str:
        raw = self.string(ent, ent.spec, "lifecycle", "spec", required=required)
        if not raw:
            return ""
        mapped = LIFECYCLE_ALIASES.get(raw.strip().lower())
        if mapped is None:
            aliases = ", ".join(sorted(set(LIFECYCLE_ALIASES) - set(LIFECYCLES)))
            self.error(ent.document, ent.line, ent.label, "spec.lifecycle", f"'{raw}' is not a lifecycle Threadline "
                       f"knows: use {', '.join(LIFECYCLES)} (also read: {aliases})")
            return ""
        return mapped

    # --- pass 3: entities ------------------------------------------------------------------
    def build(self, ent: _Entity) -> None:
        meta, spec = ent.metadata, ent.spec
        title = self.string(ent, meta, "title", "metadata")
        description = self.string(ent, meta, "description", "metadata")
        tags = self.strings(ent, meta, "tags", "metadata")
        for missing in REQUIRED_SPEC[ent.kind]:
            # owner and lifecycle are reported by their own readers below
            if spec.get(missing) in (None, "") and missing not in ("owner", "lifecycle"):
                self.error(ent.document, ent.line, ent.label, f"spec.{missing}", "is required")
        for extra in sorted(spec.keys() - set(SPEC_FIELDS[ent.kind]), key=str):
            self.note(ent.document, ent.label, f"spec.{extra} is not read by Threadline; ignored")
        owner = self.owner(ent)
        name = title or ent.name
        if ent.kind == "system":
            domain = self.one_ref(ent, "domain", "domain")
            self.plan.systems.append(PlanSystem(ent.key, name, description, owner, domain))
        elif ent.kind == "domain":
            parent = self.one_ref(ent, "subdomainOf", "domain")
            self.plan.domains.append(PlanDomain(ent.key, name, description, owner, parent))
        elif ent.kind == "api":
            self.plan.apis.append(self.build_api(ent, name, description, owner))
        else:
            self.plan.components.append(self.build_component(ent, name, description, owner, tags))

    def build_api(self, ent: _Entity, name: str, description: str, owner: str) -> PlanApi:
        api_type = self.string(ent, ent.spec, "type", "spec").strip().lower()
        if api_type and api_type not in API_TYPES:
            self.note(ent.document, ent.label, f"API type '{api_type}' is not one of {', '.join(API_TYPES)}; kept")
        lifecycle = self.lifecycle(ent, required=True)
        system = self.one_ref(ent, "system", "system")
        definition = ent.spec.get("definition")
        ref = text = ""
        if isinstance(definition, str):
            text = definition
        elif isinstance(definition, dict) and len(definition) == 1:
            # Backstage's placeholders ($text, $json, $yaml) are resolved by its catalog backend;
            # Threadline keeps the URL as a reference for the contracts app to fetch.
            (placeholder, target), = definition.items()
            if placeholder in ("$text", "$json", "$yaml") and isinstance(target, str) and target:
                ref = target
                if placeholder != "$text":
                    self.note(ent.document, ent.label, f"spec.definition {placeholder} kept as a reference")
        if definition not in (None, "") and not (ref or text):
            self.error(ent.document, ent.line, ent.label, "spec.definition",
                       "must be the definition text or a {$text: URL} placeholder")
        return PlanApi(ent.key, name, api_type, lifecycle, owner, system, ref, text, description)

    def build_component(self, ent: _Entity, name: str, description: str, owner: str, tags: list[str]):
        spec, meta = ent.spec, ent.metadata
        raw_type = self.string(ent, spec, "type", "spec")
        technology = ""
        if ent.kind == "component":
            kind = COMPONENT_TYPES.get(raw_type.lower(), "service")
            if raw_type and raw_type.lower() not in COMPONENT_TYPES:
                self.note(ent.document, ent.label, f"Component type '{raw_type}' read as a service")
            lifecycle = self.lifecycle(ent, required=True)
        else:
            kind, technology = RESOURCE_TYPES.get(raw_type.lower(), ("external", ""))
            if raw_type and raw_type.lower() not in RESOURCE_TYPES:
                self.note(ent.document, ent.label, f"Resource type '{raw_type}' read as external")
            lifecycle = self.lifecycle(ent, required=False)
            if not lifecycle and "lifecycle" not in spec:
                lifecycle = "production"  # Backstage resources carry no lifecycle: they exist
                self.note(ent.document, ent.label, "no spec.lifecycle (Backstage resources have none); production")
        annotations = meta.get("annotations") or {}
        if not isinstance(annotations, dict):
            self.error(ent.document, ent.line, ent.label, "metadata.annotations", "must be a mapping")
            annotations = {}
        technology = str(annotations.get(TECHNOLOGY_ANNOTATION) or technology)
        repository = ""
        location = annotations.get("backstage.io/source-location")
        slug = annotations.get("github.com/project-slug")
        if isinstance(location, str) and location.startswith("url:"):
            repository = location[4:]
        elif isinstance(slug, str) and slug.count("/") == 1:
            repository = f"https://github.com/{slug}"
        depends_on = []
        for i, raw in enumerate(self.strings(ent, spec, "dependsOn", "spec")):
            path = f"spec.dependsOn[{i}]"
            try:
                target_kind = parse_ref(raw, default_kind=None, default_namespace=ent.namespace)[0]
            except ValueError as exc:
                self.error(ent.document, ent.line, ent.label, path, str(exc))
                continue
            if target_kind not in ("component", "resource"):
                self.note(ent.document, ent.label, f"{path} '{raw}' ignored: Threadline relates components only")
                continue
            found = self.resolve(ent, raw, path, default_kind=None, allowed=("component", "resource"))
            if not found:
                continue
            if found[1] == ent.key and found[0] == ent.kind:
                self.error(ent.document, ent.line, ent.label, path, "depends on the entity itself")
                continue
            if f"{found[0]}:{found[1]}" not in depends_on:
                depends_on.append(f"{found[0]}:{found[1]}")
                self.plan.relations.append(PlanRelation(ent.key, found[1]))
        return PlanComponent(
            key=ent.key, name=name, kind=kind, lifecycle=lifecycle, description=description, owner=owner,
            tags=list(tags), system=self.one_ref(ent, "system", "system"),
            parent=self.one_ref(ent, "subcomponentOf", "component"), technology=technology,
            repository_url=repository, provides_apis=self.api_refs(ent, "providesApis"),
            consumes_apis=self.api_refs(ent, "consumesApis"), depends_on=depends_on,
        )

    # --- pass 4: whole-file checks ---------------------------------------------------------
    def link_apis(self) -> None:
        apis = {api.key: api for api in self.plan.apis}
        for comp in self.plan.components:
            for key in comp.provides_apis:
                if key in apis:
                    apis[key].provided_by.append(comp.key)
            for key in comp.consumes_apis:
                if key in apis:
                    apis[key].consumed_by.append(comp.key)

    def check_cycles(self, items: list, attr: str, field_name: str, kind: str) -> None:
        parents = {item.key: getattr(item, attr) for item in items}
        by_key = {e.key: e for e in self.entities if _class(e.kind) == kind}
        reported: set[str] = set()
        for start in parents:
            path, node = [], start
            while node in parents and node not in path and node not in reported:
                path.append(node)
                node = parents[node]
            if node in path:
                cycle = path[path.index(node) :]
                reported.update(cycle)
                ent = by_key[cycle[0]]
                loop = " -> ".join([*cycle, cycle[0]])
                self.error(ent.document, ent.line, ent.label, field_name, f"forms a cycle: {loop}")
            reported.update(path)


def parse_catalog(text: str) -> CatalogPlan:
    """Read a (multi-document) Backstage catalog file into a ``CatalogPlan``.

    Raises ``CatalogError``: YAML problems at once; validation problems all together (``errors``).
    """
    parser = _Parser()
    for document, (line, data) in enumerate(load_all_lines(text), start=1):
        parser.read_envelope(document, line, data)
    parser.assign_keys()
    for ent in parser.entities:
        parser.build(ent)
    parser.link_apis()
    parser.check_cycles(parser.plan.components, "parent", "spec.subcomponentOf", "component")
    parser.check_cycles(parser.plan.domains, "parent", "spec.subdomainOf", "domain")
    errors = sorted(parser.errors, key=lambda e: e.document or 0)  # stable: per document, in check order
    if len(errors) == 1:
        raise errors[0]
    if errors:
        lines = "\n".join(f"- {e.message}" for e in errors)
        first = errors[0]
        raise CatalogError(f"{len(errors)} problems in the catalog:\n{lines}", first.document, first.field,
                           first.line, errors=errors)
    return parser.plan


def _type(value) -> str:
    names = {dict: "a mapping", list: "a list", str: "a string", bool: "a boolean"}
    return names.get(type(value), type(value).__name__)
