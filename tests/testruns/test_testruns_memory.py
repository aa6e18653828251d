"""Ingestion streams: the memory it needs does not follow the report's size (batches, not the file)."""

import subprocess
import sys
import tracemalloc
from pathlib import Path

import pytest

from apps.testruns import ingest, services
from apps.testruns.models import TestResult

pytestmark = pytest.mark.django_db

ROOT = Path(__file__).resolve().parents[2]


def _report(tmp_path, cases: int) -> Path:
    out = tmp_path / f"r{cases}.xml"
    subprocess.run([sys.executable, str(ROOT / "scripts" / "gen_junit_report.py"), "--cases", str(cases),
                    "--failure-rate", "0.05", "--out", str(out)], check=True, capture_output=True)
    return out


def _ingest_peak(project, user, path: Path, django_capture_on_commit_callbacks) -> int:
    with path.open("rb") as handle, django_capture_on_commit_callbacks(execute=False):
        run, _ = services.test_run_create(project=project, actor=user, report=handle, filename=path.name,
                                          name=path.stem)
    tracemalloc.start()
    try:
        assert services.test_report_ingest(run_id=run.pk) == "complete"
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    return peak


def test_peak_memory_does_not_follow_report_size(project, users, media, tmp_path, monkeypatch,
                                                  django_capture_on_commit_callbacks):
    monkeypatch.setattr(ingest, "BATCH", 500)  # both reports span several batches
    monkeypatch.setattr(ingest, "KNOWN_MAP_LIMIT", 0)  # the bounded path of very large projects
    small, large = _report(tmp_path, 2000), _report(tmp_path, 10000)
    size_small, size_large = small.stat().st_size, large.stat().st_size
    peak_small = _ingest_peak(project, users["member"], small, django_capture_on_commit_callbacks)
    peak_large = _ingest_peak(project, users["member"], large, django_capture_on_commit_callbacks)
    assert TestResult.objects.count() == 12000
    # Only the failing tests wait in memory (a retry of them may come later in the file); passing
    # ones go straight to the database in batches. So memory grows by less than the file did.
    assert peak_large - peak_small < 0.75 * (size_large - size_small), (peak_small, peak_large)
