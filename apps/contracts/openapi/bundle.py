"""Bundling a multi-file spec: relative ``$ref``s between a zip's files become one document.

This module owns which references may be followed. Only a relative path to another file of the
same archive is (``schemas/pet.yaml``, ``../common/error.yaml#/Error``); a URL (``http://``,
``https://``, ``file://``...), an absolute path (``/etc/passwd``) or a path climbing out of the
archive is never fetched or opened — it stays as written and is reported in ``refused`` (no SSRF,
no file disclosure). Files come from the in-memory archive only.

How (like json-schema-ref-parser's bundle): a referenced schema is hoisted once into
``components/schemas`` (``definitions`` for 2.0) under a name taken from its fragment or file
stem, and every reference to it becomes ``#/components/schemas/Name`` — which is also what makes
circular references terminate. Anything else (a parameter, a response, a path item...) is inlined
at its first use and later references point there. Inlined nodes are the very objects parsed from
their file, so the merged line map still reports that file and line for them.
"""

from __future__ import annotations

import posixpath
import re
from dataclasses import dataclass, field
from typing import Any

from .linemap import LineMap
from .parse import SpecError, named, parse_document
from .refs import MISSING, in_schema, iter_refs, join_pointer, ref_kind, resolve_pointer, split_ref

__all__ = ["bundle", "Bundle"]

_NAME_CHARS = re.compile(r"[^A-Za-z0-9._-]+")


@dataclass
class Bundle:
    document: dict
    lines: LineMap
    files: tuple[str, ...]
    refused: dict[str, str] = field(default_factory=dict)


class _Bundler:
    def __init__(self, document: dict, lines: LineMap, root_name: str, version: str, files: dict[str, bytes],
                 max_bytes: int):
        self.root, self.root_name, self.files, self.max_bytes = document, root_name, files, max_bytes
        self.parsed: dict[str, tuple[Any, LineMap]] = {root_name: (document, lines)}
        self.placed: dict[tuple[str, str], str] = {}  # (file, fragment) -> internal "#/..." ref
        self.placed_ids: dict[int, str] = {}  # id(object) -> internal ref, when two refs reach one object
        self.done: set[int] = set()  # ids of $ref holders already rewritten
        self.refused: dict[str, str] = {}
        self.extra: dict[int, tuple] = {}  # line-map entries for containers created here
        self.section = ("definitions",) if version == "2.0" else ("components", "schemas")

    def _file(self, name: str) -> tuple[Any, LineMap]:
        if name not in self.parsed:
            try:
                value, lines, _ = parse_document(self.files[name], filename=name, max_bytes=self.max_bytes)
            except SpecError as exc:
                raise named(exc, name) from None
            self.parsed[name] = (value, lines)
        return self.parsed[name]

    def _schemas(self) -> dict:
        """The bundle's schema section, created (with a line-map entry) if the root has none."""
        node = self.root
        for key in self.section:
            child = node.get(key)
            if not isinstance(child, dict):
                if child is not None:
                    raise SpecError(f"{self.root_name}: '{key}' is not a mapping; can't bundle schemas into it")
                child = node[key] = {}
                self.extra[id(child)] = (child, {}, self.root_name)
            node = child
        if id(node) not in self.extra and id(node) in self.parsed[self.root_name][1].table:
            # Keep the existing entry but make it writable for hoisted names from other files.
            container, children, file = self.parsed[self.root_name][1].table[id(node)]
            self.extra[id(node)] = (container, dict(children), file)
        return node

    def _hoist(self, target: Any, file: str, fragment: str, lines: LineMap) -> str:
        schemas = self._schemas()
        stem = fragment.rsplit("/", 1)[-1] if fragment else posixpath.splitext(posixpath.basename(file))[0]
        base = _NAME_CHARS.sub("_", stem).strip("_") or "Schema"
        name, counter = base, 1
        while name in schemas:
            counter += 1
            name = f"{base}_{counter}"
        schemas[name] = target
        self.extra[id(schemas)][1][name] = (file, lines.nearest(fragment) if fragment else lines.root_line)
        return "#" + join_pointer((*self.section, name))

    def run(self) -> None:
        work: list[tuple[Any, str, tuple]] = [(self.root, self.root_name, ())]
        while work:
            node, file, at = work.pop(0)
            for parts, ref, holder in list(iter_refs(node)):
                if id(holder) in self.done:
                    continue
                self.done.add(id(holder))
                self._follow(holder, ref, file, (*at, *parts), work)

    def _follow(self, holder: dict, ref: str, file: str, where: tuple, work: list) -> None:
        pointer = join_pointer(where) + "/$ref"
        kind = ref_kind(ref)
        target_path, fragment = split_ref(ref)
        if kind == "local":
            if file == self.root_name:
                return  # already internal
            target_file = file
        elif kind == "url":
            self.refused[pointer] = "references to URLs are never fetched; put the file in the zip"
            return
        elif kind == "absolute":
            self.refused[pointer] = "absolute file paths are never read; use a path relative to the file"
            return
        else:
            target_file = posixpath.normpath(posixpath.join(posixpath.dirname(file), target_path))
            if target_file == ".." or target_file.startswith("../"):
                self.refused[pointer] = "it points outside the zip, so it is never read"
                return
            if target_file not in self.files:
                self.refused[pointer] = f"the zip has no file {target_file!r}"
                return
        if target_file == self.root_name:
            holder["$ref"] = "#" + fragment  # the root's own node: an internal reference
            return
        key = (target_file, fragment)
        if key in self.placed:
            holder["$ref"] = self.placed[key]
            return
        value, lines = self._file(target_file)
        target = resolve_pointer(value, fragment) if fragment else value
        if target is MISSING:
            self.refused[pointer] = f"no node {fragment!r} in {target_file}"
            return
        if id(target) in self.placed_ids:
            holder["$ref"] = self.placed[key] = self.placed_ids[id(target)]
            return
        if in_schema(where) and isinstance(target, (dict, bool)):
            internal = self._hoist(target, target_file, fragment, lines)
            holder["$ref"] = self.placed[key] = self.placed_ids[id(target)] = internal
            if isinstance(target, dict):
                work.append((target, target_file, tuple(internal[2:].split("/"))))
            return
        # Inline at first use: the holder ({"$ref": ...}) is replaced by the target in its parent.
        parent = resolve_pointer(self.root, join_pointer(where[:-1])) if where else MISSING
        if parent is MISSING or not where:
            self.refused[pointer] = "a reference can't replace the document root"
            return
        last = where[-1]
        parent[int(last) if isinstance(parent, list) else last] = target
        internal = "#" + join_pointer(where)
        self.placed[key] = self.placed_ids[id(target)] = internal
        if isinstance(target, (dict, list)):
            work.append((target, target_file, where))


def bundle(document: dict, lines: LineMap, root_name: str, version: str, files: dict[str, bytes], *,
           max_bytes: int = 20_000_000) -> Bundle:
    """Resolve every relative ``$ref`` of ``document`` (the file ``root_name``) against ``files``."""
    bundler = _Bundler(document, lines, root_name, version, files, max_bytes)
    bundler.run()
    others = [lm for name, (_, lm) in bundler.parsed.items() if name != root_name]
    merged = lines.merged(document, others, bundler.extra)
    return Bundle(document, merged, tuple(bundler.parsed), bundler.refused)
