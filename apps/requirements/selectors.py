"""Reads shared by the requirement pages, the API and the exports (prefetching built in)."""

from django.db.models import Case, Count, IntegerField, Prefetch, Q, Value, When

from apps.core.text import is_number

from . import workflow
from .models import AcceptanceCriterion, Requirement, RequirementComment, RequirementTransition, parse_key
from .verification import annotate_verification

PRIORITY_RANK = Case(
    *(When(priority=value, then=Value(rank)) for rank, value in enumerate(Requirement.Priority.values)),
    output_field=IntegerField(),
)


def requirement_list(*, project, with_criteria: bool = False):
    """Requirements with owner, parent key and labels loaded; ``priority_rank`` sorts MoSCoW and
    ``verification`` says whether linked tests pass (see verification.py)."""
    queryset = annotate_verification(
        Requirement.objects.filter(project=project)
        .select_related("owner", "parent", "project")
        .prefetch_related("labels")
        .annotate(priority_rank=PRIORITY_RANK)
    )
    return queryset.prefetch_related("criteria") if with_criteria else queryset


def downstream_links() -> list[Prefetch]:
    """The links other apps keep to a requirement (anything with a ``fingerprint``: a decision, an API
    operation …), each with the rows it links from, so the page lists them without a query per link.
    Found through the model's reverse relations, not named: requirements imports no downstream app."""
    found = []
    for relation in Requirement._meta.related_objects:
        model = relation.related_model
        downstream = model._meta.app_label != Requirement._meta.app_label
        if downstream and relation.one_to_many and any(field.name == "fingerprint" for field in model._meta.fields):
            joined = [f.name for f in model._meta.fields if f.is_relation and f.name != relation.field.name]
            found.append(Prefetch(relation.get_accessor_name(), queryset=model.objects.select_related(*joined)))
    return found


def downstream_records() -> list[str]:
    """What other apps record once per requirement (a one-to-one: when it reached production …), with
    the rows it points to, for ``select_related``. Found like ``downstream_links``, not named."""
    found = []
    for relation in Requirement._meta.related_objects:
        model = relation.related_model
        if relation.one_to_one and model._meta.app_label != Requirement._meta.app_label:
            accessor = relation.get_accessor_name()
            found += [accessor] + [f"{accessor}__{f.name}" for f in model._meta.fields
                                   if f.many_to_one and f.name != relation.field.name]  # fmt: skip
    return found


def requirement_detail(*, project):
    """For one requirement's page: everything it shows, in a fixed number of queries."""
    found = requirement_list(project=project, with_criteria=True).select_related(*downstream_records())
    return found.prefetch_related(
        *downstream_links(),
        Prefetch("children", queryset=Requirement.objects.only("id", "number", "title", "status", "parent_id")),
        Prefetch("transitions", queryset=RequirementTransition.objects.select_related("actor")),
        Prefetch("comments", queryset=RequirementComment.objects.select_related("author")),
        "revisions__author",
    )


def criteria_of(requirement):
    return AcceptanceCriterion.objects.filter(requirement=requirement)


def requirement_tree(*, project) -> list[dict]:
    """The hierarchy as nested dicts {requirement, children: [...]}, from one query."""
    rows = list(
        Requirement.objects.filter(project=project).only(
            "id", "number", "title", "status", "parent_id", "project_id", "priority"
        )
    )
    nodes = {row.pk: {"requirement": row, "children": []} for row in rows}
    roots = []
    for row in rows:
        parent = nodes.get(row.parent_id)
        (parent["children"] if parent else roots).append(nodes[row.pk])
    return roots


def status_counts(*, project) -> dict[str, int]:
    """{status: count} for every status (zeros included), in one query."""
    counts = dict(Requirement.objects.filter(project=project).values_list("status").annotate(n=Count("id")).order_by())
    return {value: counts.get(value, 0) for value, _ in workflow.STATUSES}


def requirement_matches(*, project, text: str, limit: int = 20):
    """Requirements whose key or title matches ``text`` (all of them, by key, when it is empty)."""
    rows = Requirement.objects.filter(project=project).only("number", "title", "project_id").order_by("number")
    if text:
        number = parse_key(text.split(" ", 1)[0])
        match = Q(title__icontains=text) | Q(number=number) if number else Q(title__icontains=text)
        if is_number(text):
            match |= Q(number=int(text))
        rows = rows.filter(match)
    return rows[:limit]
