"""Backstage catalog engine of the architecture app: pure Python, no Django.

``parse_catalog`` reads a Backstage ``catalog-info.yaml`` into a ``CatalogPlan``; ``export_catalog``
writes one back; ``safeyaml.load_all`` is the bounded YAML loader both (and the ADR engine) use.
"""

from .backstage import parse_catalog
from .export import export_catalog
from .plan import (
    API_TYPES,
    COMPONENT_KINDS,
    LIFECYCLES,
    NAME_RE,
    CatalogPlan,
    PlanApi,
    PlanComponent,
    PlanDomain,
    PlanRelation,
    PlanSystem,
    UnknownReference,
    parse_ref,
)
from .safeyaml import CatalogError, load_all

__all__ = [
    "API_TYPES",
    "COMPONENT_KINDS",
    "LIFECYCLES",
    "NAME_RE",
    "CatalogError",
    "CatalogPlan",
    "PlanApi",
    "PlanComponent",
    "PlanDomain",
    "PlanRelation",
    "PlanSystem",
    "UnknownReference",
    "export_catalog",
    "load_all",
    "parse_catalog",
    "parse_ref",
]
