"""Apache DevLake's two DORA rules, re-implemented exactly as its Go code does them.

An independent second check of our semantics (DevLake's e2e tables are the ground truth). Owns:

- ``pr_metrics()``: ``backend/plugins/dora/tasks/change_lead_time_calculator.go`` (CalculateChangeLeadTime):
  per merged PR of the project, coding / pickup / review / deploy / cycle times in whole minutes rounded UP
  (``computeTimeSpan``: a negative span is None, not 0), and the ``deployment_commit_id`` that shipped it.
- ``incident_deployments()``: ``backend/plugins/dora/tasks/incident_deploy_connector.go``
  (ConnectIncidentToDeployment): each incident of the project -> the ``cicd_deployment_id`` of the latest
  successful PRODUCTION deployment commit of the project that finished strictly before the incident was created.

Inputs are DevLake domain-layer rows as ``dict[str, str]`` (e.g. ``csv.DictReader``), empty string = NULL.
Differences from our engine, on purpose: DevLake measures from the PR merge (not the commit), attributes a PR to the
deployment whose *diff range* contains its merge commit, ignores an environment's first deployment entirely (no
previous success -> no diff -> no lead time) and keys incidents to any production deployment of the project.
"""

from __future__ import annotations

import math
from datetime import UTC, datetime


def parse_time(value: str | None) -> datetime | None:
    """DevLake CSV times: ISO ``2023-04-10T06:52:47.000+00:00`` or ``2023-4-10 6:51:47`` (naive = UTC)."""
    if not value:
        return None
    # strptime accepts the unpadded month/day/hour of the short form
    parsed = datetime.fromisoformat(value) if "T" in value else datetime.strptime(value, "%Y-%m-%d %H:%M:%S")
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)


def time_span(start: datetime | None, end: datetime | None) -> int | None:
    """``computeTimeSpan``: ceil of the span in minutes; None when an end is missing or the result is negative.

    As in Go, the ceiling comes first: a span of -30 s rounds to 0 and is kept.
    """
    if start is None or end is None:
        return None
    minutes = math.ceil((end - start).total_seconds() / 60)
    return None if minutes < 0 else minutes


def _mapped(project_mapping: list[dict], project: str, table: str) -> set[str]:
    return {r["row_id"] for r in project_mapping if r["project_name"] == project and r["table"] == table}


def _deployment_commit(merge_sha: str, project: str, deployment_commits, commits_diffs, cicd_scopes) -> dict | None:
    """``getDeploymentCommit``: the earliest (started_date, id) successful PRODUCTION deployment commit of the
    project, with a previous success, whose diff (prev commit_sha -> its commit_sha) contains ``merge_sha``."""
    by_id = {r["id"]: r for r in deployment_commits}
    matches = []
    for dc in deployment_commits:
        prev_id = dc["prev_success_deployment_commit_id"]
        if not prev_id or dc["environment"] != "PRODUCTION" or dc["result"] != "SUCCESS":
            continue
        if dc["cicd_scope_id"] not in cicd_scopes:
            continue
        prev = by_id.get(prev_id)
        old_sha = prev["commit_sha"] if prev else ""  # COALESCE(p.commit_sha, '')
        diff = (merge_sha, dc["commit_sha"], old_sha)
        if any((cd["commit_sha"], cd["new_commit_sha"], cd["old_commit_sha"]) == diff for cd in commits_diffs):
            matches.append(dc)
    matches.sort(key=lambda r: (parse_time(r["started_date"]), r["id"]))
    return matches[0] if matches else None


def pr_metrics(
    project: str,
    *,
    pull_requests: list[dict],
    pull_request_commits: list[dict],
    pull_request_comments: list[dict],
    deployment_commits: list[dict],
    commits_diffs: list[dict],
    project_mapping: list[dict],
) -> dict[str, dict]:
    """``CalculateChangeLeadTime`` for ``project``: ``{pr_id: {column: value}}`` (times in minutes, None = NULL)."""
    repos = _mapped(project_mapping, project, "repos")
    scopes = _mapped(project_mapping, project, "cicd_scopes")
    out: dict[str, dict] = {}
    for pr in pull_requests:
        merged = parse_time(pr["merged_date"])
        if merged is None or pr["base_repo_id"] not in repos:
            continue
        created = parse_time(pr["created_date"])
        row: dict = {"project_name": project, "first_commit_sha": None, "pr_coding_time": None}
        row["first_commit_authored_date"] = None

        # getFirstCommit: ORDER BY commit_authored_date ASC (stable sort keeps the table order on ties)
        commits = sorted(
            (c for c in pull_request_commits if c["pull_request_id"] == pr["id"]),
            key=lambda c: parse_time(c["commit_authored_date"]),
        )
        if commits:
            row["pr_coding_time"] = time_span(parse_time(commits[0]["commit_authored_date"]), created)
            row["first_commit_sha"] = commits[0]["commit_sha"]
            row["first_commit_authored_date"] = parse_time(commits[0]["commit_authored_date"])

        # getFirstReview: account_id != author_id (an empty author excludes only empty accounts)
        reviews = sorted(
            (
                c
                for c in pull_request_comments
                if c["pull_request_id"] == pr["id"] and c["account_id"] != pr["author_id"]
            ),
            key=lambda c: parse_time(c["created_date"]),
        )
        pr_during = time_span(created, merged)
        row.update(first_review_id=None, pr_pickup_time=None, pr_review_time=None, first_comment_date=None)
        if reviews:
            review_at = parse_time(reviews[0]["created_date"])
            row.update(
                first_review_id=reviews[0]["id"],
                pr_pickup_time=time_span(created, review_at),
                pr_review_time=time_span(review_at, merged),
                first_comment_date=review_at,
            )

        deployment = _deployment_commit(pr["merge_commit_sha"], project, deployment_commits, commits_diffs, scopes)
        row.update(deployment_commit_id=None, pr_deploy_time=None, pr_deployed_date=None)
        finished = parse_time(deployment["finished_date"]) if deployment else None
        if finished is not None:
            # the id and date are kept even when the span is negative (then pr_deploy_time is NULL)
            row.update(
                deployment_commit_id=deployment["id"],
                pr_deploy_time=time_span(merged, finished),
                pr_deployed_date=finished,
            )

        # cycle = coding + (created -> merged) + deploy, NULL terms as 0
        row["pr_cycle_time"] = sum(t for t in (row["pr_coding_time"], pr_during, row["pr_deploy_time"]) if t)
        row.update(pr_created_date=created, pr_merged_date=merged)
        out[pr["id"]] = row
    return out


def incident_deployments(
    project: str, *, incidents: list[dict], deployment_commits: list[dict], project_mapping: list[dict]
) -> dict[str, str]:
    """``ConnectIncidentToDeployment`` for ``project``: ``{incident_id: cicd_deployment_id}``.

    Incidents whose (table, scope_id) is not mapped to the project are skipped; an incident with no qualifying
    deployment gets no entry. No repo matching: any production deployment of the project qualifies.
    """
    mapped = {(r["table"], r["row_id"]) for r in project_mapping if r["project_name"] == project}
    scopes = _mapped(project_mapping, project, "cicd_scopes")
    candidates = [
        (parse_time(dc["finished_date"]), dc)
        for dc in deployment_commits
        if dc["result"] == "SUCCESS"
        and dc["environment"] == "PRODUCTION"
        and dc["cicd_scope_id"] in scopes
        and dc["finished_date"]
    ]
    out: dict[str, str] = {}
    for incident in incidents:
        if (incident["table"], incident["scope_id"]) not in mapped:
            continue
        created = parse_time(incident["created_date"])
        before = [(finished, dc) for finished, dc in candidates if finished < created]
        if before:
            # ORDER BY finished_date DESC LIMIT 1
            out[incident["id"]] = max(before, key=lambda fd: fd[0])[1]["cicd_deployment_id"]
    return out
