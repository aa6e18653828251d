"""No N+1: list pages and endpoints run a fixed number of queries, however many rows they show.

Each case is measured with a few rows and with many; the counts must be equal, and equal to the
pinned number: an N+1 shows as a difference, a new query as a changed pin.
"""

from datetime import timedelta

import pytest
from django.contrib.auth import get_user_model
from django.contrib.contenttypes.models import ContentType
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from apps.accounts.models import ApiToken
from apps.core.models import ObjectChange
from apps.core.permissions import Role
from apps.projects.models import Membership, Project


def add_projects(user, n):
    projects = Project.objects.bulk_create(
        Project(name=f"Project {i:03}", slug=f"project-{i:03}", description="x" * 200)
        for i in range(Project.objects.count(), Project.objects.count() + n)
    )
    Membership.objects.bulk_create(Membership(project=p, user=user, role=Role.MEMBER) for p in projects)


def add_members(project, n):
    User = get_user_model()
    start = User.objects.count()
    users = User.objects.bulk_create(
        User(username=f"person{start + i:04}", first_name="Pat", last_name=f"N{i}") for i in range(n)
    )
    Membership.objects.bulk_create(Membership(project=project, user=u, role=Role.VIEWER) for u in users)


def add_changes(project, actor, n):
    ct = ContentType.objects.get_for_model(Project)
    ObjectChange.objects.bulk_create(
        ObjectChange(actor=actor, actor_name=actor.username, project=project, content_type=ct,
                     object_id=str(project.pk), object_repr=f"change {i}", action="update",
                     before={"name": "a"}, after={"name": f"b{i}"}, via="ui")
        for i in range(n)
    )


def add_tokens(user, project, n):
    tokens = ApiToken.objects.bulk_create(
        ApiToken(user=user, name=f"t{i}", key_hash=f"{user.pk}-{i}-{n}-{timezone.now().timestamp()}",
                 key_hint="tl_x", expires_at=timezone.now() + timedelta(days=i - 2),
                 last_used_at=timezone.now() if i % 2 else None)
        for i in range(n)
    )
    for token in tokens[::3]:
        token.projects.add(project)


def count_queries(fetch) -> int:
    with CaptureQueriesContext(connection) as ctx:
        response = fetch()
    assert response.status_code == 200, response.content[:500]
    return len(ctx.captured_queries)


# Session, user, membership, nav switcher, recent activity, team, then the cards: requirements'
# counts (1), architecture's components and decisions (2), contracts and their versions (2) and an empty
# test-runs card (1), deployments' deployments, environments, open incidents and failed gates (4).
OVERVIEW_PIN = 16

CASES = {
    # name: (seed(users, project, n), url, client kind, pinned max queries, small n, large n)
    "project list page": (lambda u, p, n: add_projects(u["member"], n), "/projects/", "ui", 5, 5, 60),
    "project list api": (lambda u, p, n: add_projects(u["member"], n), "/api/v1/projects/", "api", 4, 5, 60),
    "members page": (lambda u, p, n: add_members(p, n), "/projects/payments-api/members/", "ui", 6, 5, 60),
    "members api": (lambda u, p, n: add_members(p, n), "/api/v1/projects/payments-api/members/", "api", 4,
                    5, 60),
    "activity page": (lambda u, p, n: add_changes(p, u["owner"], n), "/projects/payments-api/activity/", "ui",
                      6, 5, 300),
    "activity api": (lambda u, p, n: add_changes(p, u["owner"], n), "/api/v1/projects/payments-api/activity/",
                     "api", 4, 5, 300),
    "tokens page": (lambda u, p, n: add_tokens(u["member"], p, n), "/account/tokens/", "ui", 6, 5, 30),
    "overview page": (lambda u, p, n: (add_members(p, n), add_changes(p, u["owner"], n)),
                      "/projects/payments-api/", "ui", OVERVIEW_PIN, 5, 60),
}


@pytest.mark.parametrize("case", list(CASES))
def test_query_count_is_constant(case, client_as, api_as, users, project):
    seed, url, kind, pinned, small, large = CASES[case]
    client = client_as("member") if kind == "ui" else api_as("member")
    fetch = lambda: client.get(url)  # noqa: E731
    seed(users, project, small)
    fetch()  # warm up: first-request work (token last-used stamp, content-type cache) isn't per row
    few = count_queries(fetch)
    seed(users, project, large - small)
    many = count_queries(fetch)
    assert many == few, f"{case}: {few} queries with {small} rows but {many} with {large}"
    assert few == pinned, f"{case}: {few} queries; the pinned expectation is {pinned}"
