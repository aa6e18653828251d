"""The requirements API: role matrix on every endpoint, lookups by key, bad input, query counts."""

import pytest

from apps.requirements import services
from apps.requirements.models import Requirement
from tests.kit import ROLES, assert_queries, expected_status

BASE = "/api/v1/projects/payments-api/requirements"

# (method, path under BASE, body, minimum role, success status). REQ-1 is in review with one criterion (id in {cid}).
ENDPOINTS = [
    ("get", "/", None, "viewer", 200),
    ("post", "/", {"title": "New"}, "member", 201),
    ("get", "/REQ-1/", None, "viewer", 200),
    ("patch", "/REQ-1/", {"priority": "must"}, "member", 200),
    ("delete", "/REQ-1/", None, "maintainer", 204),
    ("post", "/REQ-1/transition/", {"to": "draft"}, "member", 200),
    ("get", "/REQ-1/criteria/", None, "viewer", 200),
    ("post", "/REQ-1/criteria/", {"text": "Given x, then y"}, "member", 201),
    ("patch", "/REQ-1/criteria/{cid}/", {"met": True}, "member", 200),
    ("delete", "/REQ-1/criteria/{cid}/", None, "member", 204),
    ("get", "/REQ-1/revisions/", None, "viewer", 200),
    ("get", "/REQ-1/revisions/diff/?a=1&b=1", None, "viewer", 200),
    ("get", "/REQ-1/transitions/", None, "viewer", 200),
    ("get", "/REQ-1/comments/", None, "viewer", 200),
    ("post", "/REQ-1/comments/", {"body": "Hi"}, "member", 201),
    ("get", "/export/?format=csv", None, "viewer", 200),
    ("get", "/export/?format=json", None, "viewer", 200),
    ("post", "/import/?dry_run=1", "title\nImported\n", "maintainer", 200),
]  # fmt: skip


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize(("method", "path", "body", "minimum", "success"), ENDPOINTS)
def test_role_matrix(api_as, req1, role, method, path, body, minimum, success):
    api = api_as(role)
    url = BASE + path.format(cid=req1.criteria.get().pk)
    kwargs = {"data": body, "content_type": "text/csv"} if isinstance(body, str) else {"data": body, "format": "json"}
    response = getattr(api, method)(url, **kwargs) if body is not None else getattr(api, method)(url)
    assert response.status_code == expected_status(role, minimum, success), response.content


def test_read_only_token_cannot_write(api_as, req1):
    api = api_as("owner", read_only=True)
    assert api.get(f"{BASE}/").status_code == 200
    assert api.post(f"{BASE}/", {"title": "x"}, format="json").status_code == 403


def test_create_and_read_by_key(api_as, project):
    api = api_as("member")
    response = api.post(f"{BASE}/", {
        "title": "Refunds", "description": "**Full** refunds <script>x</script>", "priority": "must",
        "owner": "member", "labels": ["money", "api"], "criteria": ["Given a payment, then refund it"],
    }, format="json")  # fmt: skip
    assert response.status_code == 201, response.json()
    data = response.json()
    assert data["key"] == "REQ-1" and data["status"] == "draft" and data["revision"] == 1
    assert data["labels"] == ["api", "money"] and data["owner"] == "member"
    assert data["criteria"][0]["text"] == "Given a payment, then refund it"
    assert "<script" not in data["description_html"] and "<strong>Full</strong>" in data["description_html"]
    assert api.get(f"{BASE}/REQ-1/").json()["title"] == "Refunds"
    assert api.get(f"{BASE}/REQ-9/").status_code == 404


@pytest.mark.parametrize(
    ("body", "field"),
    [({"title": ""}, "title"), ({"title": "x", "owner": "outsider"}, "owner"),
     ({"title": "x", "owner": "ghost"}, "owner"),
     ({"title": "x", "parent": "REQ-77"}, "parent"), ({"title": "x", "parent": "nope"}, "parent"),
     ({"title": "x", "parent": "REQ-\u00b2"}, "parent"), ({"title": "x", "parent": {"key": "REQ-1"}}, "parent"),
     ({"title": "x", "owner": ["owner"]}, "owner"),
     ({"title": "x", "type": "non_functional"}, "category"), ({"title": "x", "priority": "urgent"}, "priority"),
     ({"title": "x", "status": "approved"}, None)],
)  # fmt: skip
def test_bad_input_names_the_field_and_saves_nothing(api_as, project, body, field):
    response = api_as("member").post(f"{BASE}/", body, format="json")
    if field is None:  # status is read-only: ignored, the requirement starts as a draft
        assert response.json()["status"] == "draft"
        return
    assert response.status_code == 400
    assert field in response.json()["errors"], response.json()
    assert not Requirement.objects.exists()


@pytest.mark.parametrize("blank", ["", "  ", None])
def test_blank_parent_and_owner_mean_none(api_as, make_requirement, blank):
    """"parent": "" reached the model as a string (500): blank names nobody, on create and on update."""
    api = api_as("member")
    response = api.post(f"{BASE}/", {"title": "x", "parent": blank, "owner": blank}, format="json")
    assert response.status_code == 201, response.content
    assert (response.json()["parent"], response.json()["owner"]) == (None, None)
    child = make_requirement(parent=Requirement.objects.get(number=1), owner=None)
    response = api.patch(f"{BASE}/REQ-{child.number}/", {"parent": blank, "owner": blank}, format="json")
    assert response.status_code == 200 and response.json()["parent"] is None


def test_update_refuses_a_cycle(api_as, make_requirement):
    top = make_requirement()
    make_requirement(parent=top)
    response = api_as("member").patch(f"{BASE}/REQ-1/", {"parent": "REQ-2"}, format="json")
    assert response.status_code == 400 and "cycle" in response.json()["errors"]["parent"][0]


def test_transition_endpoint(api_as, req1):
    response = api_as("member").post(f"{BASE}/REQ-1/transition/", {"to": "approved"}, format="json")
    assert response.status_code == 403
    response = api_as("member").post(f"{BASE}/REQ-1/transition/", {"to": "verified"}, format="json")
    assert response.status_code == 400 and "from in_review to verified" in response.json()["errors"]["to"][0]
    response = api_as("maintainer").post(
        f"{BASE}/REQ-1/transition/", {"to": "approved", "comment": "ok"}, format="json"
    )
    assert response.status_code == 200 and response.json()["status"] == "approved"
    history = api_as("viewer").get(f"{BASE}/REQ-1/transitions/").json()["results"]
    assert history[0] == {**history[0], "from_status": "in_review", "to_status": "approved", "actor": "maintainer"}


def test_criteria_reorder_and_revisions_diff(api_as, req1):
    api = api_as("member")
    second = api.post(f"{BASE}/REQ-1/criteria/", {"text": "Given no card, then refuse"}, format="json").json()
    api.patch(f"{BASE}/REQ-1/criteria/{second['id']}/", {"position": 0}, format="json")
    texts = [c["text"] for c in api.get(f"{BASE}/REQ-1/criteria/").json()["results"]]
    assert texts == ["Given no card, then refuse", "Given a card, then pay"]
    assert api.post(f"{BASE}/REQ-1/criteria/", {"text": "a\nb"}, format="json").status_code == 400
    revisions = api.get(f"{BASE}/REQ-1/revisions/").json()["results"]
    assert [r["number"] for r in revisions] == [3, 2, 1]
    diff = api.get(f"{BASE}/REQ-1/revisions/diff/?a=1&b=3").json()["diff"]
    assert "+1. Given no card, then refuse" in diff
    assert api.get(f"{BASE}/REQ-1/revisions/diff/?a=1&b=9").status_code == 404
    assert api.get(f"{BASE}/REQ-1/revisions/diff/?a=x").status_code == 400


def test_comments_are_sanitised(api_as, req1):
    api_as("member").post(f"{BASE}/REQ-1/comments/", {"body": "<script>alert(1)</script>**ok**"}, format="json")
    comment = api_as("viewer").get(f"{BASE}/REQ-1/comments/").json()["results"][0]
    assert comment["author"] == "member" and "<script" not in comment["body_html"]


def test_filters_match_the_ui(api_as, make_requirement, walk, users):
    walk(make_requirement(title="Card payments", labels=["pay"], owner=users["member"]), "in_review")
    make_requirement(title="Latency", type="non_functional", category="performance", priority="must")
    api = api_as("viewer")

    def keys(query):
        return [r["key"] for r in api.get(f"{BASE}/?{query}").json()["results"]]

    assert keys("status=in_review") == ["REQ-1"]
    assert keys("category=performance") == ["REQ-2"]
    assert keys("label=PAY") == ["REQ-1"] and keys("owner=member") == ["REQ-1"]
    assert keys("q=latency") == ["REQ-2"] and keys("q=REQ-2") == ["REQ-2"]
    assert keys("ordering=-key") == ["REQ-2", "REQ-1"] and keys("ordering=priority") == ["REQ-2", "REQ-1"]
    assert keys("parent=none") == ["REQ-1", "REQ-2"]


def test_list_endpoint_query_count(api_as, project, users, django_assert_max_num_queries):
    parent = services.requirement_create(project=project, actor=users["owner"], title="Root", labels=["a"])
    rows = [Requirement(project=project, number=n, title=f"R{n}", owner=users["member"], parent=parent)
            for n in range(2, 502)]  # fmt: skip
    Requirement.objects.bulk_create(rows)
    through = Requirement.labels.through
    label = parent.labels.get()
    through.objects.bulk_create(
        [through(requirement_id=r.pk, label_id=label.pk) for r in Requirement.objects.all()[1:]]
    )
    api = api_as("viewer")
    response = assert_queries(7, lambda: api.get(f"{BASE}/?page_size=500"), "api list")
    assert response.status_code == 200 and len(response.json()["results"]) == 500


@pytest.mark.parametrize("body", [{"file": "title\nA text field\n"}, {"file": "x", "other": "y"}])
def test_import_file_that_is_not_a_file_is_400(api_as, project, body):
    """A multipart "file" sent as a text field was read as a file (500)."""
    response = api_as("owner").post(f"{BASE}/import/?dry_run=1", body, format="multipart")
    assert response.status_code == 400, response.content
    assert "must be a file" in response.json()["errors"]["file"][0]
