"""Where each node of a loaded document starts in its source: JSON pointer -> (file, 1-based line).

This module owns the line map. It is keyed by container identity rather than by pointer string:
for every dict or list of the document it keeps the line of each child (a mapping member's line is
its key's line, a sequence item's line is the item's). Building pointer strings for the ~200 000
nodes of a large spec would cost more than parsing it, whereas the YAML builder gets the lines for
free from libyaml's marks; a lookup walks the pointer from the root instead.

JSON documents are parsed by the C ``json`` module, which reports no positions, so their table is
built lazily — only when the first line is asked for (usually never, for a valid spec) — by one
regex token pass over the text in step with the parsed value (linear time).

A bundled document (``load_zip``) merges the tables of its files: inlined nodes are the very
objects parsed from their file, so a lookup inside them reports that file and line.
"""

from __future__ import annotations

import json
import re
from typing import Any

from .refs import split_pointer

__all__ = ["LineMap"]

# One JSON token: a string, a bracket, or a bare scalar (number, true, false, null). Commas, colons
# and whitespace are skipped by finditer.
_TOKEN = re.compile(r'"(?:[^"\\]|\\.)*"|[{}\[\]]|[^\s,:{}\[\]"]+')


class LineMap:
    """Pointer -> line lookup for one loaded (or bundled) document.

    ``get(pointer)`` is the exact node's line or ``None``; ``nearest(pointer)`` falls back to the
    deepest existing ancestor (an error about a missing key points at its parent); ``locate``
    returns ``(file, line)``. Valid as long as the document is not replaced or restructured.
    """

    def __init__(self, root: Any, table: dict | None = None, *, file: str = "", root_line: int = 1,
                 json_text: str | None = None):
        self._root = root
        self._table = table
        self._file = file
        self._root_line = root_line
        self._json_text = json_text

    @property
    def table(self) -> dict:
        if self._table is None:
            self._table, self._root_line = _json_table(self._root, self._json_text or "", self._file)
            self._json_text = None  # the text is no longer needed once the table exists
        return self._table

    def _walk(self, pointer: str) -> tuple[str, int | None, bool]:
        table = self.table
        try:
            parts = split_pointer(pointer)
        except ValueError:
            return self._file, None, False
        node = self._root
        file, line = self._file, self._root_line
        for part in parts:
            entry = table.get(id(node))
            if entry is None or entry[0] is not node:
                return file, line, False
            _, children, file = entry
            if isinstance(node, dict):
                if part not in node:
                    return file, line, False
                line = children.get(part, line)
                if type(line) is tuple:  # a bundled node placed under another file's container
                    file, line = line
                node = node[part]
            else:
                if not part.isdigit() or int(part) >= len(node):
                    return file, line, False
                index = int(part)
                line = children[index] if index < len(children) else line
                node = node[index]
        return file, line, True

    def get(self, pointer: str, default: int | None = None) -> int | None:
        _, line, exact = self._walk(pointer)
        return line if exact else default

    def __getitem__(self, pointer: str) -> int:
        _, line, exact = self._walk(pointer)
        if not exact or line is None:
            raise KeyError(pointer)
        return line

    def __contains__(self, pointer: object) -> bool:
        return isinstance(pointer, str) and self._walk(pointer)[2]

    def nearest(self, pointer: str) -> int | None:
        return self._walk(pointer)[1]

    def locate(self, pointer: str) -> tuple[str, int | None]:
        file, line, _ = self._walk(pointer)
        return file, line

    def merged(self, root: Any, others: list[LineMap], extra: dict | None = None) -> LineMap:
        """A map for ``root`` (a bundle of this document and others) that knows every file's lines.

        ``extra`` adds entries for containers the bundler created; their child lines may be
        ``(file, line)`` pairs when a child comes from another file.
        """
        table = dict(self.table)
        for other in others:
            table.update(other.table)
        table.update(extra or {})
        return LineMap(root, table, file=self._file, root_line=self._root_line)

    @property
    def root_line(self) -> int:
        self.table  # noqa: B018 - a JSON map learns its root line when its table is built
        return self._root_line


def _json_table(root: Any, text: str, file: str) -> tuple[dict, int]:
    """Walk the JSON tokens and the parsed value together, recording each child's line."""
    table: dict[int, tuple] = {}
    # Frames: [container, child lines, is_dict, pending key, key line]
    stack: list[list] = []
    line, pos = 1, 0
    root_line = 1
    count = text.count
    loads = json.loads
    for match in _TOKEN.finditer(text):
        start = match.start()
        line += count("\n", pos, start)
        pos = start
        token = match.group()
        if not stack:
            if token in "{[" and not table:
                root_line = line
                children: Any = {} if token == "{" else []
                table[id(root)] = (root, children, file)
                stack.append([root, children, token == "{", None, line])
            continue
        frame = stack[-1]
        if token == "}" or token == "]":
            stack.pop()
            continue
        node, children, is_dict = frame[0], frame[1], frame[2]
        if is_dict:
            if frame[3] is None:  # a key
                frame[3] = loads(token) if "\\" in token else token[1:-1]
                frame[4] = line
                continue
            key = frame[3]
            frame[3] = None
            children[key] = frame[4]
            if token == "{" or token == "[":
                child = node[key]
                grandchildren: Any = {} if token == "{" else []
                table[id(child)] = (child, grandchildren, file)
                stack.append([child, grandchildren, token == "{", None, line])
        else:
            index = len(children)
            children.append(line)
            if token == "{" or token == "[":
                child = node[index]
                grandchildren = {} if token == "{" else []
                table[id(child)] = (child, grandchildren, file)
                stack.append([child, grandchildren, token == "{", None, line])
    return table, root_line
