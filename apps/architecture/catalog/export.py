"""Threadline's catalog plan -> Backstage catalog YAML (the reverse of ``backstage.parse_catalog``).

This module owns the writing side of the Backstage mapping: which Threadline component kinds become
Backstage Resources, how keys become names and refs, and the YAML layout. Every entity is written
in the ``default`` namespace: a Threadline key is already a valid, unique Backstage name (keys that
stood for another namespace, ``<namespace>--<name>``, are written as that name).
"""

from __future__ import annotations

import yaml

from .plan import API_VERSIONS, MAX_NAME, NAME_RE, RESOURCE_KINDS, TECHNOLOGY_ANNOTATION, PlanComponent


class _Dumper(yaml.SafeDumper):
    """Block style for multi-line strings (inline API definitions stay readable)."""


def _str(dumper: yaml.SafeDumper, value: str):
    style = "|" if "\n" in value else None
    return dumper.represent_scalar("tag:yaml.org,2002:str", value, style=style)


_Dumper.add_representer(str, _str)


def _name(key: str) -> str:
    if len(key) > MAX_NAME or not NAME_RE.match(key):
        raise ValueError(f"key '{key}' can't be written as a Backstage name (letters, digits, '-', '_', '.'; "
                         f"at most {MAX_NAME} characters)")
    return key


def _entity(kind: str, key: str, name: str, description: str, tags: list[str], annotations: dict, spec: dict):
    metadata: dict = {"name": _name(key)}
    if name and name != key:
        metadata["title"] = name
    if description:
        metadata["description"] = description
    if tags:
        metadata["tags"] = list(tags)
    if annotations:
        metadata["annotations"] = annotations
    clean = {k: v for k, v in spec.items() if v not in ("", [], None)}
    return {"apiVersion": API_VERSIONS[0], "kind": kind, "metadata": metadata, "spec": clean}


def export_catalog(*, components=(), systems=(), domains=(), apis=(), relations=()) -> str:
    """Backstage catalog YAML (one document per entity) for the given ``Plan*`` objects.

    Domains, systems, components/resources and APIs are written in that order, each in the order
    given, so ``parse_catalog(export_catalog(...))`` gives the same lists back. Relations become the
    source's ``dependsOn`` (merged with its ``depends_on``); an API's ``provided_by``/``consumed_by``
    become the components' ``providesApis``/``consumesApis``. Backstage requires an owner: an empty
    one is written as "unknown". Raises ``ValueError`` for a key Backstage can't name.
    """
    resource_keys = {c.key for c in components if c.kind in RESOURCE_KINDS}
    docs = []
    for d in domains:
        spec = {"owner": d.owner or "unknown", "subdomainOf": d.parent and _name(d.parent)}
        docs.append(_entity("Domain", d.key, d.name, d.description, [], {}, spec))
    for s in systems:
        spec = {"owner": s.owner or "unknown", "domain": s.domain and _name(s.domain)}
        docs.append(_entity("System", s.key, s.name, s.description, [], {}, spec))
    for c in components:
        docs.append(_component_doc(c, resource_keys, relations, apis))
    for a in apis:
        if a.definition_ref:
            definition: object = {"$text": a.definition_ref}
        else:
            definition = a.definition or "(no definition recorded)"
        spec = {"type": a.type or "unknown", "lifecycle": a.lifecycle, "owner": a.owner or "unknown",
                "system": a.system and _name(a.system), "definition": definition}
        docs.append(_entity("API", a.key, a.name, a.description, [], {}, spec))
    return yaml.dump_all(docs, Dumper=_Dumper, sort_keys=False, allow_unicode=True, explicit_start=True, width=120)


def _component_doc(c: PlanComponent, resource_keys: set[str], relations, apis) -> dict:
    targets = [ref.partition(":")[2] for ref in c.depends_on]
    targets += [r.target for r in relations if r.source == c.key and r.kind == "depends_on"]
    depends_on = []
    for target in targets:
        ref = f"{'resource' if target in resource_keys else 'component'}:{_name(target)}"
        if ref not in depends_on:
            depends_on.append(ref)
    provides = [*c.provides_apis, *(a.key for a in apis if c.key in a.provided_by and a.key not in c.provides_apis)]
    consumes = [*c.consumes_apis, *(a.key for a in apis if c.key in a.consumed_by and a.key not in c.consumes_apis)]
    annotations = {}
    if c.repository_url:
        annotations["backstage.io/source-location"] = f"url:{c.repository_url}"
    if c.technology:
        annotations[TECHNOLOGY_ANNOTATION] = c.technology
    if c.kind in RESOURCE_KINDS:
        kind, spec_type = "Resource", c.kind
    else:
        kind, spec_type = "Component", {"frontend": "website"}.get(c.kind, c.kind)
    spec = {
        "type": spec_type, "lifecycle": c.lifecycle, "owner": c.owner or "unknown",
        "system": c.system and _name(c.system), "subcomponentOf": c.parent and _name(c.parent),
        "providesApis": [_name(k) for k in provides], "consumesApis": [_name(k) for k in consumes],
        "dependsOn": depends_on,
    }
    return _entity(kind, c.key, c.name, c.description, c.tags, annotations, spec)
