"""Reads the deployment pages and the API share: what runs where (environment × component), what each
environment runs of each contract, and the comparison of two environments — each in a fixed number of
queries, whatever the history's length (window functions pick the latest row per group in SQL)."""

import re

from django.db.models import Count, Exists, F, IntegerField, OuterRef, Subquery, Window
from django.db.models.functions import Coalesce, RowNumber

from apps.contracts import pipeline as contracts
from apps.contracts.models import ContractVersion
from apps.contracts.openapi.diff_model import is_breaking
from apps.requirements.models import Requirement
from apps.testruns.models import TestRun

from .models import Change, Deployment, Environment
from .services import requirement_numbers

SUCCESS = Deployment.Status.SUCCESS
COMPARE_MAX_CHANGES = 500  # a page of commits; the count says how many there are in all
NEWEST_FIRST = [F("deployment__finished_at").desc(nulls_last=True), F("deployment_id").desc()]


def _latest_per(through, group: list[str], **filters):
    """Rows of an M2M ``through`` table, the newest successful deployment's per ``group``."""
    rows = through.objects.filter(deployment__status=SUCCESS, **filters).annotate(
        rank=Window(RowNumber(), partition_by=[F(name) for name in group], order_by=NEWEST_FIRST))
    return rows.filter(rank=1)


def what_runs_where(*, project) -> dict:
    """The matrix: environments (pipeline order) × components; each cell the newest successful deployment
    of that component there, with its contract versions. Deployments naming no component show under
    "whole environment" (the environment's current deployment)."""
    environments = list(Environment.objects.filter(project=project))
    through = Deployment.components.through
    cells = list(_latest_per(through, ["deployment__environment_id", "component_id"],
                             deployment__project=project).values("deployment_id", "component_id"))  # fmt: skip
    current = list(Deployment.objects.filter(project=project, status=SUCCESS).annotate(
        rank=Window(RowNumber(), partition_by=[F("environment_id")], order_by=[F("finished_at").desc(
            nulls_last=True), F("id").desc()])).filter(rank=1).values_list("pk", flat=True))  # fmt: skip
    last_attempt = {d.environment_id: d for d in Deployment.objects.filter(project=project).annotate(
        rank=Window(RowNumber(), partition_by=[F("environment_id")], order_by=[F("created_at").desc(),
                    F("id").desc()])).filter(rank=1).only("id", "environment_id", "status", "version")}  # fmt: skip
    ids = {c["deployment_id"] for c in cells} | set(current)
    deployments = {d.pk: d for d in Deployment.objects.filter(pk__in=ids).select_related("actor", "environment")
                   .prefetch_related("contract_versions__contract", "components")}  # fmt: skip
    components = {}
    for deployment in deployments.values():
        for component in deployment.components.all():
            components[component.pk] = component
    grid = {(deployments[c["deployment_id"]].environment_id, c["component_id"]): deployments[c["deployment_id"]]
            for c in cells}  # fmt: skip
    rows = [{"component": component, "cells": [grid.get((e.pk, component.pk)) for e in environments]}
            for component in sorted(components.values(), key=lambda c: c.key)]  # fmt: skip
    by_environment = {deployments[pk].environment_id: deployments[pk] for pk in current}
    return {
        "environments": [{"environment": e, "current": by_environment.get(e.pk),
                          "last_attempt": last_attempt.get(e.pk)} for e in environments],
        "rows": rows,
    }  # fmt: skip


def running_contract_versions(environment: Environment) -> dict[int, ContractVersion]:
    """{contract id: the version the environment runs}: the newest successful deployment naming one."""
    through = Deployment.contract_versions.through
    ids = _latest_per(through, ["contractversion__contract_id"], deployment__environment=environment).values_list(
        "contractversion_id", flat=True)  # fmt: skip
    versions = ContractVersion.objects.filter(pk__in=list(ids)).select_related("contract")
    return {version.contract_id: version for version in versions}


def _delivered_to(environment: Environment):
    through = Deployment.changes.through
    return Exists(through.objects.filter(change_id=OuterRef("pk"), deployment__environment=environment,
                                         deployment__status=SUCCESS))  # fmt: skip


def compare_environments(*, project, base: Environment, head: Environment) -> dict:
    """What ``head`` runs that ``base`` doesn't: the commits (delivered to head, never to base), the
    requirements they name, the contract changes between the versions each runs (breaking first), and
    the test runs of each commit. Also how many commits base has that head lacks (a hotfix, say)."""
    changes = Change.objects.filter(project=project)
    ahead = changes.filter(_delivered_to(head)).exclude(_delivered_to(base)).order_by(
        F("committed_at").desc(nulls_last=True), "sha")  # fmt: skip
    shown = list(ahead[:COMPARE_MAX_CHANGES])
    ahead_count = len(shown) if len(shown) < COMPARE_MAX_CHANGES else ahead.count()
    behind_count = changes.filter(_delivered_to(base)).exclude(_delivered_to(head)).count()
    numbers = set().union(*(requirement_numbers(change.message) for change in shown)) if shown else set()
    requirements = list(Requirement.objects.filter(project=project, number__in=numbers).order_by("number"))
    runs: dict[str, list] = {}
    shas = [change.sha for change in shown]
    for run in TestRun.objects.filter(project=project, commit__in=shas).order_by("-created_at"):
        runs.setdefault(run.commit, []).append(run)
    for change in shown:
        change.test_runs = runs.get(change.sha, [])
    return {
        "base": base, "head": head, "changes": shown, "ahead_count": ahead_count, "behind_count": behind_count,
        "requirements": requirements, "contracts": contract_changes(base=base, head=head),
        "current": {"head": _current(head), "base": _current(base)},
    }  # fmt: skip


def _current(environment):
    return (environment.deployments.filter(status=SUCCESS).order_by(F("finished_at").desc(nulls_last=True), "-id")
            .first())  # fmt: skip


def contract_changes(*, base: Environment, head: Environment) -> list[dict]:
    """Per contract whose running version differs: the diff from base's version to head's (oasdiff's
    levels), breaking (ERR) changes first; a contract only one side runs is listed without a diff."""
    base_versions, head_versions = running_contract_versions(base), running_contract_versions(head)
    found = []
    for contract_id in sorted(set(base_versions) | set(head_versions)):
        old, new = base_versions.get(contract_id), head_versions.get(contract_id)
        if old is not None and new is not None and old.pk == new.pk:
            continue
        entry = {"contract": (new or old).contract, "base": old, "head": new, "changes": [], "breaking": False}
        valid = old is not None and new is not None and old.document is not None and new.document is not None
        if valid and old.status == new.status == ContractVersion.Status.VALID:
            entry["changes"] = contracts.diff(old.document, new.document)  # breaking first
            entry["breaking"] = is_breaking(entry["changes"])
        found.append(entry)
    return sorted(found, key=lambda e: (not e["breaking"], e["contract"].slug))




PERIOD = re.compile(r"^([1-9][0-9]{0,2})([dw])$")
MAX_PERIOD_DAYS = 730


def period_days(text: str | None, default: int = 90) -> int:
    """"90d" → 90, "12w" → 84; ValueError for anything else or more than two years."""
    match = PERIOD.match(text or f"{default}d")
    if match is None:
        raise ValueError("A period is days or weeks, e.g. 90d or 12w.")
    days = int(match[1]) * (7 if match[2] == "w" else 1)
    if days > MAX_PERIOD_DAYS:
        raise ValueError(f"At most {MAX_PERIOD_DAYS} days.")
    return days


def change_count():
    """Commits a deployment brings, as a correlated subquery: computed for the page's rows only (a
    ``Count("changes")`` join would group all 100 000 deployments' million changes before paging)."""
    per_deployment = (Deployment.changes.through.objects.filter(deployment_id=OuterRef("pk"))
                      .values("deployment_id").annotate(n=Count("pk")).values("n"))  # fmt: skip
    return Coalesce(Subquery(per_deployment, output_field=IntegerField()), 0)
