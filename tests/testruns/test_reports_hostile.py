"""Uploads that must be refused cleanly: attacks, bombs, broken files, wrong encodings."""

import gzip
import io
import time
import tracemalloc
import zlib

import pytest

from apps.testruns.reports import ReportError, ReportLimits, open_report_stream, parse_report, summarize

MB = 1024 * 1024
CASE = b'<testcase classname="c" name="t%d" time="0.1"/>'

BILLION_LAUGHS = b"""<?xml version="1.0"?>
<!DOCTYPE testsuites [
 <!ENTITY lol "lol">
 <!ENTITY lol1 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">
 <!ENTITY lol2 "&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;">
 <!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">
 <!ENTITY lol4 "&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;">
 <!ENTITY lol5 "&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;">
 <!ENTITY lol6 "&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;">
 <!ENTITY lol7 "&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;">
 <!ENTITY lol8 "&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;">
 <!ENTITY lol9 "&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;">
]>
<testsuites><testsuite name="s"><testcase classname="c" name="&lol9;"><system-out>&lol9;</system-out>
</testcase></testsuite></testsuites>"""


def parse(data: bytes, **kwargs) -> list:
    return list(parse_report(io.BytesIO(data), **kwargs))


def xxe(path: str, encoding: str = "utf-8") -> bytes:
    text = (
        f'<?xml version="1.0" encoding="{encoding}"?>\n'
        f'<!DOCTYPE testsuites [<!ENTITY xxe SYSTEM "file://{path}">]>\n'
        '<testsuites><testsuite name="s"><testcase classname="c" name="t">'
        "<failure message='&xxe;'>&xxe;</failure><system-out>&xxe;</system-out>"
        "</testcase></testsuite></testsuites>"
    )
    return text.encode(encoding)


@pytest.fixture
def secret(tmp_path):
    path = tmp_path / "secret.txt"
    path.write_text("TOP-SECRET-CONTENT-42\n")
    return path


@pytest.mark.parametrize("encoding", ["utf-8", "utf-16"])
def test_xxe_external_entity_is_refused_and_never_read(secret, encoding):
    with pytest.raises(ReportError, match="ENTITY") as info:
        parse(xxe(str(secret), encoding))
    assert "TOP-SECRET" not in str(info.value)


def test_xxe_on_etc_passwd_is_refused():
    with pytest.raises(ReportError, match="entities") as info:
        parse(xxe("/etc/passwd"))
    assert "root:" not in str(info.value)


def test_entity_declaration_past_the_prolog_peek_is_still_refused(secret):
    # A DOCTYPE pushed beyond the window the cheap pre-check looks at: the parsed DTD is
    # checked before any case is produced.
    padding = b"<!--" + b" " * (128 * 1024) + b"-->\n"
    data = xxe(str(secret)).replace(b"?>\n", b"?>\n" + padding, 1)
    with pytest.raises(ReportError, match="entities"):
        parse(data)


def test_billion_laughs_is_refused_quickly():
    started = time.perf_counter()
    with pytest.raises(ReportError, match="entities"):
        parse(BILLION_LAUGHS)
    assert time.perf_counter() - started < 1.0


def test_external_dtd_is_not_loaded(secret):
    # No entity declared inline: the DTD file declares it, but DTDs are never loaded, so the
    # reference stays an unresolved reference and the file is never opened.
    dtd = secret.with_suffix(".dtd")
    dtd.write_text(f'<!ENTITY leak SYSTEM "file://{secret}">')
    data = (
        f'<?xml version="1.0"?><!DOCTYPE testsuites SYSTEM "file://{dtd}">'
        '<testsuites><testsuite><testcase name="t"><system-out>&leak;</system-out></testcase>'
        "</testsuite></testsuites>"
    ).encode()
    [case] = parse(data)
    assert "TOP-SECRET" not in case.system_out


def test_plain_doctype_without_entities_is_accepted():
    data = b'<?xml version="1.0"?><!DOCTYPE testsuites><testsuites><testcase name="t"/></testsuites>'
    assert [case.name for case in parse(data)] == ["t"]


def test_gzip_input_is_detected():
    xml = (
        b"<testsuites><testsuite name='s'>"
        + b"".join(CASE % i for i in range(50))
        + b"</testsuite></testsuites>"
    )
    cases = parse(gzip.compress(xml))
    assert summarize(cases)["tests"] == 50
    assert cases[0].suite == "s"


def test_gzip_can_be_forced_or_disabled():
    xml = b"<testsuite><testcase name='t'/></testsuite>"
    stream = open_report_stream(io.BytesIO(gzip.compress(xml)), gzip=True, limits=ReportLimits())
    assert stream.read() == xml
    stream = open_report_stream(io.BytesIO(xml), gzip=False, limits=ReportLimits())
    assert stream.read() == xml
    with pytest.raises(ReportError, match="gzip"):
        open_report_stream(io.BytesIO(xml), gzip=True, limits=ReportLimits()).read()


def _gzip_of_zeros(total: int, chunk: int = MB) -> bytes:
    compressor = zlib.compressobj(9, zlib.DEFLATED, 31)  # wbits=31: gzip container
    parts = [compressor.compress(bytes(chunk)) for _ in range(total // chunk)]
    return b"".join(parts) + compressor.flush()


def test_gzip_bomb_stops_at_the_limit_without_inflating_it():
    bomb = _gzip_of_zeros(200 * MB)  # ~200 KB on disk
    assert len(bomb) < MB
    limits = ReportLimits(max_bytes=1 * MB)
    tracemalloc.start()
    try:
        stream = open_report_stream(io.BytesIO(bomb), limits=limits)
        with pytest.raises(ReportError, match="exceeds the 1 MB limit"):
            while stream.read(64 * 1024):
                pass
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert stream.bytes_read <= 1 * MB + 64 * 1024
    assert peak < 8 * MB


def test_gzip_bomb_of_valid_xml_is_refused_by_parse_report():
    compressor = zlib.compressobj(9, zlib.DEFLATED, 31)
    parts = [compressor.compress(b"<testsuites><testsuite name='s'>")]
    parts += [compressor.compress(b"".join(CASE % i for i in range(1000))) for _ in range(200)]
    bomb = b"".join(parts) + compressor.flush()
    with pytest.raises(ReportError, match="exceeds the 1 MB limit"):
        parse(bomb, limits=ReportLimits(max_bytes=MB))


def test_plain_file_over_the_limit_is_refused():
    xml = b"<testsuites><testsuite>" + b"".join(CASE % i for i in range(100)) + b"</testsuite></testsuites>"
    with pytest.raises(ReportError, match="Report exceeds the 1 KB limit"):
        parse(xml, limits=ReportLimits(max_bytes=1024))


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (b"", "empty"),
        (b"  \n\t ", "whitespace"),
        (b"this is not an xml file", "Malformed XML at line 1"),
        (b"<testsuites><testsuite><testcase name='t'>", "Malformed XML at line 1"),
        (b"<testsuites>\n<testsuite>\n<testcase name='a'/>\n</testsuites>", "Malformed XML at line 4"),
        (b"<?xml version='1.0'?><html><body/></html>", "Not a test report: root element <html>"),
        (b"<suites><suite/></suites>", "Not a test report"),
    ],
)
def test_broken_or_foreign_files_are_refused(data, message):
    with pytest.raises(ReportError, match=message):
        parse(data)


def test_truncated_report_fails_even_after_some_cases():
    xml = b"<testsuites><testsuite>" + b"".join(CASE % i for i in range(5)) + b"<testcase name='cut"
    iterator = parse_report(io.BytesIO(xml))
    with pytest.raises(ReportError, match="Malformed XML"):
        list(iterator)


def test_latin1_declared_encoding_is_decoded():
    xml = '<?xml version="1.0" encoding="ISO-8859-1"?><testsuite name="Café"><testcase name="crème brûlée"/>'
    xml += "</testsuite>"
    [case] = parse(xml.encode("latin-1"))
    assert (case.suite, case.name) == ("Café", "crème brûlée")


def test_utf16_report_with_bom_is_decoded():
    xml = '<?xml version="1.0" encoding="UTF-16"?><testsuite><testcase name="naïve"/></testsuite>'
    [case] = parse(xml.encode("utf-16"))
    assert case.name == "naïve"


def test_utf8_bom_is_accepted():
    [case] = parse(b"\xef\xbb\xbf<testsuite><testcase name='t'/></testsuite>")
    assert case.name == "t"


@pytest.mark.parametrize(
    "data",
    [
        b'<?xml version="1.0" encoding="utf-8"?><testsuite><testcase name="caf\xe9"/></testsuite>',
        b"<testsuite><testcase name='\xff\xfe\xfa'/></testsuite>",
        b'<?xml version="1.0" encoding="no-such-codec"?><testsuite/>',
    ],
)
def test_undecodable_bytes_fail_cleanly(data):
    with pytest.raises(ReportError, match="encoding"):
        parse(data)


def test_text_stream_is_a_programming_error():
    with pytest.raises(TypeError, match="binary"):
        parse_report(io.StringIO("<testsuite/>")).__next__()
