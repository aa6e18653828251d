"""Cross-run knowledge: latest status per test (written when it changes), flakiness, requirement links.

Everything here is set-based SQL (a handful of statements per run, whatever its size): the
ingestion service calls ``history_apply_run`` inside the run's transaction once its results are
loaded; the flaky query is shared with the flaky page/endpoint for an arbitrary branch.
"""

from __future__ import annotations

import logging
import time

from django.apps import apps
from django.conf import settings
from django.db import connection
from django.db.models import Case, Exists, F, OuterRef, Q, Value, When

from .models import FAILING, Status, TestCase, TestResult, TestRun

logger = logging.getLogger(__name__)

CANDIDATES_SQL = """
SELECT DISTINCT test_case_id FROM {result}
WHERE run_id IN ({runs}) AND (status IN ('failed', 'error') OR flaky_in_run)
"""
# Flips per test over the window: LAG over each test's results ordered by run. Only called with
# explicit run ids and candidate tests, so the planner walks the (test_case, run) index.
_FLIPS_OVER = """
SELECT test_case_id,
       SUM(CASE WHEN prev_ok IS NOT NULL AND prev_ok <> ok THEN 1 ELSE 0 END) AS flips,
       MAX(CASE WHEN flaky_in_run THEN 1 ELSE 0 END) AS retried,
       COUNT(*) AS runs
FROM (
    SELECT r.test_case_id, r.flaky_in_run,
           CASE WHEN r.status = 'passed' THEN 1 ELSE 0 END AS ok,
           LAG(CASE WHEN r.status = 'passed' THEN 1 ELSE 0 END)
               OVER (PARTITION BY r.test_case_id ORDER BY r.run_id, r.id) AS prev_ok
    FROM %s
) AS seq
GROUP BY test_case_id
"""
FLIPS_SQL = _FLIPS_OVER % """{result} r
    WHERE r.test_case_id IN ({cases}) AND r.run_id IN ({runs}) AND r.status IN ('passed', 'failed', 'error')"""
# PostgreSQL: the same, probing the (test_case, run) index once per candidate. Given the plain IN
# list, the planner (with stale statistics right after a load) reads every result of the window's
# runs instead; OFFSET 0 keeps the lateral subquery from being flattened back into that plan.
FLIPS_SQL_PG = _FLIPS_OVER % """unnest(ARRAY[{cases}]::bigint[]) AS c(id)
    CROSS JOIN LATERAL (
        SELECT x.id, x.test_case_id, x.run_id, x.status, x.flaky_in_run FROM {result} x
        WHERE x.test_case_id = c.id AND x.run_id IN ({runs}) AND x.status IN ('passed', 'failed', 'error')
        OFFSET 0
    ) AS r"""
# Latest status and failure-streak start of the tests whose status a run changes (the loader knows
# them: it reads each test's stored status while resolving identities; apply_status, per batch).
# A re-processed older run never overwrites what a newer run set (no result of the test in a later
# run), and rows that already hold the status are skipped, so a stale guess of the loader is harmless.
STATUS_SQL = """
UPDATE {case} AS tc SET
    last_status = v.status,
    first_failed_run_id = CASE
        WHEN v.status IN ('failed', 'error') THEN
            CASE WHEN tc.last_status IN ('failed', 'error') AND tc.first_failed_run_id IS NOT NULL
                 THEN tc.first_failed_run_id ELSE %(run)s END
        WHEN v.status = 'passed' THEN NULL
        ELSE tc.first_failed_run_id END
FROM unnest(%(ids)b::bigint[], %(statuses)b::text[]) AS v(id, status)
WHERE tc.id = v.id AND tc.last_status IS DISTINCT FROM v.status
  AND NOT EXISTS (SELECT 1 FROM {result} AS r WHERE r.test_case_id = tc.id AND r.run_id > %(run)s)
"""


def flaky_window() -> int:
    return int(getattr(settings, "TESTRUNS_FLAKY_WINDOW", 30))


def flaky_min_flips() -> int:
    return int(getattr(settings, "TESTRUNS_FLAKY_MIN_FLIPS", 2))


def _ints(values) -> str:
    # Ids come from the database, never from a request: inlining them is safe and lets the planner
    # see the real list.
    return ",".join(str(int(v)) for v in values)


def window_runs(*, project_id: int, branch: str, name: str | None, window: int | None = None,
                include_run_id: int = 0) -> list[int]:
    """Ids of the last ``window`` complete runs of a branch (+ name; None: any) and a run being ingested."""
    runs = TestRun.objects.filter(project_id=project_id, branch=branch).filter(
        Q(status=TestRun.State.COMPLETE) | Q(pk=include_run_id)
    )
    if name is not None:
        runs = runs.filter(name=name)
    return list(runs.order_by("-id").values_list("id", flat=True)[: window or flaky_window()])


def flaky_stats(*, project_id: int, branch: str, name: str | None, window: int | None = None,
                include_run_id: int = 0) -> dict[int, dict]:
    """{test_case_id: {flips, retried, runs, score, flaky}} over the last ``window`` runs of a branch+name.

    Only tests that failed or were retried in the window are considered (the others can't be
    flaky), which keeps the window function's input proportional to failures, not to tests × runs.
    """
    run_ids = window_runs(project_id=project_id, branch=branch, name=name, window=window,
                          include_run_id=include_run_id)
    if not run_ids:
        return {}
    result = TestResult._meta.db_table
    postgres = connection.vendor == "postgresql"
    with connection.cursor() as cursor:
        if postgres:
            # Right after a 100 000-row load the table statistics are stale and the planner would scan
            # every result; these queries only ever need the (run) and (test_case, run) indexes. The
            # same stale estimates would also make it JIT-compile them (a quarter second, for nothing).
            cursor.execute("SELECT set_config('enable_seqscan', 'off', true), set_config('jit', 'off', true)")
        cursor.execute(CANDIDATES_SQL.format(result=result, runs=_ints(run_ids)))
        candidates = [row[0] for row in cursor.fetchall()]
        rows = []
        for start in range(0, len(candidates), 5000):
            chunk = candidates[start:start + 5000]
            cursor.execute((FLIPS_SQL_PG if postgres else FLIPS_SQL).format(
                result=result, cases=_ints(chunk), runs=_ints(run_ids)))
            rows.extend(cursor.fetchall())
        if postgres:
            cursor.execute("SELECT set_config(name, reset_val, true) FROM pg_settings "
                           "WHERE name IN ('enable_seqscan', 'jit')")
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


def apply_status(run: TestRun, changes: dict[int, str]) -> None:
    """Store the new latest status of the tests listed in ``changes`` ({test_case_id: status})."""
    if not changes:
        return
    items = list(changes.items())
    if connection.vendor == "postgresql":
        import psycopg

        sql = STATUS_SQL.format(case=TestCase._meta.db_table, result=TestResult._meta.db_table)
        connection.ensure_connection()
        # Binary array parameters (%b) need a server-side-binding cursor; Django's quotes them into
        # the statement text, element by element.
        with psycopg.Cursor(connection.connection) as cursor:
            for start in range(0, len(items), 50000):
                chunk = items[start:start + 50000]
                cursor.execute(sql, {"run": run.pk, "ids": [i for i, _ in chunk], "statuses": [s for _, s in chunk]})
        return
    by_status: dict[str, list[int]] = {}
    for test_case_id, status in items:
        by_status.setdefault(status, []).append(test_case_id)
    newer = TestResult.objects.filter(test_case=OuterRef("pk"), run_id__gt=run.pk)
    for status, ids in by_status.items():
        if status in FAILING:
            values = {"first_failed_run_id": Case(
                When(last_status__in=FAILING, first_failed_run__isnull=False, then=F("first_failed_run_id")),
                default=Value(run.pk),
            )}
        elif status == Status.PASSED:
            values = {"first_failed_run_id": None}
        else:
            values = {}
        for start in range(0, len(ids), 900):
            (TestCase.objects.filter(pk__in=ids[start:start + 900]).exclude(last_status=status)
             .exclude(Exists(newer)).update(last_status=status, **values))


def _apply_flaky(run: TestRun) -> None:
    stats = flaky_stats(project_id=run.project_id, branch=run.branch, name=run.name, include_run_id=run.pk)
    # Tests of this run that no longer qualify lose their flag. Flagged tests are few, so they are
    # listed first and only then checked against this run's results.
    flagged_now = set(TestCase.objects.filter(project_id=run.project_id).filter(Q(flaky=True) | Q(flips__gt=0))
                      .values_list("id", flat=True))
    flagged = list(flagged_now - set(stats))
    for start in range(0, len(flagged), 5000):
        chunk = flagged[start:start + 5000]
        in_run = TestResult.objects.filter(run=run, test_case_id__in=chunk).values("test_case_id")
        TestCase.objects.filter(pk__in=in_run).update(flaky=False, flips=0, flaky_score=0.0)
    # One UPDATE per distinct (flaky, flips, score) — a handful, however many tests — skipping rows
    # that already hold those values.
    groups: dict[tuple, list[int]] = {}
    for test_case_id, entry in stats.items():
        groups.setdefault((entry["flaky"], entry["flips"], entry["score"]), []).append(test_case_id)
    for (flaky, flips, score), ids in groups.items():
        if not (flaky or flips or score):  # only flagged tests can hold anything else
            ids = [test_case_id for test_case_id in ids if test_case_id in flagged_now]
        for start in range(0, len(ids), 5000):
            (TestCase.objects.filter(pk__in=ids[start:start + 5000])
             .exclude(flaky=flaky, flips=flips, flaky_score=score)
             .update(flaky=flaky, flips=flips, flaky_score=score))


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
    """Cross-run updates once a run's results are loaded, in the run's transaction.

    (Latest statuses are already stored: the loader applies them batch by batch, ``apply_status``.)
    """
    denormalised = time.perf_counter()
    _apply_flaky(run)
    flaky = time.perf_counter()
    link_requirements(project_id=run.project_id, mentions=requirement_mentions)
    logger.info("test run %s history: flaky %.2f s, requirement links %.2f s", run.pk,
                flaky - denormalised, time.perf_counter() - flaky)
