"""The report engine against real reports written by real tools (tests/fixtures/junit).

Every entry of expected.json is checked: ``expected`` holds what the SOURCE project asserts
about the file (ground truth); ``computed`` is only a cross-check, used where the source
asserts nothing. Origins and licenses: tests/fixtures/junit/README.md.
"""

import json
from pathlib import Path

import pytest

from apps.testruns.reports import ParsedCase, ReportError, dedupe_cases, parse_report, summarize

CORPUS = Path(__file__).resolve().parents[1] / "fixtures" / "junit"
EXPECTED = json.loads((CORPUS / "expected.json").read_text(encoding="utf-8"))

# Where Threadline deliberately reports something else than the source project. Each value
# replaces exactly the listed fields of the source's ``expected`` block.
DEVIATIONS = {
    # The file has one <testsuite tests="6" failures="1" skipped="2"> and NO <testcase>.
    # EnricoMi falls back to the suite's counter attributes and reports 6 tests (3 passed,
    # 1 failure, 2 skipped). Threadline's rule is one test = one <testcase>: there are no
    # cases to store, name or link, so the engine reports 0 for these fields (matching the
    # corpus's own element tally in ``computed``). "errors" (0) agrees either way.
    "edge-cases/enricomi-no-cases-but-tests.xml": {"tests": 0, "passed": 0, "failures": 0, "skipped": 0},
}

COUNT_FIELDS = ("tests", "passed", "failed_total", "failures", "errors", "skipped")


def _parse(relative: str, warnings: list[str] | None = None) -> list[ParsedCase]:
    with (CORPUS / relative).open("rb") as handle:
        return list(parse_report(handle, warnings=warnings))


def _observed(summary: dict) -> dict:
    return {
        "tests": summary["tests"],
        "passed": summary["passed"],
        "failed_total": summary["failed"] + summary["errors"],  # dorny: <error> counts as failed
        "failures": summary["failed"],
        "errors": summary["errors"],
        "skipped": summary["skipped"],
    }


def _expected_counts(entry: dict) -> dict:
    expected = {key: entry["expected"][key] for key in COUNT_FIELDS if key in entry["expected"]}
    if not expected:
        # maven-surefire/dorny-empty_failures.xml: the source's only assertion is a no-op
        # (expect(x) without matcher); expected.json says to use the computed tally instead.
        computed = entry["computed"]
        expected = {
            "tests": computed["testcases"],
            "passed": computed["passed"],
            "failures": computed["failures"],
            "errors": computed["errors"],
            "skipped": computed["skipped"],
        }
    return expected


def test_every_corpus_file_is_a_fixture():
    files = {path.relative_to(CORPUS).as_posix() for path in CORPUS.rglob("*") if path.is_file()}
    assert files - {"expected.json", "README.md"} == set(EXPECTED)


@pytest.mark.parametrize("relative", sorted(EXPECTED))
def test_corpus_file_matches_source_expectations(relative):
    entry = EXPECTED[relative]
    if entry["expected"].get("must_reject"):
        with pytest.raises(ReportError):
            _parse(relative)
        return
    warnings: list[str] = []
    summary = summarize(dedupe_cases(_parse(relative, warnings)))
    expected = {**_expected_counts(entry), **DEVIATIONS.get(relative, {})}
    observed = _observed(summary)
    assert {key: observed[key] for key in expected} == expected
    # A file is repaired (and says so) exactly when its entry expects it (see test_reports_quirks.py).
    if "warning" in entry["expected"]:
        [warning] = warnings
        assert warning.startswith("The report was not well-formed XML (")
        assert warning.endswith(entry["expected"]["warning"])
    else:
        assert warnings == []


@pytest.mark.parametrize(
    "relative", sorted(k for k, v in EXPECTED.items() if "testcases" in v.get("computed", {}))
)
def test_raw_case_tally_matches_corpus_cross_check(relative):
    """Before dedupe, each <testcase> is one case with the most severe of its results."""
    computed = EXPECTED[relative]["computed"]
    summary = summarize(_parse(relative))
    assert (
        summary["tests"],
        summary["passed"],
        summary["failed"],
        summary["errors"],
        summary["skipped"],
    ) == (
        computed["testcases"],
        computed["passed"],
        computed["failures"],
        computed["errors"],
        computed["skipped"],
    )
    assert summary["duration"] == pytest.approx(computed["time_sum_s"], abs=0.001)


def test_gtest_status_and_result_attributes():
    parsed = _parse("gtest/google-gtest_xml_output_unittest-expected.xml")
    cases = {(case.classname, case.name): case for case in parsed}
    disabled = cases["MixedResultTest", "DISABLED_test"]
    assert (disabled.status, disabled.failure_type, disabled.failure_message) == ("skipped", "notrun", "")
    skipped = cases["SkippedTest", "SkippedWithMessage"]
    assert (skipped.status, skipped.failure_type) == ("skipped", "")
    assert skipped.failure_message.endswith("*\nIt is good practice to tell why you skip a test.")
    # result="completed" only says it ran: the <failure> before the <skipped> decides (gtest: failures="1").
    after_failure = cases["SkippedTest", "SkippedAfterFailure"]
    assert (after_failure.status, after_failure.failure_type) == ("failed", "")
    assert "Expected equality of these values" in after_failure.failure_text
    assert cases["PropertyRecordingTest", "ThreeProperties"].properties == {"key_1": "1", "key_2": "2", "key_3": "3"}


def test_qt_result_attributes_count_as_qt_counts_them():
    cases = {case.name: case for case in _parse("qt/handwritten-qt5-xunitxml.xml")}
    statuses = {name: case.status for name, case in cases.items()}
    assert statuses == {
        "initTestCase": "passed",
        "addsNumbers": "passed",
        "parsesInput": "failed",
        "knownBug": "passed",  # xfail: the expected failure happened
        "fixedBug": "failed",  # xpass: Qt counts an unexpected pass as a failure
        "flakyOnCi": "failed",  # bfail: blacklisted, still in Qt's failures="3"
        "flakyPasses": "passed",
        "skipsOnWindows": "passed",  # Qt 5 writes a QSKIP only as a comment: nothing to read
        "cleanupTestCase": "passed",
    }
    assert (cases["flakyOnCi"].failure_type, cases["flakyOnCi"].failure_message) == ("bfail", "")
    assert cases["fixedBug"].failure_message == "'rounds()' returned TRUE unexpectedly. ()"


def test_qt4_messages_written_as_error_children_do_not_fail_a_passed_test():
    cases = {case.name: case for case in _parse("qt/handwritten-qt46-xunitxml.xml")}
    warned = cases["testFunc1"]  # result="pass" with <error type="warn">: the attribute decides
    assert (warned.status, warned.failure_type, warned.failure_message, warned.failure_text) == ("passed", "", "", "")
    failed = cases["testFunc2"]  # result="fail" with <error type="qdebug"> then <failure>: the failure describes it
    assert (failed.status, failed.failure_type, failed.failure_message) == (
        "failed",
        "fail",
        "Compared values are not the same",
    )


def test_disabled_status_attribute_counts_as_skipped():
    cases = _parse("cpp-tst/enricomi-tst-disabled.xml")
    disabled = [case for case in cases if case.failure_type == "disabled"]
    assert len(disabled) == EXPECTED["cpp-tst/enricomi-tst-disabled.xml"]["expected"]["of_which_disabled"]
    assert {case.status for case in disabled} == {"skipped"}


def test_several_results_in_one_testcase_take_the_most_severe():
    # Not a retry: each <testcase> carries several result children (skipped+failure+error);
    # the source picks the most severe one per testcase, and so do we.
    statuses = {case.name: case.status for case in _parse("edge-cases/enricomi-junit.multiresult.xml")}
    assert statuses == {
        "test that errors": "error",
        "test that fails": "failed",
        "test that is skipped": "skipped",
        "test that succeeds": "passed",
    }


def test_repeated_names_that_are_not_retries_stay_separate_tests():
    # TestNG data provider: the same method reported skipped, then failed. Both count.
    cases = dedupe_cases(_parse("maven-surefire/dorny-TEST-org.apache.pulsar.AddMissingPatchVersionTest.xml"))
    assert [(case.name, case.status, case.retries) for case in cases] == [
        ("testVersionStrings", "skipped", 0),
        ("testVersionStrings", "failed", 0),
    ]
    assert cases[1].failure_type == "java.lang.AssertionError"
    assert cases[1].failure_message == "expected [1.2.1] but found [1.2.0]"
    assert "AddMissingPatchVersionTest.java:29" in cases[1].failure_text


def test_nested_suites_file_and_line():
    cases = _parse("edge-cases/enricomi-testsuite-in-testsuite.xml")
    assert [(case.suite, case.name, case.file, case.line) for case in cases] == [
        ("TestSuite1", "TestCase1", "/somepath", 34),
        ("TestSuite1", "TestCase2", "/somepath", 65),
        ("TestSuite2.1", "TestCase3", "/somepath", 40),
        ("TestSuite2", "TestCase4", "/somepath", 40),
        ("Project Test Suite", "TestCase5", "/somepath", 40),
    ]
    assert cases[0].duration == pytest.approx(1.32159)


def test_phpunit_file_line_and_classname():
    case = next(c for c in _parse("phpunit/dorny-phpunit.xml") if c.name == "testCollectsEventsUntilFlush")
    assert case.classname == "PHPUnit.Event.DeferringDispatcherTest"
    assert case.file.endswith("tests/unit/Event/Dispatcher/DeferringDispatcherTest.php")
    assert case.line == 22


def test_pytest_case_properties_and_skip_reason():
    cases = {case.name: case for case in _parse("pytest/dorny-python-xunit-pytest.xml")}
    assert cases["test_with_record_property"].properties == {"example_key": "1"}
    # Suite-level <properties> are not case properties.
    assert cases["test_always_pass"].properties == {}
    skipped = cases["test_always_skip"]
    assert (skipped.status, skipped.failure_type, skipped.failure_message) == (
        "skipped",
        "pytest.skip",
        "skipped",
    )


def test_xml_entities_and_unicode_are_decoded():
    names = [case.name for case in _parse("edge-cases/enricomi-with-xml-entities.xml")]
    assert names[0] == 'Test with "quotes" in the test name'
    assert names[2] == "Test with & in the test name"
    unicode_case = _parse("edge-cases/enricomi-unsupported-unicode.xml")[0]
    assert unicode_case.name.endswith("𒍺𡓿𠄉㦓")
    assert (unicode_case.file, unicode_case.line) == ("test/test-1.py", 1)


def test_trx_class_comes_from_definitions_after_results():
    cases = {case.name: case for case in _parse("dotnet-trx/dorny-dotnet-trx.trx")}
    failing = cases["Should be even number(i: 3)"]
    assert failing.suite == "DotnetTests.XUnitTests.dll"
    assert failing.classname == "DotnetTests.XUnitTests.CalculatorTests"
    assert failing.status == "failed"
    assert failing.failure_message.startswith("Assert.True() Failure")
    assert "CalculatorTests.cs:line 67" in failing.failure_text
    assert failing.duration == pytest.approx(0.0006537)
    skipped = cases["DotnetTests.XUnitTests.CalculatorTests.Skipped_Test"]
    assert (skipped.status, skipped.failure_type, skipped.system_out) == (
        "skipped",
        "NotExecuted",
        "Skipped test",
    )


def test_trx_with_definitions_first_and_assembly_qualified_class():
    cases = _parse("dotnet-trx/enricomi-mstest-pickles.trx")
    assert {case.classname for case in cases} == {"Pickles.TestHarness.MSTest.AdditionFeature"}
    assert {case.suite for case in cases} == {"Pickles.TestHarness.MSTest.DLL"}


def test_nunit3_fields():
    cases = {case.name: case for case in _parse("dotnet-nunit/dorny-dotnet-nunit.xml")}
    error = cases["Exception_In_TargetTest"]
    assert (error.suite, error.classname) == (
        "DotnetTests.NUnitV3Tests.dll",
        "DotnetTests.XUnitTests.CalculatorTests",
    )
    # NUnit's label is kept as the failure type; the case counts as failed (see nunit.py).
    assert (error.status, error.failure_type) == ("failed", "Error")
    assert error.failure_message == "System.DivideByZeroException : Attempted to divide by zero."
    ignored = next(case for case in cases.values() if case.status == "skipped")
    assert ignored.failure_type == "Ignored"


def test_nunit2_fields():
    cases = {case.name: case for case in _parse("dotnet-nunit/enricomi-NUnit-correct.xml")}
    failing = cases["FailingTest"]
    assert (failing.suite, failing.classname) == (
        "mock-assembly.dll",
        "NUnit.Tests.Assemblies.MockTestFixture",
    )
    assert (failing.status, failing.failure_message) == ("failed", "Intentional failure")
    assert cases["MockTest2"].properties == {"Severity": "Critical", "Category": "MockCategory"}
    assert cases["InconclusiveTest"].status == "skipped"


def test_xunit2_fields():
    cases = _parse("dotnet-xunit/enricomi-xunit-fixie.xml")
    failing = next(case for case in cases if case.name == "[testClass].Fail")
    assert (failing.suite, failing.classname, failing.status) == (
        "[assemblyLocation]",
        "[testClass]",
        "failed",
    )
    assert failing.failure_type == "Fixie.Tests.FailureException"
    assert failing.failure_message == "'Fail' failed!"
    assert failing.duration == pytest.approx(1.234)
