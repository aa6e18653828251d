"""Format detection and the non-JUnit formats' less common shapes (synthetic, minimal files)."""

import io

import pytest

from apps.testruns.reports import ReportError, parse_report

TRX_NS = "http://microsoft.com/schemas/VisualStudio/TeamTest/2010"


def parse(xml: str) -> list:
    return list(parse_report(io.BytesIO(xml.encode("utf-8"))))


@pytest.mark.parametrize(
    ("xml", "expected"),
    [
        ('<testsuite><testcase name="j"/></testsuite>', "j"),
        ('<testsuites><testsuite><testcase name="j"/></testsuite></testsuites>', "j"),
        ('<test-run><test-suite type="Assembly" name="a.dll"><test-case name="n" result="Passed"/>'
         "</test-suite></test-run>", "n"),
        ('<test-results><test-suite type="Assembly" name="a.dll"><results>'
         '<test-case name="Ns.C.n2" result="Success"/></results></test-suite></test-results>', "n2"),
        ('<assemblies><assembly name="a.dll"><collection><test name="x" result="Pass"/></collection>'
         "</assembly></assemblies>", "x"),
        ('<assembly name="a.dll"><collection><test name="x1" result="Pass"/></collection></assembly>', "x1"),
        (f'<TestRun xmlns="{TRX_NS}"><Results><UnitTestResult testName="trx" outcome="Passed"/></Results>'
         "</TestRun>", "trx"),
    ],
)  # fmt: skip
def test_format_is_detected_from_the_root(xml, expected):
    assert [case.name for case in parse(xml)] == [expected]


def test_unknown_root_is_refused_before_reading_the_rest():
    # The body is malformed, but the root alone decides: no need to parse a 1 GB non-report.
    with pytest.raises(ReportError, match=r"Not a test report: root element <coverage>"):
        parse("<coverage><unclosed></coverage>")


def test_trx_data_driven_rows_are_the_cases_and_results_wait_for_definitions():
    xml = f"""<TestRun xmlns="{TRX_NS}">
      <Results>
        <UnitTestResult testId="t1" testName="DataTest" outcome="Failed" duration="00:00:01.5000000">
          <InnerResults>
            <UnitTestResult testId="t1" testName="DataTest (Row 1)" outcome="Passed" duration="00:00:00.5"/>
            <UnitTestResult testId="t1" testName="DataTest (Row 2)" outcome="Failed" duration="00:00:01">
              <Output><ErrorInfo><Message>row 2 broke</Message></ErrorInfo></Output>
            </UnitTestResult>
          </InnerResults>
        </UnitTestResult>
        <UnitTestResult testId="t2" testName="Orphan" outcome="Timeout" duration="1.00:00:02"/>
      </Results>
      <TestDefinitions>
        <UnitTest id="t1" storage="C:\\bin\\tests.dll">
          <TestMethod className="Ns.DataTests, tests"/>
        </UnitTest>
      </TestDefinitions>
    </TestRun>"""
    cases = parse(xml)
    assert [(c.name, c.status, c.classname, c.suite) for c in cases] == [
        ("DataTest (Row 1)", "passed", "Ns.DataTests", "tests.dll"),
        ("DataTest (Row 2)", "failed", "Ns.DataTests", "tests.dll"),
        ("Orphan", "failed", "", ""),  # no definition: still counted
    ]
    assert cases[1].failure_message == "row 2 broke"
    assert cases[2].duration == pytest.approx(86402.0)
    assert cases[2].failure_type == "Timeout"


@pytest.mark.parametrize(
    ("outcome", "status"),
    [
        ("Passed", "passed"),
        ("Failed", "failed"),
        ("Error", "error"),
        ("Timeout", "failed"),
        ("NotExecuted", "skipped"),
        ("Inconclusive", "skipped"),
        ("Aborted", "skipped"),
        ("", "skipped"),
    ],
)
def test_trx_outcomes(outcome, status):
    result = f'<UnitTestResult testName="t" outcome="{outcome}"/>'
    xml = f'<TestRun xmlns="{TRX_NS}"><Results>{result}</Results></TestRun>'
    [case] = parse(xml)
    assert case.status == status


def test_nunit3_output_properties_and_skip_reason():
    xml = """<test-run><test-suite type="Assembly" name="C:\\bin\\app.tests.dll">
      <test-suite type="TestFixture" name="CalcTests" fullname="App.CalcTests">
        <test-case name="Adds(1,2)" fullname="App.CalcTests.Adds(1,2)" result="Passed" duration="0.25">
          <properties>
            <property name="Category" value="fast"/><property name="Category" value="math"/>
          </properties>
          <output><![CDATA[hello]]></output>
        </test-case>
        <test-case name="Later" fullname="App.CalcTests.Later" result="Skipped" label="Ignored">
          <reason><message><![CDATA[not yet]]></message></reason>
        </test-case>
      </test-suite></test-suite></test-run>"""
    adds, later = parse(xml)
    assert (adds.suite, adds.classname, adds.name, adds.duration) == (
        "app.tests.dll",
        "App.CalcTests",
        "Adds(1,2)",
        0.25,
    )
    assert adds.properties == {"Category": "fast, math"}
    assert adds.system_out == "hello"
    assert (later.status, later.failure_type, later.failure_message) == ("skipped", "Ignored", "not yet")


def test_nunit2_parametrized_names_split_before_the_arguments():
    xml = """<test-results><test-suite type="Assembly" name="a.dll"><results>
      <test-case name="Ns.Calc.Div(1.5,0.5)" executed="True" result="Error" success="False" time="0.1">
        <failure><message>boom</message><stack-trace>at Div</stack-trace></failure>
      </test-case>
      <test-case name="Ns.Calc.Old" executed="True" success="True"/>
    </results></test-suite></test-results>"""
    div, old = parse(xml)
    assert (div.classname, div.name, div.status) == ("Ns.Calc", "Div(1.5,0.5)", "error")
    assert div.failure_text == "boom\nat Div"
    assert (old.classname, old.name, old.status) == ("Ns.Calc", "Old", "passed")


def test_xunit2_traits_output_and_skip_reason():
    xml = """<assemblies><assembly name="/src/bin/App.Tests.dll"><collection name="c">
      <test name="App.T.Slow" type="App.T" method="Slow" result="Skip" time="0">
        <reason><![CDATA[too slow]]></reason>
        <traits><trait name="Category" value="slow"/></traits>
      </test>
      <test name="App.T.Logs" type="App.T" method="Logs" result="Pass" time="0.5">
        <output>log line</output>
      </test>
    </collection></assembly></assemblies>"""
    slow, logs = parse(xml)
    assert (slow.suite, slow.classname, slow.status) == ("App.Tests.dll", "App.T", "skipped")
    assert (slow.failure_message, slow.properties) == ("too slow", {"Category": "slow"})
    assert (logs.system_out, logs.duration) == ("log line", 0.5)
