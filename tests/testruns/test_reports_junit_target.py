"""The JUnit parser target (junit.JUnitTarget): what it reads, and that both ways of feeding it agree.

A JUnit file is normally pushed through the target with no element tree (``push_parse``); a file
whose start can't tell the format is parsed as a tree and each case replayed into the same target
(``junit.parse``). Both must give the same cases, byte for byte.
"""

import dataclasses
import io
from pathlib import Path

import pytest

from apps.testruns.reports import ReportError, ReportLimits, detect, junit, parse_report

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "junit"
JUNIT_FILES = sorted(
    path for path in FIXTURES.rglob("*.xml")
    if path.read_bytes().lstrip(b"\xef\xbb\xbf").lstrip().startswith((b"<?xml", b"<testsuite", b"<!--"))
)


def _parse(data: bytes, *, generic: bool = False, monkeypatch=None, limits=None) -> list:
    if generic:
        monkeypatch.setattr(detect, "root_name", lambda stream: None)
    try:
        return [dataclasses.astuple(case) for case in parse_report(io.BytesIO(data), limits=limits)]
    finally:
        if generic:
            monkeypatch.undo()


def _both(data: bytes, monkeypatch, limits=None) -> list:
    pushed = _parse(data, limits=limits)
    assert _parse(data, generic=True, monkeypatch=monkeypatch, limits=limits) == pushed
    return pushed


@pytest.mark.parametrize("path", JUNIT_FILES, ids=lambda path: str(path.relative_to(FIXTURES)))
def test_pushed_and_replayed_cases_are_the_same_on_every_fixture(path, monkeypatch):
    data = path.read_bytes()
    try:
        pushed = _parse(data)
    except ReportError as exc:
        with pytest.raises(ReportError) as again:
            _parse(data, generic=True, monkeypatch=monkeypatch)
        assert str(again.value) == str(exc)
        return
    assert _parse(data, generic=True, monkeypatch=monkeypatch) == pushed


def test_escapes_in_attributes_and_text_read_as_written(monkeypatch):
    # With entities unresolved libxml2 hands a target "&" as "&#38;"; the target restores it.
    data = (
        b'<testsuite name="s &amp; t"><testcase classname="a &amp; b" name="x &lt; y &#38;&#38; &amp;#38;" '
        b'file="p&amp;q.py"><failure message="1 &amp; 2" type="E&amp;">t &amp; <![CDATA[&amp;]]></failure>'
        b'<properties><property name="k&amp;" value="v &amp; w"/></properties></testcase></testsuite>'
    )
    [case] = _both(data, monkeypatch)
    fields = dict(zip([f.name for f in dataclasses.fields(junit.ParsedCase)], case, strict=True))
    assert fields["suite"] == "s & t"
    assert (fields["classname"], fields["name"], fields["file"]) == ("a & b", "x < y && &#38;", "p&q.py")
    assert (fields["failure_message"], fields["failure_type"]) == ("1 & 2", "E&")
    assert fields["failure_text"] == "t & &amp;"
    assert fields["properties"] == {"k&": "v & w"}


def test_every_child_a_case_may_carry(monkeypatch):
    data = b"""<?xml version="1.0"?>
<j:testsuites xmlns:j="urn:junit">
  <j:testsuite name="outer" file="outer.py">
    <properties><property name="suite-level" value="not a case's"/></properties>
    <j:testsuite name="inner">
      <j:testcase classname="C" name="flaky" time="1.5" line="12">
        <j:flakyFailure message="" type="AssertionError">own text<note>n</note><stackTrace>trace
line two</stackTrace><stackTrace>second</stackTrace></j:flakyFailure>
        <system-out>out 1</system-out><system-out>out <b>2</b></system-out>
        <system-err>err</system-err>
        <properties><property name="requirement" value="REQ-1"/><property name="requirement">REQ-2</property>
          <property name="note">text <i>value</i></property></properties>
      </j:testcase>
      <j:testcase classname="C" name="reruns"><rerunFailure/><rerunError/></j:testcase>
      <j:testcase classname="C" name="worst wins"><skipped message="skip"/><failure message="f"/><error>boom
at x</error></j:testcase>
      <j:testcase classname="C" name="gtest" status="run" result="suppressed"><system-out>o</system-out></j:testcase>
      <j:testcase classname="C" name="disabled"><disabled/></j:testcase>
    </j:testsuite>
    <j:testcase name="loose" file="own.py" time="oops" line="-3"/>
  </j:testsuite>
</j:testsuites>"""
    cases = {case[2]: case for case in _both(data, monkeypatch)}
    names = [f.name for f in dataclasses.fields(junit.ParsedCase)]
    flaky, reruns, worst, gtest, disabled, loose = (
        dict(zip(names, cases[name], strict=True))
        for name in ("flaky", "reruns", "worst wins", "gtest", "disabled", "loose")
    )
    assert (flaky["suite"], flaky["file"], flaky["line"], flaky["duration"]) == ("inner", "outer.py", 12, 1.5)
    assert (flaky["status"], flaky["flaky"], flaky["retries"]) == ("passed", True, 1)
    assert flaky["failure_text"] == "trace\nline two"  # the first <stackTrace>, not the own text
    assert (flaky["failure_message"], flaky["failure_type"]) == ("trace", "AssertionError")
    assert (flaky["system_out"], flaky["system_err"]) == ("out 1\nout 2", "err")
    assert flaky["properties"] == {"requirement": "REQ-1, REQ-2", "note": "text value"}
    assert (reruns["status"], reruns["retries"]) == ("error", 2)
    assert (worst["status"], worst["failure_message"], worst["failure_text"]) == ("error", "boom", "boom\nat x")
    assert (gtest["status"], gtest["failure_type"], gtest["system_out"]) == ("skipped", "suppressed", "o")
    assert (disabled["status"], disabled["failure_type"]) == ("skipped", "disabled")
    assert (loose["suite"], loose["file"], loose["line"], loose["duration"]) == ("outer", "own.py", None, 0.0)


def test_a_flaky_element_without_stack_trace_keeps_its_own_text(monkeypatch):
    data = (
        b'<testsuite><testcase name="t"><flakyError message="m">own<x>not own</x> tail</flakyError>'
        b"</testcase></testsuite>"
    )
    [case] = _both(data, monkeypatch)
    assert case[5:10] == ("passed", 0.0, "", "m", "own")


def test_a_testcase_inside_a_testcase_gives_both(monkeypatch):
    data = (
        b'<testsuite name="s"><testcase name="outer"><failure message="f"/>'
        b'<testcase name="inner"><skipped/></testcase><system-out>o</system-out></testcase></testsuite>'
    )
    cases = _both(data, monkeypatch)
    assert [(case[2], case[5], case[10]) for case in cases] == [("inner", "skipped", ""), ("outer", "failed", "o")]


def test_texts_are_truncated_at_the_limits(monkeypatch):
    data = (
        b'<testsuite><testcase name="t"><failure message="' + b"m" * 300 + b'">' + b"x" * 5000
        + b"</failure><system-out>" + b"o" * 5000 + b"</system-out></testcase></testsuite>"
    )
    [case] = _both(data, monkeypatch, limits=ReportLimits(max_output_bytes=1024, max_message_bytes=100))
    message, text, out = case[8], case[9], case[10]
    assert message.startswith("m" * 100) and "truncated 200 bytes" in message
    assert text.startswith("x" * 1024) and "truncated" in text
    assert out.startswith("o" * 1024) and "truncated" in out


def test_many_different_times_and_lines_still_read_right():
    # Past the memo's size the target forgets what it memorised; values must not suffer.
    count = junit.MEMO_LIMIT + 50
    data = (
        b"<testsuite>"
        + b"".join(b'<testcase name="t%d" time="%d.25" line="%d"/>' % (i, i, i) for i in range(count))
        + b"</testsuite>"
    )
    cases = list(parse_report(io.BytesIO(data)))
    assert [(case.duration, case.line) for case in cases] == [(i + 0.25, i) for i in range(count)]


def test_an_entity_declaration_after_a_comment_that_looks_like_a_tag_is_refused():
    # A comment holding "<a" once ended the cheap prolog check early; the exact scan reads on.
    data = b'<!-- <a> --><!DOCTYPE testsuites [<!ENTITY x "y">]><testsuites><testcase name="&x;"/></testsuites>'
    with pytest.raises(ReportError, match="ENTITY"):
        list(parse_report(io.BytesIO(data)))


@pytest.mark.parametrize(
    "data",
    [
        # An external DTD is never loaded, so its entities stay undefined and read as nothing.
        b'<!DOCTYPE testsuites SYSTEM "http://127.0.0.1:9/x.dtd"><testsuites><testsuite name="s">'
        b'<testcase name="a &xxe; b"/><testcase name="t">&xxe;<failure>x &xxe; y</failure></testcase>'
        b"</testsuite></testsuites>",
        b'<!DOCTYPE testsuites PUBLIC "-//x" "file:///etc/passwd"><testsuites><testsuite>'
        b'<testcase name="&xxe;"/></testsuite></testsuites>',
    ],
)
def test_undefined_entities_of_an_unloaded_dtd_read_the_same_both_ways(data, monkeypatch):
    cases = _both(data, monkeypatch)
    assert all("passwd" not in str(case) and "root:" not in str(case) for case in cases)
