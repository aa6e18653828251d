"""Requirement pages: role matrix, forms, bulk actions, import flow, query counts, overview card."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from apps.requirements import services
from apps.requirements.models import Requirement
from tests.kit import ROLES, assert_queries, expected_status

URL = "/projects/payments-api/requirements"

# (method, path, data, minimum role, success status). REQ-1 is in review, with criterion {cid}.
PAGES = [
    ("get", "/", None, "viewer", 200),
    ("get", "/?status=in_review&ordering=-priority&q=card", None, "viewer", 200),
    ("get", "/tree/", None, "viewer", 200),
    ("get", "/new/", None, "member", 200),
    ("post", "/new/", {"title": "New one", "type": "functional", "priority": "must"}, "member", 302),
    ("get", "/REQ-1/", None, "viewer", 200),
    ("get", "/REQ-1/edit/", None, "member", 200),
    ("post", "/REQ-1/edit/", {"title": "Edited", "type": "functional", "priority": "could"}, "member", 302),
    ("get", "/REQ-1/delete/", None, "maintainer", 200),
    ("post", "/REQ-1/delete/", {}, "maintainer", 302),
    ("post", "/REQ-1/transition/", {"to": "draft"}, "member", 302),
    ("post", "/REQ-1/comments/", {"body": "hi"}, "member", 302),
    ("get", "/REQ-1/revisions/diff/?a=1&b=1", None, "viewer", 200),
    ("post", "/REQ-1/criteria/", {"text": "Given x, then y"}, "member", 302),
    ("post", "/REQ-1/criteria/{cid}/", {"text": "Given z, then y", "met": "on"}, "member", 302),
    ("post", "/REQ-1/criteria/{cid}/move/", {"direction": "down"}, "member", 302),
    ("post", "/REQ-1/criteria/{cid}/delete/", {}, "member", 302),
    ("post", "/bulk/", {"numbers": ["1"], "action": "label_add", "label": "x"}, "member", 302),
    ("get", "/export/?format=csv", None, "viewer", 200),
    ("get", "/import/", None, "maintainer", 200),
]  # fmt: skip


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize(("method", "path", "data", "minimum", "success"), PAGES)
def test_role_matrix(client_as, req1, role, method, path, data, minimum, success):
    client = client_as(role)
    url = URL + path.format(cid=req1.criteria.get().pk)
    response = client.get(url) if method == "get" else client.post(url, data)
    assert response.status_code == expected_status(role, minimum, success), response.content[:2000]


def test_anonymous_is_sent_to_log_in(client, req1):
    assert client.get(f"{URL}/").status_code == 302


def test_detail_shows_only_the_moves_the_role_may_make(client_as, req1):
    member_page = client_as("member").get(f"{URL}/REQ-1/").content.decode()
    assert 'value="draft"' in member_page and 'value="approved"' not in member_page
    maintainer_page = client_as("maintainer").get(f"{URL}/REQ-1/").content.decode()
    assert 'value="approved"' in maintainer_page and 'value="rejected"' in maintainer_page
    assert 'value="draft"' not in client_as("viewer").get(f"{URL}/REQ-1/").content.decode()


def test_create_form_reports_bad_input_by_field(client_as, project, make_requirement):
    make_requirement()
    client = client_as("member")
    response = client.post(f"{URL}/new/", {"title": "", "type": "non_functional", "priority": "must",
                                           "parent": "REQ-9"})  # fmt: skip
    errors = response.context["form"].errors
    assert set(errors) >= {"title", "parent"}
    response = client.post(f"{URL}/new/", {"title": "X", "type": "non_functional", "priority": "must"})
    assert "category" in response.context["form"].errors
    assert Requirement.objects.count() == 1


def test_edit_refuses_a_cycle(client_as, make_requirement):
    top = make_requirement()
    make_requirement(parent=top)
    response = client_as("member").post(f"{URL}/REQ-1/edit/", {"title": "T", "type": "functional", "priority": "must",
                                                               "parent": "REQ-2"})  # fmt: skip
    assert "cycle" in str(response.context["form"].errors["parent"])


def test_create_with_labels_owner_and_parent(client_as, make_requirement, users):
    make_requirement()
    response = client_as("member").post(f"{URL}/new/", {
        "title": "Child", "type": "functional", "priority": "must", "owner": users["viewer"].pk,
        "parent": "req-1", "labels": "api; security", "description": "<script>alert(1)</script>*hi*",
    })  # fmt: skip
    assert response.status_code == 302 and response["Location"].endswith("/REQ-2/")
    child = Requirement.objects.get(number=2)
    assert child.parent.number == 1 and child.owner == users["viewer"]
    assert sorted(child.labels.values_list("name", flat=True)) == ["api", "security"]
    page = client_as("viewer").get(f"{URL}/REQ-2/").content.decode()
    assert "<script>alert(1)</script>" not in page and "<em>hi</em>" in page


def test_illegal_transition_shows_a_message(client_as, req1):
    response = client_as("owner").post(f"{URL}/REQ-1/transition/", {"to": "verified"}, follow=True)
    assert "from in_review to verified" in response.content.decode()
    req1.refresh_from_db()
    assert req1.status == "in_review"


def test_bulk_status_and_labels(client_as, make_requirement, walk):
    walk(make_requirement(), "in_review")
    walk(make_requirement(), "in_review")
    make_requirement()
    client = client_as("maintainer")
    response = client.post(f"{URL}/bulk/", {"numbers": ["1", "2", "3"], "action": "status", "to": "approved"},
                           follow=True)  # fmt: skip
    assert "Nothing changed" in response.content.decode() and "REQ-3" in response.content.decode()
    assert not Requirement.objects.filter(status="approved").exists()
    client.post(f"{URL}/bulk/", {"numbers": ["1", "2"], "action": "status", "to": "approved", "next": "/evil.example"})
    assert Requirement.objects.filter(status="approved").count() == 2
    client.post(f"{URL}/bulk/", {"numbers": ["1", "3"], "action": "label_add", "label": "urgent"})
    assert Requirement.objects.filter(labels__name="urgent").count() == 2
    client.post(f"{URL}/bulk/", {"numbers": ["1"], "action": "label_remove", "label": "urgent"})
    assert list(Requirement.objects.filter(labels__name="urgent").values_list("number", flat=True)) == [3]
    response = client.post(f"{URL}/bulk/", {"action": "status", "to": "approved"}, follow=True)
    assert "Tick at least one" in response.content.decode()


def test_member_bulk_approve_is_refused(client_as, make_requirement, walk):
    walk(make_requirement(), "in_review")
    response = client_as("member").post(f"{URL}/bulk/", {"numbers": ["1"], "action": "status", "to": "approved"},
                                        follow=True)  # fmt: skip
    assert "higher role" in response.content.decode()
    assert Requirement.objects.get().status == "in_review"


def test_criteria_editing_from_the_page(client_as, req1):
    client = client_as("member")
    client.post(f"{URL}/REQ-1/criteria/", {"text": "Given no card, then refuse"})
    second = req1.criteria.get(text="Given no card, then refuse")
    client.post(f"{URL}/REQ-1/criteria/{second.pk}/move/", {"direction": "up"})
    assert list(req1.criteria.values_list("text", flat=True)) == [
        "Given no card, then refuse",
        "Given a card, then pay",
    ]
    response = client.post(f"{URL}/REQ-1/criteria/", {"text": ""}, follow=True)
    assert "Criterion: This field is required." in response.content.decode()
    req1.refresh_from_db()
    assert req1.revision == 3
    page = client.get(f"{URL}/REQ-1/revisions/diff/?a=1&b=3").content.decode()
    assert "+1. Given no card, then refuse" in page


def test_import_page_flow(client_as, project):
    client = client_as("maintainer")
    bad = SimpleUploadedFile("r.csv", b"title,owner\nX,ghost\n")
    response = client.post(f"{URL}/import/", {"file": bad})
    assert "No member of this project is called" in response.content.decode() and not response.context["token"]
    good = SimpleUploadedFile("r.csv", "\ufefftitle,priority\nCafé,must\n".encode())
    response = client.post(f"{URL}/import/", {"file": good})
    assert response.context["report"].created == 1 and not Requirement.objects.exists()
    response = client.post(f"{URL}/import/", {"token": response.context["token"]})
    assert response.status_code == 302 and Requirement.objects.get().title == "Café"
    response = client.post(f"{URL}/import/", {"token": "expired"}, follow=True)
    assert "expired" in response.content.decode()
    junk = SimpleUploadedFile("r.csv", b"\x00\x01\x02binary")
    assert "binary" in client.post(f"{URL}/import/", {"file": junk}).content.decode()


def test_export_uses_the_list_filters(client_as, make_requirement):
    make_requirement(title="Pay")
    make_requirement(title="Refund")
    body = client_as("viewer").get(f"{URL}/export/?q=refund&format=csv").content.decode("utf-8-sig")
    assert "Refund" in body and "Pay" not in body
    assert client_as("viewer").get(f"{URL}/export/?format=json")["Content-Type"] == "application/json"


def test_list_page_query_count(client_as, project, users, django_assert_max_num_queries):
    root = services.requirement_create(project=project, actor=users["owner"], title="Root", labels=["a"])
    Requirement.objects.bulk_create([Requirement(project=project, number=n, title=f"R{n}", owner=users["member"],
                                                 parent=root) for n in range(2, 502)])  # fmt: skip
    through = Requirement.labels.through
    through.objects.bulk_create([through(requirement_id=r.pk, label_id=root.labels.get().pk)
                                 for r in Requirement.objects.exclude(pk=root.pk)])  # fmt: skip
    client = client_as("viewer")
    client.get(f"{URL}/")  # warm up the content-type cache
    response = assert_queries(7, lambda: client.get(f"{URL}/?ordering=priority"), "list")
    assert response.status_code == 200 and len(response.context["object_list"]) == 50
    assert assert_queries(5, lambda: client.get(f"{URL}/tree/"), "tree").status_code == 200
    assert assert_queries(16, lambda: client.get(f"{URL}/REQ-1/"), "detail").status_code == 200


def test_empty_states(client_as, project):
    page = client_as("member").get(f"{URL}/").content.decode()
    assert "No requirements yet" in page and "Write the first requirement" in page
    assert "No requirements match" in client_as("member").get(f"{URL}/?q=zzz").content.decode()


def test_overview_card(client_as, make_requirement, walk):
    page = client_as("viewer").get("/projects/payments-api/").content.decode()
    assert "No requirements yet" in page
    walk(make_requirement(), "in_review", "approved")
    make_requirement()
    response = client_as("viewer").get("/projects/payments-api/")
    card = next(c for c in response.context["cards"] if c["key"] == "requirements")
    assert ("Total", 2) in card["stats"] and ("Approved", 1) in card["stats"] and card["bar"]["value"] == 50


def test_seed_is_idempotent(project, users):
    from apps.requirements.seed import seed_requirements

    seed_requirements(project=project, user=users["owner"])
    seed_requirements(project=project, user=users["owner"])
    assert Requirement.objects.count() == 8
    assert Requirement.objects.filter(parent__isnull=False).count() == 3
    assert Requirement.objects.get(number=7).status == "verified"


def test_edit_form_shows_labels_and_parent_as_text(client_as, make_requirement):
    top = make_requirement()
    make_requirement(parent=top, labels=["b", "a"])
    form = client_as("member").get(f"{URL}/REQ-2/edit/").context["form"]
    assert (form["labels"].value(), form["parent"].value()) == ("a, b", "REQ-1")
    assert client_as("member").get(f"{URL}/new/").context["form"]["labels"].value() == ""
