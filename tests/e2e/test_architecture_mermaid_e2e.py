"""The generated Mermaid (apps.architecture.diagrams) in the real, vendored Mermaid: every diagram of
the small model, of the hostile-label model and of a big random catalog parses, and rendering the
hostile ones with the settings static/js/diagrams.js uses yields plain SVG text — no element or
attribute that could run or link anything, and no dialog."""

from pathlib import Path

import pytest

from apps.architecture.diagrams import Graph
from tests.architecture.test_architecture_diagrams import (
    complete_graph,
    hostile_diagrams,
    known_diagrams,
    random_catalog,
)

pytestmark = pytest.mark.e2e

MERMAID = Path(__file__).resolve().parents[2] / "static" / "vendor" / "mermaid" / "mermaid.min.js"
# The same settings as static/js/diagrams.js.
INITIALIZE = """mermaid.initialize({startOnLoad: false, securityLevel: "strict", htmlLabels: false,
                                    flowchart: {htmlLabels: false}, theme: "default"})"""

PARSE_ALL = """async (sources) => {
  const out = {};
  for (const [name, source] of Object.entries(sources)) {
    try { out[name] = (await mermaid.parse(source)).diagramType; }
    catch (error) { out[name] = "ERROR " + (error && error.message); }
  }
  return out;
}"""

RENDER_ALL = """async (sources) => {
  const out = {};
  let n = 0;
  for (const [name, source] of Object.entries(sources)) {
    const holder = document.createElement("div");
    document.body.appendChild(holder);
    try {
      holder.innerHTML = (await mermaid.render("probe" + (n++), source)).svg;
      const bad = holder.querySelectorAll(
        "script, a, img, iframe, object, embed, foreignObject, [href], [xlink\\\\:href]");
      const handlers = [...holder.querySelectorAll("*")].filter(
        (el) => [...el.attributes].some((a) => a.name.startsWith("on") || /javascript:/i.test(a.value)));
      out[name] = {bad: bad.length, handlers: handlers.length, text: holder.textContent.length};
    } catch (error) { out[name] = {error: String(error && error.message)}; }
  }
  return out;
}"""


@pytest.fixture(scope="module")
def mermaid_page(browser):
    page = browser.new_page()
    events = []
    page.on("dialog", lambda dialog: (events.append(f"dialog: {dialog.message}"), dialog.dismiss()))
    page.on("pageerror", lambda error: events.append(f"pageerror: {error}"))
    page.on("console", lambda message: message.type == "error" and events.append(f"console: {message.text}"))
    page.set_content("<!doctype html><html><head><title>mermaid</title></head><body></body></html>")
    page.add_script_tag(path=str(MERMAID))
    page.evaluate(INITIALIZE)
    page.events = events
    yield page
    page.close()


def test_generated_diagrams_parse(mermaid_page):
    systems, nodes, edges = random_catalog()
    graph = Graph(nodes, edges)
    big = {
        "big_landscape": graph.landscape(systems),
        "big_system": graph.system_view(systems[0].key, systems),
        "big_no_system": graph.system_view("", systems),
        "big_neighbourhood": graph.neighbourhood(max(graph.nodes, key=graph.degree), depth=2),
        "dense_neighbourhood": complete_graph(30).neighbourhood("k00"),  # arrows merged and cut to MAX_EDGES
    }
    sources = {name: d.mermaid for name, d in {**known_diagrams(), **hostile_diagrams(), **big}.items()}
    results = mermaid_page.evaluate(PARSE_ALL, sources)
    assert results == dict.fromkeys(sources, "flowchart-v2")
    assert mermaid_page.events == []


def test_hostile_diagrams_render_as_plain_text(mermaid_page):
    sources = {name: d.mermaid for name, d in {**known_diagrams(), **hostile_diagrams()}.items()}
    results = mermaid_page.evaluate(RENDER_ALL, sources)
    for name, result in results.items():
        assert "error" not in result, (name, result)
        assert (result["bad"], result["handlers"]) == (0, 0), (name, result)
        assert result["text"] > 0, name
    mermaid_page.wait_for_timeout(300)  # an onerror or a timer would have fired by now
    assert mermaid_page.events == []
    assert mermaid_page.evaluate("document.title") == "mermaid"
