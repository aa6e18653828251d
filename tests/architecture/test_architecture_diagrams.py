"""apps.architecture.diagrams: Mermaid generated from the component model (pure Python, no database).

Snapshots live in tests/fixtures/architecture/diagrams/*.mmd; after a deliberate change to the output,
rewrite them with UPDATE_SNAPSHOTS=1 and read the diff. tests/e2e/test_architecture_mermaid_e2e.py
feeds every diagram built here (hostile ones included) to the real Mermaid parser.
"""

import os
import random
import re
from pathlib import Path

import pytest

from apps.architecture.diagrams import (
    EDGE_KINDS,
    LIFECYCLES,
    MAX_EDGES,
    MAX_NESTING,
    NODE_KINDS,
    Diagram,
    Edge,
    Graph,
    Node,
    SystemNode,
    label,
    landscape,
    neighbourhood,
    system_view,
)

SNAPSHOTS = Path(__file__).resolve().parents[1] / "fixtures" / "architecture" / "diagrams"

SYSTEMS = [SystemNode("shop", "Shop", url="/s/shop/"), SystemNode("payments", "Payments")]
NODES = [
    Node("web", "Storefront", "frontend", system="shop", lifecycle="production", technology="React"),
    Node("api", "Orders API", "service", system="shop", lifecycle="production", technology="Django"),
    Node("worker", "Order worker", "service", system="shop", parent="api", technology="Celery"),
    Node("orders-db", "Orders DB", "database", system="shop", technology="PostgreSQL"),
    Node("cache", "Session cache", "cache", system="shop", technology="Redis"),
    Node("jobs", "Job queue", "queue", system="shop", technology="RabbitMQ"),
    Node("auth-lib", "Auth library", "library", system="shop", lifecycle="experimental"),
    Node("uploads", "Uploads bucket", "storage", system="shop", technology="S3"),
    Node("events", "Order events", "topic", technology="Kafka"),
    Node("pay", "Payments API", "service", system="payments", technology="Go", url="/c/pay/"),
    Node("ledger", "Ledger DB", "database", system="payments", lifecycle="deprecated"),
    Node("legacy", "Legacy billing", "service", system="payments", lifecycle="retired"),
    Node("fraud", "Fraud check", "service", system="payments", lifecycle="planned"),
    Node("stripe", "Stripe", "external", technology="SaaS"),
]
EDGES = [
    Edge("web", "api", "calls", "HTTPS/JSON"),
    Edge("web", "uploads", "writes_to", "S3"),
    Edge("api", "orders-db", "writes_to", "SQL"),
    Edge("worker", "orders-db", "reads_from", "SQL"),
    Edge("api", "cache", "reads_from", "RESP"),
    Edge("api", "jobs", "sends_to", "AMQP"),
    Edge("worker", "jobs", "reads_from", "AMQP"),
    Edge("api", "events", "sends_to", "Kafka"),
    Edge("pay", "events", "reads_from", "Kafka"),
    Edge("api", "pay", "calls", "gRPC"),
    Edge("pay", "api", "calls", "HTTPS", "payment webhook"),  # a cycle: api -> pay -> api
    Edge("pay", "stripe", "calls", "HTTPS"),
    Edge("pay", "ledger", "writes_to"),
    Edge("legacy", "ledger", "reads_from"),
    Edge("pay", "fraud", "calls", "HTTP"),
    Edge("api", "auth-lib", "depends_on"),
]


def known_diagrams() -> dict[str, Diagram]:
    """The snapshot set: name -> diagram of the small model above."""
    graph = Graph(NODES, EDGES)
    return {
        "landscape": graph.landscape(SYSTEMS),
        "system_shop": graph.system_view("shop", SYSTEMS),
        "system_payments": graph.system_view("payments", SYSTEMS),
        "system_shop_cap5": graph.system_view("shop", SYSTEMS, cap=5),
        "system_none": graph.system_view("", SYSTEMS),
        "neighbourhood_api_depth1": graph.neighbourhood("api"),
        "neighbourhood_api_depth2": graph.neighbourhood("api", depth=2),
        "neighbourhood_api_depth2_cap6": graph.neighbourhood("api", depth=2, cap=6),
    }


# Every one of these goes into every label slot: name, technology, protocol, system name, kind, lifecycle.
HOSTILE = [
    'x"] --> evil\nclick n1 call alert(1)\n%%',
    'a"]\nclick n1 href "javascript:alert(1)"',
    '%%{init: {"securityLevel": "loose"}}%%',
    '%%{init: {"theme": "dark", "flowchart": {"htmlLabels": true}}}%%',
    "<img src=x onerror=alert(1)>",
    "<script>alert(1)</script>",
    "<a href='javascript:alert(1)'>x</a>",
    "`**markdown** <b>x</b>`",
    "x\nstyle n1 fill:#f00\nclassDef container fill:#f00",
    "x;click n1 call alert(1)",
    "x\r\nclick n2 alert",
    "x\u2028click n1 call alert(1)",
    "x\u0085classDef a fill:#000",
    "#quot;#lt;img src=x onerror=alert(1)#gt;",
    "#60;img src=x onerror=alert(1)#62;",
    "ﬂ°lt¶ßimg src=x onerror=alert(1)ﬂ°gt¶ß",
    "\u202eevil\u200b",
    "end",
    "subgraph",
    '"|-->|"',
    "]]) }}",
    "javascript:alert(1)",
    "%%",
    "%%%",
    "50% off; 100%% sure",
    "C# & F# <3",
    "",
    "x" * 500,
]


def hostile_model() -> tuple[list[SystemNode], list[Node], list[Edge]]:
    count = len(HOSTILE)
    systems = [SystemNode(f"sys{i}", text) for i, text in enumerate(HOSTILE[:4])] + [SystemNode(HOSTILE[0], HOSTILE[1])]
    nodes = []
    for i, text in enumerate(HOSTILE):
        nodes.append(
            Node(
                key=text,  # raw keys too: they must never reach the output
                name=text,
                kind=NODE_KINDS[i % len(NODE_KINDS)] if i % 5 else text,
                system=HOSTILE[0] if i % 2 else f"sys{i % 5}",
                parent=HOSTILE[i - 1] if i % 3 == 0 and i else "",
                lifecycle=LIFECYCLES[i % len(LIFECYCLES)] if i % 4 else text,
                technology=HOSTILE[(i + 3) % count],
                url="javascript:alert(1)",
            )
        )
    edges = [
        Edge(HOSTILE[i], HOSTILE[(i * 7 + 3) % count], EDGE_KINDS[i % 5] if i % 6 else text, HOSTILE[(i + 1) % count])
        for i, text in enumerate(HOSTILE)
    ]
    return systems, nodes, edges


def hostile_diagrams() -> dict[str, Diagram]:
    systems, nodes, edges = hostile_model()
    graph = Graph(nodes, edges)
    return {
        "hostile_landscape": graph.landscape(systems),
        "hostile_system": graph.system_view(HOSTILE[0], systems),
        "hostile_system_cap": graph.system_view(HOSTILE[0], systems, cap=4),
        "hostile_neighbourhood": graph.neighbourhood(HOSTILE[0], depth=2),
        "hostile_neighbourhood_cap": graph.neighbourhood(HOSTILE[4], depth=2, cap=3),
    }


def random_catalog(components=2000, relations=8000, seed=7):
    rng = random.Random(seed)
    systems = [SystemNode(f"sys{i}", f"System {i}") for i in range(40)]
    nodes = [
        Node(
            f"c{i}",
            f"Component {i}",
            rng.choice(NODE_KINDS),
            system=rng.choice(systems).key if rng.random() > 0.05 else "",
            parent=f"c{rng.randrange(i)}" if i and rng.random() < 0.2 else "",
            lifecycle=rng.choice(LIFECYCLES),
            technology=rng.choice(["Python", "Go", "PostgreSQL", ""]),
        )
        for i in range(components)
    ]
    edges = []
    while len(edges) < relations:
        a, b = rng.randrange(components), rng.randrange(components)
        if a != b:
            edges.append(Edge(f"c{a}", f"c{b}", rng.choice(EDGE_KINDS), rng.choice(["HTTPS", "gRPC", ""])))
    return systems, nodes, edges


# ---- Snapshots ---------------------------------------------------------------------------------------


@pytest.mark.parametrize("name", list(known_diagrams()))
def test_snapshot(name):
    diagram = known_diagrams()[name]
    path = SNAPSHOTS / f"{name}.mmd"
    if os.environ.get("UPDATE_SNAPSHOTS"):
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(diagram.mermaid, encoding="utf-8")
    assert diagram.mermaid == path.read_text(encoding="utf-8")


def test_landscape_one_arrow_per_system_pair_and_kind():
    extra = [Edge("web", "pay", "calls", "HTTPS"), Edge("api", "fraud", "calls"), Edge("api", "ledger", "reads_from")]
    diagram = landscape(SYSTEMS, NODES, EDGES + extra)
    lines = diagram.mermaid.splitlines()
    assert lines[1:4] == [
        '  s1["Payments<br/>4 components"]',
        '  s2["Shop<br/>8 components"]',
        '  s3["No system<br/>2 components"]',
    ]
    assert '  s2 -->|"calls ×3"| s1' in lines  # api->pay, web->pay, api->fraud
    assert '  s2 -->|"reads from ×1"| s1' in lines
    assert '  s1 -->|"calls ×1"| s2' in lines  # the webhook back: a cycle is two arrows
    assert '  s2 -.->|"sends to ×1"| s3' in lines  # async: dotted
    assert not any("Orders API" in line for line in lines)  # components don't appear
    assert (diagram.nodes, diagram.truncated, diagram.hidden) == (3, False, 0)


def test_landscape_without_homeless_components_has_no_no_system_box():
    nodes = [node for node in NODES if node.system]
    diagram = landscape(SYSTEMS, nodes, EDGES)
    assert "No system" not in diagram.mermaid
    assert diagram.nodes == 2
    # A component whose system key is unknown counts as having none.
    diagram = landscape(SYSTEMS, [*nodes, Node("x", "X", "service", system="gone")], EDGES)
    assert '["No system<br/>1 component"]' in diagram.mermaid


def test_system_view_nests_children_and_draws_outside_neighbours_as_external():
    text = system_view("shop", SYSTEMS, NODES, EDGES).mermaid
    lines = text.splitlines()
    assert lines[1] == '  subgraph s1["Shop · system"]'
    parent = lines.index('    subgraph n1["Orders API · service · Django"]')
    assert lines[parent + 1] == '      n2["Order worker<br/>service · Celery"]'
    assert lines[parent + 2] == "    end"
    outside = lines.index("  end")
    assert lines[outside + 1 : outside + 3] == [
        '  n9[\\"Order events<br/>topic · Kafka"\\]',
        '  n10["Payments API<br/>service · Go · Payments"]',
    ]
    assert "  class n9,n10 external" in lines
    assert "Stripe" not in text  # two relations away
    assert '  n10 -->|"calls · HTTPS"| n1' in lines and '  n1 -->|"calls · gRPC"| n10' in lines


def test_system_view_shapes_and_lifecycle_styles():
    text = system_view("payments", SYSTEMS, NODES, EDGES).mermaid
    assert 'n2[("Ledger DB<br/>database · deprecated")]' in text  # database: cylinder
    assert "  class n1 planned" in text and "  class n2 deprecated" in text and "  class n3 retired" in text
    assert "classDef deprecated " in text and "stroke-dasharray" in text.split("classDef deprecated ")[1].split("\n")[0]
    shapes = {"queue": '[/"', "topic": '[\\"', "library": '{{"', "storage": '[["', "frontend": '("', "cache": '[("'}
    wide = known_diagrams()["neighbourhood_api_depth2"].mermaid
    for kind, shape in shapes.items():
        assert re.search(rf'n\d+{re.escape(shape)}[^"]*{kind}', wide), kind


def test_system_view_unknown_system_is_a_key_error():
    with pytest.raises(KeyError):
        system_view("nope", SYSTEMS, NODES, EDGES)


def test_system_view_cap_keeps_most_connected_and_adds_n_more():
    diagram = system_view("shop", SYSTEMS, NODES, EDGES, cap=5)
    assert (diagram.nodes, diagram.truncated, diagram.hidden) == (5, True, 5)
    assert 'm1(["5 more not shown<br/>1 cache, 1 library, 1 service, 1 storage, 1 topic"])' in diagram.mermaid
    assert "Orders API" in diagram.mermaid and "Auth library" not in diagram.mermaid
    # Room left after the members goes to the neighbours with most relations to what is kept.
    diagram = system_view("payments", SYSTEMS, NODES, EDGES, cap=6)
    assert (diagram.nodes, diagram.hidden) == (6, 1)
    assert "Orders API" in diagram.mermaid and "Stripe" not in diagram.mermaid


def test_system_view_parent_loops_and_deep_nesting():
    loop = [
        Node("a", "A", "service", system="shop", parent="b"),
        Node("b", "B", "service", system="shop", parent="a"),
        Node("c", "C", "service", system="shop", parent="c"),
    ]
    text = system_view("shop", SYSTEMS, loop, []).mermaid
    assert text.count("subgraph") == 2 and text.count("  end") == 2  # the system and one of a/b
    chain = [Node(f"k{i}", f"K{i}", "service", system="shop", parent=f"k{i - 1}" if i else "") for i in range(500)]
    text = system_view("shop", SYSTEMS, chain, [], cap=1000).mermaid
    assert text.count("subgraph") == 1 + MAX_NESTING
    assert text.count('"K') == 500


def test_neighbourhood_depth_one_and_two():
    one = neighbourhood("pay", NODES, EDGES)
    two = neighbourhood("pay", NODES, EDGES, depth=2)
    assert one.nodes == 6 and "Storefront" not in one.mermaid and "Storefront" in two.mermaid
    assert two.nodes == 12 and not two.truncated and "Order worker" not in two.mermaid  # three away
    assert "class n5 focus" in one.mermaid and 'n5["Payments API' in one.mermaid
    # Relations both ways are followed: Orders API reaches Payments API, Payments API calls back.
    assert '  n1 -->|"calls · gRPC"| n5' in one.mermaid and '  n5 -->|"calls · HTTPS"| n1' in one.mermaid


def test_neighbourhood_cap_is_a_bfs_with_a_summary():
    diagram = neighbourhood("api", NODES, EDGES, depth=2, cap=6)
    assert (diagram.nodes, diagram.truncated, diagram.hidden) == (6, True, 7)
    assert "7 more not shown<br/>2 service, 1 cache, 1 database, 1 external, 1 library, 1 storage" in diagram.mermaid
    # Nearer rings first: all of ring one is not shown before anything of ring two.
    assert "Stripe" not in diagram.mermaid and "Ledger" not in diagram.mermaid
    assert neighbourhood("api", NODES, EDGES, cap=1).mermaid.count("n1") >= 1


def test_neighbourhood_bad_arguments():
    with pytest.raises(KeyError):
        neighbourhood("nope", NODES, EDGES)
    with pytest.raises(ValueError):
        neighbourhood("api", NODES, EDGES, depth=3)


def test_graph_drops_self_dangling_and_duplicate_relations():
    junk = [Edge("api", "api", "calls"), Edge("api", "ghost", "calls"), Edge("web", "api", "calls", "HTTPS/JSON")]
    edges = [*EDGES, *junk]
    assert Graph(NODES, edges).neighbourhood("api", depth=2) == Graph(NODES, EDGES).neighbourhood("api", depth=2)
    assert Graph(NODES, EDGES).degree("api") == 7


def test_output_is_deterministic_whatever_the_input_order():
    rng = random.Random(3)
    for _ in range(5):
        systems, nodes, edges = SYSTEMS[:], NODES[:], EDGES[:]
        rng.shuffle(systems), rng.shuffle(nodes), rng.shuffle(edges)
        graph = Graph(nodes, edges)
        assert graph.landscape(systems) == known_diagrams()["landscape"]
        assert graph.system_view("shop", systems) == known_diagrams()["system_shop"]
        assert graph.neighbourhood("api", depth=2, cap=6) == known_diagrams()["neighbourhood_api_depth2_cap6"]


def test_sync_solid_async_dotted():
    text = known_diagrams()["neighbourhood_api_depth1"].mermaid
    assert '  n1 -.->|"sends to · Kafka"| n4' in text
    assert '  n8 -->|"calls · HTTPS/JSON"| n1' in text
    assert all(("-.->" in line) == ("sends to" in line) for line in text.splitlines() if "|" in line)


def complete_graph(size: int) -> Graph:
    nodes = [Node(f"k{i:02}", f"K{i}", "service") for i in range(size)]
    edges = [
        Edge(a.key, b.key, kind, "HTTPS") for a in nodes for b in nodes if a != b for kind in ("calls", "sends_to")
    ]
    return Graph(nodes, edges)


def arrows(text: str) -> list[str]:
    return [line for line in text.splitlines() if "|" in line]


def test_arrows_between_the_same_two_boxes_merge_over_the_edge_limit():
    diagram = complete_graph(15).neighbourhood("k00")  # 420 arrows: as 210 merged ones they fit
    assert len(arrows(diagram.mermaid)) == 210 and not diagram.truncated
    assert '  n1 -->|"calls, sends to"| n2' in diagram.mermaid


def test_arrows_over_the_limit_are_cut_nearest_first():
    diagram = complete_graph(30).neighbourhood("k00")  # 870 pairs
    lines = arrows(diagram.mermaid)
    assert len(lines) == MAX_EDGES and diagram.truncated and diagram.hidden == 0
    ends = [re.fullmatch(r' +(n\d+) \S+\|"[^"]*"\| (n\d+)', line).groups() for line in lines]
    assert sum("n1" in pair for pair in ends) == 58  # all of the centre's: 29 out, 29 in (kinds merged)
    systems, nodes, edges = random_catalog()
    diagram = landscape(systems, nodes, edges)  # 40 systems, nearly every pair related
    assert len(arrows(diagram.mermaid)) == MAX_EDGES and diagram.truncated


# ---- Hostile labels ----------------------------------------------------------------------------------

SAFE_LINE = re.compile(
    r"""^(flowchart\ LR
    |\ +subgraph\ [sn]\d+\["[^"]*"\]
    |\ +end
    |\ +[snm]\d+(\["[^"]*"\]|\("[^"]*"\)|\[\("[^"]*"\)\]|\[\["[^"]*"\]\]|\[/"[^"]*"/\]|\[\\"[^"]*"\\\]
                |\{\{"[^"]*"\}\}|\(\["[^"]*"\]\))
    |\ +[snm]\d+\ (-->|-\.->)\|"[^"]*"\|\ [snm]\d+
    |\ +classDef\ [a-z]+\ [a-z:#0-9,.\ -]+
    |\ +class\ [snm]\d+(,[snm]\d+)*\ [a-z]+)$""",
    re.VERBOSE,
)


def assert_inert(text: str) -> None:
    for line in text.splitlines():
        assert SAFE_LINE.match(line), line
        quoted = re.findall(r'"([^"]*)"', line)
        for chunk in quoted:
            assert "%%" not in chunk and "`" not in chunk, chunk
            assert "<" not in chunk.replace("<br/>", ""), chunk  # the only tag is ours
            assert ">" not in chunk.replace("<br/>", ""), chunk
            assert not re.search(r"#(?!amp;|lt;|gt;)[A-Za-z0-9_]+;", chunk), chunk  # only our entities
            assert "ﬂ°" not in chunk and "¶ß" not in chunk
            assert len(chunk) < 400
        outside = re.sub(r'"[^"]*"', '""', line)
        assert "click" not in outside and "href" not in outside and "style " not in outside
    assert "%%" not in text
    for key in HOSTILE[:3]:
        assert key not in text


@pytest.mark.parametrize("name", list(hostile_diagrams()))
def test_hostile_labels_stay_labels(name):
    diagram = hostile_diagrams()[name]
    assert_inert(diagram.mermaid)
    assert diagram.nodes > 0


def test_known_diagrams_use_only_the_safe_grammar():
    for diagram in known_diagrams().values():
        assert_inert(diagram.mermaid)


def test_label():
    assert label('a "quoted" `tick` <b>&</b>') == "a 'quoted' 'tick' #lt;b#gt;#amp;#lt;/b#gt;"
    assert label("line one\nline two\r\n\tthree") == "line one line two three"
    assert label("%%{init: {}}%%") == "%\u200b%{init: {}}%\u200b%"
    assert label("#quot; and #35; but C# stays") == "#\u200bquot; and #\u200b35; but C# stays"
    assert label("x" * 100, 10) == "xxxxxxxxx…"
    assert label("  \u202e\u200b  ") == ""


def test_urls_never_reach_the_output():
    nodes = [Node("a", "A", "service", url="javascript:alert(1)"), Node("b", "B", "service", url="https://evil")]
    systems = [SystemNode("s", "S", url="javascript:alert(2)")]
    graph = Graph(nodes, [Edge("a", "b", "calls")])
    for diagram in (graph.landscape(systems), graph.neighbourhood("a"), graph.system_view("", systems)):
        assert "javascript" not in diagram.mermaid and "evil" not in diagram.mermaid and "click" not in diagram.mermaid


# ---- Size ---------------------------------------------------------------------------------------------


def test_big_random_catalog():
    """2 000 components / 8 000 relations: every view is built (the Django side times them)."""
    systems, nodes, edges = random_catalog()
    graph = Graph(nodes, edges)
    assert graph.landscape(systems).nodes == 41
    for system in systems[:5]:
        diagram = graph.system_view(system.key, systems)
        assert diagram.nodes <= 60
        assert_inert(diagram.mermaid)
    for key in ("c0", "c1", "c999", "c1999"):
        for depth in (1, 2):
            diagram = graph.neighbourhood(key, depth=depth)
            assert diagram.nodes <= 40
            assert diagram.truncated == (diagram.hidden > 0)
    busiest = max(graph.nodes, key=graph.degree)
    diagram = neighbourhood(busiest, nodes, edges, depth=2)
    assert (diagram.nodes, diagram.truncated) == (40, True) and "more not shown" in diagram.mermaid
    assert system_view("", systems, nodes, edges).truncated
