"""Shared fixtures: a project with one user of every role, plus an outsider.

Every view and endpoint test takes ``role_client`` / ``api_as`` and tries each role, so the
permission layer is exercised the same way everywhere.
"""

import pytest
from django.conf import settings as django_settings
from django.contrib.auth import get_user_model
from django.test.utils import override_settings
from rest_framework.test import APIClient

from apps.accounts.services import api_token_create
from apps.core.permissions import Role
from apps.projects.models import Membership
from apps.projects.services import project_create
from tests.kit import ROLES

PASSWORD = "correct-horse-battery-staple"


@pytest.fixture(scope="session", autouse=True)
def _plain_http():
    # Tests talk plain HTTP; production hardening (HTTPS redirect, secure cookies) is off here.
    # A fast hasher: PBKDF2's deliberate slowness would dominate a suite that creates many users.
    with override_settings(
        SECURE_SSL_REDIRECT=False,
        SESSION_COOKIE_SECURE=False,
        CSRF_COOKIE_SECURE=False,
        PASSWORD_HASHERS=["django.contrib.auth.hashers.MD5PasswordHasher"],
    ):
        yield


@pytest.fixture(autouse=True)
def _eager_celery(settings):
    """Run tasks in-process unless a test asks for the real worker (marker celery_worker)."""
    from config.celery import app

    previous = app.conf.task_always_eager
    app.conf.task_always_eager = True
    yield
    app.conf.task_always_eager = previous


@pytest.fixture(autouse=True)
def _fresh_cache():
    """Each test starts with an empty cache (allauth's rate limits and throttles live there)."""
    from django.core.cache import cache

    cache.clear()
    yield


def make_user(username: str, **extra):
    user = get_user_model().objects.create_user(
        username=username, email=f"{username}@example.com", password=PASSWORD, **extra
    )
    from allauth.account.models import EmailAddress

    EmailAddress.objects.create(user=user, email=user.email, verified=True, primary=True)
    return user


@pytest.fixture
def users(db):
    return {role: make_user(role) for role in ROLES}


@pytest.fixture
def project(users):
    project = project_create(actor=users["owner"], name="Payments API", slug="payments-api", description="Demo")
    for role in (Role.MAINTAINER, Role.MEMBER, Role.VIEWER):
        Membership.objects.create(project=project, user=users[role], role=role)
    return project


@pytest.fixture
def client_as(client, users):
    """client_as("viewer") -> Django test client logged in as that role's user."""

    def login(role: str):
        client.force_login(users[role])
        return client

    return login


@pytest.fixture
def api_as(users):
    """api_as("member") -> DRF APIClient authenticated with a fresh read-write Bearer token."""

    def make(role: str, **token_options):
        api = APIClient()
        _, raw = api_token_create(user=users[role], name=f"{role} test token", **token_options)
        api.credentials(HTTP_AUTHORIZATION=f"Bearer {raw}")
        api.raw_token = raw
        return api

    return make


@pytest.fixture
def other_project(users):
    return project_create(actor=users["outsider"], name="Secret", slug="secret", description="Not yours")


def pytest_report_header(config):
    db = django_settings.DATABASES["default"]["ENGINE"].rsplit(".", 1)[-1]
    return f"threadline: database={db} redis={'yes' if django_settings.REDIS_URL else 'no'}"
