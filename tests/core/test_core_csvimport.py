"""The generic CSV reader: linear on hostile input, strict about bytes, characters and quotes."""

import re
import time

import pytest
from django.core.exceptions import ValidationError

from apps.core import csvimport
from apps.core.csvimport import MAX_COLUMNS, decode_csv, read_csv, row_at

COLUMNS = ["key", "title", "description"]


def read(text: str):
    return read_csv(text, columns=COLUMNS, required=["title"])


def refused(call, *args) -> str:
    with pytest.raises(ValidationError) as caught:
        call(*args)
    return " ".join(caught.value.message_dict["file"])


def test_a_hundred_thousand_columns_are_refused_at_once():
    header = ",".join(f"c{n}" for n in range(100_000))
    started = time.monotonic()
    message = refused(read, f"{header}\n{',' * 99_999}\n")
    elapsed = time.monotonic() - started
    assert message == f"Row 1: 100000 columns; at most {MAX_COLUMNS} are allowed. Remove the extra columns."
    assert elapsed < 10, elapsed  # a guard against hangs; it takes well under a second


def test_duplicate_and_unknown_columns_are_found_in_linear_time(monkeypatch):
    monkeypatch.setattr(csvimport, "MAX_COLUMNS", 1_000_000)  # past the limit, the checks themselves
    header = ",".join(["title"] * 100_000)
    started = time.monotonic()
    assert refused(read, header + "\n") == "Column(s) given twice: title."
    assert refused(read, ",".join(["title"] + [f"x{n}" for n in range(100_000)])).startswith(
        "Unknown column(s): x0, x1"
    )
    assert time.monotonic() - started < 10


def test_bytes_that_are_neither_utf8_nor_cp1252_are_refused_with_their_row():
    data = 'title,description\nok,"two\nlines"\nbad,\x81 here\n'.encode("latin-1")
    message = refused(decode_csv, data)
    assert message.startswith("Row 3: the file is not valid UTF-8 or Windows-1252 text (byte 0x81")
    assert "Save it as CSV (UTF-8)" in message


def test_both_readings_are_named_when_they_fail_on_different_rows():
    data = "title\ncafé\nfine\n".encode("cp1252") + b"\x9d\n"  # 0x9D is unassigned in Windows-1252
    message = refused(decode_csv, data)
    assert message.startswith("Row 2: the file is not valid UTF-8 or Windows-1252 text (byte 0xE9 can't")
    assert "read as Windows-1252, row 4 has byte 0x9D" in message


@pytest.mark.parametrize(
    ("data", "text"),
    [("title\nCafé “quoted”\n".encode("cp1252"), "title\nCafé “quoted”\n"),
     ("title\nCafé\n".encode(), "title\nCafé\n"),
     (b"\xef\xbb\xbftitle\nx\n", "title\nx\n")],
)  # fmt: skip
def test_utf8_and_cp1252_still_decode(data, text):
    assert decode_csv(data) == text


@pytest.mark.parametrize(
    ("text", "row", "character"),
    [("title\nok\nbad\x01value\n", 3, "U+0001"),
     ("title\nC1 \x85 from UTF-8\n", 2, "U+0085"),
     ('title,description\na,"multi\nline"\nb,"x\x1by"\n', 3, "U+001B"),
     ("ti\x7ftle\nx\n", 1, "U+007F")],
)  # fmt: skip
def test_control_characters_are_refused_with_their_row(text, row, character):
    message = refused(read, text)
    assert message.startswith(f"Row {row}: contains a control character ({character})"), message


def test_tabs_and_line_breaks_inside_cells_are_fine():
    header, rows = read('title,description\nA\tB,"line 1\r\nline 2"\r\n')
    assert rows == [(2, {"title": "A\tB", "description": "line 1\r\nline 2"})]


def test_an_unterminated_quote_is_an_error_naming_its_row():
    text = 'title,description\nA,fine\nB,"never closed\nC,swallowed\n'
    message = refused(read, text)
    assert message == "Row 3: a quoted cell is never closed (a '\"' is missing before the end of the file)."


def test_text_after_a_closing_quote_is_malformed():
    assert re.match(r"Row 2: not valid CSV \(.*expected after", refused(read, 'title\n"a"b\n'))


def test_row_at_counts_records_not_lines():
    assert [row_at(p) for p in ("", "title\n", "title\nA", 'title\n"a\nb', 'title\n"a\nb"\n')] == [1, 2, 2, 2, 3]


@pytest.mark.django_db
def test_the_requirements_import_refuses_what_the_reader_refuses(project, users):
    from apps.requirements.models import Requirement
    from apps.requirements.transfer import requirements_import

    for data, message in [
        (b"title\nCaf\xc3\xa9\n\x81\n", "Row 3: the file is not valid UTF-8 or Windows-1252 text"),
        (b"title\nbad\x02\n", "Row 2: contains a control character (U+0002)"),
        (b'title\n"open\n', "Row 2: a quoted cell is never closed"),
    ]:
        with pytest.raises(ValidationError, match=re.escape(message)):
            requirements_import(project=project, actor=users["owner"], data=data)
    assert not Requirement.objects.exists()
