"""The Backstage catalog engine (apps.architecture.catalog): no database, no Django.

Fixtures are Backstage's own example catalog (tests/fixtures/architecture/backstage/README.md).
Backstage asserts nothing file-specific about them, so the expected counts below were worked out by
hand from each file; the validation cases follow the kind JSON schemas of
packages/catalog-model/src/schema (required spec fields, name pattern, apiVersion enum).
"""

import time
from pathlib import Path

import pytest

from apps.architecture.catalog import (
    CatalogError,
    CatalogPlan,
    PlanApi,
    PlanComponent,
    PlanDomain,
    PlanRelation,
    PlanSystem,
    export_catalog,
    load_all,
    parse_catalog,
    parse_ref,
)

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "architecture" / "backstage"
ALL_FILES = sorted(p.relative_to(FIXTURES).as_posix() for p in FIXTURES.rglob("*.yaml"))


def read(name: str) -> str:
    return (FIXTURES / name).read_text(encoding="utf-8")


def corpus() -> str:
    return "\n---\n".join(read(name) for name in ALL_FILES)


def entity(kind="Component", name="svc", spec=None, **metadata) -> str:
    """One catalog document (YAML flow style keeps the test tables short)."""
    import yaml

    spec = {"type": "service", "lifecycle": "production", "owner": "team-a"} if spec is None else spec
    doc = {"apiVersion": "backstage.io/v1alpha1", "kind": kind, "metadata": {"name": name, **metadata}, "spec": spec}
    return yaml.safe_dump(doc, sort_keys=False)


def problems(text: str) -> list[str]:
    with pytest.raises(CatalogError) as info:
        parse_catalog(text)
    return [e.message for e in info.value.errors]


# --- the corpus --------------------------------------------------------------------------------

# file: (components, systems, domains, apis, relations, skipped entities, unknown references)
COUNTS = {
    "acme/team-a-group.yaml": (0, 0, 0, 0, 0, 6, 0),  # a Group and five Users
    "all-components.yaml": (0, 0, 0, 0, 0, 1, 0),  # a Location: its targets are not followed
    "apis/petstore-api.yaml": (0, 0, 0, 1, 0, 0, 0),
    "apis/wayback-archive-api.yaml": (0, 0, 0, 1, 0, 0, 0),
    "apis/wayback-search-api.yaml": (0, 0, 0, 1, 0, 0, 0),
    "components/artist-lookup-component.yaml": (1, 0, 0, 0, 1, 0, 2),  # system + dependsOn resource
    "components/petstore-component.yaml": (1, 0, 0, 0, 0, 0, 3),  # three provided APIs
    "components/podcast-api-component.yaml": (1, 0, 0, 0, 0, 0, 1),
    "components/wayback-archive-component.yaml": (1, 0, 0, 0, 0, 0, 1),
    "components/wayback-archive-ingestion-component.yaml": (1, 0, 0, 0, 0, 0, 1),  # subcomponentOf
    "components/wayback-archive-storage-component.yaml": (1, 0, 0, 0, 0, 0, 1),
    "components/wayback-search-component.yaml": (1, 0, 0, 0, 0, 0, 2),  # provides one, consumes one
    "components/www-artist-component.yaml": (1, 0, 0, 0, 0, 0, 1),
    "domains/artists-domain.yaml": (0, 0, 1, 0, 0, 0, 1),  # subdomainOf audio
    "domains/audio-domain.yaml": (0, 0, 1, 0, 0, 0, 0),
    "domains/playback-domain.yaml": (0, 0, 1, 0, 0, 0, 0),
    "resources/artists-db-resource.yaml": (1, 0, 0, 0, 0, 0, 1),
    "systems/artist-engagement-portal-system.yaml": (0, 1, 0, 0, 0, 0, 1),
    "systems/audio-playback-system.yaml": (0, 1, 0, 0, 0, 0, 1),
    "systems/podcast-system.yaml": (0, 1, 0, 0, 0, 0, 1),
}


def test_every_fixture_is_counted():
    assert sorted(COUNTS) == ALL_FILES


@pytest.mark.parametrize("name", ALL_FILES)
def test_each_example_file_parses(name):
    plan = parse_catalog(read(name))
    skipped = [n for n in plan.notes if "skipped" in n]
    got = (len(plan.components), len(plan.systems), len(plan.domains), len(plan.apis), len(plan.relations),
           len(skipped), len(plan.unknown_references))  # fmt: skip
    assert got == COUNTS[name]
    for ref in plan.unknown_references:
        assert ref.document == 1 and ref.field.startswith("spec.")


def test_group_and_users_are_skipped_with_notes():
    plan = parse_catalog(read("acme/team-a-group.yaml"))
    assert plan == CatalogPlan()
    assert plan.notes[0].startswith("document 1: skipped Group 'team-a'")
    # Two Users named guest in different namespaces: skipped kinds are not checked for duplicates.
    assert [n.split(":")[0] for n in plan.notes] == [f"document {i}" for i in range(1, 7)]
    assert sum("User 'guest'" in n for n in plan.notes) == 2


def test_the_whole_corpus_as_one_file():
    plan = parse_catalog(corpus())
    assert [c.key for c in plan.components] == [
        "artist-lookup", "petstore", "podcast-api", "wayback-archive", "wayback-archive-ingestion",
        "wayback-archive-storage", "wayback-search", "www-artist", "artists-db",
    ]  # fmt: skip
    assert [s.key for s in plan.systems] == ["artist-engagement-portal", "audio-playback", "podcast"]
    assert [d.key for d in plan.domains] == ["artists", "audio", "playback"]
    assert [a.key for a in plan.apis] == ["petstore", "wayback-archive", "wayback-search"]
    # artist-lookup's `dependsOn: ['resource:artists-db']` is the only dependency in the examples.
    assert plan.relations == [PlanRelation("artist-lookup", "artists-db", "depends_on")]
    # Only petstore's streetlights and hello-world APIs are defined nowhere in the examples.
    assert [(u.source, u.field, u.ref) for u in plan.unknown_references] == [
        ("petstore", "spec.providesApis[1]", "api:default/streetlights"),
        ("petstore", "spec.providesApis[2]", "api:default/hello-world"),
    ]
    by_key = {c.key: c for c in plan.components}
    assert by_key["artist-lookup"] == PlanComponent(
        key="artist-lookup", name="artist-lookup", kind="service", lifecycle="experimental",
        description="Artist Lookup", owner="team-a", tags=["java", "data"], system="artist-engagement-portal",
        depends_on=["resource:artists-db"],
    )  # fmt: skip
    assert by_key["www-artist"].kind == "frontend"  # spec.type website
    assert by_key["artists-db"].kind == "database" and by_key["artists-db"].lifecycle == "production"
    assert by_key["wayback-archive-ingestion"].parent == by_key["wayback-archive-storage"].parent == "wayback-archive"
    assert by_key["wayback-archive-ingestion"].owner == "team-d"
    apis = {a.key: a for a in plan.apis}
    assert apis["wayback-archive"].provided_by == ["wayback-archive"]
    assert apis["wayback-archive"].consumed_by == ["wayback-search"]
    assert apis["petstore"].provided_by == ["petstore"] and apis["petstore"].definition.startswith('openapi: "3.0.0"')
    systems = {s.key: s for s in plan.systems}
    assert systems["podcast"] == PlanSystem("podcast", "podcast", "Podcast playback", "team-b", "playback")
    domains = {d.key: d for d in plan.domains}
    assert domains["artists"] == PlanDomain("artists", "Artists", "Everything related to artists", "team-a", "audio")
    assert domains["playback"].owner == "frank.tiernan"  # "user:frank.tiernan": the ref's name part


@pytest.mark.parametrize("name", ["wayback-archive", "wayback-search"])
def test_text_placeholder_definitions_are_kept_as_references(name):
    (api,) = parse_catalog(read(f"apis/{name}-api.yaml")).apis
    slug = "wayback" if name == "wayback-archive" else "search"
    url = f"https://github.com/APIs-guru/openapi-directory/blob/main/APIs/archive.org/{slug}/1.0.0/openapi.yaml"
    assert (api.type, api.lifecycle, api.owner, api.definition_ref, api.definition) == (
        "openapi", "production", "team-a", url, "",
    )  # fmt: skip


def test_notes_say_what_was_mapped_or_ignored():
    notes = parse_catalog(corpus()).notes
    assert any("spec.apiConsumedBy is not read" in n for n in notes)  # artist-lookup's non-standard field
    assert any("resource 'artists-db'" in n and "production" in n for n in notes)
    assert any("system 'audio-playback'" in n and "spec.type" in n for n in notes)
    assert any("skipped Location 'example-components'" in n for n in notes)


# --- round trips -------------------------------------------------------------------------------


def test_corpus_round_trips_through_export():
    plan = parse_catalog(corpus())
    text = export_catalog(components=plan.components, systems=plan.systems, domains=plan.domains,
                          apis=plan.apis, relations=plan.relations)  # fmt: skip
    assert text.startswith("---\napiVersion: backstage.io/v1alpha1\nkind: Domain\n")
    again = parse_catalog(text)
    assert again == plan
    assert again.notes == []  # nothing lossy left to note
    assert [(u.source, u.field, u.ref) for u in again.unknown_references] == [
        (u.source, u.field, u.ref) for u in plan.unknown_references
    ]


def test_every_threadline_kind_round_trips():
    components = [
        PlanComponent("web", "Web shop", "frontend", "production", "The shop", "team-web", ["ui"], "shop",
                      repository_url="https://github.com/acme/web", technology="React", consumes_apis=["orders"],
                      depends_on=["component:orders-svc"]),
        PlanComponent("orders-svc", "orders-svc", "service", "planned", owner="team-a", system="shop",
                      provides_apis=["orders"], depends_on=["resource:orders-db", "resource:events"]),
        PlanComponent("orders-worker", "orders-worker", "service", "experimental", owner="team-a", parent="orders-svc"),
        PlanComponent("shared-lib", "shared-lib", "library", "deprecated", owner="team-a"),
        PlanComponent("orders-db", "orders-db", "database", "production", owner="team-a", technology="PostgreSQL 15"),
        PlanComponent("sessions", "sessions", "cache", "production", owner="team-a"),
        PlanComponent("jobs", "jobs", "queue", "production", owner="team-a"),
        PlanComponent("events", "events", "topic", "production", owner="team-a"),
        PlanComponent("files", "files", "storage", "retired", owner="team-a"),
        PlanComponent("stripe", "Stripe", "external", "production", owner="team-a"),
    ]  # fmt: skip
    systems = [PlanSystem("shop", "Shop", "Selling things", "team-a", "commerce")]
    domains = [PlanDomain("commerce", "Commerce", "", "team-a"),
               PlanDomain("orders", "orders", "", "team-a", "commerce")]
    apis = [PlanApi("orders", "Orders API", "graphql", "production", "team-a", "shop", definition="type Query {}\n",
                    provided_by=["orders-svc"], consumed_by=["web"])]  # fmt: skip
    relations = [PlanRelation("web", "orders-svc"), PlanRelation("orders-svc", "orders-db"),
                 PlanRelation("orders-svc", "events")]  # fmt: skip
    plan = parse_catalog(export_catalog(components=components, systems=systems, domains=domains, apis=apis,
                                        relations=relations))  # fmt: skip
    assert plan == CatalogPlan(components, systems, domains, apis, relations)
    assert plan.notes == [] and plan.unknown_references == []


def test_export_writes_relations_and_api_links_onto_the_components():
    text = export_catalog(
        components=[PlanComponent("a", "a", "service", "production", owner="t"),
                    PlanComponent("db", "db", "database", "production", owner="t")],
        apis=[PlanApi("x", "x", "openapi", "production", "t", definition_ref="https://e.org/x.yaml",
                      provided_by=["a"])],
        relations=[PlanRelation("a", "db")],
    )  # fmt: skip
    plan = parse_catalog(text)
    assert plan.components[0].depends_on == ["resource:db"] and plan.components[0].provides_apis == ["x"]
    assert "$text: https://e.org/x.yaml" in text
    assert plan.relations == [PlanRelation("a", "db")]


def test_export_refuses_a_key_backstage_cannot_name():
    with pytest.raises(ValueError, match="can't be written as a Backstage name"):
        export_catalog(components=[PlanComponent("not a name", "x", "service", "production")])


# --- mapping rules -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("spec_type", "kind", "noted"),
    [("service", "service", False), ("website", "frontend", False), ("library", "library", False),
     ("documentation", "service", True), ("tool", "service", True)],
)  # fmt: skip
def test_component_types(spec_type, kind, noted):
    plan = parse_catalog(entity(spec={"type": spec_type, "lifecycle": "production", "owner": "t"}))
    assert plan.components[0].kind == kind
    assert any("read as a service" in n for n in plan.notes) is noted


@pytest.mark.parametrize(
    ("spec_type", "kind", "technology"),
    [("database", "database", ""), ("cache", "cache", ""), ("redis", "cache", "redis"),
     ("memcached", "cache", "memcached"), ("queue", "queue", ""), ("sqs-queue", "queue", "sqs"),
     ("topic", "topic", ""), ("kafka-topic", "topic", "kafka"), ("s3-bucket", "storage", "s3"),
     ("bucket", "storage", ""), ("storage", "storage", ""), ("filesystem", "storage", ""),
     ("external", "external", ""), ("cdn", "external", "")],
)  # fmt: skip
def test_resource_types(spec_type, kind, technology):
    plan = parse_catalog(entity("Resource", "r", {"type": spec_type, "owner": "t"}))
    assert (plan.components[0].kind, plan.components[0].technology) == (kind, technology)
    assert any("read as external" in n for n in plan.notes) is (spec_type == "cdn")


@pytest.mark.parametrize(
    ("lifecycle", "mapped"),
    [("experimental", "experimental"), ("production", "production"), ("deprecated", "deprecated"),
     ("development", "experimental"), ("dev", "experimental"), ("beta", "experimental"), ("alpha", "experimental"),
     ("planned", "planned"), ("proposed", "planned"), ("retired", "retired"), ("decommissioned", "retired"),
     ("end-of-life", "retired"), ("Production", "production")],
)  # fmt: skip
def test_lifecycles(lifecycle, mapped):
    plan = parse_catalog(entity(spec={"type": "service", "lifecycle": lifecycle, "owner": "t"}))
    assert plan.components[0].lifecycle == mapped


def test_an_unmappable_lifecycle_names_the_field_and_the_allowed_values():
    (message,) = problems(entity(spec={"type": "service", "lifecycle": "sunset", "owner": "t"}))
    assert message.startswith("document 1 (component 'svc'): spec.lifecycle 'sunset' is not a lifecycle")
    assert "planned, experimental, production, deprecated, retired" in message


@pytest.mark.parametrize(
    ("annotations", "url"),
    [({"backstage.io/source-location": "url:https://github.com/acme/shop/tree/main/"},
      "https://github.com/acme/shop/tree/main/"),
     ({"github.com/project-slug": "acme/shop"}, "https://github.com/acme/shop"),
     ({"backstage.io/linguist": "https://github.com/acme/shop"}, "")],
)  # fmt: skip
def test_repository_url_from_annotations(annotations, url):
    assert parse_catalog(entity(annotations=annotations)).components[0].repository_url == url


@pytest.mark.parametrize(
    ("raw", "default_kind", "expected"),
    [("component:default/foo", None, ("component", "default", "foo")),
     ("foo", "group", ("group", "default", "foo")),
     ("ops/foo", "system", ("system", "ops", "foo")),
     ("API:foo", "component", ("api", "default", "foo")),
     ("ns/na:me", "api", ("api", "ns", "na:me"))],  # a "/" before the ":" makes the colon part of the name
)  # fmt: skip
def test_entity_refs_follow_backstage(raw, default_kind, expected):
    assert parse_ref(raw, default_kind=default_kind) == expected


@pytest.mark.parametrize("raw", [":foo", "component:", "/foo", "component:/foo"])
def test_malformed_entity_refs(raw):
    with pytest.raises(ValueError, match="not an entity ref"):
        parse_ref(raw, default_kind="api")


def test_namespaces_are_kept_only_to_tell_entities_apart():
    text = "---\n".join([
        entity("Component", "db", {"type": "service", "lifecycle": "production", "owner": "t",
                                    "dependsOn": ["resource:ops/db"]}),
        entity("Resource", "db", {"type": "database", "owner": "t"}, namespace="ops"),
        entity("Resource", "cache", {"type": "cache", "owner": "t"}, namespace="ops"),
    ])  # fmt: skip
    plan = parse_catalog(text)
    assert [c.key for c in plan.components] == ["db", "ops--db", "cache"]
    assert plan.relations == [PlanRelation("db", "ops--db")]
    assert parse_catalog(export_catalog(components=plan.components, relations=plan.relations)) == plan


def test_unknown_references_carry_document_and_field():
    text = entity(spec={"type": "service", "lifecycle": "production", "owner": "t", "system": "billing",
                        "dependsOn": ["component:ledger"]})  # fmt: skip
    plan = parse_catalog("---\n" + entity("System", "other", {"owner": "t"}) + "---\n" + text)
    assert [(u.document, u.field, u.kind, u.key, u.ref) for u in plan.unknown_references] == [
        (2, "spec.dependsOn[0]", "component", "ledger", "component:default/ledger"),
        (2, "spec.system", "system", "billing", "system:default/billing"),
    ]
    assert plan.relations == [PlanRelation("svc", "ledger")]  # kept: the Django side may know "ledger"


# --- bad input ---------------------------------------------------------------------------------

BILLION_LAUGHS = "a: &a ['lol','lol','lol','lol','lol','lol','lol','lol','lol']\n" + "".join(
    f"{n}: &{n} [{', '.join([f'*{p}'] * 9)}]\n" for p, n in zip("abcdefghi", "bcdefghij", strict=True)
)


def test_alias_bomb_fails_fast():
    start = time.perf_counter()
    with pytest.raises(CatalogError, match="aliases are not allowed") as info:
        parse_catalog(BILLION_LAUGHS)
    assert time.perf_counter() - start < 1
    assert (info.value.document, info.value.line) == (1, 2)


def test_fifty_megabytes_are_refused_before_parsing():
    start = time.perf_counter()
    with pytest.raises(CatalogError, match="50,000,000 bytes; the limit is 5,000,000"):
        parse_catalog("a" * 50_000_000)
    assert time.perf_counter() - start < 1


@pytest.mark.parametrize(
    "text",
    ["x: !!python/object/apply:os.system ['true']\n", "x: !!python/name:os.system\n", "x: !Ref other\n",
     "x: !!binary aGk=\n"],
)  # fmt: skip
def test_non_core_tags_are_refused(text):
    with pytest.raises(CatalogError, match=r"YAML tag .* is not allowed"):
        parse_catalog(text)


def test_invalid_yaml_reports_document_and_line():
    text = entity() + "---\napiVersion: backstage.io/v1alpha1\nkind: [Component\nmetadata: {}\n"
    with pytest.raises(CatalogError, match="invalid YAML at line") as info:
        parse_catalog(text)
    assert info.value.document == 2 and info.value.line is not None and info.value.line > 8


@pytest.mark.parametrize(
    ("text", "expected"),
    [("- just\n- a list\n", "document 1: expected an entity (a mapping), got a list"),
     ("plain text\n", "document 1: expected an entity (a mapping), got a string"),
     (entity("Widget"), "document 1: kind 'Widget' is not a kind Threadline reads"),
     (entity().replace("backstage.io/v1alpha1", "backstage.io/v2"),
      "document 1 (component 'svc'): apiVersion must be one of"),
     (entity(name="bad name"), "document 1 (component 'bad name'): metadata.name is not a valid Backstage name"),
     (entity(name="a" * 64), "metadata.name is not a valid Backstage name"),
     (entity(name="-x"), "metadata.name is not a valid Backstage name"),
     (entity(namespace="Ops"), "metadata.namespace must be lower-case"),
     (entity(spec={"lifecycle": "production", "owner": "t"}), "document 1 (component 'svc'): spec.type is required"),
     (entity(spec={"type": "service", "owner": "t"}), "document 1 (component 'svc'): spec.lifecycle is required"),
     (entity(spec={"type": "service", "lifecycle": "production"}), "spec.owner is required"),
     (entity("System", "s", {}), "document 1 (system 's'): spec.owner is required"),
     (entity("Domain", "d", {"owner": ""}), "document 1 (domain 'd'): spec.owner is required"),
     (entity("Resource", "r", {"owner": "t"}), "document 1 (resource 'r'): spec.type is required"),
     (entity("API", "a", {"type": "openapi", "lifecycle": "production", "owner": "t"}), "spec.definition is required"),
     (entity("API", "a", {"type": "openapi", "lifecycle": "production", "owner": "t", "definition": {"x": 1}}),
      "spec.definition must be the definition text or a {$text: URL} placeholder"),
     (entity(spec={"type": "service", "lifecycle": "production", "owner": "t", "dependsOn": ["ledger"]}),
      "spec.dependsOn[0] 'ledger' needs a kind"),
     (entity(spec={"type": "service", "lifecycle": "production", "owner": "t", "system": "component:x"}),
      "spec.system must refer to a system"),
     (entity(spec={"type": "service", "lifecycle": "production", "owner": "t", "providesApis": "x"}),
      "spec.providesApis must be a list of non-empty strings"),
     (entity(tags="java"), "metadata.tags must be a list"),
     ("apiVersion: backstage.io/v1alpha1\nkind: Component\nmetadata: {name: a}\nspec: {}\nextra: 1\n",
      "document 1 (component 'a'): extra is not an entity field"),
     ("apiVersion: backstage.io/v1alpha1\nkind: Component\nmetadata: {name: a}\n", "spec is required")],
)  # fmt: skip
def test_invalid_entities(text, expected):
    assert any(expected in message for message in problems(text)), problems(text)


def test_all_problems_are_collected_with_their_document():
    text = "---\n".join([
        entity(name="ok"),
        entity("System", "portal", {}),
        entity(name="artist-lookup", spec={"type": "service", "owner": "team-a"}),
        entity("Gadget", "g", {}),
    ])  # fmt: skip
    with pytest.raises(CatalogError) as info:
        parse_catalog(text)
    assert [e.message for e in info.value.errors] == [
        "document 2 (system 'portal'): spec.owner is required",
        "document 3 (component 'artist-lookup'): spec.lifecycle is required",
        "document 4: kind 'Gadget' is not a kind Threadline reads (Component, Resource, System, Domain, API; "
        "Group, User, Location, Template are skipped)",
    ]
    assert [(e.document, e.field) for e in info.value.errors] == [
        (2, "spec.owner"), (3, "spec.lifecycle"), (4, "kind"),
    ]  # fmt: skip
    assert str(info.value).startswith("3 problems in the catalog:")
    assert all(e.line for e in info.value.errors)


def test_duplicate_entity():
    (message,) = problems(entity(name="svc") + "---\n" + entity(name="SVC"))
    assert message == "document 2 (component 'SVC'): duplicate component 'default/SVC' (also document 1)"


def test_component_and_resource_with_one_name_are_refused():
    (message,) = problems(entity(name="db") + "---\n" + entity("Resource", "db", {"type": "database", "owner": "t"}))
    assert "both would become Threadline component 'db'" in message


def test_self_dependency():
    (message,) = problems(entity(spec={"type": "service", "lifecycle": "production", "owner": "t",
                                       "dependsOn": ["component:svc"]}))  # fmt: skip
    assert message == "document 1 (component 'svc'): spec.dependsOn[0] depends on the entity itself"


def test_subcomponent_cycles():
    def sub(name, parent):
        return entity(name=name, spec={"type": "service", "lifecycle": "production", "owner": "t",
                                       "subcomponentOf": parent})  # fmt: skip

    (message,) = problems(sub("a", "b") + "---\n" + sub("b", "c") + "---\n" + sub("c", "a"))
    assert message == "document 1 (component 'a'): spec.subcomponentOf forms a cycle: a -> b -> c -> a"
    (message,) = problems(sub("a", "a"))
    assert "forms a cycle: a -> a" in message
    # A chain is fine; a parent outside the file is only an unknown reference.
    plan = parse_catalog(sub("a", "b") + "---\n" + sub("b", "elsewhere"))
    assert [c.parent for c in plan.components] == ["b", "elsewhere"]


# --- the loader on its own ---------------------------------------------------------------------


def test_load_all_keeps_empty_documents_and_plain_values():
    assert load_all("a: 1\n---\n- x\n---\n") == [{"a": 1}, ["x"], None]
    assert load_all("a: !!str 1\n") == [{"a": "1"}]


@pytest.mark.parametrize(
    ("text", "limits", "message"),
    [("---\na: 1\n" * 5, {"max_documents": 4}, "more than 4 YAML documents"),
     ("[" + "1, " * 20 + "1]", {"max_nodes": 10}, "more than 10 values"),
     ("[" * 101 + "]" * 101, {}, "nested more than 100 levels deep"),
     ("é" * 10, {"max_bytes": 15}, "20 bytes; the limit is 15")],
)  # fmt: skip
def test_load_all_limits(text, limits, message):
    with pytest.raises(CatalogError, match=message):
        load_all(text, **limits)
