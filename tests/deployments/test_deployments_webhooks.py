"""GitHub's and GitLab's deployment webhooks (real GitHub payloads, tests/fixtures/deployments/github;
GitLab's built from its documented fields): a signed delivery records the deployment, a wrong or
missing signature is a 401 with nothing stored, a replayed delivery is ignored, statuses of one
deployment update it."""

import json
from pathlib import Path

import pytest
from rest_framework.test import APIClient

from apps.core.kit import kit_for
from apps.deployments.models import Deployment, WebhookSecret
from apps.deployments.receivers.signatures import sign_github

pytestmark = pytest.mark.django_db

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures" / "deployments" / "github"
SECRET = "0123456789abcdef0123"
URL = "/api/v1/projects/payments-api/webhooks"


@pytest.fixture
def secrets(project, users):
    for provider in ("github", "gitlab"):
        kit_for(WebhookSecret).create(project=project, actor=users["owner"],
                                      values={"provider": provider, "secret": SECRET})  # fmt: skip


def deliver(body: bytes, *, event="deployment_status", delivery="d-1", signature=None):
    headers = {"HTTP_X_GITHUB_EVENT": event, "HTTP_X_GITHUB_DELIVERY": delivery,
               "HTTP_X_HUB_SIGNATURE_256": sign_github(body, SECRET) if signature is None else signature}  # fmt: skip
    return APIClient().post(f"{URL}/github/", body, content_type="application/json", **headers)


def test_a_signed_deployment_status_records_the_deployment(secrets):
    body = (FIXTURES / "deployment_status.payload.json").read_bytes()
    response = deliver(body)
    assert response.status_code == 202, response.content
    deployment = Deployment.objects.get()
    payload = json.loads(body)
    assert deployment.commit == payload["deployment"]["sha"] and deployment.source == "github"
    assert deployment.external_id == f"github:{payload['deployment']['id']}"


@pytest.mark.parametrize("signature", ["", "sha256=" + "0" * 64, "md5=abc", "garbage"])
def test_a_wrong_or_missing_signature_stores_nothing(secrets, signature):
    body = (FIXTURES / "deployment_status.payload.json").read_bytes()
    assert deliver(body, signature=signature).status_code == 401
    assert not Deployment.objects.exists()


def test_without_a_secret_every_delivery_is_refused(project):
    body = (FIXTURES / "deployment_status.payload.json").read_bytes()
    assert deliver(body).status_code == 401 and not Deployment.objects.exists()


def test_a_replayed_delivery_is_ignored_and_a_later_status_updates(secrets):
    body = (FIXTURES / "deployment_status.payload.json").read_bytes()
    assert deliver(body, delivery="same").status_code == 202
    assert deliver(body, delivery="same").status_code == 200
    assert deliver((FIXTURES / "deployment.payload.json").read_bytes(), event="deployment",
                   delivery="other").status_code == 202  # fmt: skip
    assert Deployment.objects.count() == 1


def test_other_events_are_acknowledged(secrets):
    assert deliver(b'{"zen": "Keep it logically awesome."}', event="ping").status_code == 202
    assert not Deployment.objects.exists()


def gitlab_hook(status: str) -> bytes:
    # Built from GitLab's documented Deployment Hook fields (its docs are CC BY-SA, so not copied).
    sha = "a" * 40
    return json.dumps({
        "object_kind": "deployment", "status": status, "status_changed_at": "2026-11-20 10:05:00 +0100",
        "deployment_id": 15, "environment": "production", "environment_tier": "production",
        "short_sha": sha[:8], "commit_url": f"https://gitlab.example.com/acme/shop/-/commit/{sha}",
        "project": {"path_with_namespace": "acme/shop"}, "ref": "main", "user": {"username": "ann"},
    }).encode()  # fmt: skip


def test_gitlab_deployment_hook_with_its_token(secrets):
    client = APIClient()
    hook = {"HTTP_X_GITLAB_EVENT": "Deployment Hook"}
    refused = client.post(f"{URL}/gitlab/", gitlab_hook("running"), content_type="application/json",
                          HTTP_X_GITLAB_TOKEN="wrong", **hook)  # fmt: skip
    assert refused.status_code == 401 and not Deployment.objects.exists()
    for status in ("running", "success"):
        response = client.post(f"{URL}/gitlab/", gitlab_hook(status), content_type="application/json",
                               HTTP_X_GITLAB_TOKEN=SECRET, **hook)  # fmt: skip
        assert response.status_code == 202, response.content
    deployment = Deployment.objects.get()
    assert deployment.status == "success" and deployment.commit == "a" * 40 and deployment.source == "gitlab"


def test_the_secret_is_never_shown_back(api_as, client_as, project, secrets):
    rows = api_as("owner").get("/api/v1/projects/payments-api/webhook-secrets/").json()["results"]
    assert rows and all("secret" not in row for row in rows)
    page = client_as("owner").get(f"/projects/{project.slug}/deployments/webhook-secrets/")
    assert SECRET.encode() not in page.content
