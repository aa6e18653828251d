"""Data models through the pages and the API: uploading DBML and DDL versions (raw body or file),
the breaking/safe verdict against the previous version, the diff endpoint's shape, the ERD filter,
the DBML export — and bad uploads refused whole, with the line at fault."""

import pytest

from apps.architecture import services
from apps.architecture.models import DataModel, DataModelVersion
from tests.kit import assert_queries, expected_status

pytestmark = pytest.mark.django_db

BASE = "/api/v1/projects/payments-api/data-models"
V1 = "CREATE TABLE payment (id bigint PRIMARY KEY, amount numeric(12,2) NOT NULL, note text);\n"
V2 = ("CREATE TABLE payment (id bigint PRIMARY KEY, amount numeric(12,2) NOT NULL);\n"
      "CREATE TABLE refund (id bigint PRIMARY KEY, payment_id bigint REFERENCES payment (id));\n")  # fmt: skip
DBML = "Table payment {\n  id bigint [pk]\n  amount decimal(12,2) [not null]\n}\n"


@pytest.fixture
def data_model(project, users, make_component):
    db = make_component("payments-db", kind="database")
    return services.instance_save(instance=DataModel(project=project, key="payments", name="Payments", component=db),
                                  actor=users["owner"])  # fmt: skip


def upload(api, text, query="format=sql&dialect=postgres"):
    return api.post(f"{BASE}/payments/versions/?{query}", text.encode(), content_type="text/plain")


def test_versions_are_numbered_and_judged_against_the_previous_one(api_as, data_model):
    api = api_as("member")
    first = upload(api, V1)
    assert first.status_code == 201, first.content
    assert first.json()["number"] == 1 and first.json()["breaking"] is None and first.json()["tables"] == 1
    second = upload(api, V2, "format=sql&dialect=postgres&label=v2")
    assert second.json()["breaking"] is True and second.json()["label"] == "v2"
    data_model.refresh_from_db()
    assert data_model.latest_breaking
    diff = api.get(f"{BASE}/payments/diff/?base={first.json()['id']}&revision={second.json()['id']}")
    body = diff.json()
    assert diff.status_code == 200 and body["breaking"] is True
    ids = {change["id"] for change in body["changes"]}
    assert "column-removed" in ids and "table-added" in ids
    assert all(set(change) >= {"id", "level", "object", "message"} for change in body["changes"])
    assert body["changes"][0]["level"] == "breaking"  # breaking first


def test_dbml_as_a_multipart_file_and_back_to_dbml(api_as, client_as, project, data_model):
    from django.core.files.uploadedfile import SimpleUploadedFile

    api = api_as("member")
    response = api.post(f"{BASE}/payments/versions/", {"file": SimpleUploadedFile("schema.dbml", DBML.encode())},
                        format="multipart")  # fmt: skip
    assert response.status_code == 201 and response.json()["format"] == "dbml", response.content
    page = client_as("viewer").get(f"/projects/{project.slug}/architecture/data-models/payments/versions/1/dbml/")
    assert page.status_code == 200 and b'Table "payment"' in page.content


@pytest.mark.parametrize("text, query, needle", [
    ("CREATE TABLE payment (id bigint PRIMARY KEY,\n  amount numeric(12,2) NOT NULL,\n  oops oops oops(;\n",
     "format=sql", "Line"),
    ("SELECT 1;\n", "format=sql", "CREATE TABLE"),
    ("Table x {\n  id int [pk\n}\n", "format=dbml", ""),
    ("CREATE TABLE t (id int);", "format=sql&dialect=oracle", "dialect"),
    ("", "format=sql", "Nothing was sent"),
])  # fmt: skip
def test_bad_schemas_are_refused_whole(api_as, data_model, text, query, needle):
    response = upload(api_as("member"), text, query)
    assert response.status_code == 400, response.content
    assert needle in str(response.json())
    assert not DataModelVersion.objects.exists()


def test_statements_that_are_not_ddl_are_parsed_never_run(api_as, data_model):
    text = "DROP DATABASE threadline;\nCOPY payment FROM PROGRAM 'rm -rf /';\n" + V1
    response = upload(api_as("member"), text)
    assert response.status_code == 201 and response.json()["tables"] == 1
    assert response.json()["warnings"], "the skipped statements are listed"


def test_a_schema_over_the_limit_is_refused(api_as, data_model, settings):
    settings.ARCHITECTURE_MAX_SCHEMA_BYTES = 1000
    response = upload(api_as("member"), V1 + "-- " + "x" * 5000 + "\n")
    assert response.status_code == 400 and "limit" in str(response.json())
    # Far over it, the body is refused on its Content-Length before anything reads it.
    assert upload(api_as("member"), "x" * 200_000).status_code == 413
    assert not DataModelVersion.objects.exists()


@pytest.mark.parametrize("role", ["owner", "member", "viewer", "outsider"])
def test_upload_and_read_by_role(api_as, data_model, role):
    api = api_as(role)
    assert upload(api, V1).status_code == expected_status(role, "member", 201)
    assert api.get(f"{BASE}/payments/versions/").status_code == expected_status(role, "viewer", 200)


def test_diff_query_errors(api_as, data_model):
    api = api_as("member")
    upload(api, V1)
    assert api.get(f"{BASE}/payments/diff/").status_code == 400
    assert api.get(f"{BASE}/payments/diff/?base=1&revision=999").status_code == 400
    assert api.get(f"{BASE}/payments/diff/?base=x&revision=1").status_code == 400


def test_the_pages_upload_show_the_erd_and_compare(client_as, project, data_model):
    member = client_as("member")
    root = f"/projects/{project.slug}/architecture/data-models/payments/"
    assert member.post(root + "versions/new/", {"text": V1, "format": "sql", "dialect": "postgres"}).status_code == 302
    response = member.post(root + "versions/new/", {"text": V2, "format": "sql", "dialect": "postgres"})
    assert response.status_code == 302 and response["Location"].endswith("/versions/2/")
    detail = member.get(root)
    assert b"erDiagram" in detail.content and b"breaking" in detail.content
    diff = member.get(root + "diff/?base=1&revision=2")
    assert diff.status_code == 200 and b"column-removed" in diff.content
    filtered = member.get(root + "versions/2/?q=refund")
    assert b"Showing 1 of 2 tables" in filtered.content
    bad = member.post(root + "versions/new/", {"text": "CREATE TABLE (", "format": "sql", "dialect": "postgres"})
    assert bad.status_code == 400 and DataModelVersion.objects.count() == 2


def test_version_list_query_count_is_flat(api_as, data_model, users):
    api = api_as("viewer")
    for count, texts in ((1, [V1]), (4, [V2, V1, V2])):
        for text in texts:
            services.data_model_version_add(data_model=data_model, actor=users["owner"], text=text, format="sql",
                                            dialect="postgres")  # fmt: skip
        api.get(f"{BASE}/payments/versions/")
        response = assert_queries(4, lambda: api.get(f"{BASE}/payments/versions/"), f"{count} versions")
        assert len(response.json()) == count
