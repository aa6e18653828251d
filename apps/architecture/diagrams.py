"""Mermaid flowcharts generated from the component model: pure Python, no Django.

The Django side turns its rows into the plain frozen dataclasses below and asks for one of three
views; each returns a :class:`Diagram` whose ``mermaid`` text the page hands to
``templates/architecture/_diagram.html``:

* :func:`landscape` — one box per system, one arrow per (system → system, relation kind);
* :func:`system_view` — a system's components (nested by ``parent``) and their outside neighbours;
* :func:`neighbourhood` — a component and everything one or two relations away.

For repeated questions about one catalog build a :class:`Graph` once (it indexes the relations both
ways) and call its methods; the module functions build a throwaway one.

Output is deterministic: nodes are declared in key order and numbered in that order, edges are
sorted, and only the ``classDef`` lines a diagram uses are written, in a fixed order.

Security: every name, technology and protocol is user text. Node ids are generated (``s1``, ``n1``,
``m1``), never taken from keys; every label is double-quoted and passed through :func:`label`,
which keeps it on one line and out of Mermaid's reach (no quote, backtick, tag, entity or ``%%``
can survive), so no input can end a label early, add a statement (``click``, ``style``,
``classDef``), a ``%%{init}%%`` directive, HTML or a link. No ``click``/``href`` line is ever written;
the ``url`` fields are accepted for the callers' convenience and deliberately left unused.
"""

from __future__ import annotations

import re
import unicodedata
from collections import Counter, defaultdict
from collections.abc import Iterable
from dataclasses import dataclass

NODE_KINDS = ("service", "frontend", "database", "cache", "queue", "topic", "storage", "external", "library")
LIFECYCLES = ("planned", "experimental", "production", "deprecated", "retired")
EDGE_KINDS = ("calls", "sends_to", "reads_from", "writes_to", "depends_on")
ASYNC_KINDS = frozenset({"sends_to"})  # drawn dotted (-.->); every other kind is drawn solid (-->)
# Mermaid refuses a diagram with more than 500 arrows (its maxEdges); over this many, arrows between
# the same two boxes are merged into one, then the least important ones are left out (truncated=True).
MAX_EDGES = 300
MAX_NESTING = 4  # component subgraphs inside a system view; deeper parts are drawn flat in the 4th


@dataclass(frozen=True)
class SystemNode:
    key: str
    name: str
    url: str = ""


@dataclass(frozen=True)
class Node:
    key: str
    name: str
    kind: str
    system: str = ""  # a SystemNode key ("" or an unknown key: the component belongs to no system)
    parent: str = ""  # the key of the component this one is part of
    lifecycle: str = ""
    technology: str = ""
    url: str = ""


@dataclass(frozen=True)
class Edge:
    source: str
    target: str
    kind: str
    protocol: str = ""
    description: str = ""


@dataclass(frozen=True)
class Diagram:
    mermaid: str
    nodes: int  # systems or components drawn (the "N more" node not counted)
    truncated: bool
    hidden: int  # components the cap left out


# ---- Labels ----------------------------------------------------------------------------------------

_ZWSP = "\u200b"
_SPACES = re.compile(r"\s+")
# Mermaid turns "#name;" / "#123;" anywhere in the text into an entity before parsing; a zero-width
# space after the "#" keeps user text from spelling one (Mermaid's \w is ASCII).
_ENTITY = re.compile(r"#(?=[A-Za-z0-9_]+;)")
# Replacements, applied after the above. With htmlLabels off (as diagrams.js renders) Mermaid decodes
# only #amp; #lt; #gt; back into characters, so a double quote or a backtick (which would start a
# markdown label) becomes a plain apostrophe rather than #quot; (shown literally as "&quot;").
_REPLACE = {"&": "#amp;", "<": "#lt;", ">": "#gt;", '"': "'", "`": "'"}
_REPLACE_RE = re.compile("|".join(map(re.escape, _REPLACE)))


def label(text: object, limit: int = 80) -> str:
    """User text made safe to sit between double quotes in a Mermaid label: one line, at most
    ``limit`` characters (cut with "…"), control/format characters dropped, quotes and backticks
    turned into apostrophes, ``& < >`` as Mermaid entities, and no ``%%`` (Mermaid finds
    ``%%{init …}%%`` directives anywhere in the text) nor ``#word;`` entity of the user's own."""
    cleaned = "".join(" " if unicodedata.category(ch) in {"Cc", "Cf", "Zl", "Zp"} else ch for ch in str(text))
    cleaned = _SPACES.sub(" ", cleaned).strip()
    if len(cleaned) > limit:
        cleaned = cleaned[: limit - 1].rstrip() + "…"
    cleaned = cleaned.replace("%%", "%" + _ZWSP + "%").replace("%%", "%" + _ZWSP + "%")
    # Mermaid's own entity placeholders ("ﬂ°", "ﬂ°°", "¶ß") would decode into "&" / "&#" / ";".
    cleaned = cleaned.replace("ﬂ°", "ﬂ" + _ZWSP + "°").replace("¶ß", "¶" + _ZWSP + "ß")
    cleaned = _ENTITY.sub("#" + _ZWSP, cleaned)
    return _REPLACE_RE.sub(lambda match: _REPLACE[match.group()], cleaned)


def _details(node: Node, *, extra: str = "") -> str:
    parts = [node.kind, node.technology]
    if node.lifecycle and node.lifecycle != "production":
        parts.append(node.lifecycle)
    parts.append(extra)
    return " · ".join(part for part in (label(part, 40) for part in parts) if part)


def _node_text(node: Node, *, extra: str = "", one_line: bool = False) -> str:
    """Name, then "kind · technology · lifecycle" on a second line (one line for a subgraph title:
    Mermaid doesn't make room for a second one there)."""
    details = _details(node, extra=extra)
    name = label(node.name) or label(node.key) or "(unnamed)"
    return f"{name}{' · ' if one_line else '<br/>'}{details}" if details else name


def _edge_text(edge: Edge, *, short: bool = False) -> str:
    kind = label(edge.kind.replace("_", " "), 20)
    protocol = "" if short else label(edge.protocol, 40)
    return f"{kind} · {protocol}" if protocol else kind


# ---- Shapes and styles -----------------------------------------------------------------------------

_SHAPES = {  # kind -> (open, close) around the quoted label
    "service": ("[", "]"),
    "frontend": ("(", ")"),
    "database": ("[(", ")]"),
    "cache": ("[(", ")]"),
    "storage": ("[[", "]]"),
    "queue": ("[/", "/]"),
    "topic": ("[\\", "\\]"),
    "external": ("[", "]"),
    "library": ("{{", "}}"),
    "more": ("([", "])"),  # the "N more not shown" node
}

# C4-ish palette. The order matters: Mermaid writes these as CSS rules in this order, so a later class
# (a lifecycle, "external", "focus") wins over the base class of the same node.
_CLASSDEFS = {
    "system": "fill:#1168bd,stroke:#0b4884,color:#ffffff",
    "container": "fill:#438dd5,stroke:#2e6295,color:#ffffff",
    "boundary": "fill:#f8fafc,stroke:#1168bd,stroke-width:2px,stroke-dasharray:8 4,color:#0b4884",
    "parent": "fill:#e8f1fb,stroke:#438dd5,color:#0b4884",
    "nosystem": "fill:#f1f1f4,stroke:#8a8a99,stroke-dasharray:6 3,color:#333333",
    "external": "fill:#e9e9ee,stroke:#8a8a99,stroke-dasharray:6 3,color:#333333",
    "experimental": "stroke:#d97706,stroke-width:2px",
    "planned": "fill:#dbe8f6,stroke:#9bb8d8,stroke-dasharray:3 3,color:#4a5568,opacity:0.75",
    "deprecated": "fill:#d4d4d8,stroke:#71717a,stroke-dasharray:6 3,color:#3f3f46",
    "retired": "fill:#ececef,stroke:#a1a1aa,stroke-dasharray:2 3,color:#71717a,opacity:0.7",
    "focus": "stroke:#f59e0b,stroke-width:4px",
    "more": "fill:#ffffff,stroke:#8a8a99,stroke-dasharray:2 2,color:#52525b",
}


def _classes(node: Node, *, outside: bool = False, parent: bool = False) -> list[str]:
    if parent:
        classes = ["parent"]
    elif node.kind == "external" or outside:
        classes = ["external"]
    else:
        classes = ["container"]
    if node.lifecycle in {"planned", "experimental", "deprecated", "retired"}:
        classes.append(node.lifecycle)
    return classes


class _Writer:
    """Collects one flowchart: declarations (indented), edges, then classDef / class lines."""

    def __init__(self) -> None:
        self.lines = ["flowchart LR"]
        self.ids: dict[str, str] = {}
        self.order: dict[str, int] = {}
        self.members: dict[str, list[str]] = defaultdict(list)
        self.edges: list[tuple[int, int, int, str, str, int, str]] = []
        self.dropped = 0  # arrows left out (after merging) to stay under MAX_EDGES
        self.counters: Counter[str] = Counter()

    def new_id(self, key: str, prefix: str) -> str:
        self.counters[prefix] += 1
        ident = f"{prefix}{self.counters[prefix]}"
        self.ids[key] = ident
        self.order[ident] = len(self.order)
        return ident

    def add_class(self, ident: str, names: Iterable[str]) -> None:
        for name in names:
            self.members[name].append(ident)

    def node(self, ident: str, text: str, kind: str, depth: int) -> None:
        opening, closing = _SHAPES.get(kind, ("[", "]"))
        self.lines.append(f'{"  " * depth}{ident}{opening}"{text}"{closing}')

    def open_group(self, ident: str, text: str, depth: int) -> None:
        self.lines.append(f'{"  " * depth}subgraph {ident}["{text}"]')

    def close_group(self, depth: int) -> None:
        self.lines.append(f"{'  ' * depth}end")

    def edge(self, source: str, target: str, kind: str, text: str, *, priority: int = 0, short: str = "") -> None:
        """An arrow. Over MAX_EDGES, arrows between the same two nodes become one (labelled with the
        ``short`` texts), then the ones with the lowest ``priority`` number are kept."""
        kind_rank = EDGE_KINDS.index(kind) if kind in EDGE_KINDS else len(EDGE_KINDS)
        row = (self.order[source], self.order[target], kind_rank, text, kind, priority, short or text)
        self.edges.append(row)

    def _rows(self) -> list[tuple[int, int, str, str]]:
        rows = sorted(set(self.edges))
        if len(rows) <= MAX_EDGES:
            return [(source, target, text, kind) for source, target, _, text, kind, _, _ in rows]
        pairs: dict[tuple[int, int], list] = {}
        for source, target, _, _, kind, priority, short in rows:
            pair = pairs.setdefault((source, target), [priority, [], set()])
            pair[0] = min(pair[0], priority)
            if short not in pair[1]:
                pair[1].append(short)
            pair[2].add(kind)
        merged = sorted(pairs.items(), key=lambda item: (item[1][0], item[0]))
        self.dropped = max(len(merged) - MAX_EDGES, 0)
        return sorted(
            (source, target, ", ".join(shorts), "sends_to" if kinds <= ASYNC_KINDS else "calls")
            for (source, target), (_, shorts, kinds) in merged[:MAX_EDGES]
        )

    def text(self) -> str:
        idents = {index: ident for ident, index in self.order.items()}
        for source, target, text, kind in self._rows():
            arrow = "-.->" if kind in ASYNC_KINDS else "-->"
            self.lines.append(f'  {idents[source]} {arrow}|"{text}"| {idents[target]}')
        used = [name for name in _CLASSDEFS if self.members.get(name)]
        self.lines.extend(f"  classDef {name} {_CLASSDEFS[name]}" for name in used)
        for name in used:
            members = sorted(set(self.members[name]), key=self.order.__getitem__)
            self.lines.append(f"  class {','.join(members)} {name}")
        return "\n".join(self.lines) + "\n"


def _more_text(hidden: Iterable[Node]) -> str:
    hidden = list(hidden)
    kinds = Counter(node.kind for node in hidden)
    ranked = sorted(kinds.items(), key=lambda item: (-item[1], item[0]))
    summary = ", ".join(f"{count} {label(kind, 20)}" for kind, count in ranked)
    return f"{len(hidden)} more not shown<br/>{summary}" if summary else f"{len(hidden)} more not shown"


# ---- The graph -------------------------------------------------------------------------------------


class Graph:
    """An index of a catalog: nodes by key and relations both ways. Build once, ask many times.

    Relations whose ends are unknown, self-relations and exact duplicates (same ends, kind and
    protocol) are dropped."""

    def __init__(self, nodes: Iterable[Node], edges: Iterable[Edge]) -> None:
        self.nodes: dict[str, Node] = {node.key: node for node in nodes}
        self.outgoing: dict[str, list[Edge]] = defaultdict(list)
        self.adjacent: dict[str, set[str]] = defaultdict(set)
        seen = set()
        for edge in edges:
            ends = (edge.source, edge.target, edge.kind, edge.protocol)
            if edge.source == edge.target or ends in seen:
                continue
            if edge.source not in self.nodes or edge.target not in self.nodes:
                continue
            seen.add(ends)
            self.outgoing[edge.source].append(edge)
            self.adjacent[edge.source].add(edge.target)
            self.adjacent[edge.target].add(edge.source)

    def degree(self, key: str) -> int:
        """How many distinct components share a relation with this one."""
        return len(self.adjacent.get(key, ()))

    def _edges_among(self, keys: set[str]) -> list[Edge]:
        return [edge for key in keys for edge in self.outgoing.get(key, ()) if edge.target in keys]

    # -- landscape --

    def landscape(self, systems: Iterable[SystemNode]) -> Diagram:
        systems = {system.key: system for system in systems}
        home = {key: (node.system if node.system in systems else "") for key, node in self.nodes.items()}
        sizes = Counter(home.values())
        writer = _Writer()
        boxes = sorted(systems)
        for key in boxes:
            count = sizes.get(key, 0)
            text = f"{label(systems[key].name) or label(key)}<br/>{count} component{'' if count == 1 else 's'}"
            ident = writer.new_id(key, "s")
            writer.node(ident, text, "system", 1)
            writer.add_class(ident, ["system"])
        if sizes.get(""):
            count = sizes[""]
            ident = writer.new_id("", "s")
            writer.node(ident, f"No system<br/>{count} component{'' if count == 1 else 's'}", "system", 1)
            writer.add_class(ident, ["nosystem"])
        crossings = Counter(
            (home[edge.source], home[edge.target], edge.kind)
            for edges in self.outgoing.values()
            for edge in edges
            if home[edge.source] != home[edge.target]
        )
        for (source, target, kind), count in crossings.items():
            text = f"{label(kind.replace('_', ' '), 20)} ×{count}"
            writer.edge(writer.ids[source], writer.ids[target], kind, text, priority=-count)
        mermaid = writer.text()
        return Diagram(mermaid, nodes=len(writer.order), truncated=bool(writer.dropped), hidden=0)

    # -- system view --

    def system_view(self, system_key: str, systems: Iterable[SystemNode], *, cap: int = 60) -> Diagram:
        """The system's components (a component with children is a subgraph holding them) and every
        component one relation away outside it, with the relations among the components and those
        crossing the boundary. Over ``cap`` components the system's best connected components are
        kept first, then the outside neighbours with most relations to the kept ones; one "N more"
        node counts the rest. ``system_key=""`` shows the components that belong to no system.
        Raises KeyError for an unknown system key."""
        systems = {system.key: system for system in systems}
        if system_key and system_key not in systems:
            raise KeyError(system_key)
        cap = max(int(cap), 1)

        def inside(node: Node) -> bool:
            return (node.system if node.system in systems else "") == system_key

        members = {key for key, node in self.nodes.items() if inside(node)}
        neighbours = {other for key in members for other in self.adjacent.get(key, ())} - members
        hidden: list[str] = []
        if len(members) + len(neighbours) > cap:
            ranked = sorted(members, key=lambda key: (-self.degree(key), key))
            members, hidden = set(ranked[:cap]), ranked[cap:]
            links = Counter(other for key in members for other in self.adjacent.get(key, ()) if other not in members)
            outside = sorted(
                (key for key in neighbours if links[key]), key=lambda key: (-links[key], -self.degree(key), key)
            )
            hidden_members = len(hidden)
            shown = set(outside[: cap - len(members)])
            hidden += sorted(neighbours - shown)
            neighbours = shown
        else:
            hidden_members = 0

        # Nesting: each member hangs under its nearest kept ancestor (a parent cut by the cap is
        # skipped; a parent loop is broken by showing the member at the top).
        def holder(key: str) -> str:
            seen = {key}
            parent = self.nodes[key].parent
            while parent and parent not in seen and parent in self.nodes:
                if parent in members:
                    return parent
                seen.add(parent)
                parent = self.nodes[parent].parent
            return ""

        held = {key: holder(key) for key in members}

        def unreachable() -> set[str]:
            below: dict[str, list[str]] = defaultdict(list)
            for key, above in held.items():
                below[above].append(key)
            found, stack = set(), [""]
            while stack:
                for key in below.get(stack.pop(), ()):
                    if key not in found:
                        found.add(key)
                        stack.append(key)
            return members - found

        # Two members can each be the other's nearest kept ancestor (a parent loop): lift one of them
        # to the top until every member hangs from the top.
        while stranded := unreachable():
            held[min(stranded)] = ""
        # Nesting deeper than MAX_NESTING levels is flattened into the deepest allowed subgraph.
        below: dict[str, list[str]] = defaultdict(list)
        for key, above in held.items():
            below[above].append(key)
        anchor, queue = {"": ""}, [("", 0)]
        while queue:
            current, level = queue.pop()
            for kid in below.get(current, ()):
                if level < MAX_NESTING:
                    anchor[kid] = kid
                    queue.append((kid, level + 1))
                else:
                    held[kid] = anchor[kid] = anchor[current]
                    queue.append((kid, level))
        children: dict[str, list[str]] = defaultdict(list)
        for key, above in held.items():
            children[above].append(key)

        writer = _Writer()
        title = f"{label(systems[system_key].name) or label(system_key)} · system" if system_key else "No system"
        box = writer.new_id("\0system", "s")
        writer.open_group(box, title, 1)
        writer.add_class(box, ["boundary"])

        def declare(key: str, depth: int) -> None:
            node = self.nodes[key]
            kids = sorted(children.get(key, ()))
            if kids:
                ident = writer.new_id(key, "n")
                writer.open_group(ident, _node_text(node, one_line=True), depth)
                writer.add_class(ident, _classes(node, parent=True))
                for kid in kids:
                    declare(kid, depth + 1)
                writer.close_group(depth)
            else:
                ident = writer.new_id(key, "n")
                writer.node(ident, _node_text(node), node.kind, depth)
                writer.add_class(ident, _classes(node))

        for key in sorted(children.get("", ())):
            declare(key, 2)
        if hidden_members:
            more = writer.new_id("\0more", "m")
            writer.node(more, _more_text(self.nodes[key] for key in hidden), "more", 2)
            writer.add_class(more, ["more"])
        writer.close_group(1)
        for key in sorted(neighbours):
            node = self.nodes[key]
            home = systems.get(node.system)
            ident = writer.new_id(key, "n")
            writer.node(ident, _node_text(node, extra=home.name if home else ""), node.kind, 1)
            writer.add_class(ident, _classes(node, outside=True))
        if hidden and not hidden_members:
            more = writer.new_id("\0more", "m")
            writer.node(more, _more_text(self.nodes[key] for key in hidden), "more", 1)
            writer.add_class(more, ["more"])

        for edge in self._edges_among(members | neighbours):
            crossing = edge.source not in members or edge.target not in members
            if edge.source in members or edge.target in members:
                writer.edge(writer.ids[edge.source], writer.ids[edge.target], edge.kind, _edge_text(edge),
                            priority=int(crossing), short=_edge_text(edge, short=True))  # fmt: skip
        mermaid, shown = writer.text(), len(members) + len(neighbours)
        return Diagram(mermaid, nodes=shown, truncated=bool(hidden or writer.dropped), hidden=len(hidden))

    # -- neighbourhood --

    def neighbourhood(self, key: str, *, depth: int = 1, cap: int = 40) -> Diagram:
        """The component, the components one relation away (either direction) and, at depth 2, those
        two away, with every relation among them. A breadth-first walk: nearer components first, the
        best connected first within a ring, until ``cap`` components (the centre included); one
        "N more" node counts and sums up by kind those left out. Raises KeyError for an unknown key."""
        if key not in self.nodes:
            raise KeyError(key)
        if depth not in (1, 2):
            raise ValueError("depth must be 1 or 2")
        cap = max(int(cap), 1)
        order, seen, ring = [key], {key}, [key]
        for _ in range(depth):
            nearby = {other for current in ring for other in self.adjacent.get(current, ()) if other not in seen}
            ring = sorted(nearby, key=lambda other: (-self.degree(other), other))
            seen.update(ring)
            order += ring
        kept, hidden = set(order[:cap]), order[cap:]

        writer = _Writer()
        for current in sorted(kept):
            node = self.nodes[current]
            ident = writer.new_id(current, "n")
            writer.node(ident, _node_text(node), node.kind, 1)
            writer.add_class(ident, _classes(node) + (["focus"] if current == key else []))
        if hidden:
            more = writer.new_id("\0more", "m")
            writer.node(more, _more_text(self.nodes[other] for other in hidden), "more", 1)
            writer.add_class(more, ["more"])
        rank = {other: index for index, other in enumerate(order)}  # over MAX_EDGES, nearer the centre wins
        for edge in self._edges_among(kept):
            priority = min(rank[edge.source], rank[edge.target])
            short = _edge_text(edge, short=True)
            writer.edge(writer.ids[edge.source], writer.ids[edge.target], edge.kind, _edge_text(edge),
                        priority=priority, short=short)  # fmt: skip
        mermaid = writer.text()
        return Diagram(mermaid, nodes=len(kept), truncated=bool(hidden or writer.dropped), hidden=len(hidden))


# ---- Module-level helpers (each builds a throwaway Graph) -------------------------------------------


def landscape(systems: Iterable[SystemNode], nodes: Iterable[Node], edges: Iterable[Edge]) -> Diagram:
    """One box per system (plus "No system" when some component has none) and one arrow per
    (system A → system B, relation kind) that some relation crosses, labelled "calls ×3"."""
    return Graph(nodes, edges).landscape(systems)


def system_view(
    system_key: str, systems: Iterable[SystemNode], nodes: Iterable[Node], edges: Iterable[Edge], *, cap: int = 60
) -> Diagram:
    """See :meth:`Graph.system_view`."""
    return Graph(nodes, edges).system_view(system_key, systems, cap=cap)


def neighbourhood(
    key: str, nodes: Iterable[Node], edges: Iterable[Edge], *, depth: int = 1, cap: int = 40
) -> Diagram:
    """See :meth:`Graph.neighbourhood`."""
    return Graph(nodes, edges).neighbourhood(key, depth=depth, cap=cap)
