"""Loading OpenAPI files and zips: formats, strictness, line maps, limits and hostile input (no DB).

Fixtures: ``tests/fixtures/contracts/`` (copies of the shared corpora, origins in their README.md).
"""

import io
import json
import socket
import stat
import time
import urllib.request
import zipfile
from pathlib import Path

import pytest

from apps.contracts.openapi.load import SpecError, load_spec, load_zip

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures" / "contracts"
REAL = FIXTURES / "openapi-real"
EXPECTED_REAL = json.loads((REAL / "expected.json").read_text())
BIG = {"vendor/stripe-spec3-2023-09-12.yaml", "vendor/osv-bench-kubernetes.yaml"}  # loaded in one slow test
MULTI = REAL / "multi-file" / "osv-petstore-separate"


def load_text(text: str, filename: str = "", **kwargs):
    return load_spec(text.encode("utf-8"), filename=filename, **kwargs)


def zip_bytes(entries: dict, *, compression=zipfile.ZIP_DEFLATED) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression) as archive:
        for name, data in entries.items():  # a name or a ZipInfo (to set attributes)
            archive.writestr(name, data)
    return buffer.getvalue()


def multi_file_zip(prefix: str = "") -> bytes:
    return zip_bytes({prefix + str(path.relative_to(MULTI)): path.read_bytes()
                      for path in sorted(MULTI.rglob("*")) if path.is_file()})


# --- the real corpus -------------------------------------------------------------------------------------------------

SINGLE_FILES = sorted(name for name in EXPECTED_REAL if not name.startswith("multi-file/"))


@pytest.mark.parametrize("name", [name for name in SINGLE_FILES if name not in BIG])
def test_every_real_spec_loads_with_its_version_and_format(name):
    entry = EXPECTED_REAL[name]
    loaded = load_spec((REAL / name).read_bytes(), filename=Path(name).name)
    assert loaded.format == entry["format"]
    assert entry["computed"]["spec_version"].startswith(loaded.version)
    assert isinstance(loaded.document, dict) and loaded.lines.get("") is not None


def test_the_two_biggest_specs_load_fast_and_locate_lines():
    """Stripe (4.2 MB YAML) and Kubernetes (3.8 MB JSON in a .yaml file): the slow test of this module."""
    data = (REAL / "vendor/stripe-spec3-2023-09-12.yaml").read_bytes()
    start = time.perf_counter()
    stripe = load_spec(data, filename="stripe.yaml")
    assert time.perf_counter() - start < 10  # ~0.3 s on a quiet machine; generous for a loaded CI
    assert (stripe.version, stripe.format, len(stripe.document["paths"])) == ("3.0", "yaml", 318)
    source = data.decode().splitlines()
    line = stripe.lines["/paths/~1v1~1account/get"]
    assert source[line - 1].strip() == "get:" and source[line - 2].strip() == "/v1/account:"
    data = (REAL / "vendor/osv-bench-kubernetes.yaml").read_bytes()
    kubernetes = load_spec(data, filename="kubernetes.yaml")
    assert (kubernetes.version, kubernetes.format) == ("2.0", "json")
    source = data.decode().splitlines()
    assert source[kubernetes.lines["/info/title"] - 1].strip() == '"title": "Kubernetes",'
    line = kubernetes.lines["/paths/~1api~1/get/responses/200"]
    assert source[line - 1].strip() == '"200": {'


def test_load_matches_an_independent_parser_on_the_corpus():
    """Same data as PyYAML's safe_load + a JSON round trip (string keys), which is what osv sees."""
    yaml = pytest.importorskip("yaml")
    for name in ("oai-examples/v3.0-uspto.yaml", "readme-oas-examples/3.0-readme.yaml",
                 "vendor/twilio_messaging_v1.yaml", "oai-examples/v2.0-uber.json",
                 "readme-oas-examples/3.1-schema-types.json"):
        data = (REAL / name).read_bytes()
        expected = json.loads(json.dumps(yaml.safe_load(data), default=str))
        assert load_spec(data).document == expected, name


# --- line map --------------------------------------------------------------------------------------------------------

YAML_SPEC = """\
# a comment first
openapi: 3.0.3
info:
  title: Lines
  version: "1"
paths:
  /pets/{id}:
    get:
      parameters:
        - name: id
          in: path
          required: true
          schema: {type: string}
      responses:
        200:
          description: ok
"""

JSON_SPEC = """{
  "openapi": "3.0.3",
  "info": {"title": "Lines", "version": "1"},
  "paths": {
    "/pets/{id}": {
      "get": {
        "parameters": [
          {"name": "id", "in": "path",
           "required": true, "schema": {"type": "string"}}
        ],
        "responses": {"200": {"description": "a \\"quoted\\" ok"}}
      }
    }
  }
}
"""


@pytest.mark.parametrize(("text", "expected"), [
    (YAML_SPEC, {"": 2, "/openapi": 2, "/info/title": 4, "/paths/~1pets~1{id}": 7, "/paths/~1pets~1{id}/get": 8,
                 "/paths/~1pets~1{id}/get/parameters/0": 10, "/paths/~1pets~1{id}/get/parameters/0/in": 11,
                 "/paths/~1pets~1{id}/get/parameters/0/schema/type": 13,
                 "/paths/~1pets~1{id}/get/responses/200/description": 16}),
    (JSON_SPEC, {"": 1, "/openapi": 2, "/info/title": 3, "/paths/~1pets~1{id}/get": 6,
                 "/paths/~1pets~1{id}/get/parameters/0": 8, "/paths/~1pets~1{id}/get/parameters/0/required": 9,
                 "/paths/~1pets~1{id}/get/responses/200/description": 11}),
], ids=["yaml", "json"])
def test_line_map_gives_the_line_each_node_starts_on(text, expected):
    loaded = load_text(text)
    assert {pointer: loaded.lines.get(pointer) for pointer in expected} == expected
    assert loaded.lines.get("/paths/~1pets~1{id}/post") is None  # not in the document
    assert loaded.lines.nearest("/paths/~1pets~1{id}/get/nope/deeper") == expected["/paths/~1pets~1{id}/get"]
    assert "/info/title" in loaded.lines and "/info/nope" not in loaded.lines
    with pytest.raises(KeyError):
        loaded.lines["/nope"]


def test_integer_keys_become_strings_and_timestamps_stay_text():
    loaded = load_text(YAML_SPEC.replace('version: "1"', "version: 2024-01-31"))
    assert loaded.document["info"]["version"] == "2024-01-31"
    assert list(loaded.document["paths"]["/pets/{id}"]["get"]["responses"]) == ["200"]
    flags = load_text("openapi: 3.0.3\ninfo: {title: t, version: '1'}\npaths: {}\nx-flags: {on: yes, n: ~, f: 1e3}\n")
    assert flags.document["x-flags"] == {"true": True, "n": None, "f": 1000.0}


@pytest.mark.parametrize(("data", "filename", "fmt"), [
    (b'{"openapi": "3.0.3", "info": {"title": "t", "version": "1"}, "paths": {}}', "spec.yaml", "json"),
    (b"{openapi: 3.0.3, info: {title: t, version: '1'}, paths: {}}", "", "yaml"),  # flow YAML, not broken JSON
    (b"\xef\xbb\xbfopenapi: 3.0.3\ninfo: {title: t, version: '1'}\npaths: {}\n", "", "yaml"),  # UTF-8 BOM
    (b"swagger: '2.0'\ninfo: {title: t, version: '1'}\npaths: {}\n", "swagger.yml", "yaml"),
])
def test_format_is_sniffed_from_the_content(data, filename, fmt):
    assert load_spec(data, filename=filename).format == fmt


@pytest.mark.parametrize(("text", "version"), [
    ("openapi: 3.0.3", "3.0"), ("openapi: '3.1.0'", "3.1"), ("openapi: 3.2.0", "3.2"), ("swagger: '2.0'", "2.0"),
    ("openapi: 3.0", "3.0"),  # a float: detected; the schema check says it must be a string
])
def test_version_detection(text, version):
    assert load_text(text + "\ninfo: {title: t, version: '1'}\npaths: {}\n").version == version


# --- refused files ---------------------------------------------------------------------------------------------------

@pytest.mark.parametrize(("data", "message"), [
    (b"", "empty"),
    (b"   \n\n", "empty"),
    (b"- a\n- b\n", "not an OpenAPI document: the top level is a list"),
    (b"just a string\n", "not an OpenAPI document: the top level is a string"),
    (b"{}", "spec version cannot be detected ('openapi' is a required property"),
    (b"title: not a spec\n", "spec version cannot be detected"),
    (b"openapi: 4.0.0\n", "unsupported OpenAPI version '4.0.0'"),
    (b"swagger: '1.2'\n", "unsupported Swagger version '1.2'"),
    (b"openapi: 3.0.3\nopenapi: 3.1.0\n", "duplicate key 'openapi' at line 2"),
    (b'{"openapi": "3.0.3", "openapi": "3.1.0"}', "duplicate key 'openapi'"),
    (b"openapi: 3.0.3\n---\nopenapi: 3.1.0\n", "more than one YAML document"),
    (b"openapi: 3.0.3\ninfo: !Ref Info\n", "YAML tag !Ref at line 2 is not allowed"),
    (b"openapi: 3.0.3\nx: !!python/object/apply:os.system [echo hi]\n", "YAML tag !!python/object/apply:os.system"),
    (b"openapi: 3.0.3\nx: !!binary aGk=\n", "YAML tag !!binary"),
    (b"openapi: 3.0.3\n? [a, b]\n: c\n", "a list or mapping used as a mapping key at line 2"),
    (b"openapi: 3.0.3\ninfo: [unclosed\n", "invalid YAML at line 3"),
    (b'{"openapi": "3.0.3",, }', "invalid JSON at line 1, column 21"),
    (b'{"openapi": "3.0.3", "x": NaN}', "NaN is not valid JSON"),
    (b"\xff\xfeo\x00p\x00", "UTF-16"),
    (b"openapi: 3.0.3\ninfo:\n  title: caf\xe9\n", "not valid UTF-8: byte 0xe9 at offset 33 (line 3)"),
    (b"openapi: 3.0.3\x00\n", "invalid YAML"),
])
def test_files_that_are_not_specs_are_refused_with_a_reason(data, message):
    with pytest.raises(SpecError) as caught:
        load_spec(data, filename="upload.yaml" if data[:1] != b"{" else "upload.json")
    assert message in str(caught.value)


def test_a_spec_error_carries_its_line():
    with pytest.raises(SpecError) as caught:
        load_text("openapi: 3.0.3\ninfo:\n  title: t\n  title: u\n", filename="dup.yaml")
    assert (caught.value.line, caught.value.file) == (4, "dup.yaml")


def test_alias_bomb_fails_fast():
    lines = ["openapi: 3.0.3", 'a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]']
    for i in range(9):  # b: &b [*a, *a, ...], c: &c [*b, ...]: "billion laughs"
        previous, name = chr(97 + i), chr(98 + i)
        lines.append(f"{name}: &{name} [" + ",".join([f"*{previous}"] * 9) + "]")
    start = time.perf_counter()
    with pytest.raises(SpecError, match=r"YAML aliases are not allowed \(\*a at line 3\)"):
        load_text("\n".join(lines))
    assert time.perf_counter() - start < 1


@pytest.mark.parametrize("text", [
    '{"openapi": "3.0.3", "x": ' + "[" * 100_000 + "]" * 100_000 + "}",
    '{"openapi": "3.0.3", "x": ' + "[" * 150 + "]" * 150 + "}",
    "openapi: 3.0.3\nx: " + "[" * 100_000 + "]" * 100_000 + "\n",
    "openapi: 3.0.3\n" + "".join(" " * i + f"k{i}:\n" for i in range(150)) + " " * 150 + "leaf: 1\n",
], ids=["json-100k", "json-150", "yaml-flow-100k", "yaml-block-150"])
def test_deep_nesting_is_refused(text):
    with pytest.raises(SpecError, match="nested more than 100 levels deep"):
        load_text(text)


def test_a_document_over_the_size_limit_is_refused_before_parsing():
    data = b"openapi: 3.0.3\nx: '" + b"a" * 25_000_000 + b"'\n"
    start = time.perf_counter()
    with pytest.raises(SpecError, match="the file is 25,000,021 bytes; the limit is 20,000,000 bytes"):
        load_spec(data)
    assert time.perf_counter() - start < 0.5
    with pytest.raises(SpecError, match="limit is 100 bytes"):
        load_text(YAML_SPEC, max_bytes=100)


def test_too_many_yaml_values_are_refused():
    from apps.contracts.openapi import parse

    with pytest.raises(SpecError, match="more than 10 values"):
        parse._load_yaml("openapi: 3.0.3\nx: [" + ", ".join("1" * 20) + "]\n", "many.yaml", max_nodes=10)


# --- zips ------------------------------------------------------------------------------------------------------------

def test_the_multi_file_spec_is_bundled_from_a_zip():
    loaded = load_zip(multi_file_zip())
    assert (loaded.filename, loaded.version, loaded.refused_refs) == ("spec/openapi.yaml", "3.0", {})
    assert set(loaded.files) == {"spec/openapi.yaml", "spec/schemas/Pets.yaml", "spec/schemas/Pet.yaml",
                                 "common/schemas/Error.yaml"}
    schemas = loaded.document["components"]["schemas"]
    assert set(schemas) == {"Pets", "Pet", "Error"}
    assert schemas["Pets"]["items"] == {"$ref": "#/components/schemas/Pet"}
    ok = loaded.document["paths"]["/pets"]["get"]["responses"]["200"]["content"]["application/json"]["schema"]
    assert ok == {"$ref": "#/components/schemas/Pets"}
    # The source map: a bundled node points at its own file and line.
    assert loaded.lines.locate("/components/schemas/Pet/properties/name") == ("spec/schemas/Pet.yaml", 8)
    assert loaded.lines.locate("/components/schemas/Error/required/1") == ("common/schemas/Error.yaml", 4)
    assert loaded.lines.locate("/paths/~1pets/get") == ("spec/openapi.yaml", 11)


def test_zip_root_is_found_in_a_top_folder_or_by_content_or_named():
    assert load_zip(multi_file_zip("petstore/")).filename == "petstore/spec/openapi.yaml"
    spec = b"openapi: 3.0.3\ninfo: {title: t, version: '1'}\npaths: {}\n"
    assert load_zip(zip_bytes({"api/main.yaml": spec, "api/other.yaml": b"type: string\n"})).filename == "api/main.yaml"
    two = zip_bytes({"a.yaml": spec, "b.yaml": spec})
    with pytest.raises(SpecError, match="several OpenAPI documents"):
        load_zip(two)
    assert load_zip(two, root="b.yaml").filename == "b.yaml"
    with pytest.raises(SpecError, match="no OpenAPI document"):
        load_zip(zip_bytes({"README.md": b"hi", "schema.yaml": b"type: string\n"}))
    with pytest.raises(SpecError, match="not a readable zip"):
        load_zip(b"PK\x03\x04 not really")


def test_circular_refs_between_files_terminate():
    files = {
        "openapi.yaml": b"openapi: 3.0.3\ninfo: {title: t, version: '1'}\npaths:\n  /a:\n    get:\n"
                        b"      responses:\n        '200':\n          description: ok\n          content:\n"
                        b"            application/json:\n              schema: {$ref: 'person.yaml'}\n",
        "person.yaml": b"type: object\nproperties:\n  pet: {$ref: 'pet.yaml'}\n",
        "pet.yaml": b"type: object\nproperties:\n  owner: {$ref: './person.yaml'}\n  self: {$ref: '#'}\n",
    }
    loaded = load_zip(zip_bytes(files))
    schemas = loaded.document["components"]["schemas"]
    assert schemas["person"]["properties"]["pet"] == {"$ref": "#/components/schemas/pet"}
    assert schemas["pet"]["properties"]["owner"] == {"$ref": "#/components/schemas/person"}
    assert schemas["pet"]["properties"]["self"] == {"$ref": "#/components/schemas/pet"}


@pytest.fixture
def tripwires(monkeypatch):
    """Fail the test if anything opens a socket, calls urlopen or opens a file outside the virtualenv/stdlib."""
    import builtins

    def no_network(*args, **kwargs):
        raise AssertionError(f"network access attempted: {args!r}")

    real_open = builtins.open

    def guarded_open(file, *args, **kwargs):
        if any(part in str(file) for part in ("passwd", "outside", "169.254")):
            raise AssertionError(f"file read attempted: {file!r}")
        return real_open(file, *args, **kwargs)

    monkeypatch.setattr(socket.socket, "connect", no_network)
    monkeypatch.setattr(socket, "create_connection", no_network)
    monkeypatch.setattr(urllib.request, "urlopen", no_network)
    monkeypatch.setattr(builtins, "open", guarded_open)


HOSTILE_REFS = {
    "http://169.254.169.254/latest/meta-data/": "references to URLs are never fetched",
    "https://attacker.test/schema.yaml#/Pet": "references to URLs are never fetched",
    "file:///etc/passwd": "references to URLs are never fetched",
    "/etc/passwd": "absolute file paths are never read",
    "../../outside.yaml": "points outside the zip",
}


def test_hostile_refs_in_a_zip_are_never_followed(tripwires):
    from apps.contracts.openapi.validate import validate_spec

    refs = "\n".join(f"    s{i}: {{$ref: '{ref}'}}" for i, ref in enumerate(HOSTILE_REFS))
    spec = f"openapi: 3.0.3\ninfo: {{title: t, version: '1'}}\npaths: {{}}\ncomponents:\n  schemas:\n{refs}\n"
    loaded = load_zip(zip_bytes({"api/openapi.yaml": spec.encode()}))
    assert len(loaded.refused_refs) == len(HOSTILE_REFS)
    issues = validate_spec(loaded)
    for index, (ref, reason) in enumerate(HOSTILE_REFS.items()):
        pointer = f"/components/schemas/s{index}/$ref"
        found = [issue for issue in issues if issue.pointer == pointer]
        assert len(found) == 1 and reason in found[0].message and ref in found[0].message, ref
        assert (found[0].file, found[0].line) == ("api/openapi.yaml", 6 + index)
        assert loaded.document["components"]["schemas"][f"s{index}"] == {"$ref": ref}  # left as written


def _info(name: str, **attributes) -> zipfile.ZipInfo:
    info = zipfile.ZipInfo(name)
    for key, value in attributes.items():
        setattr(info, key, value)
    return info


@pytest.mark.parametrize(("entry", "message"), [
    (_info("../evil.yaml"), "escapes the archive (path traversal)"),
    (_info("api/../../evil.yaml"), "escapes the archive (path traversal)"),
    (_info("/etc/cron.d/evil.yaml"), "has an absolute path"),
    (_info("C:/evil.yaml"), "has an absolute path"),
    (_info("api\\..\\evil.yaml"), "backslashes"),
    (_info("link.yaml", external_attr=(stat.S_IFLNK | 0o777) << 16), "is a symbolic link"),
])
def test_unsafe_zip_entries_refuse_the_whole_zip(entry, message):
    data = zip_bytes({"openapi.yaml": b"openapi: 3.0.3\ninfo: {title: t, version: '1'}\npaths: {}\n", entry: b"x: 1\n"})
    with pytest.raises(SpecError, match=message.replace("(", r"\(").replace(")", r"\)")):
        load_zip(data)


def test_an_encrypted_entry_refuses_the_whole_zip():
    data = bytearray(zip_bytes({"openapi.yaml": b"openapi: 3.0.3\n", "secret.yaml": b"x: 1\n"}))
    # zipfile can't write encrypted entries: set the "encrypted" flag bit in the central directory record.
    central = data.find(b"PK\x01\x02", data.find(b"PK\x01\x02") + 4)
    data[central + 8] |= 0x1
    with pytest.raises(SpecError, match="zip entry 'secret.yaml' is encrypted"):
        load_zip(bytes(data))


def test_zip_bombs_and_limits():
    bomb = zip_bytes({"openapi.yaml": b"openapi: 3.0.3\n#" + b"0" * 5_000_000})
    assert len(bomb) < 20_000
    with pytest.raises(SpecError, match="refused as a zip bomb"):
        load_zip(bomb)
    spec = b"openapi: 3.0.3\ninfo: {title: t, version: '1'}\npaths: {}\n"
    padded = spec + b"#" * 3000
    with pytest.raises(SpecError, match="declare 6,112 bytes uncompressed; the limit is 1,000"):
        load_zip(zip_bytes({"openapi.yaml": padded, "b.yaml": padded}), max_total_bytes=1000)
    with pytest.raises(SpecError, match="the zip has 3 files; the limit is 2"):
        load_zip(zip_bytes({"openapi.yaml": spec, "b.yaml": spec, "c.yaml": spec}), max_files=2)
    with pytest.raises(SpecError, match="the zip is .* bytes; the limit is 10 bytes"):
        load_zip(zip_bytes({"openapi.yaml": spec}), max_total_bytes=10)


def test_a_zip_entry_that_inflates_beyond_its_declared_size_is_refused():
    data = bytearray(zip_bytes({"openapi.yaml": b"openapi: 3.0.3\n" + b"#" * 5000}))
    # Patch the central directory's uncompressed size of the entry down to 100 bytes: the reader must not trust it.
    central = data.rfind(b"PK\x01\x02")
    data[central + 24:central + 28] = (100).to_bytes(4, "little")
    with pytest.raises(SpecError, match="openapi.yaml"):
        load_zip(bytes(data))


def test_a_broken_file_in_a_zip_is_named_in_the_error():
    spec = (b"openapi: 3.0.3\ninfo: {title: t, version: '1'}\npaths: {}\n"
            b"components:\n  schemas:\n    A: {$ref: 'a.yaml'}\n")
    with pytest.raises(SpecError) as caught:
        load_zip(zip_bytes({"openapi.yaml": spec, "a.yaml": b"type: [string\n"}))
    assert str(caught.value).startswith("a.yaml: invalid YAML at line 2") and caught.value.file == "a.yaml"
    with pytest.raises(SpecError, match=r"^openapi.yaml: YAML aliases are not allowed"):
        load_zip(zip_bytes({"openapi.yaml": b"openapi: 3.0.3\na: &x 1\nb: *x\n"}))
