"""Reads the architecture pages and API share: the catalog list, one component's page, the rows a
generated diagram needs (only those), and the model-health counts."""

from django.db.models import Count, Exists, OuterRef, Prefetch, Q

from . import diagrams
from .models import Component, DataModel, Decision, Document, Relation, System

# Health checks on the catalog: name -> (label, filter of Component rows). The list page's ``health``
# filter and the overview's counts both use these, so a count always links to exactly its rows.
DEPENDED_ON_BY_PRODUCTION = Exists(Relation.objects.filter(target=OuterRef("pk"), source__lifecycle="production"))
HEALTH_CHECKS = {
    "no-owner": ("No owner", Q(owner__isnull=True, team="")),
    "no-relations": ("No relations", ~Exists(Relation.objects.filter(source=OuterRef("pk")))
                     & ~Exists(Relation.objects.filter(target=OuterRef("pk")))),
    "deprecated-in-use": ("Deprecated but used by production",
                          Q(lifecycle__in=["deprecated", "retired"]) & DEPENDED_ON_BY_PRODUCTION),
    "unresolved": ("Dangling references from import", ~Q(unresolved=[])),
}  # fmt: skip


def component_list(*, project):
    return (Component.objects.filter(project=project).select_related("owner", "system", "parent")
            .prefetch_related("tags"))  # fmt: skip


def component_detail(*, project):
    """Everything one component's page shows, in a fixed number of queries."""
    relations = Relation.objects.select_related("source", "target")
    return component_list(project=project).prefetch_related(
        Prefetch("relations_out", queryset=relations),
        Prefetch("relations_in", queryset=relations),
        Prefetch("children", queryset=Component.objects.only("id", "key", "name", "kind", "parent_id", "project_id")),
        Prefetch("documents", queryset=Document.objects.only("id", "title", "source", "revision", "project_id")),
        Prefetch("own_documents", queryset=Document.objects.only("id", "title", "source", "revision", "project_id",
                                                                 "component_id")),
        Prefetch("data_models", queryset=DataModel.objects.annotate(version_count=Count("versions"))),
        Prefetch("decisions", queryset=Decision.objects.only("id", "number", "title", "status", "project_id")
                 .prefetch_related("requirement_links__requirement__project")),
    )


def health_counts(*, project) -> list[dict]:
    """[{name, label, count}] for each check, plus data models whose latest version breaks the last."""
    components = Component.objects.filter(project=project)
    totals = components.aggregate(**{name.replace("-", "_"): Count("pk", filter=check)
                                     for name, (_, check) in HEALTH_CHECKS.items()})  # fmt: skip
    rows = [{"name": name, "label": label, "count": totals[name.replace("-", "_")]}
            for name, (label, _) in HEALTH_CHECKS.items()]  # fmt: skip
    rows.append({"name": "breaking-data-models", "label": "Data models whose latest version breaks the previous",
                 "count": DataModel.objects.filter(project=project, latest_breaking=True).count()})  # fmt: skip
    return rows


# ---- the rows a diagram is drawn from ------------------------------------------------------------

NODE_FIELDS = ("id", "key", "name", "kind", "system__key", "parent__key", "lifecycle", "technology")


def _nodes(queryset) -> dict[int, diagrams.Node]:
    rows = queryset.order_by().values_list(*NODE_FIELDS)
    return {pk: diagrams.Node(key=key, name=name, kind=kind, system=system or "", parent=parent or "",
                              lifecycle=lifecycle, technology=technology)
            for pk, key, name, kind, system, parent, lifecycle, technology in rows}  # fmt: skip


def _edges(queryset, nodes_by_id: dict) -> list[diagrams.Edge]:
    return [diagrams.Edge(source=nodes_by_id[s].key, target=nodes_by_id[t].key, kind=kind, protocol=protocol)
            for s, t, kind, protocol in queryset.order_by().values_list("source_id", "target_id", "kind", "protocol")
            if s in nodes_by_id and t in nodes_by_id]  # fmt: skip


def _systems(project) -> list[diagrams.SystemNode]:
    return [diagrams.SystemNode(key=key, name=name)
            for key, name in System.objects.filter(project=project).values_list("key", "name")]  # fmt: skip


def landscape_diagram(*, project) -> diagrams.Diagram:
    """Systems and what crosses between them: reads every component's system and every relation
    as plain tuples (two queries), no model instances."""
    nodes = _nodes(Component.objects.filter(project=project))
    return diagrams.landscape(_systems(project), list(nodes.values()),
                              _edges(Relation.objects.filter(project=project), nodes))  # fmt: skip


def system_diagram(*, system: System, cap: int = 60) -> diagrams.Diagram:
    """One system's components with their neighbours one edge outside it."""
    inside = Q(source__system=system) | Q(target__system=system)
    relations = Relation.objects.filter(inside, project=system.project_id)
    ids = set()
    for source, target in relations.order_by().values_list("source_id", "target_id"):
        ids.update((source, target))
    nodes = _nodes(Component.objects.filter(Q(system=system) | Q(pk__in=ids)))
    return diagrams.system_view(system.key, _systems(system.project), list(nodes.values()),
                                _edges(relations, nodes), cap=cap)  # fmt: skip


def component_diagram(*, component: Component, depth: int = 1, cap: int = 40) -> diagrams.Diagram:
    """A component's neighbourhood: one query per ring of the breadth-first walk (at most ``depth``),
    then the nodes and every relation among them (between two outer ones too); the engine caps
    what it draws."""
    depth = 2 if depth >= 2 else 1
    reached, frontier = {component.pk}, {component.pk}
    for _ in range(depth):
        found = set()
        touching = Q(source_id__in=frontier) | Q(target_id__in=frontier)
        # No ordering: the model's (by the components' keys) would join both ends for nothing.
        for source, target in Relation.objects.filter(touching).order_by().values_list("source_id", "target_id"):
            found.update((source, target))
        frontier = found - reached
        reached |= found
        if not frontier:
            break
    nodes = _nodes(Component.objects.filter(pk__in=reached))
    edges = _edges(Relation.objects.filter(source_id__in=reached, target_id__in=reached), nodes)
    return diagrams.neighbourhood(component.key, list(nodes.values()), edges, depth=depth, cap=cap)
