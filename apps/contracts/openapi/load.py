"""Loading OpenAPI documents: one file (``load_spec``) or a zip of a multi-file spec (``load_zip``).

This module owns what counts as "an OpenAPI document we can work on": the spec version, the
parsed document, its line map, and — for zips — which archive entries may be read at all. Parsing
itself is ``parse.py``; resolving relative ``$ref``s between the zip's files is ``bundle.py``.

Nothing here touches the network or the file system: a zip is read from memory, and a ``$ref`` to
a URL, an absolute path or a path outside the archive is never followed (see ``bundle.py``).
"""

from __future__ import annotations

import io
import posixpath
import re
import stat
import zipfile
from dataclasses import dataclass, field
from typing import Any, Literal

from .bundle import bundle
from .linemap import LineMap
from .parse import SpecError, named, parse_document

__all__ = ["LoadedSpec", "SpecError", "load_spec", "load_zip", "detect_version"]

Version = Literal["2.0", "3.0", "3.1", "3.2"]
_VERSION = re.compile(r"^(\d+)\.(\d+)(?:\.\d+)?(?:[-+].*)?$")
_ROOT_NAMES = ("openapi.yaml", "openapi.yml", "openapi.json", "swagger.yaml", "swagger.yml", "swagger.json")
_SPEC_SUFFIXES = (".yaml", ".yml", ".json")
_CHUNK = 64 * 1024


@dataclass(eq=False)
class LoadedSpec:
    """A parsed OpenAPI document.

    ``lines`` maps a JSON pointer to the 1-based line where that node starts (``lines.get``,
    ``lines.nearest``, ``lines.locate`` -> ``(file, line)``). ``filename`` is the (root) file's name;
    ``files`` lists every file a bundle was built from; ``refused_refs`` maps the pointer of each
    ``$ref`` the bundler would not follow (URL, absolute path, outside the zip, missing) to why.
    """

    document: dict
    version: Version
    lines: LineMap
    format: Literal["json", "yaml"]
    filename: str = ""
    files: tuple[str, ...] = ()
    refused_refs: dict[str, str] = field(default_factory=dict)


def detect_version(document: Any, filename: str = "") -> Version:
    """``"2.0"``, ``"3.0"``, ``"3.1"`` or ``"3.2"`` from the ``swagger`` / ``openapi`` field; else ``SpecError``."""
    if not isinstance(document, dict):
        kind = {list: "a list", str: "a string", type(None): "empty"}.get(type(document), type(document).__name__)
        raise SpecError(f"not an OpenAPI document: the top level is {kind}, not a mapping", file=filename)
    if "openapi" in document:
        raw = document["openapi"]
        match = _VERSION.match(str(raw)) if isinstance(raw, (str, float, int)) and not isinstance(raw, bool) else None
        version = f"{match.group(1)}.{match.group(2)}" if match else None
        if version in ("3.0", "3.1", "3.2"):
            return version  # type: ignore[return-value]
        raise SpecError(f"unsupported OpenAPI version {raw!r} (supported: 3.0.x, 3.1.x, 3.2.x and Swagger 2.0)",
                        file=filename, pointer="/openapi")
    if "swagger" in document:
        raw = document["swagger"]
        if str(raw) == "2.0" and not isinstance(raw, bool):
            return "2.0"
        raise SpecError(f"unsupported Swagger version {raw!r} (only 2.0)", file=filename, pointer="/swagger")
    raise SpecError(
        "not an OpenAPI document: spec version cannot be detected ('openapi' is a required property at the top "
        "level, or 'swagger' for Swagger 2.0)",
        file=filename,
    )


def load_spec(data: bytes, *, filename: str = "", max_bytes: int = 20_000_000) -> LoadedSpec:
    """Parse one JSON or YAML file (sniffed) into a ``LoadedSpec``; any problem is a ``SpecError``."""
    document, lines, fmt = parse_document(data, filename=filename, max_bytes=max_bytes)
    version = detect_version(document, filename)
    return LoadedSpec(document, version, lines, fmt, filename, (filename,) if filename else ())


def _entry_name(info: zipfile.ZipInfo) -> str:
    """The entry's archive path, refused if it could land outside the extraction root."""
    name = info.filename
    if "\x00" in name or "\\" in name:
        raise SpecError(f"zip entry {name!r}: backslashes and NUL bytes are not allowed in names")
    if name.startswith("/") or re.match(r"^[A-Za-z]:", name):
        raise SpecError(f"zip entry {name!r} has an absolute path")
    if ".." in name.split("/"):
        raise SpecError(f"zip entry {name!r} escapes the archive (path traversal)")
    if stat.S_ISLNK(info.external_attr >> 16):
        raise SpecError(f"zip entry {name!r} is a symbolic link; links are not followed")
    if info.flag_bits & 0x1:
        raise SpecError(f"zip entry {name!r} is encrypted")
    return posixpath.normpath(name)


def _read_zip(data: bytes, max_files: int, max_total_bytes: int, max_ratio: int) -> dict[str, bytes]:
    """The archive's spec files (``.yaml``/``.yml``/``.json``) by normalised path, every limit checked."""
    if len(data) > max_total_bytes:
        raise SpecError(f"the zip is {len(data):,} bytes; the limit is {max_total_bytes:,} bytes")
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
        infos = archive.infolist()
    except (zipfile.BadZipFile, zipfile.LargeZipFile, ValueError, EOFError) as exc:
        raise SpecError(f"not a readable zip file: {exc}") from None
    entries = [info for info in infos if not info.is_dir()]
    if len(entries) > max_files:
        raise SpecError(f"the zip has {len(entries):,} files; the limit is {max_files:,}")
    names = [_entry_name(info) for info in infos]  # every entry, even ones we won't read, must be safe
    declared = sum(info.file_size for info in entries)
    if declared > max_total_bytes:
        raise SpecError(f"the zip's files declare {declared:,} bytes uncompressed; the limit is {max_total_bytes:,}")
    files: dict[str, bytes] = {}
    total = 0
    for info, name in zip(infos, names, strict=True):
        if info.is_dir() or not name.lower().endswith(_SPEC_SUFFIXES):
            continue
        if name in files:
            raise SpecError(f"the zip has two entries named {name!r}")
        if info.file_size > max_ratio * max(info.compress_size, 1):
            raise SpecError(f"zip entry {name!r} expands {info.file_size:,} bytes from {info.compress_size:,} "
                            f"(more than {max_ratio}x): refused as a zip bomb")
        chunks, size = [], 0
        try:
            with archive.open(info) as stream:
                # Read in chunks and count what really comes out: the declared size may lie.
                while chunk := stream.read(_CHUNK):
                    size += len(chunk)
                    total += len(chunk)
                    if size > info.file_size or total > max_total_bytes:
                        raise SpecError(f"zip entry {name!r} inflates beyond its declared size or the limits: "
                                        "refused as a zip bomb")
                    chunks.append(chunk)
        except (zipfile.BadZipFile, NotImplementedError, RuntimeError, OSError, EOFError) as exc:
            raise SpecError(f"zip entry {name!r} can't be read: {exc}") from None
        files[name] = b"".join(chunks)
    return files


def _find_root(files: dict[str, bytes], root: str | None, max_total_bytes: int) -> str:
    if root is not None:
        name = posixpath.normpath(root.lstrip("/"))
        if name not in files:
            raise SpecError(f"the zip has no file {root!r}")
        return name
    named = [name for name in files if posixpath.basename(name).lower() in _ROOT_NAMES]
    if named:
        depth = min(name.count("/") for name in named)
        shallowest = sorted(name for name in named if name.count("/") == depth)
        if len(shallowest) == 1:
            return shallowest[0]
        raise SpecError(f"the zip has several root candidates ({', '.join(shallowest)}); say which one is the root")
    found = []
    for name, data in sorted(files.items()):
        try:
            document, _, _ = parse_document(data, filename=name, max_bytes=max_total_bytes)
        except SpecError:
            continue
        if isinstance(document, dict) and ("openapi" in document or "swagger" in document):
            found.append(name)
    if len(found) == 1:
        return found[0]
    if not found:
        raise SpecError("the zip has no OpenAPI document (no file with an 'openapi' or 'swagger' key)")
    raise SpecError(f"the zip has several OpenAPI documents ({', '.join(found)}); say which one is the root")


def load_zip(data: bytes, *, root: str | None = None, max_files: int = 200, max_total_bytes: int = 20_000_000,
             max_ratio: int = 100) -> LoadedSpec:
    """Load a multi-file spec from a zip and bundle its relative ``$ref``s into one document.

    Refuses (``SpecError``) unsafe archives as a whole: absolute or ``..`` entry names, symbolic
    links, encrypted entries, more than ``max_files`` files, more than ``max_total_bytes`` declared
    or actually inflated, an entry inflating more than ``max_ratio`` times. The root is ``root``, or
    the shallowest ``openapi.*``/``swagger.*``, or the only file with an ``openapi``/``swagger`` key.
    ``$ref``s the bundler won't follow are left in place and listed in ``refused_refs``.
    """
    files = _read_zip(data, max_files, max_total_bytes, max_ratio)
    root_name = _find_root(files, root, max_total_bytes)
    try:
        document, lines, fmt = parse_document(files[root_name], filename=root_name, max_bytes=max_total_bytes)
        version = detect_version(document, root_name)
    except SpecError as exc:
        raise named(exc, root_name) from None
    result = bundle(document, lines, root_name, version, files, max_bytes=max_total_bytes)
    return LoadedSpec(result.document, version, result.lines, fmt, root_name, result.files, result.refused)
