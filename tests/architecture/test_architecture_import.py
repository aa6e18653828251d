"""Catalog and decision-record imports through the services, the pages and the API: real Backstage
and MADR files (tests/fixtures/architecture), all-or-nothing, dry runs that save nothing, unknown
references listed, and hostile input refused with a clear error."""

import io
import zipfile
from pathlib import Path

import pytest
from django.core.exceptions import ValidationError

from apps.architecture import transfer
from apps.architecture.models import ApiReference, Component, Decision, Relation, System
from apps.core.models import ObjectChange

pytestmark = pytest.mark.django_db

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures" / "architecture"
BACKSTAGE = FIXTURES / "backstage"
BASE = "/api/v1/projects/payments-api"


def whole_catalog() -> str:
    """Every Backstage example file of the fixtures, as one multi-document YAML."""
    files = sorted(p for p in BACKSTAGE.rglob("*.yaml") if p.name != "all-components.yaml")
    return "\n---\n".join(p.read_text() for p in files)


def test_the_backstage_examples_import_in_one_go(project, users):
    report = transfer.catalog_import(project=project, actor=users["owner"], text=whole_catalog())
    assert report.ok and report.saved
    artist = Component.objects.get(project=project, key="artist-lookup")
    assert (artist.kind, artist.lifecycle, artist.system.key, artist.team) == (
        "service", "experimental", "artist-engagement-portal", "team-a")
    assert sorted(t.name for t in artist.tags.all()) == ["data", "java"]
    db = Component.objects.get(project=project, key="artists-db")
    assert db.kind == "database"
    assert Relation.objects.filter(source=artist, target=db, kind="depends_on").exists()
    assert ApiReference.objects.filter(project=project, key="petstore").exists()
    assert System.objects.filter(project=project, key="podcast").exists()
    # One change-log entry for the whole import, not one per row.
    assert ObjectChange.objects.filter(verb="imported a catalog").count() == 1


def test_importing_the_same_catalog_again_changes_nothing(project, users):
    transfer.catalog_import(project=project, actor=users["owner"], text=whole_catalog())
    counts = (Component.objects.count(), Relation.objects.count(), System.objects.count())
    again = transfer.catalog_import(project=project, actor=users["owner"], text=whole_catalog())
    assert again.created == 0 and again.updated == 0 and again.unchanged == again.rows
    assert (Component.objects.count(), Relation.objects.count(), System.objects.count()) == counts


def test_export_then_import_into_another_project_gives_the_same_catalog(project, users):
    from apps.projects.services import project_create

    transfer.catalog_import(project=project, actor=users["owner"], text=whole_catalog())
    exported = transfer.catalog_export(project=project)
    other = project_create(actor=users["owner"], name="Copy", slug="copy")
    report = transfer.catalog_import(project=other, actor=users["owner"], text=exported)
    assert report.ok

    def shape(p):
        return sorted(Component.objects.filter(project=p).values_list("key", "kind", "lifecycle", "system__key"))

    assert shape(other) == shape(project)
    assert Relation.objects.filter(project=other).count() == Relation.objects.filter(project=project).count()


def test_a_dry_run_saves_nothing_and_lists_unknown_references(project, users):
    text = (BACKSTAGE / "components" / "artist-lookup-component.yaml").read_text()
    report = transfer.catalog_import(project=project, actor=users["owner"], text=text, dry_run=True)
    assert report.ok and not report.saved and report.created == 1
    assert any("artists-db" in ref for ref in report.unknown_references)
    assert any("artist-engagement-portal" in ref for ref in report.unknown_references)
    assert not Component.objects.exists() and not ObjectChange.objects.filter(verb="imported a catalog").exists()


def test_unknown_references_are_kept_on_the_component_until_resolved(project, users):
    text = (BACKSTAGE / "components" / "artist-lookup-component.yaml").read_text()
    transfer.catalog_import(project=project, actor=users["owner"], text=text)
    artist = Component.objects.get(key="artist-lookup")
    assert "resource:default/artists-db" in artist.unresolved
    # The missing resource arrives later: a reference to something the catalog now has is no longer unknown.
    transfer.catalog_import(project=project, actor=users["owner"],
                            text=(BACKSTAGE / "resources" / "artists-db-resource.yaml").read_text())  # fmt: skip
    report = transfer.catalog_import(project=project, actor=users["owner"], text=text, dry_run=True)
    assert not any("artists-db" in ref for ref in report.unknown_references)


@pytest.mark.parametrize("text, message", [
    ("apiVersion: backstage.io/v1alpha1\nkind: Widget\nmetadata: {name: x}\n", "kind"),
    ("apiVersion: backstage.io/v1alpha1\nkind: Component\nmetadata: {name: x}\nspec: {type: service}\n", "lifecycle"),
    ("a: &a [1]\nb: &b [*a, *a]\nc: [*b, *b]\n", "alias"),
    ("key: [unclosed\n", "line"),
    ("!!python/object/apply:os.system ['echo hi']\n", ""),
])  # fmt: skip
def test_bad_catalogs_are_refused_whole_with_the_document_and_field(project, users, text, message):
    good = (BACKSTAGE / "systems" / "podcast-system.yaml").read_text()
    with pytest.raises(ValidationError) as error:
        transfer.catalog_import(project=project, actor=users["owner"], text=good + "\n---\n" + text)
    assert message in str(error.value).lower()
    assert not System.objects.exists() and not Component.objects.exists()


def test_the_api_import_dry_run_and_errors(api_as, project):
    api = api_as("member")
    text = (BACKSTAGE / "all-components.yaml").read_bytes()
    for path in sorted(BACKSTAGE.glob("components/*.yaml"))[:3]:
        text += b"\n---\n" + path.read_bytes()
    preview = api.post(f"{BASE}/catalog/import/?dry_run=1", text, content_type="application/yaml")
    assert preview.status_code == 200 and preview.json()["saved"] is False and not Component.objects.exists()
    done = api.post(f"{BASE}/catalog/import/", text, content_type="application/yaml")
    assert done.status_code == 201 and done.json()["created"] >= 3
    bad = api.post(f"{BASE}/catalog/import/", b"kind: Widget\n", content_type="application/yaml")
    assert bad.status_code == 400 and bad.json()["errors"]["file"]
    not_utf8 = api.post(f"{BASE}/catalog/import/", b"\xff\xfe\x00k", content_type="application/yaml")
    assert not_utf8.status_code == 400 and "UTF-8" in str(not_utf8.json())


def test_a_catalog_over_the_limit_is_refused_before_it_is_read(api_as, settings):
    settings.ARCHITECTURE_MAX_CATALOG_BYTES = 1000
    response = api_as("member").post(f"{BASE}/catalog/import/", b"#" * 200_000, content_type="application/yaml")
    assert response.status_code == 413


def test_the_import_page_previews_then_imports(client_as, project):
    url = f"/projects/{project.slug}/architecture/catalog/import/"
    assert client_as("member").get(url).status_code == 403  # imports are a maintainer's job, as elsewhere
    client = client_as("maintainer")
    text = (BACKSTAGE / "systems" / "podcast-system.yaml").read_text()
    preview = client.post(url, {"text": text})
    assert preview.status_code == 200 and b"Preview" in preview.content and not System.objects.exists()
    token = preview.context["token"]
    done = client.post(url, {"token": token})
    assert done.status_code == 302 and System.objects.filter(key="podcast").exists()


def adr_zip(files: dict[str, str]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for name, text in files.items():
            archive.writestr(name, text)
    return buffer.getvalue()


def test_madr_decisions_import_with_their_numbers_and_export_back(project, users):
    folder = FIXTURES / "adr" / "decisions"
    files = {p.name: p.read_text() for p in sorted(folder.glob("0*.md"))}
    report = transfer.decisions_import(project=project, actor=users["owner"], data=adr_zip(files))
    assert report.ok and report.created == len(files)
    numbers = sorted(Decision.objects.filter(project=project).values_list("number", flat=True))
    assert numbers[0] == 0 or numbers[0] == 1
    exported = zipfile.ZipFile(io.BytesIO(transfer.decisions_export(project=project)))
    assert len(exported.namelist()) == len(files)
    exported_bytes = transfer.decisions_export(project=project)
    again = transfer.decisions_import(project=project, actor=users["owner"], data=exported_bytes)
    assert again.ok and again.created == 0 and again.updated == len(files)


def test_adr_tools_plain_format_and_supersedes(project, users):
    files = {
        "doc/adr/0001-record-architecture-decisions.md": "# 1. Record architecture decisions\n\nDate: 2016-02-12\n\n"
        "## Status\n\nSuperseded by [2. Use MADR](0002-use-madr.md)\n\n## Context\n\nWe need to record.\n\n"
        "## Decision\n\nWe will use ADRs.\n\n## Consequences\n\nSee Nygard.\n",
        "doc/adr/0002-use-madr.md": "# 2. Use MADR\n\nDate: 2017-01-01\n\n## Status\n\nAccepted\n\nSupersedes "
        "[1. Record architecture decisions](0001-record-architecture-decisions.md)\n\n## Context\n\nMore fields.\n\n"
        "## Decision\n\nMADR.\n\n## Consequences\n\nNone.\n",
    }  # fmt: skip
    report = transfer.decisions_import(project=project, actor=users["owner"], data=adr_zip(files))
    assert report.ok, report.errors
    first, second = Decision.objects.get(number=1), Decision.objects.get(number=2)
    assert first.status == "superseded" and list(second.supersedes.all()) == [first]
    assert str(first.date) == "2016-02-12" and first.decision == "We will use ADRs."


def test_a_bad_decision_zip_imports_nothing(project, users):
    files = {"0001-good.md": "# Good\n\n## Context and Problem Statement\n\nx\n",
             "0002-bad.md": "---\nstatus: maybe\n---\n# Bad\n"}  # fmt: skip
    report = transfer.decisions_import(project=project, actor=users["owner"], data=adr_zip(files))
    assert not report.ok and "0002-bad.md" in str(report.errors[0].field) + str(report.errors[0].message)
    assert not Decision.objects.exists()
    with pytest.raises(ValidationError):
        transfer.decisions_import(project=project, actor=users["owner"], data=b"not a zip")
    assert not Decision.objects.exists()


def test_an_import_that_loses_a_race_is_a_409_with_nothing_saved(api_as, project, monkeypatch):
    """Two imports of the same catalog at once: the loser's unique-key clash is a clean 409, not a 500."""
    from django.db import IntegrityError
    from django.db.models.query import QuerySet

    def clash(self, *args, **kwargs):
        raise IntegrityError("duplicate key value violates unique constraint")

    monkeypatch.setattr(QuerySet, "bulk_create", clash)
    text = (BACKSTAGE / "components" / "artist-lookup-component.yaml").read_bytes() + b"\n---\n" + (
        BACKSTAGE / "resources" / "artists-db-resource.yaml").read_bytes()
    response = api_as("member").post(f"{BASE}/catalog/import/", text, content_type="application/yaml")
    assert response.status_code == 409 and response.json()["code"] == "conflict"
    assert not Component.objects.exists()
