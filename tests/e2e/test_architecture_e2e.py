"""Browser journey of the architecture app: a maintainer imports a Backstage catalog (preview, then
import), opens a generated system diagram (it renders, no console error), writes a sequence diagram
with a syntax error (the error is shown with its line), fixes it, saves it linked to a component, and
sees it drawn on that component's page."""

from pathlib import Path

import pytest

from apps.architecture.models import Document

URL = "/projects/payments-api/architecture"
CATALOG = Path(__file__).resolve().parent.parent / "fixtures" / "architecture" / "backstage"
HEAD = "sequenceDiagram\n    participant W as www-artist\n    participant A as artist-lookup\n"
BROKEN = HEAD + "    W->>A GET /artists\n"  # line 4: no ":" before the message
FIXED = HEAD + "    W->>A: GET /artists\n"


def console_errors(page) -> list[str]:
    errors = []
    page.on("console", lambda message: errors.append(message.text) if message.type == "error" else None)
    page.on("pageerror", lambda error: errors.append(str(error)))
    return errors


@pytest.mark.e2e
@pytest.mark.django_db(transaction=True)
def test_import_catalog_see_diagram_write_a_sequence_diagram(page_as, project, screenshot, tmp_path):
    catalog = "\n---\n".join(p.read_text() for p in [
        CATALOG / "systems" / "artist-engagement-portal-system.yaml",
        CATALOG / "components" / "artist-lookup-component.yaml",
        CATALOG / "components" / "www-artist-component.yaml",
        CATALOG / "resources" / "artists-db-resource.yaml",
    ])  # fmt: skip
    upload = tmp_path / "catalog-info.yaml"
    upload.write_text(catalog)

    page = page_as("maintainer")
    errors = console_errors(page)
    page.goto(f"{URL}/")
    page.get_by_role("link", name="Import a catalog").click()
    page.get_by_label("Catalog file").set_input_files(str(upload))
    page.get_by_role("button", name="Check the file").click()
    assert "ready" in page.locator("#preview-h").inner_text()
    screenshot(page, "architecture-import-preview")
    page.get_by_role("button", name="Import").click()
    page.wait_for_url(f"**{URL}/components/")
    assert page.get_by_role("link", name="artist-lookup").count() == 1
    screenshot(page, "architecture-catalog")

    page.goto(f"{URL}/systems/artist-engagement-portal/")
    page.locator("[data-diagram-canvas] svg").wait_for()
    assert page.locator("[data-diagram-error]").is_hidden()
    assert "artist-lookup" in page.locator("[data-diagram-canvas] svg").text_content()
    screenshot(page, "architecture-system")

    page.goto(f"{URL}/diagrams/new/")
    page.get_by_label("Title").fill("Artist lookup flow")
    page.get_by_label("Mermaid source").fill(BROKEN)
    error = page.locator("[data-editor-error]")
    error.wait_for(state="visible")
    assert "Line 4" in error.inner_text() or "line 4" in error.inner_text()
    screenshot(page, "architecture-editor-error")
    page.get_by_label("Mermaid source").fill(FIXED)
    error.wait_for(state="hidden")
    page.locator("[data-editor-preview] svg").wait_for()
    page.get_by_label("Components it shows").select_option(label="artist-lookup")
    page.get_by_role("button", name="Save").click()
    page.wait_for_url(f"**{URL}/diagrams/*/")
    assert Document.objects.get().revision == 1

    page.goto(f"{URL}/components/artist-lookup/")
    figure = page.locator("figure[data-diagram]", has=page.locator("text=Artist lookup flow")).first
    page.locator("#docs-h").scroll_into_view_if_needed()
    page.locator("[data-diagram-canvas] svg >> nth=1").wait_for()
    assert page.get_by_role("link", name="Artist lookup flow").count() == 1 and figure is not None
    screenshot(page, "architecture-component")
    assert not [e for e in errors if "favicon" not in e], errors


MERMAID = Path(__file__).resolve().parent.parent / "fixtures" / "architecture" / "mermaid"


@pytest.mark.e2e
@pytest.mark.django_db(transaction=True)
def test_the_editor_flags_what_mermaid_rejects_and_previews_the_rest(page_as, project):
    """Mermaid's own must-fail sources show an error in the editor; its valid ones preview as SVG."""
    page = page_as("member")
    page.goto(f"{URL}/diagrams/new/")
    source, error = page.get_by_label("Mermaid source"), page.locator("[data-editor-error]")
    for path in sorted((MERMAID / "must-fail").glob("*.mmd")):
        source.fill(path.read_text())
        error.wait_for(state="visible")
        assert error.inner_text().strip(), path.name
    for path in sorted((MERMAID / "valid").glob("*.mmd")):
        source.fill(path.read_text())
        error.wait_for(state="hidden")
        page.locator("[data-editor-preview] svg").wait_for()
