"""Cross-run knowledge: denormalised latest status per test, flakiness, requirement links.

Everything here is set-based SQL (a handful of statements per run, whatever its size): the
ingestion service calls ``history_apply_run`` inside the run's transaction once its results are
loaded; the flaky query is shared with the flaky page/endpoint for an arbitrary branch.
"""

from __future__ import annotations

from django.apps import apps
from django.conf import settings
from django.db import connection
from django.db.models import Case, F, OuterRef, Q, Subquery, Value, When

from .models import FAILING, Status, TestCase, TestResult, TestRun

FLAKY_SQL = """
WITH recent AS (
    SELECT id FROM {run}
    WHERE project_id = %s AND branch = %s AND name = %s AND (status = 'complete' OR id = %s)
    ORDER BY id DESC LIMIT %s
),
candidates AS (
    SELECT DISTINCT test_case_id FROM {result}
    WHERE run_id IN (SELECT id FROM recent) AND (status IN ('failed', 'error') OR flaky_in_run)
),
seq AS (
    SELECT r.test_case_id, r.flaky_in_run,
           CASE WHEN r.status = 'passed' THEN 1 ELSE 0 END AS ok,
           LAG(CASE WHEN r.status = 'passed' THEN 1 ELSE 0 END)
               OVER (PARTITION BY r.test_case_id ORDER BY r.run_id, r.id) AS prev_ok
    FROM {result} r
    WHERE r.run_id IN (SELECT id FROM recent) AND r.test_case_id IN (SELECT test_case_id FROM candidates)
      AND r.status IN ('passed', 'failed', 'error')
)
SELECT test_case_id,
       SUM(CASE WHEN prev_ok IS NOT NULL AND prev_ok <> ok THEN 1 ELSE 0 END) AS flips,
       MAX(CASE WHEN flaky_in_run THEN 1 ELSE 0 END) AS retried,
       COUNT(*) AS runs
FROM seq GROUP BY test_case_id
"""


def flaky_window() -> int:
    return int(getattr(settings, "TESTRUNS_FLAKY_WINDOW", 30))


def flaky_min_flips() -> int:
    return int(getattr(settings, "TESTRUNS_FLAKY_MIN_FLIPS", 2))


def flaky_stats(
    *, project_id: int, branch: str, name: str, window: int | None = None, include_run_id: int = 0
) -> dict[int, dict]:
    """{test_case_id: {flips, retried, runs, score, flaky}} over the last ``window`` runs of a branch+name.

    Only tests that failed or were retried in the window are considered (the others can't be
    flaky), which keeps the window function's input proportional to failures, not to tests × runs.
    """
    window = window or flaky_window()
    sql = FLAKY_SQL.format(run=TestRun._meta.db_table, result=TestResult._meta.db_table)
    with connection.cursor() as cursor:
        cursor.execute(sql, [project_id, branch, name, include_run_id, window])
        rows = cursor.fetchall()
    minimum = flaky_min_flips()
    stats = {}
    for test_case_id, flips, retried, runs in rows:
        flips, retried = int(flips or 0), bool(retried)
        stats[test_case_id] = {
            "flips": flips,
            "retried": retried,
            "runs": int(runs),
            "score": round(flips / max(int(runs) - 1, 1), 3),
            "flaky": flips >= minimum or retried,
        }
    return stats


def _denormalise(run: TestRun) -> None:
    """Latest status, failure streak start and last pass, for the tests of ``run``.

    A re-processed older run never overwrites what a newer run set (``last_run`` guard).
    """
    newer_or_none = Q(last_run__isnull=True) | Q(last_run_id__lte=run.pk)
    for status in Status.values:
        ids = TestResult.objects.filter(run=run, status=status).values("test_case_id")
        duration = TestResult.objects.filter(run=run, test_case=OuterRef("pk")).values("duration")[:1]
        changes = {"last_status": status, "last_run_id": run.pk, "last_duration": Subquery(duration)}
        if status == Status.PASSED:
            changes.update(last_passed_run_id=run.pk, first_failed_run_id=None)
        elif status in FAILING:
            changes["first_failed_run_id"] = Case(
                When(
                    Q(last_status__in=FAILING) & Q(first_failed_run__isnull=False),
                    then=F("first_failed_run_id"),
                ),
                default=Value(run.pk),
            )
        TestCase.objects.filter(newer_or_none, pk__in=ids).update(**changes)


def _apply_flaky(run: TestRun) -> None:
    stats = flaky_stats(project_id=run.project_id, branch=run.branch, name=run.name, include_run_id=run.pk)
    # Tests of this run that no longer qualify lose the flag (few rows: only those flagged before).
    (
        TestCase.objects.filter(
            project_id=run.project_id, pk__in=TestResult.objects.filter(run=run).values("test_case_id")
        )
        .filter(Q(flaky=True) | Q(flips__gt=0))
        .exclude(pk__in=list(stats))
        .update(flaky=False, flips=0, flaky_score=0.0)
    )
    if not stats:
        return
    cases = list(TestCase.objects.filter(pk__in=list(stats)).only("id"))
    for case in cases:
        entry = stats[case.pk]
        case.flaky, case.flips, case.flaky_score = entry["flaky"], entry["flips"], entry["score"]
    TestCase.objects.bulk_update(cases, ["flaky", "flips", "flaky_score"], batch_size=500)


def requirement_model():
    try:
        return apps.get_model("requirements", "Requirement")
    except LookupError:
        return None


def link_requirements(*, project_id: int, mentions: dict[int, set[int]]) -> int:
    """Create TestCaseRequirement links for REQ-<n> keys the tests name: one lookup, one bulk insert."""
    Requirement = requirement_model()
    if Requirement is None or not mentions:
        return 0
    from .models import TestCaseRequirement

    numbers = set().union(*mentions.values())
    fields = {f.name for f in Requirement._meta.get_fields()}
    extra = [name for name in ("fingerprint", "revision") if name in fields]
    found = {
        row["number"]: row
        for row in Requirement.objects.filter(project_id=project_id, number__in=numbers).values(
            "id", "number", *extra
        )
    }
    links = []
    for test_case_id, wanted in mentions.items():
        for number in wanted:
            requirement = found.get(number)
            if requirement is None:
                continue
            links.append(
                TestCaseRequirement(
                    test_case_id=test_case_id,
                    requirement_id=requirement["id"],
                    fingerprint=str(requirement.get("fingerprint") or "")[:64],
                    revision=requirement.get("revision"),
                )
            )
    TestCaseRequirement.objects.bulk_create(links, ignore_conflicts=True, batch_size=500)
    return len(links)


def history_apply_run(*, run: TestRun, requirement_mentions: dict[int, set[int]]) -> None:
    _denormalise(run)
    _apply_flaky(run)
    link_requirements(project_id=run.project_id, mentions=requirement_mentions)
