"""The architecture diagrams in a real browser (headless Chromium, the vendored Mermaid).

* Every Mermaid text apps.architecture.diagrams generates — the small model, the hostile-label model, a
  2 000-component catalog — parses, and the hostile ones render to plain SVG text: no element or
  attribute that could run or link anything, no dialog.
* static/js/diagrams.js with templates/architecture/_diagram.html and _diagram_editor.html, on a page
  served (by a Playwright route, no Django server) with the site's Content-Security-Policy: figures
  draw, copy, download and report a broken source; hostile sources run nothing; the editor shows
  Mermaid's parse error by the user's line number and clears it once fixed; the form still submits.
"""

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


# ---- static/js/diagrams.js with the two includes, under the site's Content-Security-Policy -------------

ORIGIN = "http://threadline.test"  # routed below: no server, and (not being localhost) no clipboard API
ROOT = Path(__file__).resolve().parents[2]


def csp_header() -> str:
    from django.conf import settings

    directives = settings.CONTENT_SECURITY_POLICY["DIRECTIVES"]
    return "; ".join(f"{name} {' '.join(values)}" for name, values in directives.items())


def harness_html(body: str) -> str:
    return f"""<!doctype html><html lang="en"><head><meta charset="utf-8"><title>diagrams</title>
<link rel="stylesheet" href="/static/vendor/bootstrap/css/bootstrap.min.css"></head>
<body><main class="container-fluid py-3">{body}</main>
<script src="/static/vendor/mermaid/mermaid.min.js"></script>
<script src="/static/js/diagrams.js"></script></body></html>"""


@pytest.fixture
def harness(browser):
    """harness(body_html) -> a page at ORIGIN showing that markup with the diagram scripts, served
    with the site's CSP header; page.events collects console errors, page errors and dialogs."""
    context = browser.new_context(viewport={"width": 1280, "height": 900}, accept_downloads=True)
    context.set_default_timeout(15000)
    pages = {}

    def serve(route):
        path = route.request.url.removeprefix(ORIGIN).split("?")[0]
        if path == "/":
            route.fulfill(status=200, body=pages["/"], headers={"Content-Type": "text/html; charset=utf-8",
                                                                "Content-Security-Policy": csp_header()})  # fmt: skip
        elif path == "/saved":
            route.fulfill(status=200, body="saved", headers={"Content-Type": "text/plain"})
        elif path.startswith("/static/") and ".." not in path and (ROOT / path.lstrip("/")).is_file():
            route.fulfill(status=200, path=str(ROOT / path.lstrip("/")))
        else:
            route.fulfill(status=404, body="")

    context.route(f"{ORIGIN}/**", serve)

    def open_page(body: str):
        pages["/"] = harness_html(body)
        page = context.new_page()
        page.events = []
        page.on("console", lambda message: message.type in ("error", "warning") and page.events.append(message.text))
        page.on("pageerror", lambda error: page.events.append(f"pageerror: {error}"))
        page.on("dialog", lambda dialog: (page.events.append(f"dialog: {dialog.message}"), dialog.dismiss()))
        page.goto(f"{ORIGIN}/")
        return page

    yield open_page
    context.close()


def figure_html(diagram_source: str, **extra) -> str:
    from django.template.loader import render_to_string

    return render_to_string("architecture/_diagram.html", {"source": diagram_source, **extra})


def wait_drawn(page) -> None:
    page.wait_for_function("""() => [...document.querySelectorAll('figure[data-diagram]')]
                              .every((figure) => ['ready', 'error', 'empty'].includes(figure.dataset.state))""")


def test_figures_draw_copy_and_download(harness, screenshot):
    from playwright.sync_api import expect

    shop = known_diagrams()["system_shop_cap5"]
    body = (figure_html(known_diagrams()["landscape"].mermaid, title="System landscape", name="landscape")
            + figure_html(shop.mermaid, title="System Shop", name="shop <system>", hidden=shop.hidden)
            + figure_html("flowchart LR\n  A --> B\n  B --> ][\n", title="Broken", name="broken"))  # fmt: skip
    page = harness(body)
    wait_drawn(page)
    landscape, shop_figure, broken = page.locator("figure").all()
    expect(landscape.get_by_role("img", name="System landscape").locator("svg")).to_be_visible()
    expect(shop_figure).to_contain_text("5 more not shown")
    assert page.locator("body > :not(main):not(script)").count() == 0  # no stray Mermaid leftovers

    landscape.get_by_role("button", name="Copy Mermaid source").click()  # no clipboard API here: the fallback
    expect(landscape.get_by_role("button", name="Copied")).to_be_visible()
    expect(landscape.get_by_role("status")).to_have_text("Mermaid source copied to the clipboard.")

    with page.expect_download() as download:
        shop_figure.get_by_role("button", name="Download SVG").click()
    assert download.value.suggested_filename == "shop-system.svg"
    svg = Path(download.value.path()).read_text(encoding="utf-8")
    assert svg.startswith('<?xml version="1.0" encoding="UTF-8"?>\n<svg')
    assert "PostgreSQL</tspan>" in svg and "foreignObject" not in svg  # text labels: the file stands alone

    # A source Mermaid can't parse: its message and the source, the drawing area hidden, nothing thrown.
    expect(broken.get_by_role("alert")).to_contain_text("Lexical error on line 3")
    expect(broken.locator("pre[data-diagram-source]")).to_be_visible()
    expect(broken.get_by_role("button", name="Download SVG")).to_be_disabled()
    screenshot(page, "architecture-diagrams")
    assert page.events == []


def test_hostile_sources_do_not_run(harness):
    sources = [
        'flowchart LR\n  A["start"] --> B\n  click A callback "alert(1)"\n  click B href "javascript:alert(2)"\n',
        'flowchart LR\n  A["<img src=x onerror=alert(1)>"] --> B["<script>alert(2)</script>"]\n',
        '%%{init: {"securityLevel": "loose", "htmlLabels": true, "flowchart": {"htmlLabels": true}}}%%\n'
        'flowchart LR\n  A["<b onmouseover=alert(1)>bold</b>"] --> B\n  click A call alert(4)\n',
        *[d.mermaid for d in hostile_diagrams().values()],
    ]
    page = harness("".join(figure_html(source, title="<b>x</b>", name="x") for source in sources))
    wait_drawn(page)
    assert page.evaluate("() => [...document.querySelectorAll('figure')].map((f) => f.dataset.state)") == (
        ["ready"] * len(sources))
    for node in page.locator("figure g.node").all()[:40]:
        node.click(force=True)
    page.wait_for_timeout(300)
    found = page.evaluate("""() => document.querySelectorAll(
        '[data-diagram-canvas] :is(script, a[href], img, iframe, object, embed, foreignObject, [href*="javascript" i])'
    ).length""")
    assert found == 0
    # Mermaid parses label HTML while sanitising it; the CSP refuses the inline handler (a console
    # report), and nothing runs.
    assert [event for event in page.events if "Content Security Policy" not in event and "404" not in event] == []
    assert page.title() == "diagrams"


def test_editor_shows_the_parse_error_by_its_line(harness, screenshot):
    from django import forms
    from django.template.loader import render_to_string
    from playwright.sync_api import expect

    class DocumentForm(forms.Form):
        source = forms.CharField(widget=forms.Textarea(attrs={"rows": 10}))

    form = DocumentForm(initial={"source": "sequenceDiagram\n  Alice->>Bob: hello\n"})
    editor = render_to_string("architecture/_diagram_editor.html", {"field": form["source"]})
    page = harness(f'<form method="get" action="/saved">{editor}<button type="submit">Save</button></form>')
    expect(page.get_by_role("img", name="Preview").locator("svg")).to_be_visible()
    textarea = page.get_by_label("Source")
    error = page.locator("[data-editor-error]")
    gutter_marks = page.locator("[data-editor-gutter] .bg-danger-subtle")

    # Front matter and comments are dropped by Mermaid before it counts lines; the count shown is the user's.
    textarea.fill("---\ntitle: Hi\n---\n%% a comment\nsequenceDiagram\n  Alice->>Bob: hi\n  Bob-->>Alice hello\n")
    expect(error).to_contain_text("Line 7:")
    expect(error).to_contain_text("Parse error on line 7")
    expect(gutter_marks).to_have_text(["7"])
    expect(textarea).to_have_attribute("aria-invalid", "true")
    screenshot(page, "architecture-diagram-editor-error")
    error.get_by_role("button", name="Go to line 7").click()
    selected = "() => { const t = document.activeElement; return t.value.slice(t.selectionStart, t.selectionEnd) }"
    assert page.evaluate(selected) == "  Bob-->>Alice hello"

    textarea.fill("pie\n  \"a\" : 1\n  \"b\" : x\n")  # a langium parser: the line is only in the message
    expect(error).to_contain_text("Line 3:")

    textarea.fill("sequenceDiagram\n  Alice->>Bob: hi\n  Bob-->>Alice: hello\n")
    expect(error).to_be_hidden()
    expect(gutter_marks).to_have_count(0)
    expect(page.get_by_role("img", name="Preview")).to_contain_text("hello")
    assert page.locator("body > :not(main):not(script)").count() == 0
    assert page.events == []

    page.get_by_role("button", name="Save").click()  # an ordinary form
    page.wait_for_url("**/saved?source=*")
