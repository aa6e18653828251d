#!/usr/bin/env python
"""Deployments benchmark on PostgreSQL (``make bench`` runs it after the others); writes its section of
docs/benchmarks.md.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/threadline_bench .venv/bin/python scripts/bench_deployments.py

1. Builds a project with 100 000 deployments over two years to four environments (a third to the two production
   ones), 1 000 000 changes and 5 000 incidents, by COPY; its ``ChangeDelivery`` table by ``rebuild_deliveries``
   (set-based SQL), checked against the incremental ``record_deliveries`` on a sample.
2. ``dora_report`` for the last 90 days: p50/p95 over 30 runs (target p95 ≤ 100 ms); filtered, trend and
   drill-down timings beside it.
3. Query counts of the deployments list page and list endpoint with 100 000 deployments and with a few (they must
   be equal), with their latency.
4. Sustained deployment reports through the API (POST with a Bearer token, Django test client — as the other
   benchmarks, no network): as fast as one client goes for 20 s (target ≥ 50 reports/s), errors counted.

Never point it at a ``test_*`` database: it truncates the deployments tables of the database it uses.
Sizes can be scaled down for a try: BENCH_DEPLOYMENTS, BENCH_CHANGES, BENCH_INCIDENTS, BENCH_SECONDS.
"""

from __future__ import annotations

import hashlib
import os
import platform
import random
import statistics
import sys
import time
from datetime import date, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "scripts"))

from bench import DEFAULT_URL, _create_database, _setup  # noqa: E402
from benchdoc import replace_section  # noqa: E402

OUT = ROOT / "docs" / "benchmarks.md"
SLUG, SMALL_SLUG = "bench-deployments", "bench-deployments-small"
DEPLOYMENTS = int(os.environ.get("BENCH_DEPLOYMENTS", "100000"))
CHANGES = int(os.environ.get("BENCH_CHANGES", "1000000"))
INCIDENTS = int(os.environ.get("BENCH_INCIDENTS", "5000"))
SECONDS = float(os.environ.get("BENCH_SECONDS", "20"))
WORKERS = int(os.environ.get("BENCH_WORKERS", str(os.cpu_count() or 2)))
DAYS, PERIOD_DAYS, RUNS, PAGE_RUNS, SMALL = 730, 90, 30, 10, 40
# slug, tier, share of the deployments, delay from commit to the cut a deployment there takes
ENVIRONMENTS = [("development", "development", 0.34, timedelta(minutes=10)),
                ("staging", "staging", 0.33, timedelta(hours=2)),
                ("production-eu", "production", 0.165, timedelta(days=1)),
                ("production-us", "production", 0.165, timedelta(days=1, hours=3))]  # fmt: skip
COMPONENTS = ["api", "web", "worker", "billing", "search"]
TRUNCATE = ("deployments_changedelivery, deployments_incident, deployments_requirementdelivery, "
            "deployments_gateevaluation, deployments_deployment_changes, deployments_deployment_components, "
            "deployments_deployment_contract_versions, deployments_deployment, deployments_change")  # fmt: skip


def percentiles(timings: list[float]) -> tuple[float, float]:
    timings = sorted(timings)
    return statistics.median(timings), timings[int(0.95 * (len(timings) - 1))]


def _reserve(cursor, table: str, count: int) -> int:
    """Reserve ``count`` ids of ``table``'s sequence; returns the first."""
    cursor.execute(f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), "
                   f"GREATEST((SELECT COALESCE(MAX(id), 0) FROM {table}), "
                   f"(SELECT last_value FROM {table}_id_seq)) + %s)", [count])  # fmt: skip
    return cursor.fetchone()[0] - count + 1


def _copy(cursor, table: str, columns: str, rows) -> None:
    with cursor.cursor.copy(f"COPY {table} ({columns}) FROM STDIN") as copy:
        for row in rows:
            copy.write_row(row)


def build(user) -> tuple:
    """The big project, by COPY. Returns (project, facts)."""
    from django.db import connection, transaction
    from django.utils import timezone

    from apps.architecture.models import Component
    from apps.deployments.dora_queries import rebuild_deliveries
    from apps.deployments.models import Environment
    from apps.projects.models import Project
    from apps.projects.services import project_create

    started = time.perf_counter()
    with connection.cursor() as cursor:
        cursor.execute(f"TRUNCATE {TRUNCATE} RESTART IDENTITY CASCADE")
    Project.objects.filter(slug__in=[SLUG, SMALL_SLUG]).delete()
    project = project_create(actor=user, name="Deployments bench", slug=SLUG)
    components = Component.objects.bulk_create([Component(project=project, key=key, name=key.title())
                                                for key in COMPONENTS])  # fmt: skip
    environments = Environment.objects.bulk_create([
        Environment(project=project, slug=slug, name=slug.title(), tier=tier, position=n)
        for n, (slug, tier, _, _) in enumerate(ENVIRONMENTS)])  # fmt: skip
    rng = random.Random(20260105)
    now = timezone.now().replace(microsecond=0)
    begin = now - timedelta(days=DAYS)
    span = DAYS * 86_400
    stamp = now
    facts = {"deployments": 0, "changes": CHANGES, "incidents": 0, "listings": 0, "production": 0, "rollbacks": 0}
    with transaction.atomic(), connection.cursor() as cursor:
        # changes: each of one component, committed uniformly over the two years
        first_change = _reserve(cursor, "deployments_change", CHANGES)
        by_component: list[list[tuple[int, object]]] = [[] for _ in COMPONENTS]
        change_rows = []
        for n in range(CHANGES):
            committed = begin + timedelta(seconds=rng.randrange(span))
            by_component[n % len(COMPONENTS)].append((first_change + n, committed))
            change_rows.append((first_change + n, project.pk, stamp, stamp, hashlib.sha1(b"%d" % n).hexdigest(),
                                f"Change {n}", "dev", committed, committed))  # fmt: skip
        _copy(cursor, "deployments_change", "id, project_id, created_at, updated_at, sha, message, author, "
              "authored_at, committed_at", change_rows)  # fmt: skip
        del change_rows
        for series in by_component:
            series.sort(key=lambda item: item[1])
        # deployments: per (environment, component), in time order; each lists the changes committed before its
        # cut that the one before did not deliver (a failed deployment's changes are listed again by the next one;
        # a rolled-back one's too, after its rollback)
        first_deployment = _reserve(cursor, "deployments_deployment", DEPLOYMENTS)
        deployments, listings, deployed = [], [], []
        successes: dict[int, list[tuple]] = {}  # environment -> [(finished, id, component index)]
        next_id = first_deployment
        for env, (_, tier, share, delay) in zip(environments, ENVIRONMENTS, strict=True):
            production = tier == "production"
            for c, series in enumerate(by_component):
                count = round(DEPLOYMENTS * share / len(COMPONENTS))
                if env == environments[-1] and c == len(COMPONENTS) - 1:
                    count = first_deployment + DEPLOYMENTS - next_id  # exactly DEPLOYMENTS in all
                times = sorted(begin + timedelta(seconds=rng.randrange(span)) for _ in range(count))
                pointer, pending, last = 0, [], None
                for finished in times:
                    while pointer < len(series) and series[pointer][1] < finished - delay:
                        pending.append(series[pointer][0])
                        pointer += 1
                    pk, kind, rollback_of, lists = next_id, "planned", None, pending
                    next_id += 1
                    status = rng.choices(["success", "failure", "cancelled"], [93, 5, 2])[0]
                    if production and last is not None and rng.random() < 0.02:
                        kind, rollback_of, lists, status = "rollback", last[0], [], "success"
                        pending = pending + last[1]  # what it rolled back ships again with the next one
                        facts["rollbacks"] += 1
                    elif production and rng.random() < 0.05:
                        kind = "hotfix"
                    duration = timedelta(seconds=rng.randrange(120, 1200))
                    deployments.append((pk, project.pk, stamp, stamp, env.pk, f"v{pk}", "", "main", status, kind,
                                        rollback_of, finished - duration, finished, "", "", "api"))  # fmt: skip
                    deployed.append((pk, components[c].pk))
                    listings.extend((pk, change) for change in lists)
                    if status == "success":
                        last, pending = (pk, lists), ([] if kind != "rollback" else pending)
                        successes.setdefault(env.pk, []).append((finished, pk, c))
                        facts["production"] += production
        _copy(cursor, "deployments_deployment", "id, project_id, created_at, updated_at, environment_id, version, "
              "commit, ref, status, kind, rollback_of_id, started_at, finished_at, build_url, external_id, source",
              deployments)  # fmt: skip
        _copy(cursor, "deployments_deployment_components", "deployment_id, component_id", deployed)
        _copy(cursor, "deployments_deployment_changes", "deployment_id, change_id", listings)
        facts["deployments"], facts["listings"] = len(deployments), len(listings)
        # incidents: after a successful production deployment, most caused by it, most resolved, some fixed by the
        # next successful deployment of that component
        first_incident = _reserve(cursor, "deployments_incident", INCIDENTS)
        production_successes = [(env_pk, item) for env_pk, items in successes.items()
                                if env_pk in {e.pk for e in environments if e.tier == "production"}
                                for item in items]  # fmt: skip
        incidents = []
        for n in range(INCIDENTS):
            env_pk, (finished, pk, c) = rng.choice(production_successes)
            started_at = finished + timedelta(minutes=rng.randrange(5, 720))
            resolved = started_at + timedelta(minutes=rng.randrange(10, 2880)) if rng.random() < 0.97 else None
            incidents.append((first_incident + n, project.pk, stamp, stamp, f"Incident {n}", "sev3", env_pk,
                              started_at, started_at, resolved, "", pk if rng.random() < 0.8 else None,
                              rng.random() < 0.5, None, "", "ui"))  # fmt: skip
        _copy(cursor, "deployments_incident", "id, project_id, created_at, updated_at, title, severity, "
              "environment_id, started_at, detected_at, resolved_at, description, caused_by_id, cause_confirmed, "
              "fixed_by_id, external_id, source", incidents)  # fmt: skip
        facts["incidents"] = len(incidents)
    facts["copy_s"] = time.perf_counter() - started
    print(f"copied {facts['deployments']:,} deployments ({facts['production']:,} successful to production, "
          f"{facts['rollbacks']} rollbacks), {CHANGES:,} changes ({facts['listings']:,} listings), "
          f"{facts['incidents']:,} incidents in {facts['copy_s']:.0f} s", flush=True)  # fmt: skip
    tables = ("deployments_change", "deployments_deployment", "deployments_deployment_changes",
              "deployments_deployment_components", "deployments_incident")  # fmt: skip
    started = time.perf_counter()
    with connection.cursor() as cursor:  # fresh statistics, or the planner takes the COPYed tables for empty
        for table in tables:
            cursor.execute(f"ANALYZE {table}")
    facts["delivery_rows"] = rebuild_deliveries(project=project)
    facts["rebuild_s"] = time.perf_counter() - started
    with connection.cursor() as cursor:  # and the visibility map, for index-only scans
        for table in (*tables, "deployments_changedelivery"):
            cursor.execute(f"VACUUM ANALYZE {table}")
    print(f"rebuilt {facts['delivery_rows']:,} delivery rows in {facts['rebuild_s']:.0f} s", flush=True)
    return project, facts


def check_consistency(project, sample: int = 3000) -> int:
    """Recompute a sample of production changes by the rule in Python (what record_deliveries runs on SQLite): the
    number of rows it had to change (0: the set-based SQL and the Python rule agree)."""
    from apps.deployments.dora_queries.deliveries import refresh_in_python
    from apps.deployments.models import ChangeDelivery, Environment

    rng = random.Random(5)
    changed = 0
    for environment in Environment.objects.filter(project=project, tier="production"):
        ids = list(ChangeDelivery.objects.filter(environment=environment, component=None).values_list(
            "change_id", flat=True)[:200_000])  # fmt: skip
        keys = rng.sample(ids, min(sample, len(ids)))
        fields = ("component_id", "change_id", "deployment_id", "delivered_at", "lead_seconds")
        before = set(ChangeDelivery.objects.filter(environment=environment, change_id__in=keys).values_list(*fields))
        refresh_in_python(environment.pk, keys)
        after = set(ChangeDelivery.objects.filter(environment=environment, change_id__in=keys).values_list(*fields))
        changed += len(before ^ after)
    return changed


def time_dora(project) -> list[dict]:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext
    from django.utils import timezone

    from apps.deployments.dora_queries import dora_drill_down, dora_report, dora_trend

    end = timezone.now()
    start = end - timedelta(days=PERIOD_DAYS)
    cases = [
        ("dora_report, 90 days, all production environments", RUNS, lambda: dora_report(project=project, start=start,
                                                                                         end=end)),
        ("dora_report, 90 days, environment=production-eu", RUNS, lambda: dora_report(
            project=project, start=start, end=end, environment="production-eu")),
        ("dora_report, 90 days, component=api", RUNS, lambda: dora_report(project=project, start=start, end=end,
                                                                          component="api")),
        ("dora_report, 365 days", 10, lambda: dora_report(project=project, start=end - timedelta(days=365), end=end)),
        ("dora_trend, 90 days (14 ISO weeks)", 10, lambda: dora_trend(project=project, start=start, end=end)),
        ("dora_drill_down change_failure_rate, 90 days", 10, lambda: dora_drill_down(
            project=project, start=start, end=end, metric="change_failure_rate")),
        ("dora_drill_down lead_time, 90 days (every change id)", 5, lambda: dora_drill_down(
            project=project, start=start, end=end, metric="lead_time")),
    ]  # fmt: skip
    results = []
    for label, runs, call in cases:
        for _ in range(3):
            value = call()  # warm-up: the plans cached, the pages in shared buffers
        timings = []
        for _ in range(runs):
            with CaptureQueriesContext(connection) as queries:
                started = time.perf_counter()
                value = call()
                timings.append((time.perf_counter() - started) * 1000)
        p50, p95 = percentiles(timings)
        results.append({"label": label, "runs": runs, "p50": p50, "p95": p95, "queries": len(queries),
                        "value": value})  # fmt: skip
        print(f"{label:<55} p50={p50:.1f} ms p95={p95:.1f} ms queries={len(queries)}", flush=True)
    return results


def seed_small(user, count: int = SMALL):
    from apps.architecture.models import Component
    from apps.deployments import services
    from apps.projects.services import project_create

    project = project_create(actor=user, name="Deployments bench (small)", slug=SMALL_SLUG)
    Component.objects.create(project=project, key="api", name="API")
    for n in range(count):
        services.deployment_report(project=project, actor=user, values={
            "environment": ["staging", "production-eu"][n % 2], "version": f"1.{n}", "commit": f"{n:040x}",
            "status": "success", "components": ["api"], "external_id": f"small-{n}",
            "changes": [{"sha": f"{n * 10 + k:040x}", "message": f"change {k}"} for k in range(5)]})  # fmt: skip
    return project


def time_pages(user, big, small) -> tuple[dict, list[dict]]:
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    client = Client(HTTP_HOST="localhost")
    client.force_login(user)
    counts, results = {}, []
    for label, path in (("Deployments list page", "/projects/{}/deployments/"),
                        ("API deployments list", "/api/v1/projects/{}/deployments/")):  # fmt: skip
        for project in (small, big):
            url = path.format(project.slug)
            client.get(url)
            with CaptureQueriesContext(connection) as queries:
                assert client.get(url).status_code == 200, url
            counts[(label, project.slug)] = len(queries)
        url = path.format(big.slug)
        timings = []
        for _ in range(PAGE_RUNS):
            started = time.perf_counter()
            response = client.get(url)
            timings.append((time.perf_counter() - started) * 1000)
            assert response.status_code == 200
        p50, p95 = percentiles(timings)
        results.append({"label": label, "url": path.format("<slug>"), "p50": p50, "p95": p95})
        print(f"{label:<25} queries small={counts[(label, small.slug)]} big={counts[(label, big.slug)]} "
              f"p50={p50:.1f} ms p95={p95:.1f} ms", flush=True)  # fmt: skip
    return counts, results


def _post_loop(args: tuple) -> dict:
    """One client POSTing deployment reports as fast as it can for ``seconds``: every fourth reported started, then
    finished (two POSTs); one in forty a rollback of the one before it to that environment; ten new changes each."""
    worker, run, slug, token, seconds = args
    from django.test import Client
    from django.utils import timezone

    client = Client(HTTP_HOST="localhost", HTTP_AUTHORIZATION=f"Bearer {token}")
    url = f"/api/v1/projects/{slug}/deployments/"
    rng = random.Random(worker)
    latencies, statuses, samples = [], {}, []
    n, last = 0, {}

    def post(body, timed: bool = True) -> None:
        started = time.perf_counter()
        response = client.post(url, {k: v for k, v in body.items() if v is not None}, content_type="application/json")
        if timed:
            latencies.append((time.perf_counter() - started) * 1000)
            statuses[response.status_code] = statuses.get(response.status_code, 0) + 1
        if response.status_code not in (200, 201) and len(samples) < 3:
            samples.append(f"{response.status_code} {response.content[:300]!r}")

    def body(n: int) -> dict:
        env = rng.choice(["production-eu", "production-us", "staging", "staging"])
        now, key = timezone.now(), f"{run}-{worker}-{n}"
        out = {"environment": env, "version": f"9.{n}", "commit": hashlib.sha1(b"c" + key.encode()).hexdigest(),
               "external_id": f"bench-report-{key}", "components": [rng.choice(COMPONENTS)],
               "started_at": (now - timedelta(minutes=5)).isoformat(), "status": "success",
               "finished_at": now.isoformat(),
               "changes": [{"sha": hashlib.sha1(f"r{key}-{k}".encode()).hexdigest(), "message": f"change {k}",
                            "committed_at": (now - timedelta(hours=rng.randrange(1, 72))).isoformat()}
                           for k in range(10)]}  # fmt: skip
        if n % 40 == 0 and env in last:
            out.update(kind="rollback", rollback_of=last[env], changes=[])
        last[env] = out["external_id"]
        return out

    for warm in range(3):  # imports, connection, caches: what a running server has already
        post(body(-1 - warm), timed=False)
    began = time.perf_counter()
    while time.perf_counter() - began < seconds:
        n += 1
        report = body(n)
        if n % 4 == 0:
            post({**report, "status": "in_progress", "finished_at": None, "changes": report["changes"][:3]})
        post(report)
    return {"deployments": n, "latencies": latencies, "statuses": statuses, "seconds": time.perf_counter() - began,
            "samples": samples}  # fmt: skip


def sustained_reports(user, project, workers: int, seconds: float) -> dict:
    """``workers`` processes (forked, each its own database connection), each a client running ``_post_loop``."""
    import multiprocessing

    from django.db import connections

    from apps.accounts.services import api_token_create

    _, token = api_token_create(user=user, name=f"deployments bench {time.time()}")
    run = f"{int(time.time())}w{workers}"
    connections.close_all()
    with multiprocessing.get_context("fork").Pool(workers) as pool:
        results = pool.map(_post_loop, [(w, run, project.slug, token, seconds) for w in range(workers)])
    latencies = sorted(x for r in results for x in r["latencies"])
    statuses: dict[int, int] = {}
    for r in results:
        for code, count in r["statuses"].items():
            statuses[code] = statuses.get(code, 0) + count
    elapsed = max(r["seconds"] for r in results)
    errors = sum(count for code, count in statuses.items() if code not in (200, 201))
    p50, p95 = percentiles(latencies)
    out = {"workers": workers, "deployments": sum(r["deployments"] for r in results), "posts": len(latencies),
           "seconds": elapsed, "per_second": len(latencies) / elapsed, "errors": errors, "p50": p50, "p95": p95,
           "max": latencies[-1], "statuses": statuses}  # fmt: skip
    for sample in [s for r in results for s in r["samples"]][:3]:
        print("error:", sample, flush=True)
    print(f"reports, {workers} client(s): {out['posts']} POSTs ({out['deployments']} deployments) in "
          f"{elapsed:.1f} s = {out['per_second']:.0f}/s, errors {errors}, p50 {p50:.1f} ms, p95 {p95:.1f} ms",
          flush=True)  # fmt: skip
    return out


def report(facts, consistency, dora, counts, pages, posts, small) -> str:
    from django.db import connection

    main = dora[0]
    figures = main["value"]
    met = main["p95"] <= 100
    lines = [
        f"## Deployments: DORA over {facts['deployments']:,} deployments", "",
        f"Measured on {date.today().isoformat()} by `make bench` (scripts/bench_deployments.py), PostgreSQL "
        f"{connection.cursor().connection.info.server_version // 10000}, Python {platform.python_version()}, "
        f"{os.cpu_count()} cores.", "",
        f"One project, two years: {facts['deployments']:,} deployments to four environments (development 34 %, "
        f"staging 33 %, production-eu and production-us 16.5 % each), one of five components each; "
        f"{facts['changes']:,} changes, each listed once per environment by the deployment that took it (again "
        f"after a failed or rolled-back one): {facts['listings']:,} deployment→change rows; 7 % of production "
        f"deployments unplanned ({facts['rollbacks']} rollbacks); {facts['incidents']:,} incidents (80 % with "
        "a cause). Built by COPY in "
        f"{facts['copy_s']:.0f} s; the `ChangeDelivery` table ({facts['delivery_rows']:,} rows: every environment, "
        f"any component and per component) by `rebuild_deliveries` in {facts['rebuild_s']:.0f} s. "
        f"Check: a sample of 3 000 production changes per environment recomputed by the rule in Python "
        f"changed {consistency} rows.", "",
        f"### DORA figures (warm, {RUNS} runs after 3 warm-ups unless said)", "",
        "| call | runs | queries | p50 | p95 |", "|---|---|---|---|---|",
    ]  # fmt: skip
    lines += [f"| {r['label']} | {r['runs']} | {r['queries']} | {r['p50']:.1f} ms | {r['p95']:.1f} ms |" for r in dora]
    lines += [
        "",
        f"**`dora_report` for 90 days: p95 {main['p95']:.1f} ms — target ≤ 100 ms {'met' if met else 'NOT met'}.** "
        f"It read {main['value']['deployment_frequency']['deployments']:,} deployments and "
        f"{figures['lead_time']['changes']:,} first deliveries: frequency "
        f"{figures['deployment_frequency']['value']:.1f}/week, lead time median "
        f"{figures['lead_time']['value'] / 3600:.1f} h, change failure rate "
        f"{figures['change_failure_rate']['value']:.1%}, recovery median "
        f"{(figures['recovery_time']['value'] or 0) / 3600:.1f} h, rework rate {figures['rework_rate']['value']:.1%}.",
        "",
        "How: counts are SQL aggregates over the period's deployments (the `(environment, status, finished_at)` "
        "index; failing = a semi-join on the incident causes and rollback targets); lead time is "
        "`percentile_cont(0.5)`/`percentile_disc(0.9)` (one shared sort) over the period's `ChangeDelivery` rows, "
        "read by an index-only scan of `(environment, component, delivered_at, lead_seconds)` — about half the "
        "time, the rest is the sort of ~250 000 spans, in memory thanks to `SET LOCAL work_mem = '64MB'` (the "
        "default 4 MB spills to disk: +30 ms); `SET LOCAL jit = off` saves a 30 ms JIT compilation PostgreSQL "
        "otherwise starts for the failures query. Recovery spans come per failing deployment from indexed "
        "subqueries. Query counts include BEGIN, the SET LOCAL and COMMIT.",
        "",
        f"### Deployments list: query counts constant ({small} deployments vs {facts['deployments']:,}; "
        f"{PAGE_RUNS} requests each for the timings)", "",
        f"| view | queries, {small} deployments | queries, {facts['deployments']:,} | p50 | p95 |",
        "|---|---|---|---|---|",
    ]  # fmt: skip
    for row in pages:
        small_count = next(v for (label, slug), v in counts.items() if label == row["label"] and slug == SMALL_SLUG)
        big_count = next(v for (label, slug), v in counts.items() if label == row["label"] and slug == SLUG)
        lines.append(f"| {row['label']} (`{row['url']}`) | {small_count} | {big_count} | {row['p50']:.1f} ms | "
                     f"{row['p95']:.1f} ms |")  # fmt: skip
    lines += [
        "",
        f"### Deployment reports through the API (target ≥ 50/s for {SECONDS:.0f} s)", "",
        "Django test clients (no network, as the other benchmarks) POSTing `/api/v1/projects/<slug>/deployments/` "
        "with a Bearer token into the big project, as fast as they go, each in its own process with its own "
        "database connection (as a server's workers): one in four deployments reported started, then finished "
        "(two POSTs); one in forty a rollback; ten new changes each. Each report runs the whole service: "
        "environment, changes, components, `record_deliveries`, cause suggestions, requirement deliveries, the "
        "change log, and the response's serialization.", "",
        "| clients | seconds | reports (deployments) | reports/s | errors | p50 | p95 | max |",
        "|---|---|---|---|---|---|---|---|",
        *[f"| {p['workers']} | {p['seconds']:.0f} | {p['posts']:,} ({p['deployments']:,}) | "
          f"**{p['per_second']:.0f}** | **{p['errors']}** | {p['p50']:.1f} ms | {p['p95']:.1f} ms | "
          f"{p['max']:.0f} ms |" for p in posts], "",
        f"Target ≥ 50 reports/s without errors for {SECONDS:.0f} s with {posts[-1]['workers']} clients: "
        f"{'met' if posts[-1]['per_second'] >= 50 and not posts[-1]['errors'] else 'NOT met'}.", "",
    ]  # fmt: skip
    return "\n".join(lines)


def main() -> None:
    url = os.environ.get("DATABASE_URL", DEFAULT_URL)
    if not url.startswith("postgres"):
        print(f"bench_deployments.py measures PostgreSQL; skipped on {url.split(':', 1)[0]}.")
        return
    os.environ.setdefault("DATABASE_URL", DEFAULT_URL)
    _create_database()
    _setup()
    from django.contrib.auth import get_user_model
    from django.core.management import call_command

    call_command("migrate", verbosity=0)
    User = get_user_model()
    user = User.objects.filter(username="bench").first() or User.objects.create_user("bench", "b@example.com", "x")
    big, facts = build(user)
    consistency = check_consistency(big)
    print(f"consistency: {consistency} rows changed by the incremental recomputation", flush=True)
    dora = time_dora(big)
    small = seed_small(user)
    counts, pages = time_pages(user, big, small)
    posts = [sustained_reports(user, big, 1, SECONDS / 2), sustained_reports(user, big, WORKERS, SECONDS)]
    replace_section(OUT, "deployments", report(facts, consistency, dora, counts, pages, posts, SMALL))
    print(f"wrote {OUT.relative_to(ROOT)}")


if __name__ == "__main__":
    main()
