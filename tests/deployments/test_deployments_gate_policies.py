"""Gate policies through their doors (pages and API by role, change log, query pins), the default gate a
new production environment starts with — whether a report names it first or a person adds it — and the
stored evaluation shown on the deployment of that commit that follows."""

import pytest

from apps.core.kit import kit_for
from apps.deployments import services
from apps.deployments.models import Environment, GatePolicy
from tests.kit import KitTests

pytestmark = pytest.mark.django_db

SHA = "c" * 40


class TestGatePolicyKit(KitTests):
    model = GatePolicy
    queries = {"list": 6, "detail": 6, "api-list": 4, "api-detail": 3}

    @pytest.fixture(autouse=True)
    def _environments(self, project, users):
        for slug in ("qa", "qa-2", "canary"):
            Environment.objects.create(project=project, slug=slug, name=slug.upper(), tier="testing")

    @property
    def create_data(self):
        return {"environment": Environment.objects.get(slug="qa").pk, "tests_pass": "on", "incident_freeze": "on"}

    @property
    def update_data(self):
        return {"environment": Environment.objects.get(slug="qa-2").pk, "requirement_coverage": 80}

    api_create_data = {"environment": "canary", "no_lint_errors": True, "requirement_coverage": 90}
    api_update_data = {"no_new_failures": True}

    def make(self, project, users, number):
        environment = Environment.objects.create(project=project, slug=f"env-{number}", name=f"Env {number}")
        return kit_for(GatePolicy).create(project=project, actor=users["owner"], values={"environment": environment})


def test_a_new_production_environment_starts_with_the_default_gate(project, users):
    services.deployment_report(project=project, actor=users["owner"], values={"environment": "prod-eu",
                                                                            "commit": SHA})  # fmt: skip
    services.deployment_report(project=project, actor=users["owner"], values={"environment": "staging",
                                                                            "commit": SHA})  # fmt: skip
    policy = GatePolicy.objects.get()
    assert policy.environment.slug == "prod-eu"
    assert (policy.tests_pass, policy.no_breaking_contracts, policy.incident_freeze) == (True, True, True)
    assert (policy.no_new_failures, policy.no_lint_errors, policy.requirement_coverage) == (False, False, None)
    staging = Environment.objects.get(slug="staging")
    kit_for(Environment).update(instance=staging, actor=users["owner"], values={"tier": "production"})
    assert GatePolicy.objects.filter(environment=staging).exists()  # made production: gets the default
    added = kit_for(Environment).create(project=project, actor=users["owner"], values={
        "slug": "prod-us", "name": "Prod US", "tier": "production"})  # fmt: skip
    assert GatePolicy.objects.filter(environment=added).exists()


def test_a_coverage_above_100_percent_is_refused(api_as, project):
    Environment.objects.create(project=project, slug="qa", name="QA", tier="testing")
    answer = api_as("member").post("/api/v1/projects/payments-api/gates/policies/",
                                   {"environment": "qa", "requirement_coverage": 150}, format="json")  # fmt: skip
    assert answer.status_code == 400 and "requirement_coverage" in answer.json()["errors"]
    assert not GatePolicy.objects.exists()


def test_the_deployment_that_follows_shows_the_gate_answer(api_as, client_as, project, users):
    services.deployment_report(project=project, actor=users["owner"], values={"environment": "production",
                                                                            "commit": "a" * 40})  # fmt: skip
    api = api_as("member")
    asked = api.post("/api/v1/projects/payments-api/gates/check/", {"environment": "production", "commit": SHA},
                     format="json")  # fmt: skip
    assert asked.status_code == 200 and asked.json()["pass"] is False
    deployed = api.post("/api/v1/projects/payments-api/deployments/", {"environment": "production", "commit": SHA},
                        format="json").json()  # fmt: skip
    page = client_as("viewer").get(f"/projects/payments-api/deployments/{deployed['id']}/").content.decode()
    assert "gate failed" in page and "No test runs" in page
    environment_page = client_as("viewer").get("/projects/payments-api/deployments/environments/production/")
    assert "failed" in environment_page.content.decode()
