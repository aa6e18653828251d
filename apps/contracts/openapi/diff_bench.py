"""Timing of the diff engine on two documents on disk (used by ``make bench``).

    python -m apps.contracts.openapi.diff_bench BASE REVISION
"""

from __future__ import annotations

import json
import sys
import time
from pathlib import Path

import yaml

from .diff import diff_specs


def _load(path: Path):
    text = path.read_text(encoding="utf-8")
    if path.suffix.lower() == ".json":
        return json.loads(text)
    loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
    return yaml.load(text, Loader=loader)


def measure(base_path, revision_path, repeat: int = 1) -> dict:
    """Load both documents (not timed), then time ``diff_specs``: the best of ``repeat`` runs, in seconds."""
    base, revision = _load(Path(base_path)), _load(Path(revision_path))
    best = None
    changes = []
    for _ in range(max(1, repeat)):
        start = time.perf_counter()
        changes = diff_specs(base, revision)
        elapsed = time.perf_counter() - start
        best = elapsed if best is None else min(best, elapsed)
    levels = {level: sum(1 for change in changes if change.level == level) for level in ("ERR", "WARN", "INFO")}
    return {
        "base": str(base_path),
        "revision": str(revision_path),
        "seconds": round(best, 4),
        "changes": len(changes),
        "levels": levels,
    }


def main(argv: list[str]) -> int:
    if len(argv) != 2:
        print("usage: python -m apps.contracts.openapi.diff_bench BASE REVISION", file=sys.stderr)
        return 2
    print(json.dumps(measure(argv[0], argv[1], repeat=3), indent=2))
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
