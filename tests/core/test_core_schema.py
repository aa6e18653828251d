"""The OpenAPI schema is complete and valid; Swagger UI is served from our own static files."""

import os
import re
import subprocess
import sys

import pytest
import yaml
from django.conf import settings

FOUNDATION_PATHS = {
    "/api/v1/projects/": {"get", "post"},
    "/api/v1/projects/{slug}/": {"get", "put", "patch", "delete"},
    "/api/v1/projects/{project_slug}/members/": {"get", "post"},
    "/api/v1/projects/{project_slug}/members/{username}/": {"get", "patch", "delete"},
    "/api/v1/projects/{project_slug}/activity/": {"get"},
}


@pytest.fixture
def schema(client, users):
    client.force_login(users["member"])
    response = client.get("/api/schema/", HTTP_ACCEPT="application/vnd.oai.openapi+json")
    assert response.status_code == 200
    return response.json() if response["Content-Type"].endswith("json") else yaml.safe_load(response.content)


@pytest.mark.smoke
def test_schema_lists_every_foundation_endpoint_and_bearer_auth(schema):
    for path, methods in FOUNDATION_PATHS.items():
        assert path in schema["paths"], path
        assert methods <= set(schema["paths"][path]), (path, set(schema["paths"][path]))
    scheme = schema["components"]["securitySchemes"]["bearerAuth"]
    assert scheme["type"] == "http" and scheme["scheme"] == "bearer"
    operation = schema["paths"]["/api/v1/projects/"]["get"]
    assert {"bearerAuth": []} in operation["security"]
    # Lists page, and document it.
    params = {p["name"] for p in operation["parameters"]}
    assert {"page", "page_size"} <= params


def test_every_route_under_api_v1_is_in_the_schema(schema):
    """Completeness: each URL pattern in the api namespace shows up as a schema path."""
    from django.urls import get_resolver

    def walk(patterns, prefix=""):
        for p in patterns:
            route = prefix + str(p.pattern)
            if hasattr(p, "url_patterns"):
                yield from walk(p.url_patterns, route)
            else:
                yield route

    api = next(p for p in get_resolver().url_patterns if str(p.pattern) == "api/v1/")
    documented = {re.sub(r"\{\w+\}", "{}", path) for path in schema["paths"]}
    for route in walk(api.url_patterns, "/api/v1/"):
        if "(?P<format>" in route or "\\.(?P" in route:
            continue
        normalised = re.sub(r"\(\?P<\w+>[^)]+\)", "{}", route).replace("^", "").replace("$", "")
        normalised = re.sub(r"<(?:\w+:)?\w+>", "{}", normalised)
        assert normalised in documented, route


def run_spectacular(*extra):
    # A subprocess: drf-spectacular counts warnings in a process-wide global that other tests touch.
    return subprocess.run(
        [sys.executable, "manage.py", "spectacular", "--validate", "--fail-on-warn", *extra],
        cwd=settings.BASE_DIR, capture_output=True, text=True, timeout=120,
        env={**os.environ, "DEBUG": "0", "DATABASE_URL": "sqlite:///:memory:"},
    )


def test_foundation_schema_has_no_warnings():
    """The foundation's own endpoints generate a valid schema without a single warning."""
    result = run_spectacular("--urlconf", "tests.core.foundation_api_urls")
    assert result.returncode == 0, result.stderr
    schema = yaml.safe_load(result.stdout)
    assert set(FOUNDATION_PATHS) <= set(schema["paths"])


def test_whole_schema_validates_without_warnings():
    """`manage.py spectacular --validate --fail-on-warn` on the whole project (what CI runs)."""
    result = run_spectacular()
    foundation = [line for line in result.stderr.splitlines()
                  if re.search(r"apps/(core|accounts|projects)/|config/", line)]
    assert foundation == [], "\n".join(foundation)
    assert result.returncode == 0, "warnings from other apps:\n" + result.stderr[-3000:]
    assert yaml.safe_load(result.stdout)["openapi"].startswith("3.")


@pytest.mark.django_db
def test_api_docs_served_without_cdn(client):
    response = client.get("/api/docs/")
    assert response.status_code == 200
    html = response.content.decode()
    assert "/static/vendor/swagger-ui-dist" in html
    external = re.findall(r"""<(?:script|link)[^>]+(?:src|href)=["'](https?:)?//""", html)
    assert external == []
    script = (settings.BASE_DIR / "static/js/api-docs.js").read_text()  # started from a file: no inline script
    assert "<script>" not in html and "validatorUrl: null" in script


# --- The schema tells the truth (apps/core/api/schema.py) ----------------------------------------

METHODS = {"get", "post", "put", "patch", "delete"}


def operations(schema):
    for path, item in schema["paths"].items():
        for method, operation in item.items():
            if method in METHODS:
                yield path, method, operation


def test_every_operation_documents_its_errors_with_the_one_error_body(schema):
    error = {"$ref": "#/components/schemas/Error"}
    assert set(schema["components"]["schemas"]["Error"]["required"]) == {"status", "code", "detail"}
    for path, method, operation in operations(schema):
        responses = operation["responses"]
        params = {p["in"] for p in operation.get("parameters", [])}
        expected = {"401", "406"}
        if method != "get":
            expected |= {"400", "403", "409"}
        if "requestBody" in operation:
            expected |= {"413", "415"}
        if "path" in params or "query" in params:
            expected.add("404")
        if "query" in params:
            expected.add("400")
        assert expected <= set(responses), (method, path, sorted(responses))
        for code, response in responses.items():
            if code >= "400":
                assert response["content"]["application/json"]["schema"] == error, (method, path, code)


def test_nullable_fields_are_typed_nullable(schema):
    components = schema["components"]["schemas"]
    for component, fields in {
        "TestCase": ["last_run", "last_duration", "last_passed_run", "first_failed_run"],
        "TestRun": ["created_by", "pass_rate", "started_at"],
        "Revision": ["author"], "Transition": ["actor"], "Comment": ["author"],
        "Requirement": ["owner", "parent"], "Project": ["role"], "TrendPoint": ["pass_rate"], "Comparison": ["base"],
    }.items():  # fmt: skip
        for field in fields:
            assert components[component]["properties"][field].get("nullable"), f"{component}.{field}"
    assert not components["TestCase"]["properties"]["name"].get("nullable")


def test_test_run_endpoints_document_their_real_shapes(schema):
    runs = "/api/v1/projects/{project_slug}/test-runs/"
    ref = "#/components/schemas/"

    def answer(path, method, code="200"):
        return schema["paths"][path][method]["responses"][code]["content"]["application/json"]["schema"]["$ref"]

    assert answer(runs + "trends/", "get") == ref + "Trends"
    assert schema["components"]["schemas"]["Trends"]["required"] == ["points"]
    assert answer(runs + "{number}/compare/", "get") == ref + "Comparison"
    for path in (runs, runs + "{number}/reports/", runs + "{number}/complete/", runs + "{number}/reprocess/"):
        assert answer(path, "post", "202") == ref + "Accepted"
    assert "web_url" in schema["components"]["schemas"]["Accepted"]["required"]
    assert schema["components"]["schemas"]["TestRun"]["properties"]["totals"]["allOf"] == [{"$ref": ref + "Totals"}]
    upload = schema["paths"][runs]["post"]
    content = upload["requestBody"]["content"]
    assert content["application/xml"]["schema"] == {"type": "string", "format": "binary"}
    assert content["application/json"]["schema"]["$ref"] == ref + "TestRunMetaRequest"
    assert "report" in schema["components"]["schemas"]["TestRunCreateRequest"]["properties"]
    assert {"name", "branch", "open", "filename"} <= {p["name"] for p in upload["parameters"]}
