"""Benchmark: our load + validate + index against openapi-spec-validator alone, in one process.

This module owns the performance figure the contracts app is held to (the Stripe spec parsed,
validated and indexed in at most 1.5x the time openapi-spec-validator takes). Run it as
``python -m apps.contracts.openapi.bench_validate FILE [REPEAT]``.

Measured, each the best of ``repeat`` runs after the first (warm caches: compiled schemas):
- ``ours_s``: ``load_spec`` + ``validate_spec`` + ``index_operations`` from the file's bytes;
- ``osv_validate_s``: ``openapi_spec_validator.validate(dict)`` on the dict we already loaded;
- ``osv_with_load_s``: osv's own reader (``read_from_filename``: PyYAML + a JSON round trip) + validate.
Peak memory of one run of each is measured separately with tracemalloc (which slows code down,
so it never overlaps the timings); ``osv_peak_bytes`` and ``ours_validate_index_peak_bytes`` exclude
the already-loaded document, the others include parsing it. osv's ``validate`` raises at the first
error: on an invalid spec it stops early while ours reports everything, so compare valid specs.
"""

from __future__ import annotations

import gc
import sys
import time
import tracemalloc
from pathlib import Path
from typing import Any

from openapi_spec_validator import validate as osv_validate
from openapi_spec_validator.readers import read_from_filename

from .index import index_operations
from .load import load_spec
from .validate import validate_spec

__all__ = ["measure"]


def _ours(data: bytes, name: str) -> tuple[int, int]:
    loaded = load_spec(data, filename=name)
    issues = validate_spec(loaded)
    return len(issues), len(index_operations(loaded.document))


def _ours_on_loaded(loaded) -> int:
    return len(validate_spec(loaded)) + len(index_operations(loaded.document))


def _osv(document: dict) -> str:
    try:
        osv_validate(document)
    except Exception as exc:  # noqa: BLE001 - we only report whether it passed
        return f"invalid: {type(exc).__name__}: {str(exc)[:120]}"
    return "valid"


def _osv_with_load(path: str) -> str:
    document, _ = read_from_filename(path)
    return _osv(document)


def _best(function, *args, repeat: int) -> tuple[float, Any]:
    result, best = None, float("inf")
    for run in range(repeat + 1):  # the first run warms caches and is not counted (unless repeat == 0)
        gc.collect()
        start = time.perf_counter()
        result = function(*args)
        elapsed = time.perf_counter() - start
        best = min(best, elapsed) if run or repeat == 0 else best
    return best, result


def _peak(function, *args) -> int:
    gc.collect()
    tracemalloc.start()
    try:
        function(*args)
        return tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()


def measure(path: str | Path, *, repeat: int = 3) -> dict:
    """Timings (seconds), ratios and peak memory (bytes) for one spec file."""
    path = str(path)
    data = Path(path).read_bytes()
    name = Path(path).name
    ours_s, (issues, operations) = _best(_ours, data, name, repeat=repeat)
    loaded = load_spec(data, filename=name)
    document = loaded.document
    osv_s, osv_result = _best(_osv, document, repeat=repeat)
    osv_load_s, _ = _best(_osv_with_load, path, repeat=repeat)
    return {
        "file": name,
        "bytes": len(data),
        "operations": operations,
        "issues": issues,
        "osv_result": osv_result,
        "ours_s": round(ours_s, 3),
        "osv_validate_s": round(osv_s, 3),
        "osv_with_load_s": round(osv_load_s, 3),
        "ratio_vs_osv_validate": round(ours_s / osv_s, 2) if osv_s else None,
        "ratio_vs_osv_with_load": round(ours_s / osv_load_s, 2) if osv_load_s else None,
        "ours_peak_bytes": _peak(_ours, data, name),
        "ours_validate_index_peak_bytes": _peak(_ours_on_loaded, loaded),  # like osv_peak: document excluded
        "osv_peak_bytes": _peak(_osv, document),
        "osv_with_load_peak_bytes": _peak(_osv_with_load, path),
    }


if __name__ == "__main__":  # pragma: no cover - manual benchmark
    repeats = int(sys.argv[2]) if len(sys.argv) > 2 else 3
    for key, value in measure(sys.argv[1], repeat=repeats).items():
        print(f"{key:28} {value}")
