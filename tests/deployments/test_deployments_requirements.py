"""Lead time per requirement: a requirement reaches production with the first successful production
deployment bringing a commit whose message names its key; its page says when (and how long after
approval), and the requirements list filters by "in production / not yet"."""

from datetime import UTC, datetime, timedelta

import pytest

from apps.core.permissions import ProjectAccess, Role
from apps.deployments import services
from apps.deployments.models import RequirementDelivery
from apps.requirements import services as requirement_services
from apps.requirements.models import RequirementTransition
from tests.kit import assert_queries

pytestmark = pytest.mark.django_db

T0 = datetime(2026, 11, 20, 10, 0, tzinfo=UTC)


def deploy(project, user, *, environment, at, changes, status="success"):
    return services.deployment_report(project=project, actor=user, values={
        "environment": environment, "commit": "a" * 40, "status": status, "started_at": at - timedelta(minutes=5),
        "finished_at": at, "changes": [{"sha": sha, "message": message} for sha, message in changes]})  # fmt: skip


@pytest.fixture
def requirements(project, users):
    owner, access = users["owner"], ProjectAccess(project=project, role=Role.OWNER)
    made = [requirement_services.requirement_create(project=project, actor=owner, title=f"R{n}") for n in range(3)]
    for status in ("in_review", "approved"):
        requirement_services.requirement_transition(requirement=made[0], to=status, actor=owner, access=access)
    approval = RequirementTransition.objects.filter(requirement=made[0], to_status="approved")
    approval.update(created_at=T0 - timedelta(days=4))
    return made


def test_the_first_successful_production_deployment_naming_the_key_delivers_it(project, users, requirements):
    owner = users["owner"]
    deploy(project, owner, environment="staging", at=T0, changes=[("1" * 40, "REQ-1 staging only")])
    deploy(project, owner, environment="production", at=T0, changes=[("2" * 40, "req-2: lower case")],
           status="failure")  # fmt: skip
    assert RequirementDelivery.objects.count() == 0  # staging and a failed deployment bring nothing
    first = deploy(project, owner, environment="production", at=T0 + timedelta(hours=1),
                   changes=[("1" * 40, "REQ-1 staging only"), ("3" * 40, "Fixes REQ-2 and REQ-999")])  # fmt: skip
    deploy(project, owner, environment="production", at=T0 + timedelta(hours=2), changes=[("4" * 40, "REQ-1 again")])
    deliveries = {d.requirement.key: d for d in RequirementDelivery.objects.select_related("requirement", "change")}
    assert set(deliveries) == {"REQ-1", "REQ-2"}  # REQ-999 does not exist; REQ-3 named by nothing
    assert deliveries["REQ-1"].deployment == first and deliveries["REQ-1"].change.sha == "1" * 40
    assert deliveries["REQ-1"].delivered_at == T0 + timedelta(hours=1)  # the later deployment moves nothing
    assert deliveries["REQ-1"].lead_time == timedelta(days=4, hours=1)  # approved T0-4d, in production T0+1h
    assert deliveries["REQ-2"].lead_time is None  # never approved


def test_the_requirement_page_says_when_and_the_list_filters_by_production(client_as, project, users, requirements):
    deploy(project, users["owner"], environment="production", at=T0, changes=[("1" * 40, "REQ-1 Accept cards")])
    client = client_as("viewer")
    page = assert_queries(17, lambda: client.get("/projects/payments-api/requirements/REQ-1/"), "detail")
    text = page.content.decode()
    assert "Reached production on" in text and "2026-11-20 10:00" in text and "Lead time from approval" in text
    assert "not yet" in client.get("/projects/payments-api/requirements/REQ-2/").content.decode()
    listed = client.get("/projects/payments-api/requirements/?production=yes").content.decode()
    assert "REQ-1" in listed and "REQ-2" not in listed
    api = client.get("/api/v1/projects/payments-api/requirements/?production=no").json()
    assert sorted(r["key"] for r in api["results"]) == ["REQ-2", "REQ-3"]
