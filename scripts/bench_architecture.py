#!/usr/bin/env python
"""Architecture benchmark on PostgreSQL (``make bench`` runs it after scripts/bench.py); writes its
section of docs/benchmarks.md.

1. Seeds a catalog of 2 000 components in 20 systems with 8 000 relations (bulk inserts).
2. Catalog list page and list endpoint: query counts with 200 and with 2 000 components (they must
   be equal) and p50/p95 latency over 30 requests, with the Django test client.
3. Generated diagrams from the database: a system view and a component's depth-2 neighbourhood,
   p50/p95 over 50 runs each (target p95 ≤ 50 ms).
4. Parsing two versions of a 300-table DDL and diffing them (target ≤ 1 s), median of 5.

Never point it at a ``test_*`` database: it deletes its own project from the database it uses.
"""

from __future__ import annotations

import os
import platform
import random
import statistics
import sys
import time
from datetime import date
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "scripts"))

from bench import DEFAULT_URL, _create_database, _setup  # noqa: E402
from benchdoc import replace_section  # noqa: E402

OUT = ROOT / "docs" / "benchmarks.md"
COMPONENTS, RELATIONS, SYSTEMS = 2000, 8000, 20
SLUG = "bench-architecture"


def seed(user, project, components: int, relations: int) -> None:
    """A catalog of ``components`` in SYSTEMS systems with ``relations`` random edges (no self-edges, no repeats)."""
    from apps.architecture.models import Component, Relation, System

    Relation.objects.filter(project=project).delete()
    Component.objects.filter(project=project).delete()
    System.objects.filter(project=project).delete()
    systems = System.objects.bulk_create([System(project=project, key=f"system-{i}", name=f"System {i}")
                                          for i in range(SYSTEMS)])  # fmt: skip
    kinds = ["service", "service", "service", "database", "queue", "frontend", "cache", "external"]
    rows = Component.objects.bulk_create([
        Component(project=project, key=f"component-{i:04d}", name=f"Component {i}", kind=kinds[i % len(kinds)],
                  system=systems[i % SYSTEMS], owner=user if i % 3 else None, technology="Django 5.2")
        for i in range(components)
    ])  # fmt: skip
    rng, edges = random.Random(0), set()
    while len(edges) < relations:
        a, b = rng.randrange(components), rng.randrange(components)
        if a != b:
            edges.add((a, b, rng.choice(["calls", "sends_to", "reads_from", "writes_to", "depends_on"])))
    Relation.objects.bulk_create([Relation(project=project, source=rows[a], target=rows[b], kind=kind)
                                  for a, b, kind in sorted(edges)], batch_size=2000)  # fmt: skip
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("ANALYZE architecture_component")
        cursor.execute("ANALYZE architecture_relation")


def percentiles(timings: list[float]) -> tuple[float, float]:
    timings = sorted(timings)
    return statistics.median(timings), timings[int(0.95 * (len(timings) - 1))]


def time_pages(user, project, repeat: int = 30) -> list[dict]:
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    client = Client(HTTP_HOST="localhost")
    client.force_login(user)
    slug = project.slug
    catalog = f"/projects/{slug}/architecture/components/"
    targets = [("Catalog list page", catalog),
               ("Catalog list page, filtered (kind=database)", f"{catalog}?kind=database"),
               ("API components list (page of 50)", f"/api/v1/projects/{slug}/components/"),
               ("Architecture overview (landscape)", f"/projects/{slug}/architecture/"),
               ("Component page (neighbourhood diagram)", f"/projects/{slug}/architecture/components/component-0001/"),
               ("System page (system diagram)", f"/projects/{slug}/architecture/systems/system-1/")]  # fmt: skip
    results = []
    for label, url in targets:
        client.get(url)
        timings = []
        for _ in range(repeat):
            with CaptureQueriesContext(connection) as queries:
                started = time.perf_counter()
                response = client.get(url)
                timings.append((time.perf_counter() - started) * 1000)
            assert response.status_code == 200, (url, response.status_code)
        p50, p95 = percentiles(timings)
        results.append({"label": label, "url": url.replace(slug, "<slug>"), "queries": len(queries), "p50": p50,
                        "p95": p95})  # fmt: skip
    return results


def time_diagrams(project, repeat: int = 50) -> list[dict]:
    from apps.architecture import selectors
    from apps.architecture.models import Component, System

    system = System.objects.get(project=project, key="system-1")
    hub = Component.objects.get(project=project, key="component-0001")
    cases = [
        ("System diagram (100 components + neighbours, cap 60)", lambda: selectors.system_diagram(system=system)),
        ("Neighbourhood diagram, depth 2 (cap 40)", lambda: selectors.component_diagram(component=hub, depth=2)),
        ("Neighbourhood diagram, depth 1", lambda: selectors.component_diagram(component=hub, depth=1)),
        ("Landscape diagram (all 2 000 components)", lambda: selectors.landscape_diagram(project=project)),
    ]
    results = []
    for label, make in cases:
        make()
        timings = []
        for _ in range(repeat):
            started = time.perf_counter()
            diagram = make()
            timings.append((time.perf_counter() - started) * 1000)
        p50, p95 = percentiles(timings)
        results.append({"label": label, "p50": p50, "p95": p95, "nodes": diagram.nodes, "hidden": diagram.hidden})
    return results


def time_schema(repeat: int = 5) -> dict:
    from apps.architecture.schema import bench as schema_bench
    from apps.architecture.schema import diff_schemas, parse_ddl

    old, new = schema_bench.generate_ddl(300, variant=0), schema_bench.generate_ddl(300, variant=1)
    timings, changes = [], []
    for _ in range(repeat):
        started = time.perf_counter()
        changes = diff_schemas(parse_ddl(old, "postgres"), parse_ddl(new, "postgres"))
        timings.append(time.perf_counter() - started)
    return {"seconds": statistics.median(timings), "min": min(timings), "max": max(timings),
            "bytes": len(old), "changes": len(changes)}  # fmt: skip


def query_counts(user, project) -> dict:
    """List page and endpoint query counts with a tenth of the catalog and with all of it."""
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    client = Client(HTTP_HOST="localhost")
    client.force_login(user)
    counts = {}
    for size in (COMPONENTS // 10, COMPONENTS):
        seed(user, project, size, size * RELATIONS // COMPONENTS)
        for label, url in (("page", f"/projects/{project.slug}/architecture/components/"),
                           ("api", f"/api/v1/projects/{project.slug}/components/")):  # fmt: skip
            client.get(url)
            with CaptureQueriesContext(connection) as queries:
                assert client.get(url).status_code == 200
            counts[(label, size)] = len(queries)
    return counts


def report(pages, diagrams, schema, counts) -> str:
    from django.db import connection

    lines = [
        "## Architecture: a 2 000-component catalog", "",
        f"Measured on {date.today().isoformat()} by `make bench` (scripts/bench_architecture.py), PostgreSQL "
        f"{connection.cursor().connection.info.server_version // 10000}, Python {platform.python_version()}, "
        f"{os.cpu_count()} cores.", "",
        f"Catalog: {COMPONENTS:,} components in {SYSTEMS} systems, {RELATIONS:,} random relations (5 kinds).", "",
        "### Query counts: constant in the catalog's size", "",
        "| view | 200 components | 2 000 components |", "|---|---|---|",
        f"| catalog list page | {counts[('page', 200)]} | {counts[('page', 2000)]} |",
        f"| `GET /api/v1/projects/<slug>/components/` | {counts[('api', 200)]} | {counts[('api', 2000)]} |", "",
        "### Pages and endpoints (Django test client, 30 requests each)", "",
        "| view | queries | p50 | p95 |", "|---|---|---|---|",
    ]  # fmt: skip
    lines += [f"| {r['label']} (`{r['url']}`) | {r['queries']} | {r['p50']:.1f} ms | {r['p95']:.1f} ms |"
              for r in pages]  # fmt: skip
    lines += ["", "### Generated diagrams, from the database to Mermaid source (50 runs each; target p95 ≤ 50 ms)", "",
              "| diagram | nodes drawn | left out (\"N more\") | p50 | p95 |", "|---|---|---|---|---|"]  # fmt: skip
    lines += [f"| {r['label']} | {r['nodes']} | {r['hidden']} | {r['p50']:.1f} ms | **{r['p95']:.1f} ms** |"
              for r in diagrams]  # fmt: skip
    lines += ["", "### Schema diff (target ≤ 1 s)", "",
              f"Two versions of a generated pg_dump-style DDL with 300 tables ({schema['bytes'] / 1e3:.0f} kB each; "
              "apps/architecture/schema/bench.py): both parsed and diffed in "
              f"**{schema['seconds']:.2f} s** (median of 5; {schema['min']:.2f}–{schema['max']:.2f} s), "
              f"{schema['changes']} changes found.", ""]  # fmt: skip
    return "\n".join(lines)


def main() -> None:
    os.environ.setdefault("DATABASE_URL", DEFAULT_URL)
    _create_database()
    _setup()
    from django.contrib.auth import get_user_model
    from django.core.management import call_command

    from apps.projects.models import Project
    from apps.projects.services import project_create

    call_command("migrate", verbosity=0)
    user, _ = get_user_model().objects.get_or_create(username="bench-architect")
    Project.objects.filter(slug=SLUG).delete()
    project = project_create(actor=user, name="Architecture bench", slug=SLUG)
    schema = time_schema()
    print(f"300-table DDL parse x2 + diff: {schema['seconds']:.2f} s ({schema['changes']} changes)", flush=True)
    counts = query_counts(user, project)
    print(f"query counts: {counts}", flush=True)
    pages = time_pages(user, project)
    for row in pages:
        print(f"{row['label']:<50} queries={row['queries']:<3} p50={row['p50']:.1f}ms p95={row['p95']:.1f}ms")
    diagrams = time_diagrams(project)
    for row in diagrams:
        print(f"{row['label']:<55} nodes={row['nodes']:<4} p50={row['p50']:.1f}ms p95={row['p95']:.1f}ms")
    replace_section(OUT, "architecture", report(pages, diagrams, schema, counts))
    print(f"wrote {OUT.relative_to(ROOT)}")


if __name__ == "__main__":
    main()
