"""The architecture model's rules: keys, nesting without cycles, relations (cycles allowed, duplicates
and self-edges refused), document revisions, decisions (numbers, supersedes on both sides, suspect
requirement links) and the model-health checks."""

import pytest
from django.core.exceptions import ValidationError

from apps.architecture import selectors, services
from apps.architecture.models import Component, Decision, Document, Relation
from apps.core.models import ObjectChange
from apps.core.permissions import ProjectAccess, Role
from apps.core.services import instance_save
from apps.requirements import services as requirement_services

pytestmark = pytest.mark.django_db


def relate(project, users, source, target, kind="calls"):
    return instance_save(instance=Relation(project=project, source=source, target=target, kind=kind),
                         actor=users["owner"])  # fmt: skip


@pytest.mark.parametrize("key", ["", "-leading", "trailing-", "has space", "a/b", "x" * 64, "new", "<script>"])
def test_bad_keys_are_refused(make_component, key):
    with pytest.raises(ValidationError) as error:
        make_component(key)
    assert "key" in error.value.message_dict


def test_same_key_twice_is_refused_on_the_key_field(make_component):
    make_component("payments-api")
    with pytest.raises(ValidationError) as error:
        make_component("payments-api")
    assert "already has a component" in str(error.value.message_dict["key"])


def test_nesting_refuses_cycles_at_any_depth(make_component, users):
    system = make_component("shop")
    container = make_component("api", parent=system)
    module = make_component("module", parent=container)
    for parent in (module, container):
        with pytest.raises(ValidationError) as error:
            services.component_save(instance=system, actor=users["owner"], values={"parent": parent})
        assert "cycle" in str(error.value.message_dict["parent"])
    system.refresh_from_db()
    assert system.parent_id is None
    with pytest.raises(ValidationError):
        services.component_save(instance=system, actor=users["owner"], values={"parent": system})


def test_relations_allow_cycles_but_not_duplicates_or_self(project, users, make_component):
    a, b = make_component("a"), make_component("b")
    relate(project, users, a, b)
    relate(project, users, b, a)  # a cycle: real systems have them
    relate(project, users, a, b, kind="sends_to")  # another kind between the same two is another edge
    with pytest.raises(ValidationError) as error:
        relate(project, users, a, b)
    assert "already have a relation" in str(error.value)
    with pytest.raises(ValidationError) as error:
        relate(project, users, a, a)
    assert "itself" in str(error.value)
    assert Relation.objects.count() == 3


def test_tags_are_created_once_and_shared(project, users, make_component):
    one = make_component("one", tags="python, pci")
    two = make_component("two", tags=["pci", "go"])
    assert sorted(t.name for t in one.tags.all()) == ["pci", "python"]
    assert sorted(t.name for t in two.tags.all()) == ["go", "pci"]
    assert project and one.tags.get(name="pci") == two.tags.get(name="pci")


def test_a_document_keeps_numbered_revisions_of_its_source(project, users):
    doc = services.document_save(instance=Document(project=project), actor=users["owner"],
                                 values={"title": "Flow", "source": "flowchart LR\n a-->b"})  # fmt: skip
    services.document_save(instance=doc, actor=users["member"], values={"source": "flowchart LR\n a-->c"})
    services.document_save(instance=doc, actor=users["member"], values={"description": "only words"})
    doc.refresh_from_db()
    assert doc.revision == 2
    revisions = [(r.number, r.source.split()[-1]) for r in doc.revisions.order_by("number")]
    assert revisions == [(1, "a-->b"), (2, "a-->c")]
    assert doc.diagram_type == "flowchart"


def test_a_document_must_have_source_within_the_limit(project, users, settings):
    settings.ARCHITECTURE_MAX_DIAGRAM_CHARS = 50
    for source, message in (("  ", "Write the diagram"), ("graph TD\n" + "a-->b\n" * 20, "at most 50")):
        with pytest.raises(ValidationError) as error:
            services.document_save(instance=Document(project=project), actor=users["owner"],
                                   values={"title": "x", "source": source})  # fmt: skip
        assert message in str(error.value)
    assert not Document.objects.exists()


def decide(project, users, title, **values):
    return services.decision_save(instance=Decision(project=project), actor=users["owner"],
                                  values={"title": title, "status": "accepted", **values})  # fmt: skip


def test_decisions_are_numbered_per_project_and_never_reuse_a_number(project, users):
    first, second = decide(project, users, "One"), decide(project, users, "Two")
    assert (first.key, second.key) == ("ADR-0001", "ADR-0002")
    from apps.core.services import instance_delete

    instance_delete(instance=second, actor=users["owner"])
    assert decide(project, users, "Three").key == "ADR-0003"


def test_superseding_sets_the_old_one_superseded_in_the_same_write(project, users):
    old = decide(project, users, "Use SOAP")
    new = decide(project, users, "Use REST", supersedes=[old])
    old.refresh_from_db()
    assert old.status == "superseded"
    assert list(old.superseded_by.all()) == [new] and list(new.supersedes.all()) == [old]
    assert ObjectChange.objects.filter(object_id=str(old.pk), verb="superseded").count() == 1


def test_a_refused_supersede_changes_nothing(project, users):
    old = decide(project, users, "Old")
    with pytest.raises(ValidationError):
        services.decision_save(instance=old, actor=users["owner"], values={"supersedes": [old]})
    old.refresh_from_db()
    assert old.status == "accepted" and not old.supersedes.exists()


def test_a_requirement_link_turns_suspect_when_the_baselined_requirement_changes(project, users):
    requirement = requirement_services.requirement_create(project=project, actor=users["owner"], title="Pay by card")
    access = ProjectAccess(project=project, role=Role.OWNER)
    for status in ("in_review", "approved"):
        requirement_services.requirement_transition(requirement=requirement, to=status, actor=users["owner"],
                                                    access=access)  # fmt: skip
    decision = decide(project, users, "Use a PSP", requirements=[requirement])
    assert [row["suspect"] for row in services.decision_requirement_rows(decision)] == [False]
    requirement_services.requirement_update(requirement=requirement, actor=users["owner"], title="Pay by wallet")
    decision = Decision.objects.get(pk=decision.pk)
    assert [row["suspect"] for row in services.decision_requirement_rows(decision)] == [True]
    # Saving the decision again keeps the link (and its old fingerprint): still suspect.
    services.decision_save(instance=decision, actor=users["owner"], values={"requirements": [requirement]})
    rows = services.decision_requirement_rows(Decision.objects.get(pk=decision.pk))
    assert [row["suspect"] for row in rows] == [True]


def test_health_counts_match_the_filtered_lists(project, users, make_component):
    owner = users["owner"]
    api = make_component("api", lifecycle="production", owner=owner)
    legacy = make_component("legacy", lifecycle="deprecated", team="team-old")
    make_component("lonely")  # no owner, no relations
    relate(project, users, api, legacy)
    Component.objects.filter(key="lonely").update(unresolved=["system:billing"])
    counts = {row["name"]: row["count"] for row in selectors.health_counts(project=project)}
    assert counts == {"no-owner": 1, "no-relations": 1, "deprecated-in-use": 1, "unresolved": 1,
                      "breaking-data-models": 0}  # fmt: skip
    for name, (_, check) in selectors.HEALTH_CHECKS.items():
        assert Component.objects.filter(project=project).filter(check).count() == counts[name]


@pytest.mark.parametrize("source, line", [
    ('flowchart LR\n  A-->B\n  click A callback "alert(1)"\n', 3),
    ('flowchart LR\n  A["<img src=x onerror=alert(1)>"]\n', 2),
    ('flowchart LR\n  A-->B\n  click B "javascript:alert(1)"\n', 3),
    ('%%{init: {"securityLevel": "loose"}}%%\nflowchart LR\n  A-->B\n', 1),
    ('---\nconfig:\n  securityLevel: loose\n---\nflowchart LR\n  A-->B\n', 3),
    ("sequenceDiagram\n  A->>B: <script>alert(1)</script>\n", 2),
    ('flowchart LR\n  A["<a href=\'JaVaScRiPt:alert(1)\'>x</a>"]\n', 2),
])  # fmt: skip
def test_script_in_a_diagram_is_refused_with_its_line(project, users, source, line):
    with pytest.raises(ValidationError) as error:
        services.document_save(instance=Document(project=project), actor=users["owner"],
                               values={"title": "x", "source": source})  # fmt: skip
    assert f"Line {line}:" in str(error.value.message_dict["source"])
    assert not Document.objects.exists()


def test_ordinary_diagrams_pass_the_script_check():
    from pathlib import Path

    from apps.architecture.mermaid import problems

    folder = Path(__file__).resolve().parent.parent / "fixtures" / "architecture" / "mermaid" / "valid"
    sources = [p.read_text() for p in sorted(folder.glob("*.mmd"))]
    assert sources, "the Mermaid fixtures are missing"
    assert [problems(text) for text in sources] == [[] for _ in sources]


def test_the_requirement_page_lists_the_decisions_that_concern_it(client_as, project, users):
    requirement = requirement_services.requirement_create(project=project, actor=users["owner"], title="Pay")
    decide(project, users, "Use a PSP", requirements=[requirement])
    page = client_as("viewer").get(f"/projects/{project.slug}/requirements/{requirement.key}/")
    assert b"Architecture decisions" in page.content and b"ADR-0001" in page.content


def test_the_project_overview_has_an_architecture_card(client_as, project, make_component):
    empty = client_as("viewer").get(f"/projects/{project.slug}/")
    assert b"Import a Backstage catalog" not in empty.content and b"Architecture" in empty.content
    make_component("api", lifecycle="production")
    page = client_as("viewer").get(f"/projects/{project.slug}/")
    assert b"In production" in page.content


def test_a_component_page_costs_the_same_whatever_it_is_linked_to(client_as, project, users, make_component):
    """Relations both ways, diagrams, decisions with requirements: each is one query, not one per row."""
    from tests.kit import count_queries

    hub = make_component("hub")
    client = client_as("viewer")
    url = f"/projects/{project.slug}/architecture/components/hub/"
    counts = []
    for round_ in range(2):
        for n in range(3 if round_ else 1):
            other = make_component(f"other-{round_}-{n}")
            relate(project, users, hub, other)
            relate(project, users, other, hub, kind="reads_from")
            requirement = requirement_services.requirement_create(project=project, actor=users["owner"], title="R")
            decide(project, users, f"D {round_} {n}", components=[hub, other], requirements=[requirement])
            services.document_save(instance=Document(project=project), actor=users["owner"], values={
                "title": f"Doc {round_} {n}", "source": "flowchart LR\n a-->b", "components": [hub]})  # fmt: skip
        client.get(url)
        counts.append(count_queries(lambda: client.get(url))[0])
    assert counts[0] == counts[1], counts
