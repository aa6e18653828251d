"""Choosing the format's parser from the file's start (stream.root_name) — and staying safe."""

import io
import time

import pytest

from apps.testruns.reports import ReportError, detect, open_report_stream, parse_report
from apps.testruns.reports.stream import PROLOG_PEEK, root_name

CASE = b'<testsuite name="s"><testcase classname="c" name="t"/></testsuite>'


def _root(data: bytes) -> str | None:
    return root_name(open_report_stream(io.BytesIO(data)))


@pytest.mark.parametrize(
    ("data", "name"),
    [
        (b"<testsuites/>", "testsuites"),
        (b'<?xml version="1.0" encoding="UTF-8"?>\n<testsuite name="x">', "testsuite"),
        (b"\xef\xbb\xbf<?xml version='1.0'?><!-- made by <testsuite> tool --><TestRun xmlns='urn:x'>", "TestRun"),
        (b"<?xml version='1.0'?><?xml-stylesheet href='a.xsl'?>\n<test-run id='2'>", "test-run"),
        (b'<!DOCTYPE testsuites [<!ELEMENT testsuites ANY>]>\n<testsuites>', "testsuites"),
        (b"<!DOCTYPE assemblies SYSTEM 'x.dtd'><assemblies>", "assemblies"),
        (b"<ns:testsuites xmlns:ns='urn:junit'>", "testsuites"),
        ('<?xml version="1.0" encoding="UTF-16"?><testsuites>'.encode("utf-16"), "testsuites"),
    ],
)
def test_root_name_skips_the_prolog(data, name):
    assert _root(data) == name


@pytest.mark.parametrize(
    "data",
    [
        b"",
        b"not xml at all",
        b"<!-- a comment that never ends",
        b"<testsu",  # cut at the end of the window: unsure
        b"<!--" + b"x" * PROLOG_PEEK + b"--><testsuites>",  # the root lies past the window
    ],
)
def test_root_name_says_none_when_unsure(data):
    assert _root(data) is None


@pytest.mark.parametrize(
    "prolog",
    [b"<!DOCTYPE [" + b"]" * 60000, b"<!DOCTYPE x [" + b"a]" * 30000, b"<?" + b"?" * 60000, b"<!--" + b"-" * 60000],
)
def test_hostile_prologs_are_scanned_in_linear_time(prolog):
    started = time.perf_counter()
    _root(prolog)
    assert time.perf_counter() - started < 5  # backtracking would take minutes


def test_unsure_start_falls_back_to_the_generic_parse():
    data = b"<!--" + b"x" * PROLOG_PEEK + b"-->" + CASE
    cases = list(parse_report(io.BytesIO(data)))
    assert [(c.suite, c.name) for c in cases] == [("s", "t")]


def test_a_parsed_root_unlike_the_sniffed_one_is_refused(monkeypatch):
    monkeypatch.setattr(detect, "root_name", lambda stream: "testsuites")  # pretend the sniff went wrong
    trx = b'<TestRun xmlns="http://microsoft.com/schemas/VisualStudio/TeamTest/2010"><Results/></TestRun>'
    with pytest.raises(ReportError, match="format"):
        list(parse_report(io.BytesIO(trx)))
    with pytest.raises(ReportError, match="format"):
        list(parse_report(io.BytesIO(b"<TestRun><testcase name='x'/></TestRun>")))


def test_pushed_junit_keeps_nested_suites_and_inherited_files():
    data = (
        b'<testsuites><testsuite name="outer" file="a.py"><testcase name="one"/>'
        b'<testsuite name="inner"><testcase name="two"/></testsuite>'
        b'<testcase name="three" file="b.py"/></testsuite><testcase name="loose"/></testsuites>'
    )
    assert [(c.suite, c.name, c.file) for c in parse_report(io.BytesIO(data))] == [
        ("outer", "one", "a.py"), ("inner", "two", "a.py"), ("outer", "three", "b.py"), ("", "loose", ""),
    ]


def test_a_testcase_root_read_as_junit_is_refused(monkeypatch):
    monkeypatch.setattr(detect, "root_name", lambda stream: "testsuite")  # pretend the sniff went wrong
    with pytest.raises(ReportError, match="format"):
        list(parse_report(io.BytesIO(b"<testcase name='x'/>")))
