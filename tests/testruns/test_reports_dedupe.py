"""Retry/flaky folding, summaries, and the JUnit dialect details that feed them."""

import io

import pytest

from apps.testruns.reports import ParsedCase, ReportLimits, dedupe_cases, parse_report, summarize


def parse(xml: str, **kwargs) -> list[ParsedCase]:
    return list(parse_report(io.BytesIO(xml.encode("utf-8")), **kwargs))


def one_case(body: str) -> str:
    return f"<testsuite><testcase name='t'>{body}</testcase></testsuite>"


def case(name: str, status: str = "passed", duration: float = 1.0, **fields) -> ParsedCase:
    return ParsedCase(suite="s", classname="c", name=name, status=status, duration=duration, **fields)


# --- dedupe_cases ---------------------------------------------------------------------------


def test_fail_then_pass_is_one_flaky_passed_test():
    first = case("t", "failed", failure_type="AssertionError", failure_message="boom", failure_text="trace")
    [merged] = dedupe_cases([first, case("t", "passed")])
    assert (merged.status, merged.flaky, merged.retries) == ("passed", True, 1)
    assert merged.duration == pytest.approx(2.0)  # the run paid for both attempts
    # Why it flaked is kept on the final case.
    assert (merged.failure_type, merged.failure_message, merged.failure_text) == (
        "AssertionError",
        "boom",
        "trace",
    )


def test_failing_every_attempt_is_one_failed_test_with_the_last_message():
    attempts = [case("t", "failed", failure_message=f"attempt {n}") for n in range(3)]
    [merged] = dedupe_cases(attempts)
    assert (merged.status, merged.flaky, merged.retries, merged.failure_message) == (
        "failed",
        False,
        2,
        "attempt 2",
    )


def test_error_then_pass_is_flaky_and_final_status_wins():
    [merged] = dedupe_cases([case("t", "error"), case("t", "failed"), case("t", "passed")])
    assert (merged.status, merged.flaky, merged.retries) == ("passed", True, 2)


def test_fail_then_skip_keeps_the_skip_and_is_not_flaky():
    [merged] = dedupe_cases([case("t", "failed"), case("t", "skipped")])
    assert (merged.status, merged.flaky, merged.retries) == ("skipped", False, 1)


def test_repeats_after_a_pass_or_skip_are_separate_invocations():
    # Nobody retries a passing test: same-named parametrized invocations all count.
    cases = [case("t", "passed"), case("t", "passed"), case("t", "skipped"), case("t", "failed")]
    assert [c.status for c in dedupe_cases(cases)] == ["passed", "passed", "skipped", "failed"]


def test_a_new_invocation_can_itself_be_retried():
    cases = [case("t", "passed"), case("t", "failed"), case("t", "passed")]
    assert [(c.status, c.flaky, c.retries) for c in dedupe_cases(cases)] == [
        ("passed", False, 0),
        ("passed", True, 1),
    ]


def test_first_seen_order_is_preserved():
    cases = [case("a", "failed"), case("b"), case("c", "error"), case("a"), case("c", "failed"), case("d")]
    result = dedupe_cases(cases)
    assert [(c.name, c.status) for c in result] == [
        ("a", "passed"),
        ("b", "passed"),
        ("c", "failed"),
        ("d", "passed"),
    ]


def test_identity_is_suite_classname_name():
    cases = [
        ParsedCase(suite="s1", classname="c", name="t", status="failed"),
        ParsedCase(suite="s2", classname="c", name="t", status="passed"),
        ParsedCase(suite="s1", classname="other", name="t", status="passed"),
    ]
    assert cases[0].identity == ("s1", "c", "t")
    assert len(dedupe_cases(cases)) == 3


def test_nameless_cases_are_never_merged():
    cases = [ParsedCase(status="failed"), ParsedCase(status="error"), ParsedCase(status="passed")]
    assert len(dedupe_cases(cases)) == 3


def test_dedupe_accepts_a_generator_and_leaves_inputs_untouched():
    first = case("t", "failed")
    merged = dedupe_cases(c for c in [first, case("t")])
    assert merged[0] is not first
    assert (first.status, first.retries) == ("failed", 0)


def test_gotestsum_style_reruns_in_a_report():
    xml = """<testsuites>
      <testsuite name="example.com/pkg" tests="3">
        <testcase classname="example.com/pkg" name="TestFlaky" time="0.10">
          <failure message="Failed">x_test.go:12: boom</failure>
        </testcase>
        <testcase classname="example.com/pkg" name="TestOk" time="0.01"/>
      </testsuite>
      <testsuite name="example.com/pkg" tests="1">
        <testcase classname="example.com/pkg" name="TestFlaky" time="0.20"/>
      </testsuite>
    </testsuites>"""
    cases = dedupe_cases(parse(xml))
    assert [(c.name, c.status, c.flaky, c.retries) for c in cases] == [
        ("TestFlaky", "passed", True, 1),
        ("TestOk", "passed", False, 0),
    ]
    assert cases[0].failure_text == "x_test.go:12: boom"
    assert summarize(cases) == {
        "tests": 2,
        "passed": 2,
        "failed": 0,
        "errors": 0,
        "skipped": 0,
        "duration": 0.31,
    }


# --- summarize ------------------------------------------------------------------------------


def test_summarize_counts_each_status_and_sums_durations():
    cases = [
        case("a", duration=0.1),
        case("b", "failed", 0.2),
        case("c", "error", 0.3),
        case("d", "skipped", 0),
    ]
    assert summarize(cases) == {
        "tests": 4,
        "passed": 1,
        "failed": 1,
        "errors": 1,
        "skipped": 1,
        "duration": 0.6,
    }


def test_summarize_empty():
    assert summarize([]) == {"tests": 0, "passed": 0, "failed": 0, "errors": 0, "skipped": 0, "duration": 0.0}


# --- JUnit dialect details --------------------------------------------------------------------


def test_surefire_flaky_children_make_a_flaky_pass():
    xml = """<testsuite name="com.example.FooTest">
      <testcase name="works" classname="com.example.FooTest" time="1.5">
        <flakyFailure message="expected 1" type="java.lang.AssertionError">
          <stackTrace>java.lang.AssertionError: expected 1
	at com.example.FooTest.works(FooTest.java:10)</stackTrace>
          <system-out>attempt 1 output</system-out>
        </flakyFailure>
        <flakyError message="NPE" type="java.lang.NullPointerException">
          <stackTrace>npe trace</stackTrace>
        </flakyError>
        <system-out>final output</system-out>
      </testcase>
    </testsuite>"""
    [parsed] = parse(xml)
    assert (parsed.status, parsed.flaky, parsed.retries) == ("passed", True, 2)
    assert (parsed.failure_type, parsed.failure_message, parsed.failure_text) == (
        "java.lang.NullPointerException",
        "NPE",
        "npe trace",
    )
    assert parsed.system_out == "final output"  # not the attempt's nested output


def test_surefire_rerun_children_count_as_retries_of_a_failure():
    xml = """<testsuite name="S"><testcase name="t" classname="C">
        <failure message="m1" type="T">first</failure>
        <rerunFailure message="m2" type="T"><stackTrace>second</stackTrace></rerunFailure>
        <rerunError message="m3" type="E"><stackTrace>third</stackTrace></rerunError>
    </testcase></testsuite>"""
    [parsed] = parse(xml)
    assert (parsed.status, parsed.flaky, parsed.retries, parsed.failure_message) == ("failed", False, 2, "m1")


@pytest.mark.parametrize(
    ("testcase", "status"),
    [
        ('<testcase name="t" status="disabled"/>', "skipped"),
        ('<testcase name="t" status="notrun"/>', "skipped"),
        ('<testcase name="t" status="run" result="suppressed"/>', "skipped"),
        ('<testcase name="t"><disabled/></testcase>', "skipped"),
        ('<testcase name="t"><skipped message="why"/></testcase>', "skipped"),
        ('<testcase name="t" status="run"/>', "passed"),
        ('<testcase name="t" status="passed"/>', "passed"),
        ('<testcase name="t"><system-out>x</system-out></testcase>', "passed"),
        ('<testcase name="t"><failure/></testcase>', "failed"),
        ('<testcase name="t"><error/></testcase>', "error"),
        ('<testcase name="t"><skipped/><failure/></testcase>', "failed"),
    ],
)
def test_status_from_children_and_attributes(testcase, status):
    [parsed] = parse(f"<testsuite>{testcase}</testsuite>")
    assert parsed.status == status


@pytest.mark.parametrize(
    ("time", "seconds"),
    [
        ("1.5", 1.5),
        ("1,234.5", 1234.5),  # Surefire thousands separator
        ("1,234", 1234.0),
        ("0,25", 0.25),  # decimal comma
        ("", 0.0),
        (None, 0.0),
        ("abc", 0.0),
        ("-1", 0.0),
        ("nan", 0.0),
        (" 2 ", 2.0),
    ],
)
def test_time_attribute_variants(time, seconds):
    attribute = "" if time is None else f' time="{time}"'
    [parsed] = parse(f'<testsuite><testcase name="t"{attribute}/></testsuite>')
    assert parsed.duration == pytest.approx(seconds)


def test_case_properties_including_text_values_and_nested_blocks():
    xml = """<testsuite name="S">
      <properties><property name="suite-only" value="x"/></properties>
      <testcase name="t" classname="C">
        <properties>
          <property name="requirement" value="REQ-12"/>
          <property name="requirement" value="REQ-13"/>
          <property name="note">multi
line</property>
        </properties>
      </testcase>
    </testsuite>"""
    [parsed] = parse(xml)
    assert parsed.properties == {"requirement": "REQ-12, REQ-13", "note": "multi\nline"}


def test_file_line_and_suite_file_inheritance():
    xml = """<testsuites><testsuite name="Outer" file="tests/OuterTest.php">
      <testsuite name="Inner">
        <testcase name="a" class="App\\FooTest" line="12"/>
        <testcase name="b" classname="App.FooTest" file="tests/FooTest.php" line="x"/>
      </testsuite>
    </testsuite></testsuites>"""
    first, second = parse(xml)
    assert (first.suite, first.classname, first.file, first.line) == (
        "Inner",
        "App\\FooTest",
        "tests/OuterTest.php",
        12,
    )
    assert (second.file, second.line) == ("tests/FooTest.php", None)


def test_missing_attributes_default_to_empty():
    [parsed] = parse("<testsuites><testsuite><testcase/></testsuite></testsuites>")
    assert (parsed.suite, parsed.classname, parsed.name, parsed.file, parsed.line) == ("", "", "", "", None)
    assert parsed.identity == ("", "", "")


def test_testcase_directly_under_testsuites():
    [parsed] = parse('<testsuites><testcase classname="c" name="t"/></testsuites>')
    assert (parsed.suite, parsed.name) == ("", "t")


def test_message_falls_back_to_the_first_line_of_the_text():
    [parsed] = parse(one_case("<failure>\n\n  Error: expected 1\n    at x.js:1</failure>"))
    assert parsed.failure_message == "Error: expected 1"
    assert parsed.failure_text == "\n\n  Error: expected 1\n    at x.js:1"


def test_system_out_and_err_are_truncated_with_a_marker():
    big = "é" * 5000  # 10 000 bytes of UTF-8
    xml = one_case(f"<system-out>{big}</system-out><system-err>short</system-err>")
    [parsed] = parse(xml, limits=ReportLimits(max_output_bytes=1001))
    # 1001 bytes would split a 2-byte character: the half character is dropped.
    assert parsed.system_out == "é" * 500 + "… [truncated 9000 bytes]"
    assert parsed.system_err == "short"


def test_failure_message_and_text_have_their_own_limits():
    message, text = "m" * 100, "t" * 300
    xml = (
        f"<testsuite><testcase name='t'><failure message='{message}'>{text}</failure></testcase></testsuite>"
    )
    [parsed] = parse(xml, limits=ReportLimits(max_message_bytes=10, max_output_bytes=200))
    assert parsed.failure_message == "m" * 10 + "… [truncated 90 bytes]"
    assert parsed.failure_text == "t" * 200 + "… [truncated 100 bytes]"


def test_ansi_control_characters_in_output_do_not_break_parsing():
    xml = one_case("<system-out>\x1b[31mred\x1b[0m\x00</system-out>")
    [parsed] = parse(xml)
    assert parsed.system_out == "?[31mred?[0m?"


def test_cdata_and_comments():
    [parsed] = parse(one_case("<failure><![CDATA[a < b]]><!-- noise --> tail</failure>"))
    assert parsed.failure_text == "a < b tail"


def test_nextest_style_report():
    xml = """<testsuites name="nextest-run" tests="2" failures="0" errors="0">
      <testsuite name="my-crate" tests="2" disabled="0" errors="0" failures="0">
        <testcase name="tests::flaky" classname="my-crate" timestamp="2024-01-01T00:00:00Z" time="0.010">
          <flakyFailure type="test failure" message="thread panicked">
            <system-out>attempt 1</system-out>
          </flakyFailure>
          <properties><property name="attempts" value="2"/></properties>
        </testcase>
        <testcase name="tests::ok" classname="my-crate" time="0.002"/>
      </testsuite>
    </testsuites>"""
    flaky, ok = parse(xml)
    assert (flaky.status, flaky.flaky, flaky.retries, flaky.failure_message) == (
        "passed",
        True,
        1,
        "thread panicked",
    )
    assert flaky.properties == {"attempts": "2"}
    assert (ok.status, ok.flaky) == ("passed", False)
