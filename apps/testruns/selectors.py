"""Reads shared by the pages and the API: run lists, failure groups, comparisons, trends, flaky tests."""

from __future__ import annotations

from django.db.models import Count, Min, Q, Sum

from .history import flaky_stats, flaky_window
from .models import FAILING, TestCase, TestResult, TestRun

SLOWEST = 10


def run_list(*, project):
    return TestRun.objects.filter(project=project).select_related("created_by")


def run_results(*, run: TestRun):
    # (run, id) order is served by the testresult_run_id index; "ORDER BY id" alone could walk the
    # primary key past every other run's rows.
    return (
        TestResult.objects.filter(run=run)
        .select_related("test_case")
        .defer("system_out", "system_err", "failure_text", "properties")
        .order_by("run_id", "id")
    )


def previous_run(*, run: TestRun) -> TestRun | None:
    """The latest complete run of the same branch and name before this one."""
    return (
        TestRun.objects.filter(
            project_id=run.project_id,
            branch=run.branch,
            name=run.name,
            status=TestRun.State.COMPLETE,
            id__lt=run.pk,
        )
        .order_by("-id")
        .first()
    )


def failure_groups(*, run: TestRun, limit: int = 20) -> list[dict]:
    """Failing results grouped by normalised message signature, biggest group first."""
    groups = list(
        TestResult.objects.filter(run=run, status__in=FAILING)
        .values("message_signature")
        .annotate(count=Count("id"), sample_id=Min("id"))
        .order_by("-count", "message_signature")[:limit]
    )
    samples = {
        r.pk: r
        for r in TestResult.objects.filter(pk__in=[g["sample_id"] for g in groups])
        .select_related("test_case")
        .only(
            "id",
            "failure_type",
            "failure_message",
            "status",
            "test_case__name",
            "test_case__classname",
            "test_case__suite",
            "test_case__project_id",
        )
    }
    for group in groups:
        group["sample"] = samples.get(group["sample_id"])
    return groups


def slowest_results(*, run: TestRun, limit: int = SLOWEST):
    return run_results(run=run).order_by("-duration")[:limit]


def compare_runs(*, base: TestRun, head: TestRun) -> dict:
    """New failures, fixed and still failing tests of ``head`` against ``base``."""
    base_failing = TestResult.objects.filter(run=base, status__in=FAILING).values("test_case_id")
    return {
        "new_failures": run_results(run=head)
        .filter(status__in=FAILING)
        .exclude(test_case_id__in=base_failing),
        "fixed": run_results(run=head).filter(status="passed", test_case_id__in=base_failing),
        "still_failing": run_results(run=head).filter(status__in=FAILING, test_case_id__in=base_failing),
    }


def compare_counts(*, base: TestRun, head: TestRun) -> dict:
    return {key: qs.count() for key, qs in compare_runs(base=base, head=head).items()}


def trend_points(
    *, project, branch: str | None = None, name: str | None = None, limit: int = 100
) -> list[dict]:
    """Pass rate and duration per complete run (oldest first), for the trends chart."""
    runs = TestRun.objects.filter(project=project, status=TestRun.State.COMPLETE)
    if branch is not None:
        runs = runs.filter(branch=branch)
    if name is not None:
        runs = runs.filter(name=name)
    rows = list(
        runs.order_by("-id").values(
            "number", "name", "branch", "created_at", "tests", "passed", "failed", "errors", "skipped", "duration"
        )[:limit]
    )
    rows.reverse()
    for row in rows:
        ran = row["tests"] - row["skipped"]
        row["pass_rate"] = round(100.0 * row["passed"] / ran, 1) if ran else None
    return rows


def branches(*, project) -> list[str]:
    return list(
        TestRun.objects.filter(project=project)
        .order_by("branch")
        .values_list("branch", flat=True)
        .distinct()[:200]
    )


def run_names(*, project) -> list[str]:
    return list(
        TestRun.objects.filter(project=project)
        .order_by("name")
        .values_list("name", flat=True)
        .distinct()[:200]
    )


def flaky_tests(
    *, project, branch: str | None = None, name: str | None = None, window: int | None = None
) -> list[dict]:
    """Flaky tests: stored flags (latest ingestion), or computed now for an explicit branch (+ run name).
    A blank branch or name means none was given (every branch, every suite), on the page and the API alike."""
    branch, name = branch or None, name or None
    if branch is None:
        cases = list(
            TestCase.objects.filter(project=project, flaky=True)
            .with_latest()
            .order_by("-flaky_score", "name")[:500]
        )
        return [
            {"test_case": c, "flips": c.flips, "score": c.flaky_score, "retried": None, "runs": None}
            for c in cases
        ]
    stats = flaky_stats(project_id=project.pk, branch=branch, name=name, window=window or flaky_window())
    flagged = {pk: s for pk, s in stats.items() if s["flaky"]}
    cases = TestCase.objects.filter(pk__in=list(flagged)).with_latest()
    rows = [{"test_case": c, **flagged[c.pk]} for c in cases]
    rows.sort(key=lambda r: (-r["score"], r["test_case"].name))
    return rows


def test_case_list(*, project):
    """The project's tests with their latest run, duration and last pass (read from their results)."""
    return TestCase.objects.filter(project=project).with_latest()


def test_history(*, test_case: TestCase):
    return (
        TestResult.objects.filter(test_case=test_case)
        .select_related("run")
        .defer("system_out", "system_err", "failure_text", "properties")
        .order_by("-run_id")
    )


def overview_stats(project) -> dict:
    latest = (
        TestRun.objects.filter(project=project, status=TestRun.State.COMPLETE)
        .order_by("-id")
        .only("id", "tests", "passed", "skipped", "name", "branch")
        .first()
    )
    counts = TestRun.objects.filter(project=project).aggregate(runs=Count("id"))
    flaky = TestCase.objects.filter(project=project, flaky=True).count()
    return {"latest": latest, "runs": counts["runs"], "flaky": flaky}


SUITE_TREE_CLASSES = 300  # classes shown in a run's suite tree; more are counted, not listed


def suite_tree(*, run: TestRun) -> dict:
    """A run's results as suites → classes with their counts (as Allure's "Suites"), from one
    grouped query; each class's tests are loaded when it is opened (``run_results?suite=&classname=``)."""
    rows = list(
        TestResult.objects.filter(run=run)
        .values("test_case__suite", "test_case__classname")
        .annotate(tests=Count("id"), failing=Count("id", filter=Q(status__in=FAILING)),
                  skipped=Count("id", filter=Q(status="skipped")), duration=Sum("duration"))
        .order_by("test_case__suite", "test_case__classname")[: SUITE_TREE_CLASSES + 1]
    )  # fmt: skip
    suites: dict[str, dict] = {}
    for row in rows[:SUITE_TREE_CLASSES]:
        suite = suites.setdefault(row["test_case__suite"], {"name": row["test_case__suite"], "classes": [],
                                                               "tests": 0, "failing": 0, "skipped": 0})  # fmt: skip
        suite["classes"].append({"name": row["test_case__classname"], "tests": row["tests"], "failing": row["failing"],
                                 "skipped": row["skipped"], "duration": row["duration"]})  # fmt: skip
        for key in ("tests", "failing", "skipped"):
            suite[key] += row[key]
    return {"suites": list(suites.values()), "more": len(rows) > SUITE_TREE_CLASSES}
