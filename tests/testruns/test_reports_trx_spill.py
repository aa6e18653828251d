"""A TRX whose results come before their definitions (what VSTest writes) is parsed in bounded
memory: results waiting for their definitions spill to a temporary file past a byte budget."""

import io
import tracemalloc

from apps.testruns.reports import ReportLimits, parse_report
from apps.testruns.reports.spill import Spill

NS = "http://microsoft.com/schemas/VisualStudio/TeamTest/2010"
MB = 1024 * 1024


def vstest_trx(cases: int, output_bytes: int) -> bytes:
    """Results first (each with standard output), definitions after them, as VSTest writes a TRX."""
    out = io.StringIO()
    out.write(f'<?xml version="1.0" encoding="utf-8"?><TestRun xmlns="{NS}"><Results>')
    text = "x" * output_bytes
    for i in range(cases):
        outcome = "Failed" if i % 50 == 0 else "Passed"
        out.write(f'<UnitTestResult testId="id-{i}" testName="Test{i}" outcome="{outcome}" duration="00:00:00.01">'
                  f"<Output><StdOut>{text}</StdOut></Output></UnitTestResult>")
    out.write("</Results><TestDefinitions>")
    for i in range(cases):
        out.write(f'<UnitTest id="id-{i}" name="Test{i}" storage="/build/Shop.Tests.dll">'
                  f'<TestMethod className="Shop.Tests.Cart{i % 7}, Shop.Tests" name="Test{i}"/></UnitTest>')
    out.write("</TestDefinitions></TestRun>")
    return out.getvalue().encode()


def test_results_before_definitions_cost_bounded_memory():
    data = vstest_trx(cases=8_000, output_bytes=4_000)  # ~33 MB of output waiting for definitions
    limits = ReportLimits(max_pending_bytes=2 * MB)
    tracemalloc.start()
    try:
        cases = 0
        for case in parse_report(io.BytesIO(data), limits=limits):
            cases += 1
            assert case.classname.startswith("Shop.Tests.Cart") and case.suite == "Shop.Tests.dll"
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert cases == 8_000
    # Held back in memory: at most the budget (plus the parser's own state), not the 33 MB of output.
    assert peak < 12 * MB, f"peak {peak / MB:.1f} MB"


def test_the_spill_gives_back_every_case_in_order_and_cleans_up():
    from apps.testruns.reports.base import ParsedCase

    spill = Spill(budget_bytes=1_000)
    for i in range(50):
        spill.add(f"id-{i}", ParsedCase(name=f"t{i}", system_out="y" * 100))
    assert spill.file is not None  # past the budget: on disk
    assert [key for key, _ in spill.drain()] == [f"id-{i}" for i in range(50)]
    assert spill.file is None and spill.held == []
