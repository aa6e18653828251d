"""The decision-record engine (apps.architecture.adr): MADR and adr-tools records, zip archives.

Fixtures are MADR's own decision log and templates (tests/fixtures/architecture/adr/README.md). MADR
has no test suite; what the source itself states is each file's H1 title and, for 0003 only, the
front-matter status "on hold" — the table below copies those, with numbers from the file names.
"""

import datetime
import io
import struct
import time
import zipfile
import zlib
from pathlib import Path

import pytest

from apps.architecture.adr import (
    AdrError,
    ParsedAdr,
    filename_for,
    parse_madr,
    parse_many,
    read_zip,
    render_madr,
    skip_reason,
    write_zip,
)

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "architecture" / "adr"


def read(name: str) -> str:
    return (FIXTURES / name).read_text(encoding="utf-8")


def parse_fixture(name: str) -> ParsedAdr:
    return parse_madr(read(name), filename=name.rsplit("/", 1)[-1])


DECISIONS = [
    ("0000-use-markdown-architectural-decision-records.md", 0, "Use Markdown Architectural Decision Records"),
    ("0001-use-CC0-or-MIT-as-license.md", 1, "Dual License the Work"),
    ("0002-do-not-use-numbers-in-headings.md", 2, "Do Not Use Numbers in Headings"),
    ("0003-provide-own-madr-tools.md", 3, "Write Own MADR Tooling"),
    ("0004-write-own-toc-tool.md", 4, "Write Own TOC Tool"),
    ("0005-use-dashes-in-filenames.md", 5, "Use Dashes in Filenames"),
    ("0006-use-names-as-identifier.md", 6, "Use Names as Identifier"),
    ("0007-do-not-emphasize-line-headings.md", 7, "Do Not Emphasize Line Headings"),
    ("0008-add-status-field.md", 8, "Add Status Field"),
    ("0009-support-links-between-adrs-inside-an-adrs.md", 9, "Support Links To Other ADRs Inside an ADR"),
    ("0010-support-categories.md", 10, "Support Categories"),
    ("0011-use-asterisk-as-list-marker.md", 11, "Use Asterisk as List Marker"),
    ("0012-use-curly-braces-to-denote-placeholder.md", 12, "Use Curly Braces to Denote Placeholders"),
    ("0013-use-yaml-front-matter-for-meta-data.md", 13, "Use YAML front matter for metadata"),
    ("0014-allow-neutral-arguments.md", 14, 'Allow "neutral" arguments'),
    ("0015-include-consulting-informed-of-raci.md", 15, 'Include "Consulted" and "Informed" of RACI'),
    ("0016-outcome-before-detailed-pros-cons.md", 16, "Outcome before Detailed Pros and Cons"),
    ("0017-use-same-format-for-outcomes-and-options.md", 17, "Use Same Format for Outcomes and Options"),
    ("0018-use-confirmation-as-heading.md", 18, 'Use "Confirmation" as Heading'),
]


def test_the_table_covers_every_decision():
    on_disk = sorted(p.name for p in (FIXTURES / "decisions").glob("0*.md"))
    assert on_disk == [name for name, _, _ in DECISIONS]


@pytest.mark.parametrize(("name", "number", "title"), DECISIONS)
def test_every_madr_decision_parses(name, number, title):
    adr = parse_fixture(f"decisions/{name}")
    assert (adr.number, adr.title) == (number, title)
    # Only 0003 states a status ("on hold"), read as proposed: decided on, not in effect.
    assert adr.status == ("proposed" if number == 3 else None)
    assert adr.context and adr.considered_options and adr.decision
    assert adr.superseded_by is None and adr.supersedes == [] and adr.date is None
    assert parse_madr(render_madr(adr)) == adr


def test_status_synonym_is_read_with_a_warning():
    adr = parse_fixture("decisions/0003-provide-own-madr-tools.md")
    assert adr.warnings == ["status 'on hold' read as 'proposed'"]
    assert adr.extra.startswith("## More Information\n\nAn overview on current tooling")


def test_sections_are_split_as_madr_means_them():
    adr = parse_fixture("decisions/0004-write-own-toc-tool.md")  # "### Consequences" inside the outcome
    assert adr.decision.startswith('Chosen option: "Write own tool `adr-log`", because')
    assert adr.decision.endswith("tests/generate-contents-with-header-and-footer.sh>.")
    assert adr.consequences == (
        "* Good, because `adr-log` is installable using `npm install -g adr-log`, which is easier than installing "
        "`adr-tools`.\n* Bad, because another tool has to be maintained"
    )
    adr = parse_fixture("decisions/0018-use-confirmation-as-heading.md")  # other sub-sections stay in the outcome
    assert "### Confirmation\n\n* Before next release" in adr.decision and adr.consequences == ""
    adr = parse_fixture("decisions/0006-use-names-as-identifier.md")
    assert adr.extra == "## Decision Drivers\n\n* Easy to read\n* Easy to write\n* Avoid copy and paste errors"
    assert adr.considered_options.startswith("* Repeat all option names if they occur\n")


def test_headings_inside_code_fences_are_text():
    # 0016 quotes "## Considered Options" / "## Decision Outcome" inside ```markdown fences.
    adr = parse_fixture("decisions/0016-outcome-before-detailed-pros-cons.md")
    assert adr.considered_options == (
        '* Section "Pros and Cons of the Options" after "Decision Outcome"\n'
        '* Section "Pros and Cons of the Options" before "Decision Outcome"'
    )
    assert adr.decision.startswith("Chosen option: \"Section 'Pros and Cons of the Options' after")
    assert [line for line in adr.extra.split("\n") if line.startswith("## ")][:2] == [
        "## Decision Drivers", "## Pros and Cons of the Options",
    ]  # fmt: skip
    assert "```markdown\n## Considered Options\n\n...\n\n## Decision Outcome" in adr.extra
    # 0008 quotes a whole front matter block ("---" ... "status: on hold") in a fence: still no status.
    assert parse_fixture("decisions/0008-add-status-field.md").status is None


def test_the_templates_filled_example():
    adr = parse_fixture("template/0000-use-markdown-architectural-decision-records.md")
    assert (adr.number, adr.title, adr.status) == (0, "Use Markdown Architectural Decision Records", None)
    assert adr == parse_fixture("decisions/0000-use-markdown-architectural-decision-records.md")


def test_templates_fail_or_parse_as_placeholders():
    # docs/decisions/adr-template.md keeps its metadata commented out in the front matter.
    adr = parse_fixture("decisions/adr-template.md")
    assert (adr.number, adr.status) == (None, None)
    assert adr.title == "{short title, representative of solved problem and found solution}"
    # template/adr-template.md: status is the placeholder "{proposed | rejected | ...", on line 3.
    with pytest.raises(AdrError, match=r"status '\{proposed \| rejected") as info:
        parse_fixture("template/adr-template.md")
    assert (info.value.file, info.value.line) == ("adr-template.md", 3)
    # The bare template's title is an HTML comment only.
    with pytest.raises(AdrError, match="title' heading is empty") as info:
        parse_fixture("template/adr-template-bare.md")
    assert info.value.line == 9


# --- adr-tools --------------------------------------------------------------------------------
# The layout of npryce/adr-tools' src/template.md ("# NUMBER. TITLE", "Date: DATE", "## Status",
# "## Context", "## Decision", "## Consequences") and the status lines its own tests expect after
# `adr new -s 1` and `adr new -l "1:Amends:Amended by"` (tests/supercede-existing-adr.expected and
# tests/linking-new-records.expected at 8a2018e650d65fc3b6a66d31c82ec980fb75e6e4, including the
# old spelling "Superceded"). The prose is ours.

ADR_TOOLS_FIRST = """# 1. Record architecture decisions

Date: 2016-02-12

## Status

Superceded by [2. Use MADR](0002-use-madr.md)

## Context

We want to remember why the system looks the way it does.

## Decision

We keep architecture decision records in doc/adr.

## Consequences

Every significant change comes with a record.
"""

ADR_TOOLS_SECOND = """# 2. Use MADR

Date: 2018-03-01

## Status

Accepted

Supercedes [1. Record architecture decisions](0001-record-architecture-decisions.md)

Amends [3. Third Record](0003-third-record.md)

## Context

Plain records lack considered options.

## Decision

We switch to MADR.

## Consequences

Records get longer.
"""


def test_adr_tools_format():
    first = parse_madr(ADR_TOOLS_FIRST, filename="0001-record-architecture-decisions.md")
    assert first == ParsedAdr(
        number=1, title="Record architecture decisions", status="superseded", superseded_by=2,
        date=datetime.date(2016, 2, 12), context="We want to remember why the system looks the way it does.",
        decision="We keep architecture decision records in doc/adr.",
        consequences="Every significant change comes with a record.",
    )  # fmt: skip
    second = parse_madr(ADR_TOOLS_SECOND, filename="0002-use-madr.md")
    assert (second.number, second.status, second.supersedes, second.date) == (
        2, "accepted", [1], datetime.date(2018, 3, 1),
    )  # fmt: skip
    assert second.extra == "## Links\n\nAmends [3. Third Record](0003-third-record.md)"  # adr-tools' other links
    for adr in (first, second):
        assert parse_madr(render_madr(adr)) == adr


def test_adr_tools_title_number_without_a_filename():
    assert parse_madr(ADR_TOOLS_FIRST).number == 1


def test_adr_tools_status_that_is_neither_a_status_nor_a_link():
    text = ADR_TOOLS_SECOND.replace("Accepted", "In review")
    with pytest.raises(AdrError, match="status 'In review' is not one of") as info:
        parse_madr(text, filename="0002-use-madr.md")
    assert info.value.line == 7


# --- MADR variants ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("status", "expected", "by"),
    [("accepted", "accepted", None), ("Accepted", "accepted", None), ("rejected", "rejected", None),
     ("deprecated", "deprecated", None), ("proposed", "proposed", None), ("superseded", "superseded", None),
     ("superseded by ADR-0005", "superseded", 5), ('"superseded by [ADR-0005](0005-example.md)"', "superseded", 5),
     ("superseded by [12. Use X](0012-use-x.md)", "superseded", 12), ("draft", "proposed", None)],
)  # fmt: skip
def test_front_matter_statuses(status, expected, by):
    adr = parse_madr(f"---\nstatus: {status}\n---\n# T\n")
    assert (adr.status, adr.superseded_by) == (expected, by)


@pytest.mark.parametrize(
    ("text", "message", "line"),
    [("---\nstatus: maybe\n---\n# T\n", "status 'maybe' is not one of proposed, accepted", 2),
     ("---\nparent: x\nstatus: [a]\n---\n# T\n", "status must be text", 3),
     ("---\ndate: 12/03/2020\n---\n# T\n", "date '12/03/2020' is not an ISO date", 2),
     ("---\nstatus: accepted\n# T\n", "front matter (opened by '---' on line 1) is never closed", 1),
     ("---\na: &x 1\nb: *x\n---\n# T\n", "aliases are not allowed", 3),
     ("---\na: !!python/object/apply:os.system [x]\n---\n# T\n", "YAML tag", 2),
     ("---\n- a list\n---\n# T\n", "front matter must be a YAML mapping", 2),
     ("---\nsupersedes: [next week]\n---\n# T\n", "supersedes 'next week' names no ADR number", 2),
     ("---\nstatus: superseded by ADR-0002\nsuperseded-by: 3\n---\n# T\n", "superseded by 2 but", 3),
     ("## Context\n\nno title\n", "no '# title' heading", None),
     ("Date: 2020-02-30\n# T\n", None, None)],
)  # fmt: skip
def test_bad_records(text, message, line):
    if message is None:  # text before the title is ignored (with a warning), even a bad date
        assert parse_madr(text).warnings == ["text before the title was ignored"]
        return
    with pytest.raises(AdrError, match=message.replace("[", r"\[").replace("(", r"\(").replace(")", r"\)")) as info:
        parse_madr(text, filename="0009-x.md")
    assert info.value.line == line and info.value.file == "0009-x.md"


def test_madr_3_and_4_front_matter():
    v4 = parse_madr(
        "---\nstatus: accepted\ndate: 2024-05-01\ndecision-makers: [Ann, Bo]\nconsulted: Cy\ninformed: Di\n"
        "supersedes: [ADR-0002, 3]\n---\n\n# Use Postgres\n\n## Context and Problem Statement\n\nWe need a DB.\n"
    )  # fmt: skip
    assert (v4.status, v4.date, v4.deciders, v4.consulted, v4.informed, v4.supersedes) == (
        "accepted", datetime.date(2024, 5, 1), "Ann, Bo", "Cy", "Di", [2, 3],
    )  # fmt: skip
    v3 = parse_madr("---\nstatus: accepted\ndeciders: Ann\n---\n# T\n")
    assert v3.deciders == "Ann"


def test_madr_2_status_lines_under_the_title():
    adr = parse_madr(
        "# Use Angular\n\n* Status: superseded by [ADR-0005](0005-example.md)\n* Deciders: Ann, Bo\n"
        "* Date: 2019-01-31\n\nTechnical Story: #12\n\n## Context and Problem Statement\n\nWhich framework?\n"
    )  # fmt: skip
    assert (adr.status, adr.superseded_by, adr.deciders, adr.date) == ("superseded", 5, "Ann, Bo",
                                                                       datetime.date(2019, 1, 31))  # fmt: skip
    assert adr.context == "Technical Story: #12\n\nWhich framework?"  # MADR 3 moved it into the context


@pytest.mark.parametrize(
    ("heading", "number", "title"),
    [("# ADR-0003: Use X", 3, "Use X"), ("# 3. Use X", 3, "Use X"), ("# 0003 - Use X", 3, "Use X"),
     ("# adr 7 – Use X", 7, "Use X"), ("# 2FA for admins", None, "2FA for admins"),
     ("# 3.5 release plan", None, "3.5 release plan"), ("# Use X #", None, "Use X")],
)  # fmt: skip
def test_numbers_in_titles(heading, number, title):
    adr = parse_madr(heading + "\n")
    assert (adr.number, adr.title) == (number, title)


def test_a_full_record_round_trips():
    adr = ParsedAdr(
        number=42, title="Use PostgreSQL", status="superseded", superseded_by=57, date=datetime.date(2025, 1, 2),
        deciders="Ann, Bo", consulted="DBA team", informed="everyone", context="We need a database.\n\n```sql\n"
        "## not a heading\n```", considered_options="* PostgreSQL\n* MySQL", decision='Chosen option: "PostgreSQL"',
        consequences="* Good, because it is boring", supersedes=[3, 7],
        extra="## Pros and Cons of the Options\n\n### PostgreSQL\n\n* Good\n\n## More Information\n\nSee the wiki.",
    )  # fmt: skip
    text = render_madr(adr)
    assert text.startswith("---\nstatus: superseded by ADR-0057\ndate: 2025-01-02\ndecision-makers: Ann, Bo\n")
    assert "\n# Use PostgreSQL\n\n## Context and Problem Statement\n\nWe need a database." in text
    assert "## Decision Outcome\n\nChosen option: \"PostgreSQL\"\n\n### Consequences\n\n* Good" in text
    assert parse_madr(text) == adr
    assert parse_madr(render_madr(ParsedAdr(None, "Bare"))) == ParsedAdr(None, "Bare")
    only_consequences = ParsedAdr(1, "C", status="accepted", consequences="* Bad")
    assert parse_madr(render_madr(only_consequences)) == only_consequences


@pytest.mark.parametrize(
    ("number", "title", "expected"),
    [(3, "Use PostgreSQL", "0003-use-postgresql.md"),
     (1, "Use CC0 or MIT as License", "0001-use-cc0-or-mit-as-license.md"),
     (12, "Über café: naïve?", "0012-uber-cafe-naive.md"),
     (10000, "Big", "10000-big.md"),
     (5, "!!!", "0005-untitled.md"),
     (None, "No Number", "no-number.md")],
)  # fmt: skip
def test_filename_for(number, title, expected):
    assert filename_for(number, title) == expected


# --- archives ---------------------------------------------------------------------------------


def raw_zip(*entries) -> bytes:
    """A zip built by hand: (name, compressed bytes, crc, declared size, method, flags) per entry,
    so tests can declare sizes and flags the real content doesn't have."""
    body, central = b"", b""
    for name, data, crc, size, method, flags in entries:
        encoded = name.encode()
        offset = len(body)
        body += struct.pack("<4s5H3L2H", b"PK\x03\x04", 20, flags, method, 0, 0x21, crc, len(data), size,
                            len(encoded), 0) + encoded + data  # fmt: skip
        central += struct.pack("<4s6H3L5H2L", b"PK\x01\x02", 20, 20, flags, method, 0, 0x21, crc, len(data), size,
                               len(encoded), 0, 0, 0, 0, 0, offset) + encoded  # fmt: skip
    end = struct.pack("<4s4H2LH", b"PK\x05\x06", 0, 0, len(entries), len(entries), len(central), len(body), 0)
    return body + central + end


def zeros_deflated(megabytes: int) -> bytes:
    """Raw deflate of ``megabytes`` MiB of zeros without compressing them all: after a full flush the
    compressor starts afresh, so every 1 MiB block compresses to the same bytes."""
    compressor = zlib.compressobj(9, zlib.DEFLATED, -15)
    block = compressor.compress(bytes(1 << 20)) + compressor.flush(zlib.Z_FULL_FLUSH)
    return block * megabytes + compressor.flush()


def test_zip_round_trip_and_determinism():
    files = [("docs/decisions/0001-a.md", "# A\n\nÄ – ü\n"), ("0002-b.md", "# B\n")]
    data = write_zip(files)
    assert read_zip(data) == files
    assert write_zip(files) == data


def test_zip_skips_directories_macos_metadata_and_other_files():
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("decisions/", "")
        archive.writestr("decisions/0001-a.md", "# A\n")
        archive.writestr("__MACOSX/decisions/._0001-a.md", b"\x00\x05\x16\x07")
        archive.writestr("decisions/._0002-b.md", b"\x00\x05\x16\x07")
        archive.writestr("decisions/0008-example-badge.png", b"\x89PNG")
        archive.writestr("decisions/notes.txt", "not markdown")
        archive.writestr("decisions/0002-b.MD", "# B\n")
    assert [name for name, _ in read_zip(buffer.getvalue())] == ["decisions/0001-a.md", "decisions/0002-b.MD"]


@pytest.mark.parametrize("name", ["../evil.md", "docs/../../evil.md", "/etc/evil.md", "C:/evil.md", "..\\evil.md"])
def test_zip_slip_is_refused(name):
    data = raw_zip((name, b"# x\n", zlib.crc32(b"# x\n"), 4, 0, 0))
    with pytest.raises(AdrError, match="path outside itself") as info:
        read_zip(data)
    assert info.value.file == name


def test_zip_bomb_declared_honestly_is_refused_before_reading():
    data = raw_zip(("bomb.md", zeros_deflated(1024), 0, 1 << 30, 8, 0))  # 1 GiB of zeros in ~1 MB
    start = time.perf_counter()
    with pytest.raises(AdrError, match="would unpack to 1,073,741,824 bytes"):
        read_zip(data)
    with pytest.raises(AdrError, match="compresses more than 100:1") as info:
        read_zip(data, max_total_bytes=2 << 30)
    assert info.value.file == "bomb.md"
    assert time.perf_counter() - start < 1


def test_zip_bomb_lying_about_its_size_is_stopped_at_the_cap():
    # 1 GiB of zeros declared as 10 MB (ratio 10:1 on paper): reading must stop at 10 MB, not 1 GiB.
    data = raw_zip(("liar.md", zeros_deflated(1024), 0, 10_000_000, 8, 0))
    start = time.perf_counter()
    with pytest.raises(AdrError, match="lies about its size|more than it declares") as info:
        read_zip(data)
    assert info.value.file == "liar.md"
    assert time.perf_counter() - start < 2


def test_a_lie_with_the_right_checksum_still_stops_at_the_declared_size():
    # With the CRC of the first 10 MB zipfile stops there happily; the result is not text anyway.
    data = raw_zip(("liar.md", zeros_deflated(1024), zlib.crc32(bytes(10_000_000)), 10_000_000, 8, 0))
    with pytest.raises(AdrError, match="binary data"):
        read_zip(data)


def test_high_ratio_entry_is_refused():
    data = raw_zip(("dense.md", zeros_deflated(5), zlib.crc32(bytes(5 << 20)), 5 << 20, 8, 0))
    with pytest.raises(AdrError, match="compresses more than 100:1"):
        read_zip(data)


def test_total_size_cap_counts_actual_bytes():
    files = [(f"000{i}-x.md", "# X\n" + "word " * 50_000) for i in range(1, 4)]  # ~250 KB each
    with pytest.raises(AdrError, match="would unpack to"):
        read_zip(write_zip(files), max_total_bytes=500_000)


def test_encrypted_entry_is_refused():
    data = raw_zip(("secret.md", b"\x00" * 24, 0, 12, 0, 0x1))
    with pytest.raises(AdrError, match="encrypted") as info:
        read_zip(data)
    assert info.value.file == "secret.md"


def test_non_utf8_text_is_refused():
    text = "# Café\n".encode("latin-1")
    with pytest.raises(AdrError, match="not UTF-8") as info:
        read_zip(raw_zip(("0001-cafe.md", text, zlib.crc32(text), len(text), 0, 0)))
    assert info.value.file == "0001-cafe.md"


@pytest.mark.parametrize(
    ("data", "kwargs", "message"),
    [(b"not a zip", {}, "not a readable zip archive"),
     (write_zip([(f"{i:04d}-x.md", "# X\n") for i in range(4)]), {"max_files": 3}, "4 markdown files; the limit is 3"),
     (raw_zip(("a.md", b"# A\n", zlib.crc32(b"# A\n"), 4, 0, 0), ("a.md", b"# A\n", zlib.crc32(b"# A\n"), 4, 0, 0)),
      {}, "holds this name twice"),
     (b"x" * 1000, {"max_total_bytes": 999}, "the archive is 1,000 bytes")],
)  # fmt: skip
def test_other_archive_refusals(data, kwargs, message):
    with pytest.raises(AdrError, match=message):
        read_zip(data, **kwargs)


def test_parse_many_reads_madrs_decision_log():
    paths = sorted((FIXTURES / "decisions").glob("*.md"))
    files = [(f"decisions/{p.name}", p.read_text(encoding="utf-8")) for p in paths]
    adrs, errors = parse_many(read_zip(write_zip(files)))
    assert errors == []
    assert [a.number for a in adrs] == list(range(19))  # adr-template.md is skipped
    assert adrs[3].filename == "decisions/0003-provide-own-madr-tools.md"
    assert skip_reason("decisions/adr-template.md") and skip_reason("README.md") and not skip_reason("0001-a.md")


def test_parse_many_collects_every_error_with_its_file():
    files = [
        ("0001-ok.md", "# Fine\n"),
        ("0002-bad-status.md", "---\nstatus: someday\n---\n# Bad\n"),
        ("0003-no-title.md", "## Context\n"),
        ("0001-again.md", "# Same number\n"),
        ("template.md", "not even a record"),
    ]
    adrs, errors = parse_many(files)
    assert [a.title for a in adrs] == ["Fine"]
    assert [(e.file, e.line) for e in errors] == [("0002-bad-status.md", 2), ("0003-no-title.md", None),
                                                  ("0001-again.md", None)]  # fmt: skip
    assert str(errors[0]) == "0002-bad-status.md, line 2: status 'someday' is not one of proposed, accepted, " \
                             "rejected, deprecated, superseded (or 'superseded by ADR-NNNN')"
    assert "number 1 is also used by 0001-ok.md" in errors[2].message
