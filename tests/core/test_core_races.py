"""Concurrent writes with real transactions on PostgreSQL: each succeeds or gets a clean 409/400,
never a 500, and nothing is numbered twice or left without an owner.

Each thread is one client with its own database connection; a barrier lines them up so they
really collide. SQLite serialises whole-database writes, so these run on PostgreSQL only (CI).
"""

import threading

import pytest
from django.db import connection, connections

from apps.projects.models import Membership
from apps.requirements import services as requirement_services
from apps.requirements.models import AcceptanceCriterion, Label, Requirement, RequirementRevision

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(connection.vendor != "postgresql", reason="real concurrent transactions need PostgreSQL"),
]


def race(calls: list) -> list:
    """Run the callables at the same moment in threads; their results (or exceptions), in order."""
    barrier = threading.Barrier(len(calls))
    results = [None] * len(calls)

    def run(index, call):
        try:
            barrier.wait()
            results[index] = call()
        except Exception as exc:  # a test failure must show, not hang the barrier
            results[index] = exc
        finally:
            connections.close_all()

    threads = [threading.Thread(target=run, args=(i, call)) for i, call in enumerate(calls)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    return results


def statuses(responses) -> list[int]:
    assert not any(isinstance(r, Exception) for r in responses), responses
    return sorted(r.status_code for r in responses)


def test_sixteen_concurrent_patches_of_one_requirement(api_as, project, users):
    requirement = requirement_services.requirement_create(project=project, actor=users["owner"], title="Refunds")
    clients = [api_as("member") for _ in range(16)]
    url = f"/api/v1/projects/{project.slug}/requirements/{requirement.key}/"
    results = race([lambda c=c, n=n: c.patch(url, {"title": f"Refunds, take {n}"}, format="json")
                    for n, c in enumerate(clients)])  # fmt: skip
    codes = statuses(results)
    assert set(codes) <= {200, 409} and codes.count(200) >= 1, codes
    numbers = sorted(RequirementRevision.objects.filter(requirement=requirement).values_list("number", flat=True))
    assert numbers == list(range(1, len(numbers) + 1)) and len(numbers) == 1 + codes.count(200)
    requirement.refresh_from_db()
    assert requirement.revision == numbers[-1]


def test_two_last_owners_leaving_at_once_leave_one_owner(api_as, project, users):
    Membership.objects.filter(project=project, user=users["maintainer"]).update(role="owner")
    owner, second = api_as("owner"), api_as("maintainer")
    base = f"/api/v1/projects/{project.slug}/members/"
    results = race([lambda: owner.delete(base + "owner/"), lambda: second.delete(base + "maintainer/")])
    assert statuses(results) == [204, 400]
    assert Membership.objects.filter(project=project, role="owner").count() == 1


def test_two_owners_demoting_each_other_at_once_leave_one_owner(api_as, project, users):
    Membership.objects.filter(project=project, user=users["maintainer"]).update(role="owner")
    owner, second = api_as("owner"), api_as("maintainer")
    base = f"/api/v1/projects/{project.slug}/members/"
    results = race([lambda: owner.patch(base + "maintainer/", {"role": "member"}, format="json"),
                    lambda: second.patch(base + "owner/", {"role": "member"}, format="json")])  # fmt: skip
    # The loser is refused either as the last owner (400) or, once demoted, as a member (403).
    assert statuses(results) in ([200, 400], [200, 403])
    assert Membership.objects.filter(project=project, role="owner").count() == 1


def test_concurrent_creates_of_one_name_make_one_row_and_clear_errors(api_as, project):
    clients = [api_as("member") for _ in range(8)]
    url = f"/api/v1/projects/{project.slug}/requirements/labels/"
    results = race([lambda c=c: c.post(url, {"name": "security"}, format="json") for c in clients])
    codes = statuses(results)
    assert codes.count(201) == 1 and set(codes) <= {201, 400, 409}, codes
    refused = [r.json() for r in results if r.status_code == 400]
    assert all("already has a label" in body["errors"]["name"][0] for body in refused)
    assert Label.objects.filter(project=project, name="security").count() == 1


def test_concurrent_first_requirements_get_distinct_keys(api_as, project):
    clients = [api_as("member") for _ in range(10)]
    url = f"/api/v1/projects/{project.slug}/requirements/"
    results = race([lambda c=c, n=n: c.post(url, {"title": f"R{n}"}, format="json") for n, c in enumerate(clients)])
    assert statuses(results) == [201] * 10
    assert sorted(Requirement.objects.filter(project=project).values_list("number", flat=True)) == list(range(1, 11))


def test_concurrent_criteria_get_distinct_positions(api_as, project, users):
    requirement = requirement_services.requirement_create(project=project, actor=users["owner"], title="Refunds")
    clients = [api_as("member") for _ in range(8)]
    url = f"/api/v1/projects/{project.slug}/requirements/{requirement.key}/criteria/"
    results = race([lambda c=c, n=n: c.post(url, {"text": f"Given {n}, then ok"}, format="json")
                    for n, c in enumerate(clients)])  # fmt: skip
    assert statuses(results) == [201] * 8
    positions = sorted(AcceptanceCriterion.objects.filter(requirement=requirement).values_list("position", flat=True))
    assert positions == list(range(8))


def test_an_edit_racing_a_delete_is_a_clean_409_or_404(api_as, project, users):
    requirement = requirement_services.requirement_create(project=project, actor=users["owner"], title="Refunds")
    member, maintainer = api_as("member"), api_as("maintainer")
    url = f"/api/v1/projects/{project.slug}/requirements/{requirement.key}/"
    results = race([lambda: member.patch(url, {"title": "Refund it"}, format="json"), lambda: maintainer.delete(url)])
    codes = statuses(results)
    assert 204 in codes and set(codes) <= {200, 204, 404, 409}, codes
