#!/usr/bin/env python
"""Contracts benchmark (``make bench`` runs it after the others); writes its section of docs/benchmarks.md.

1. The Stripe spec (4.2 MB YAML, tests/fixtures/contracts/openapi-real): parsed + validated + indexed by
   Threadline's engine, beside openapi-spec-validator alone on the same file in the same run (target
   ≤ 1.5×), with peak memory (apps/contracts/openapi/bench_validate.py).
2. The diff of the two Stripe versions (tests/fixtures/contracts/openapi-diff/specs/real-world): ≤ 2 s.
3. A whole version on PostgreSQL: both Stripe versions uploaded to a contract and processed by the worker
   code (load, validate, index, lint, diff against the version before, operations written in bulk).
"""

from __future__ import annotations

import os
import platform
import sys
import time
from datetime import date
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "scripts"))

from bench import DEFAULT_URL, _create_database, _peak_rss_mb, _setup  # noqa: E402
from benchdoc import replace_section  # noqa: E402

OUT = ROOT / "docs" / "benchmarks.md"
REAL = ROOT / "tests" / "fixtures" / "contracts" / "openapi-real" / "vendor" / "stripe-spec3-2023-09-12.yaml"
PAIR = ROOT / "tests" / "fixtures" / "contracts" / "openapi-diff" / "specs" / "real-world"
BASE, REVISION = PAIR / "stripe-spec3-2023-09-11.yaml", PAIR / "stripe-spec3-2023-09-12.yaml"
REPEAT = int(os.environ.get("BENCH_REPEAT", "3"))


def pipeline_on_postgres() -> dict:
    from django.contrib.auth import get_user_model
    from django.core.management import call_command

    from apps.contracts import pipeline, services
    from apps.contracts.models import Contract, ContractVersion
    from apps.core.kit import kit_for
    from apps.projects.models import Project
    from apps.projects.services import project_create

    call_command("migrate", verbosity=0)
    user, _ = get_user_model().objects.get_or_create(username="bench-contracts")
    Project.objects.filter(slug="bench-contracts").delete()
    project = project_create(actor=user, name="Contracts bench", slug="bench-contracts")
    contract = kit_for(Contract).create(project=project, actor=user, values={"slug": "stripe", "name": "Stripe"})
    timings = []
    for path in (BASE, REVISION):
        version = services.contract_version_upload(contract=contract, actor=user, data=path.read_bytes(),
                                                   filename=path.name)  # fmt: skip
        started = time.perf_counter()
        status = pipeline.contract_version_process(version_id=version.pk)
        timings.append(time.perf_counter() - started)
        assert status == "valid", ContractVersion.objects.get(pk=version.pk).errors[:3]
    last = ContractVersion.objects.get(pk=version.pk)
    return {"first_s": timings[0], "second_s": timings[1], "operations": last.operations_count,
            "changes": last.changes_count, "breaking": last.breaking, "peak_mb": _peak_rss_mb()}  # fmt: skip


def report(validate: dict, diff: dict, whole: dict) -> str:
    from django.db import connection

    ratio = validate["ratio_vs_osv_validate"]
    lines = [
        "## API contracts: the Stripe spec", "",
        f"Measured on {date.today().isoformat()} by `make bench` (scripts/bench_contracts.py), Python "
        f"{platform.python_version()}, PostgreSQL {connection.cursor().connection.info.server_version // 10000}, "
        f"{os.cpu_count()} cores. Best of {REPEAT} runs each.", "",
        f"### Parse + validate + index ({validate['file']}, {validate['bytes'] / 1e6:.1f} MB, "
        f"{validate['operations']} operations)", "",
        "| what | seconds | peak memory |", "|---|---|---|",
        f"| Threadline: load (bounded YAML, line map) + validate (structure + semantics) + index | "
        f"{validate['ours_s']:.2f} | {validate['ours_peak_bytes'] / 1e6:.0f} MB |",
        f"| openapi-spec-validator alone, on the already-loaded document | {validate['osv_validate_s']:.2f} | "
        f"{validate['osv_peak_bytes'] / 1e6:.0f} MB |",
        f"| openapi-spec-validator with its own loading of the file | {validate['osv_with_load_s']:.2f} | "
        f"{validate['osv_with_load_peak_bytes'] / 1e6:.0f} MB |",
        f"| **ratio Threadline / openapi-spec-validator alone (target ≤ 1.5×)** | **{ratio:.2f}×** | |", "",
        "### Diff of two Stripe versions (target ≤ 2 s)", "",
        f"`{BASE.name}` → `{REVISION.name}`: **{diff['seconds']:.2f} s** for the diff ({diff['changes']} changes: "
        f"{diff['levels']['ERR']} ERR, {diff['levels']['WARN']} WARN, {diff['levels']['INFO']} INFO; loading "
        "the two documents not counted).", "",
        "### A whole version on PostgreSQL", "",
        "Uploaded through the service, then processed by the worker code in this process: load, validate, "
        "index, lint with the project's severities, diff against the valid version before, write the "
        f"operations in bulk. First Stripe version **{whole['first_s']:.1f} s**; the second, diffed against the "
        f"first, **{whole['second_s']:.1f} s** ({whole['operations']} operations, {whole['changes']} changes). "
        f"Peak memory of the process: {whole['peak_mb']:.0f} MB.", "",
    ]  # fmt: skip
    return "\n".join(lines)


def main() -> None:
    os.environ.setdefault("DATABASE_URL", DEFAULT_URL)
    _create_database()
    _setup()
    from apps.contracts.openapi import bench_validate, diff_bench

    validate = bench_validate.measure(REAL, repeat=REPEAT)
    print(f"validate: ours {validate['ours_s']} s, osv {validate['osv_validate_s']} s, "
          f"ratio {validate['ratio_vs_osv_validate']}", flush=True)  # fmt: skip
    diff = diff_bench.measure(BASE, REVISION, repeat=REPEAT)
    print(f"diff: {diff['seconds']} s, {diff['changes']} changes", flush=True)
    whole = pipeline_on_postgres()
    print(f"pipeline: {whole}", flush=True)
    replace_section(OUT, "contracts", report(validate, diff, whole))
    print(f"wrote {OUT.relative_to(ROOT)}")


if __name__ == "__main__":
    main()
