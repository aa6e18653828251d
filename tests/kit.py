"""The test kit: one base class gives any model served by core's kit (apps.core.kit) its tests.

    class TestLabelKit(KitTests):
        model = Label
        create_data = {"name": "security"}         # a valid create (the form and the API)
        update_data = {"name": "privacy"}          # a valid edit
        queries = {"list": 9, "detail": 9, "api-list": 5, "api-detail": 5}   # exact, per view

        def make(self, project, users, number):    # one saved row, made through the kit's service
            return kit_for(Label).create(project=project, actor=users["owner"], values={"name": f"l{number}"})

gives: every page tried by every role (outsider 404, anonymous to log in, viewer reads only,
member creates and edits, maintainer deletes — on GET as well as POST); refused writes, through
the pages and the API, change nothing (rows, the object, the change log); allowed writes land in
the change log once, with the door they came through; API CRUD; the model's ``full_clean`` runs
once per write; and the exact number of queries of each list and detail view, the same with a
few rows as with many (an N+1 would show as a difference, and a new query as a changed pin).
"""

import time

import pytest
from django.contrib.contenttypes.models import ContentType
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls.converters import get_converters

from apps.core.kit import kit_for
from apps.core.models import ObjectChange
from apps.core.permissions import RANK, Role

# Every role of a project, most powerful first, and someone outside it: the one list tests use.
ROLES = [*sorted(Role.values, key=lambda role: -RANK[role]), "outsider"]


def expected_status(role: str, minimum: str, success: int) -> int:
    """What the README promises a role gets for an action needing ``minimum``: outsiders 404 (they
    can't learn the project exists), roles below the minimum 403, the rest ``success``."""
    if role == "outsider":
        return 404
    return success if RANK[Role(role)] >= RANK[Role(minimum)] else 403


PAGE_MINIMUM = {"list": "viewer", "detail": "viewer", "create": "member", "update": "member", "delete": "maintainer"}


def wait_for(condition, timeout: float = 20.0) -> bool:
    """Poll ``condition`` until it holds or ``timeout`` seconds pass (work done by another process)."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(0.2)
    return False


def count_queries(fetch) -> tuple[int, object]:
    with CaptureQueriesContext(connection) as context:
        response = fetch()
    return len(context.captured_queries), response


def pinned(expected: int | dict) -> int:
    """A stored query count: one number, or {"postgresql": n, "sqlite": m} where the engines' SQL
    paths differ (e.g. the flaky window)."""
    return expected if isinstance(expected, int) else expected[connection.vendor]


def assert_queries(expected: int | dict, fetch, label: str = ""):
    """Exactly ``expected`` queries (not "at most": a doubled count must fail, and so must a halved one
    until the pin is lowered)."""
    count, response = count_queries(fetch)
    assert count == pinned(expected), f"{label}: {count} queries; the pinned expectation is {pinned(expected)}"
    return response


class KitTests:
    """Mix into a ``Test…`` class; set ``model``, the data and ``queries``; implement ``make``."""

    model = None
    create_data: dict = {}  # form fields of a valid create
    update_data: dict = {}  # form fields of a valid edit
    api_create_data: dict | None = None  # default: create_data
    api_update_data: dict | None = None  # default: update_data
    api_format = "json"
    api_create_status = 201
    queries: dict[str, int] = {}  # exact queries of "list", "detail", "api-list", "api-detail"
    few, many = 2, 7  # rows for the query counts

    def make(self, project, users, number: int):
        raise NotImplementedError

    # ---- helpers -------------------------------------------------------------------------------

    @property
    def kit(self):
        return kit_for(self.model)

    def page_url(self, page, project, obj=None) -> str:
        return self.kit.url(page, obj, project=project)

    def api_url(self, project, obj=None) -> str:
        base = f"/api/v1/projects/{project.slug}/{self.kit.api_path}/"
        if obj is None:
            return base
        value = getattr(obj, self.kit.lookup_field)
        return base + self.kit_lookup_text(value) + "/"

    def kit_lookup_text(self, value) -> str:
        return get_converters()[self.kit.lookup_converter].to_url(value)

    def state(self) -> tuple:
        """Everything a refused write must leave as it was: the rows, the object, the change log."""
        rows = sorted(map(repr, self.model.objects.values()))
        return rows, ObjectChange.objects.count()

    def changes_of(self, obj):
        content_type = ContentType.objects.get_for_model(self.model)
        return ObjectChange.objects.filter(content_type=content_type, object_id=str(obj.pk))

    def standard_pages(self) -> list[str]:
        return [page for page in PAGE_MINIMUM if self.kit.has_page(page)]

    @pytest.fixture
    def obj(self, project, users):
        return self.make(project, users, 0)

    # ---- pages ---------------------------------------------------------------------------------

    @pytest.mark.parametrize("role", ROLES)
    def test_every_page_by_role(self, client_as, project, obj, role):
        client = client_as(role)
        for page in self.standard_pages():
            url = self.page_url(page, project, None if page in ("list", "create") else obj)
            status = client.get(url).status_code
            assert status == expected_status(role, PAGE_MINIMUM[page], 200), (page, role, status)

    def test_anonymous_is_sent_to_log_in(self, client, project, obj):
        for page in self.standard_pages():
            url = self.page_url(page, project, None if page in ("list", "create") else obj)
            response = client.get(url)
            assert response.status_code == 302 and "/accounts/login/" in response["Location"], page

    @pytest.mark.parametrize("role", ["viewer", "member"])
    def test_refused_page_writes_change_nothing(self, client_as, project, obj, role):
        client = client_as(role)
        posts = {"create": self.create_data, "update": self.update_data, "delete": {}}
        for page, data in posts.items():
            if not self.kit.has_page(page) or expected_status(role, PAGE_MINIMUM[page], 200) == 200:
                continue
            before = self.state()
            url = self.page_url(page, project, None if page == "create" else obj)
            assert client.post(url, data).status_code == 403, page
            assert self.state() == before, f"a refused {page} by a {role} changed something"

    def test_member_creates_and_edits_maintainer_deletes(self, client_as, project, obj):
        if self.kit.has_page("create"):
            before = self.model.objects.count()
            response = client_as("member").post(self.page_url("create", project), self.create_data)
            assert response.status_code == 302, response.content[:3000]
            assert self.model.objects.count() == before + 1
            created = self.model.objects.order_by("-pk").first()
            assert list(self.changes_of(created).values_list("action", "via")) == [("create", "ui")]
        if self.kit.has_page("update"):
            response = client_as("member").post(self.page_url("update", project, obj), self.update_data)
            assert response.status_code == 302, response.content[:3000]
            assert self.changes_of(obj).filter(action="update", via="ui").count() == 1
        if self.kit.has_page("delete"):
            pk = obj.pk
            response = client_as("maintainer").post(self.page_url("delete", project, obj))
            assert response.status_code == 302 and not self.model.objects.filter(pk=pk).exists()
            assert self.changes_of(obj).filter(action="delete", via="ui").count() == 1

    # ---- API -----------------------------------------------------------------------------------

    def _has_api(self, action: str) -> bool:
        return self.kit.api and hasattr(self.kit.viewset, action)

    def test_api_reads_by_role(self, api_as, client, project, obj):
        if not self.kit.api:
            pytest.skip("no API")
        for role in ROLES:
            api = api_as(role)
            for url in (self.api_url(project), self.api_url(project, obj)):
                assert api.get(url).status_code == expected_status(role, "viewer", 200), (role, url)
        assert client.get(self.api_url(project)).status_code == 401  # the README: 401 without a token

    def test_api_writes_by_role_and_change_log(self, api_as, project, obj):
        create = self.api_create_data if self.api_create_data is not None else self.create_data
        update = self.api_update_data if self.api_update_data is not None else self.update_data
        viewer, member, maintainer = api_as("viewer"), api_as("member"), api_as("maintainer")
        if self._has_api("create"):
            before = self.state()
            assert viewer.post(self.api_url(project), create, format=self.api_format).status_code == 403
            assert self.state() == before
            response = member.post(self.api_url(project), create, format=self.api_format)
            assert response.status_code == self.api_create_status, response.content[:2000]
            created = self.model.objects.order_by("-pk").first()
            assert self.changes_of(created).filter(via="api").count() >= 1
        if self._has_api("partial_update"):
            before = self.state()
            assert viewer.patch(self.api_url(project, obj), update, format="json").status_code == 403
            assert self.state() == before
            response = member.patch(self.api_url(project, obj), update, format="json")
            assert response.status_code == 200, response.content[:2000]
            assert self.changes_of(obj).filter(action="update", via="api").count() == 1
        if self._has_api("destroy"):
            for client in (viewer, member):
                before = self.state()
                assert client.delete(self.api_url(project, obj)).status_code == 403
                assert self.state() == before
            assert maintainer.delete(self.api_url(project, obj)).status_code == 204
            assert not self.model.objects.filter(pk=obj.pk).exists()
            assert self.changes_of(obj).filter(action="delete", via="api").count() == 1

    # ---- validation once, and query counts ------------------------------------------------------

    def test_model_is_validated_once_per_write(self, client_as, api_as, project, obj, monkeypatch):
        calls = []
        original = self.model.full_clean

        def counting(instance, *args, **kwargs):
            calls.append(instance)
            return original(instance, *args, **kwargs)

        monkeypatch.setattr(self.model, "full_clean", counting)
        doors = []
        if self.kit.has_page("create"):
            doors.append(lambda: client_as("member").post(self.page_url("create", project), self.create_data))
        if self.kit.has_page("update"):
            doors.append(lambda: client_as("member").post(self.page_url("update", project, obj), self.update_data))
        if self._has_api("partial_update"):
            update = self.api_update_data if self.api_update_data is not None else self.update_data
            doors.append(lambda: api_as("member").patch(self.api_url(project, obj), update, format="json"))
        for door in doors:
            calls.clear()
            assert door().status_code in (200, 302)
            assert len(calls) == 1, f"full_clean ran {len(calls)} times for one write"

    def _views(self, project, obj) -> dict:
        views = {}
        if self.kit.has_page("list"):
            views["list"] = ("ui", self.page_url("list", project))
        if self.kit.has_page("detail"):
            views["detail"] = ("ui", self.page_url("detail", project, obj))
        if self.kit.api:
            views["api-list"] = ("api", self.api_url(project) + "?page_size=100")
            views["api-detail"] = ("api", self.api_url(project, obj))
        return views

    @pytest.mark.parametrize("view", ["list", "detail", "api-list", "api-detail"])
    def test_query_count_is_pinned(self, client_as, api_as, project, users, obj, view):
        if view not in self._views(project, obj):
            pytest.skip(f"no {view} view")
        kind, url = self._views(project, obj)[view]
        client = client_as("viewer") if kind == "ui" else api_as("viewer")
        for number in range(1, self.few):
            self.make(project, users, number)
        client.get(url)  # warm up: first-request work (token stamp, content types) is not per row
        few, response = count_queries(lambda: client.get(url))
        assert response.status_code == 200
        for number in range(self.few, self.many):
            self.make(project, users, number)
        many, _ = count_queries(lambda: client.get(url))
        assert many == few, f"{view}: {few} queries with {self.few} rows, {many} with {self.many} (an N+1?)"
        assert few == pinned(self.queries[view]), f"{view}: {few} queries; the pin is {pinned(self.queries[view])}"
