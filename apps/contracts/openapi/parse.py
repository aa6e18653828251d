"""Bytes -> (value, line map, format) for one JSON or YAML file, bounded and strict.

This module owns turning an untrusted upload into plain Python data (dict/list/str/int/float/bool/
None, string keys only) and the ``SpecError`` every loading problem is reported with.

Same approach as ``apps.architecture.catalog.safeyaml`` (refuse aliases and non-core tags, cap
depth and node count before anything explodes), but in ONE pass: the document is built here
straight from libyaml's event stream instead of composing a node graph and constructing it, which
is both the bounded pass and the fast one (the Stripe spec: ~1 s instead of ~1.6 s for compose +
construct), and it yields every node's line on the way. Scalars resolve like
openapi-spec-validator's own loader: YAML 1.1 core types, timestamps stay strings, ``1e10`` is a
float, and non-string keys (``200:``) become strings as a JSON round trip would make them.
"""

from __future__ import annotations

import json
from typing import Any

import yaml
from jsonschema_path.loaders import SCIENTIFIC_FLOAT_RE
from yaml.constructor import SafeConstructor
from yaml.nodes import ScalarNode

from .linemap import LineMap

try:  # libyaml's C parser: ~10x faster than the pure-Python one; same events.
    from yaml import CSafeLoader as _Loader
except ImportError:  # pragma: no cover - PyYAML built without libyaml
    from yaml import SafeLoader as _Loader  # type: ignore[assignment]

__all__ = ["SpecError", "parse_document", "MAX_DEPTH", "MAX_NODES"]

# Real specs nest ~25 levels (Stripe); validators recurse per level, so far deeper input is refused
# before anyone walks it.
MAX_DEPTH = 100
MAX_NODES = 2_000_000

_CORE = "tag:yaml.org,2002:"
_STRING_TAGS = frozenset({_CORE + "str", _CORE + "timestamp"})  # timestamps stay text, as in JSON
_SCALAR_TAGS = frozenset({_CORE + "int", _CORE + "float", _CORE + "bool", _CORE + "null"})
_MAP_TAG, _SEQ_TAG = _CORE + "map", _CORE + "seq"

# First character -> [(tag, regexp)] for plain scalars, from PyYAML's SafeLoader minus timestamps,
# merge keys ("<<" can't merge anything without aliases) and "=" ; plus openapi-spec-validator's
# scientific floats. A plain scalar whose first character is not a key here is a string: the fast
# path for almost every scalar of a spec.
_RESOLVERS: dict[str, list] = {}
for _first, _pairs in _Loader.yaml_implicit_resolvers.items():
    _kept = [(tag, rx) for tag, rx in _pairs if tag in _SCALAR_TAGS]
    if _kept:
        _RESOLVERS[_first] = _kept
for _first in "-+0123456789.":
    _RESOLVERS.setdefault(_first, []).append((_CORE + "float", SCIENTIFIC_FLOAT_RE))

_CONSTRUCTOR = SafeConstructor()
_CONSTRUCT = {
    _CORE + "int": _CONSTRUCTOR.construct_yaml_int,
    _CORE + "float": _CONSTRUCTOR.construct_yaml_float,
    _CORE + "bool": _CONSTRUCTOR.construct_yaml_bool,
    _CORE + "null": _CONSTRUCTOR.construct_yaml_null,
}
_NOKEY = object()


class SpecError(ValueError):
    """A file that can't be loaded as an OpenAPI document; ``file`` and 1-based ``line`` when known."""

    def __init__(self, message: str, *, line: int | None = None, file: str = "", pointer: str = ""):
        super().__init__(message)
        self.message = message
        self.line = line
        self.file = file
        self.pointer = pointer

    def __str__(self) -> str:
        return self.message


def decode_utf8(data: bytes, filename: str = "") -> str:
    """Strict UTF-8 (a UTF-8 BOM is dropped); anything else is refused with the byte offset."""
    if not isinstance(data, (bytes, bytearray, memoryview)):
        raise SpecError(f"expected bytes, got {type(data).__name__}", file=filename)
    data = bytes(data)
    name = f"{filename}: " if filename else ""
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        raise SpecError(f"{name}the file is UTF-16 (byte order mark); save it as UTF-8", line=1, file=filename)
    skip = 3 if data.startswith(b"\xef\xbb\xbf") else 0
    try:
        return data[skip:].decode("utf-8")
    except UnicodeDecodeError as exc:
        offset = exc.start + skip
        line = data.count(b"\n", 0, offset) + 1
        raise SpecError(
            f"{name}not valid UTF-8: byte 0x{data[offset]:02x} at offset {offset} (line {line})",
            line=line, file=filename,
        ) from None


def named(error: SpecError, filename: str) -> SpecError:
    """The same error with the file's name in front of its message (for files of a zip)."""
    if not filename or error.message.startswith(f"{filename}: "):
        return error
    return SpecError(f"{filename}: {error.message}", line=error.line, file=filename, pointer=error.pointer)


def parse_document(data: bytes, *, filename: str = "", max_bytes: int = 20_000_000) -> tuple[Any, LineMap, str]:
    """Parse one file: ``(value, line map, "json" | "yaml")``. Raises ``SpecError``."""
    size = len(data)
    if size > max_bytes:
        raise SpecError(f"the file is {size:,} bytes; the limit is {max_bytes:,} bytes", file=filename)
    text = decode_utf8(data, filename)
    stripped = text.lstrip(" \t\r\n")
    if not stripped:
        raise SpecError("the file is empty", file=filename)
    looks_json = stripped[0] in "{[" or filename.lower().endswith(".json")
    if looks_json:
        try:
            value = _load_json(text, filename)
            return value, LineMap(value, file=filename, json_text=text), "json"
        except SpecError as json_error:
            if filename.lower().endswith(".json"):
                raise
            try:  # "{a: 1}" is YAML flow style, not broken JSON
                value, lines = _load_yaml(text, filename)
            except SpecError:
                raise json_error from None
            return value, lines, "yaml"
    value, lines = _load_yaml(text, filename)
    return value, lines, "yaml"


def _no_constant(name: str) -> Any:
    raise ValueError(f"{name} is not valid JSON")


class _Duplicate(ValueError):
    pass


def _pairs(pairs: list) -> dict:
    result = dict(pairs)
    if len(result) != len(pairs):
        seen: set = set()
        for key, _ in pairs:
            if key in seen:
                raise _Duplicate(key)
            seen.add(key)
    return result


def _load_json(text: str, filename: str) -> Any:
    try:
        value = json.loads(text, object_pairs_hook=_pairs, parse_constant=_no_constant)
    except json.JSONDecodeError as exc:
        raise SpecError(f"invalid JSON at line {exc.lineno}, column {exc.colno}: {exc.msg}",
                        line=exc.lineno, file=filename) from None
    except _Duplicate as exc:
        raise SpecError(f"invalid JSON: duplicate key {exc.args[0]!r} in one object", file=filename) from None
    except RecursionError:
        raise SpecError(f"the JSON is nested more than {MAX_DEPTH} levels deep", file=filename) from None
    except ValueError as exc:  # NaN / Infinity
        raise SpecError(f"invalid JSON: {exc}", file=filename) from None
    # The C parser recursed safely (it has a recursion guard); enforce the real limit on the result.
    stack = [(value, 1)]
    while stack:
        node, depth = stack.pop()
        if depth > MAX_DEPTH:
            raise SpecError(f"the JSON is nested more than {MAX_DEPTH} levels deep", file=filename)
        for child in node.values() if type(node) is dict else node if type(node) is list else ():
            if type(child) is dict or type(child) is list:
                stack.append((child, depth + 1))
    return value


def _key(value: Any, line: int, filename: str) -> str:
    """Mapping keys as a JSON round trip would make them: 200 -> "200", true -> "true", ~ -> "null"."""
    if value.__class__ is str:
        return value
    if value is None or isinstance(value, (bool, float)):
        return json.dumps(value)
    if isinstance(value, int):
        return str(value)
    raise SpecError(f"unsupported mapping key at line {line}", line=line, file=filename)  # pragma: no cover


def _scalar(event: Any, line: int, filename: str) -> Any:
    value = event.value
    tag = event.tag
    if tag is None or tag == "!":
        if not event.implicit[0]:  # quoted: always a string
            return value
        resolvers = _RESOLVERS.get(value[:1])
        if resolvers is None:
            return value
        for resolved, regexp in resolvers:
            if regexp.match(value):
                tag = resolved
                break
        else:
            return value
    elif tag in _STRING_TAGS:
        return value
    elif tag not in _SCALAR_TAGS:
        raise _tag_error(tag, line, filename)
    try:
        return _CONSTRUCT[tag](ScalarNode(tag, value))
    except (ValueError, TypeError, yaml.YAMLError):
        raise SpecError(f"invalid {tag.replace(_CORE, '!!')} value {value[:40]!r} at line {line}",
                        line=line, file=filename) from None


def _tag_error(tag: str, line: int, filename: str) -> SpecError:
    shown = tag.replace(_CORE, "!!")
    return SpecError(f"YAML tag {shown} at line {line} is not allowed (only plain strings, numbers, booleans, "
                     "null, lists and mappings)", line=line, file=filename)


def _load_yaml(text: str, filename: str, *, max_nodes: int = MAX_NODES) -> tuple[Any, LineMap]:
    loader = _Loader(text)
    table: dict[int, tuple] = {}
    # Frames: [container, child lines, is_mapping, pending key (or _NOKEY), key line]
    stack: list[list] = []
    root: Any = None
    root_line = 1
    nodes = documents = 0
    scalar_event, mapping_start, sequence_start = yaml.ScalarEvent, yaml.MappingStartEvent, yaml.SequenceStartEvent
    try:
        while True:
            event = loader.get_event()
            if event is None:
                break
            cls = event.__class__
            if cls is scalar_event:
                line = event.start_mark.line + 1
                value = _scalar(event, line, filename)
                container = None
            elif cls is mapping_start or cls is sequence_start:
                line = event.start_mark.line + 1
                tag = event.tag
                if tag is not None and tag != "!" and tag != (_MAP_TAG if cls is mapping_start else _SEQ_TAG):
                    raise _tag_error(tag, line, filename)
                if len(stack) >= MAX_DEPTH:
                    raise SpecError(f"the YAML is nested more than {MAX_DEPTH} levels deep (line {line})",
                                    line=line, file=filename)
                value = {} if cls is mapping_start else []
                container = [value, {} if cls is mapping_start else [], cls is mapping_start, _NOKEY, 0]
            elif cls is yaml.MappingEndEvent or cls is yaml.SequenceEndEvent:
                stack.pop()
                continue
            elif cls is yaml.AliasEvent:
                line = event.start_mark.line + 1
                raise SpecError(f"YAML aliases are not allowed (*{event.anchor} at line {line}); write the value "
                                "out instead", line=line, file=filename)
            elif cls is yaml.DocumentStartEvent:
                documents += 1
                if documents > 1:
                    line = event.start_mark.line + 1
                    raise SpecError(f"more than one YAML document (the second starts at line {line}); a spec is "
                                    "one document", line=line, file=filename)
                continue
            elif cls is yaml.StreamEndEvent:
                break
            else:
                continue
            nodes += 1
            if nodes > max_nodes:
                raise SpecError(f"the YAML has more than {max_nodes:,} values (line {line})", line=line, file=filename)
            if stack:
                frame = stack[-1]
                if frame[2]:
                    key = frame[3]
                    if key is _NOKEY:
                        if container is not None:
                            raise SpecError(f"a list or mapping used as a mapping key at line {line}", line=line,
                                            file=filename)
                        key = _key(value, line, filename)
                        if key in frame[0]:
                            raise SpecError(f"duplicate key {key!r} at line {line}", line=line, file=filename)
                        frame[3] = key
                        frame[4] = line
                        continue
                    frame[0][key] = value
                    frame[1][key] = frame[4]
                    frame[3] = _NOKEY
                else:
                    frame[0].append(value)
                    frame[1].append(line)
            else:
                root, root_line = value, line
            if container is not None:
                table[id(value)] = (value, container[1], filename)
                stack.append(container)
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line = mark.line + 1 if mark is not None else None
        where = f" at line {line}, column {mark.column + 1}" if mark is not None else ""
        context = f" ({exc.context})" if exc.context else ""
        raise SpecError(f"invalid YAML{where}: {exc.problem or 'syntax error'}{context}", line=line,
                        file=filename) from None
    except yaml.reader.ReaderError as exc:
        line = text.count("\n", 0, exc.position) + 1 if isinstance(exc.position, int) else None
        raise SpecError(f"invalid YAML: character {exc.character!r} at line {line} is not allowed", line=line,
                        file=filename) from None
    except yaml.YAMLError as exc:
        raise SpecError(f"invalid YAML: {exc}", file=filename) from None
    finally:
        loader.dispose()
    return root, LineMap(root, table, file=filename, root_line=root_line)
