"""The request side (services) and the worker side (pipeline) of test runs: imports, change log."""

import ast
from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from apps.core.models import ObjectChange
from apps.testruns import services
from tests.testruns.testruns_support import URL, junit, run_of

PACKAGE = Path(services.__file__).parent


def _local_imports(path: Path) -> set[str]:
    """The apps.testruns modules ``path`` imports, at any depth (a lazy import counts too)."""
    names = set()
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.ImportFrom):
            if node.level == 1:
                names.update([node.module.split(".")[0]] if node.module else [a.name for a in node.names])
            elif (node.module or "").startswith("apps.testruns."):
                names.add(node.module.split(".")[2])
        elif isinstance(node, ast.Import):
            names.update(a.name.split(".")[2] for a in node.names if a.name.startswith("apps.testruns."))
    return names


def test_the_modules_of_testruns_import_each_other_without_a_circle():
    graph = {path.stem: _local_imports(path) for path in PACKAGE.glob("*.py")}
    state: dict[str, str] = {}

    def visit(module: str, chain: tuple[str, ...]) -> None:
        if state.get(module) == "done" or module not in graph:
            return
        assert state.get(module) != "open", f"import circle: {' -> '.join((*chain, module))}"
        state[module] = "open"
        for imported in sorted(graph[module]):
            visit(imported, (*chain, module))
        state[module] = "done"

    for module in sorted(graph):
        visit(module, ())
    assert "tasks" in graph["services"] and "services" not in graph["tasks"]
    assert "pipeline" in graph["tasks"]


@pytest.mark.django_db
def test_appending_a_report_and_completing_a_sharded_run_are_logged(
    upload, api_as, project, django_capture_on_commit_callbacks
):
    api = api_as("member")
    run = run_of(upload(junit("a:passed"), api=api, open="true"))
    base = f"{URL.format(slug=project.slug)}{run.number}/"
    with django_capture_on_commit_callbacks(execute=True):
        shard = SimpleUploadedFile("shard-2.xml", junit("b:passed"))
        assert api.post(base + "reports/", {"report": shard}, format="multipart").status_code == 202
        assert api.post(base + "complete/").status_code == 202
    entries = ObjectChange.objects.filter(object_id=str(run.pk), content_type__model="testrun")
    by_verb = {entry.verb: entry for entry in entries}
    assert set(by_verb) == {"uploaded", "added a report", "completed upload", "completed"}
    added, closed = by_verb["added a report"], by_verb["completed upload"]
    assert added.action == closed.action == ObjectChange.Action.ACTION
    assert added.actor.username == closed.actor.username == "member"
    assert "shard-2.xml" in added.message and "2 report file(s)" in closed.message
    assert added.via == closed.via == "api"
    # Completing a closed run changes nothing, so it logs nothing either.
    with django_capture_on_commit_callbacks(execute=True):
        assert api.post(base + "complete/").status_code == 202
    assert entries.filter(verb="completed upload").count() == 1
