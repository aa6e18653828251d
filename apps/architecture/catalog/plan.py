"""The catalog plan: what a Backstage catalog file maps to in Threadline, as plain dataclasses.

This module owns Threadline's vocabulary for the architecture catalog (component kinds, lifecycles,
API types), the Backstage <-> Threadline mapping tables, Backstage's naming rules and its entity-ref
syntax. ``backstage.parse_catalog`` produces a ``CatalogPlan``; ``export.export_catalog`` writes one
back; the Django side turns it into rows (no Django import here).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

# Backstage's own rules (catalog-model's KubernetesValidatorFunctions: names and DNS labels).
NAME_RE = re.compile(r"^([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]$")
NAMESPACE_RE = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")
MAX_NAME = 63
API_VERSIONS = ("backstage.io/v1alpha1", "backstage.io/v1beta1")

COMPONENT_KINDS = ("service", "frontend", "database", "cache", "queue", "topic", "storage", "external", "library")
RESOURCE_KINDS = frozenset({"database", "cache", "queue", "topic", "storage", "external"})
LIFECYCLES = ("planned", "experimental", "production", "deprecated", "retired")
API_TYPES = ("openapi", "asyncapi", "graphql", "grpc")
# Backstage has no technology field; this annotation carries Threadline's, so an export reads back.
TECHNOLOGY_ANNOTATION = "threadline.dev/technology"

COMPONENT_TYPES = {"service": "service", "website": "frontend", "library": "library"}
# Resource spec.type -> (Threadline kind, technology implied by the type).
RESOURCE_TYPES = {
    "database": ("database", ""), "cache": ("cache", ""), "redis": ("cache", "redis"),
    "memcached": ("cache", "memcached"), "queue": ("queue", ""), "sqs-queue": ("queue", "sqs"),
    "topic": ("topic", ""), "kafka-topic": ("topic", "kafka"), "storage": ("storage", ""),
    "bucket": ("storage", ""), "s3-bucket": ("storage", "s3"), "filesystem": ("storage", ""),
    "external": ("external", ""),
}
LIFECYCLE_ALIASES = {
    **{name: name for name in LIFECYCLES},
    "development": "experimental", "dev": "experimental", "beta": "experimental", "alpha": "experimental",
    "proposed": "planned", "decommissioned": "retired", "end-of-life": "retired",
}
MODELLED_KINDS = {
    "component": "Component", "resource": "Resource", "system": "System", "domain": "Domain", "api": "API",
}
SKIPPED_KINDS = {"group": "Group", "user": "User", "location": "Location", "template": "Template"}


@dataclass
class PlanComponent:
    key: str
    name: str
    kind: str  # one of COMPONENT_KINDS
    lifecycle: str  # one of LIFECYCLES
    description: str = ""
    owner: str = ""  # the owner ref's name part: "team-a" for "group:default/team-a"
    tags: list[str] = field(default_factory=list)
    system: str = ""  # a PlanSystem key
    parent: str = ""  # the subcomponentOf component's key
    technology: str = ""
    repository_url: str = ""
    provides_apis: list[str] = field(default_factory=list)  # PlanApi keys
    consumes_apis: list[str] = field(default_factory=list)
    depends_on: list[str] = field(default_factory=list)  # "component:<key>" / "resource:<key>"


@dataclass
class PlanSystem:
    key: str
    name: str
    description: str = ""
    owner: str = ""
    domain: str = ""  # a PlanDomain key


@dataclass
class PlanDomain:
    key: str
    name: str
    description: str = ""
    owner: str = ""
    parent: str = ""  # spec.subdomainOf, a PlanDomain key


@dataclass
class PlanApi:
    key: str
    name: str
    type: str  # openapi/asyncapi/graphql/grpc; other Backstage types are kept as written (with a note)
    lifecycle: str
    owner: str = ""
    system: str = ""
    definition_ref: str = ""  # the URL of a {$text: URL} placeholder
    definition: str = ""  # an inline definition, verbatim
    description: str = ""
    provided_by: list[str] = field(default_factory=list)  # component keys, from their providesApis
    consumed_by: list[str] = field(default_factory=list)


@dataclass
class PlanRelation:
    source: str  # component key
    target: str  # component key (possibly not in the file: see CatalogPlan.unknown_references)
    kind: str = "depends_on"


@dataclass
class UnknownReference:
    document: int
    source: str  # key of the entity holding the reference
    field: str  # e.g. "spec.dependsOn[0]"
    kind: str  # target kind: component, resource, system, domain, api
    key: str  # the key the target would have
    ref: str  # the full Backstage ref, "resource:default/artists-db"


@dataclass
class CatalogPlan:
    components: list[PlanComponent] = field(default_factory=list)
    systems: list[PlanSystem] = field(default_factory=list)
    domains: list[PlanDomain] = field(default_factory=list)
    apis: list[PlanApi] = field(default_factory=list)
    relations: list[PlanRelation] = field(default_factory=list)
    # Diagnostics about the source text, not part of the plan's value (a round trip renumbers them).
    notes: list[str] = field(default_factory=list, compare=False)
    unknown_references: list[UnknownReference] = field(default_factory=list, compare=False)


def parse_ref(raw: str, *, default_kind: str | None, default_namespace: str = "default") -> tuple[str, str, str]:
    """``[kind:][namespace/]name`` -> (kind lower-cased, namespace, name), as Backstage's parseEntityRef."""
    colon, slash = raw.find(":"), raw.find("/")
    if slash != -1 and slash < colon:  # "ns/na:me": the colon belongs to the name
        colon = -1
    kind = raw[:colon] if colon != -1 else None
    namespace = raw[colon + 1 : slash] if slash != -1 else None
    name = raw[max(colon + 1, slash + 1) :]
    if kind == "" or namespace == "" or not name:
        raise ValueError(f"'{raw}' is not an entity ref of the form [kind:][namespace/]name")
    kind = kind or default_kind
    if not kind:
        raise ValueError(f"'{raw}' needs a kind (e.g. 'component:{raw}' or 'resource:{raw}')")
    return kind.lower(), namespace or default_namespace, name
