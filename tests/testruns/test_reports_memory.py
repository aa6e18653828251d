"""Memory-growth guards for the streaming parser (not timing tests), using the benchmark
generator in scripts/gen_junit_report.py — which these tests also keep honest."""

import importlib.util
import io
import tracemalloc
from pathlib import Path

import pytest
from lxml import etree

from apps.testruns.reports import detect, junit, parse_report, summarize

SCRIPT = Path(__file__).resolve().parents[2] / "scripts" / "gen_junit_report.py"
MB = 1024 * 1024


@pytest.fixture(scope="module")
def generator():
    spec = importlib.util.spec_from_file_location("gen_junit_report", SCRIPT)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.fixture(scope="module")
def big_report(generator, tmp_path_factory):
    path = tmp_path_factory.mktemp("reports") / "big.xml"
    with path.open("w", encoding="utf-8") as out:
        counts = generator.write_report(out, cases=20_000, failure_rate=0.05, seed=7)
    return path, counts


def test_generator_is_deterministic_and_its_counts_are_what_we_parse(generator, big_report):
    path, counts = big_report
    again = io.StringIO()
    generator.write_report(again, cases=20_000, failure_rate=0.05, seed=7)
    assert again.getvalue().encode("utf-8") == path.read_bytes()
    with path.open("rb") as handle:
        summary = summarize(parse_report(handle))
    assert summary["tests"] == counts["tests"] == 20_000
    assert (summary["failed"], summary["errors"], summary["skipped"]) == (
        counts["failure"],
        counts["error"],
        counts["skipped"],
    )
    assert 0.03 < summary["failed"] / summary["tests"] < 0.07


def test_python_memory_stays_flat_while_streaming(big_report):
    path, _ = big_report
    assert path.stat().st_size > 4 * MB
    tracemalloc.start()
    try:
        with path.open("rb") as handle:
            consumed = sum(1 for _ in parse_report(handle))
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert consumed == 20_000
    assert peak < 30 * MB, f"peak {peak / MB:.1f} MB"


def test_junit_builds_no_tree_and_hands_cases_out_chunk_by_chunk(big_report, monkeypatch):
    """The JUnit parser target keeps no element: only the cases of the chunk just fed wait."""
    waiting = []

    class SpyTarget(junit.JUnitTarget):
        def end(self, tag):
            super().end(tag)
            waiting.append(len(self.cases))

    monkeypatch.setattr(detect, "TARGETS", {name: SpyTarget for name in detect.TARGETS})
    monkeypatch.setattr(etree, "iterparse", None)  # no tree-building parse may run
    path, _ = big_report
    with path.open("rb") as handle:
        assert sum(1 for _ in parse_report(handle)) == 20_000
    # One 64 KB chunk holds a few hundred cases of this report; all 20 000 would mean no streaming.
    assert 0 < max(waiting) < 1000


def test_parsed_elements_are_released_as_the_parse_goes(big_report, monkeypatch):
    """The generic (tree) path, taken when the file's start can't tell the format.

    libxml2's own allocations are invisible to tracemalloc, so count the live tree."""
    monkeypatch.setattr(detect, "root_name", lambda stream: None)
    roots = []
    original = etree.iterparse

    class spying_iterparse:  # noqa: N801 - stands in for etree.iterparse
        def __init__(self, *args, **kwargs):
            self.parser = original(*args, **kwargs)
            self.root = None

        def __iter__(self):
            for event, element in self.parser:
                if not roots:
                    roots.append(element.getroottree().getroot())
                self.root = self.parser.root
                yield event, element

    monkeypatch.setattr(etree, "iterparse", spying_iterparse)
    path, _ = big_report
    largest = 0
    with path.open("rb") as handle:
        for index, _ in enumerate(parse_report(handle)):
            if index % 1000 == 999:
                largest = max(largest, sum(1 for _ in roots[0].iter()))
    assert roots, "the spy did not see the parse"
    # Left alive: the root, the open suite, the current case, and whatever libxml2 already
    # parsed from the chunk it read ahead (one 32 KB read is ~200 cases here). Without the
    # release, this would be the whole tree: over 20 000 elements.
    assert largest < 1000
