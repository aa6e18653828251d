"""DevLake's DORA e2e tables reproduced exactly by ``apps.deployments.dora.devlake``.

Inputs and expected outputs are the CSVs copied into tests/fixtures/deployments/devlake-dora/ (see its README):
every row and every column of DevLake's expected tables must match, as in DevLake's own VerifyTable.
"""

import csv
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from apps.deployments.dora import devlake

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "deployments" / "devlake-dora"
CLT = FIXTURES / "change_lead_time"
INC = FIXTURES / "connect_incident_to_deployment"

MINUTE_COLUMNS = ("pr_coding_time", "pr_pickup_time", "pr_review_time", "pr_deploy_time", "pr_cycle_time")
ID_COLUMNS = ("project_name", "first_commit_sha", "first_review_id", "deployment_commit_id")
DATE_COLUMNS = (
    "first_commit_authored_date",
    "first_comment_date",
    "pr_created_date",
    "pr_merged_date",
    "pr_deployed_date",
)


def rows(path: Path) -> list[dict]:
    with path.open(newline="") as fh:
        return list(csv.DictReader(fh))


@pytest.fixture(scope="module")
def pr_metrics():
    return devlake.pr_metrics(
        "project1",
        pull_requests=rows(CLT / "pull_requests.csv"),
        pull_request_commits=rows(CLT / "pull_request_commits.csv"),
        pull_request_comments=rows(CLT / "pull_request_comments.csv"),
        deployment_commits=rows(CLT / "cicd_deployment_commits.csv"),
        commits_diffs=rows(CLT / "commits_diffs.csv"),
        project_mapping=rows(CLT / "project_mapping.csv"),
    )


def test_project_pr_metrics_table_reproduced_exactly(pr_metrics):
    expected = rows(CLT / "project_pr_metrics.csv")
    # pr6 is unmerged -> not considered; pr0..pr5 are, in the expected table's order
    assert list(pr_metrics) == [r["id"] for r in expected]
    for exp in expected:
        got = pr_metrics[exp["id"]]
        for col in MINUTE_COLUMNS:
            assert got[col] == (int(exp[col]) if exp[col] else None), (exp["id"], col)
        for col in ID_COLUMNS:
            assert got[col] == (exp[col] or None), (exp["id"], col)
        for col in DATE_COLUMNS:
            assert got[col] == devlake.parse_time(exp[col]), (exp["id"], col)


@pytest.mark.parametrize(
    "pr_id, column, expected",
    [
        # pr1: merged 2023-04-11 05:51:47 -> deployment commit 5 finished 2023-04-13 07:29:14
        #      = 2 d 1 h 37 min 27 s = 2977.45 min -> rounded UP -> 2978
        ("pr1", "pr_deploy_time", 2978),
        # pr1 cycle = coding 1440 + created->merged 60 + deploy 2978 = 4478
        ("pr1", "pr_cycle_time", 4478),
        # pr1 first review: comment01 is by the author "a" -> comment02 at 04:56:47, 5 min after creation
        ("pr1", "first_review_id", "comment02"),
        # pr3 merged 2023-04-14 06:53:51 after deployment 6 finished 2023-04-13 07:30:34: negative -> NULL,
        # but the deployment id is kept
        ("pr3", "pr_deploy_time", None),
        ("pr3", "deployment_commit_id", "6"),
        # pr3 cycle = coding 5883 + created(04-11 06:53:51)->merged(04-14 06:53:51) 4320 + NULL deploy = 10203
        ("pr3", "pr_cycle_time", 10203),
        # pr2 first commit authored 04-13 04:51:47 after the PR was created 04-12 04:51:47 -> coding NULL
        ("pr2", "pr_coding_time", None),
        # pr0's merge commit is only in the diff of deployment 1, the first one (no previous success) -> no deploy
        ("pr0", "deployment_commit_id", None),
        # pr4's merge commit is in a STAGING diff (7 -> 8) -> no production deployment
        ("pr4", "deployment_commit_id", None),
        # pr5's merge commit is in the diff of commit11, a FAILURE -> none
        ("pr5", "deployment_commit_id", None),
        # pr5 first review (2022-09-07) precedes creation (2023-04-13): pickup negative -> NULL
        ("pr5", "pr_pickup_time", None),
    ],
)
def test_pr_metrics_hand_checked_cells(pr_metrics, pr_id, column, expected):
    assert pr_metrics[pr_id][column] == expected


def test_unmerged_pr_is_not_considered(pr_metrics):
    assert "pr6" not in pr_metrics


@pytest.mark.parametrize(
    "seconds, minutes",
    [
        (0, 0),
        (1, 1),  # any started minute counts: ceil
        (60, 1),
        (61, 2),
        (-30, 0),  # ceil(-0.5) = 0, not negative -> kept, as in Go
        (-60, None),  # -1 minute -> NULL
    ],
)
def test_time_span_rounds_up_and_nulls_negatives(seconds, minutes):
    start = datetime(2023, 4, 10, tzinfo=UTC)
    assert devlake.time_span(start, start + timedelta(seconds=seconds)) == minutes


def test_time_span_with_a_missing_end_is_null():
    assert devlake.time_span(datetime(2023, 4, 10, tzinfo=UTC), None) is None


def test_parse_time_accepts_both_csv_formats():
    assert devlake.parse_time("2023-4-10 6:51:47") == datetime(2023, 4, 10, 6, 51, 47, tzinfo=UTC)
    assert devlake.parse_time("2023-04-10T06:52:47.000+00:00") == datetime(2023, 4, 10, 6, 52, 47, tzinfo=UTC)
    assert devlake.parse_time("") is None


def test_incident_deployment_relationships_reproduced_exactly():
    got = devlake.incident_deployments(
        "project1",
        incidents=rows(INC / "incidents.csv"),
        deployment_commits=rows(INC / "cicd_deployment_commits_after.csv"),
        project_mapping=rows(INC / "project_mapping.csv"),
    )
    expected = {r["id"]: r["deployment_id"] for r in rows(INC / "project_incident_deployment_relationships.csv")}
    assert got == expected
    assert all(r["project_name"] == "project1" for r in rows(INC / "project_incident_deployment_relationships.csv"))


@pytest.mark.parametrize(
    "incident_id, deployment_id",
    [
        # created 2022-11-13, after every deployment; latest qualifying = commit 13 (pipeline7, cicd2) finished
        # 09-24. Commit 12 (09-23) is also pipeline7; 16 has no environment; 11/14 failed; 15 is cicd3 (project2).
        ("github:GithubIssue:1:1367714738", "pipeline7"),
        # board incident (boards/board1 is mapped to project1) created 2022-09-15 01:56:16: latest before it is
        # commit 3 (pipeline2, cicd2) finished 09-14 06:51:47; commit 15 (09-14) is project2's cicd3.
        ("github:GithubIssue:1:1373792478", "pipeline2"),
        # repos/repo3 belongs to project2 -> no row
        ("github:GithubIssue:1:1373792477", None),
    ],
)
def test_incident_deployment_hand_checked(incident_id, deployment_id):
    got = devlake.incident_deployments(
        "project1",
        incidents=rows(INC / "incidents.csv"),
        deployment_commits=rows(INC / "cicd_deployment_commits_after.csv"),
        project_mapping=rows(INC / "project_mapping.csv"),
    )
    assert got.get(incident_id) == deployment_id


def test_incident_before_any_deployment_gets_no_row():
    deployment = {
        "id": "1",
        "result": "SUCCESS",
        "environment": "PRODUCTION",
        "cicd_scope_id": "s",
        "finished_date": "2022-09-11T06:51:47.000+00:00",
        "cicd_deployment_id": "p1",
    }
    mapping = [
        {"project_name": "p", "table": "cicd_scopes", "row_id": "s"},
        {"project_name": "p", "table": "repos", "row_id": "r"},
    ]
    incident = {"id": "i", "created_date": "2022-09-11 06:51:47", "table": "repos", "scope_id": "r"}
    # finished_date must be strictly before created_date: equal -> no row
    got = devlake.incident_deployments(
        "p", incidents=[incident], deployment_commits=[deployment], project_mapping=mapping
    )
    assert got == {}
