"""seed_demo is idempotent: run twice, one demo user and one demo project."""

from io import StringIO

import pytest
from django.contrib.auth import get_user_model
from django.core.management import call_command

from apps.core.models import ObjectChange
from apps.projects.models import Membership, Project


@pytest.mark.django_db
def test_seed_demo_twice_is_one_user_one_project():
    for _ in range(2):
        out = StringIO()
        call_command("seed_demo", stdout=out)
        assert "Demo ready" in out.getvalue()
    user = get_user_model().objects.get(username="demo")
    assert user.check_password("threadline-demo")
    assert Project.objects.filter(slug="payments-api").count() == 1
    assert Membership.objects.get(project__slug="payments-api").user == user
    assert user.emailaddress_set.get().verified
    created = ObjectChange.objects.filter(action="create", content_type__model="project", object_repr="Payments API")
    assert created.get().via == "cli"


@pytest.mark.django_db
def test_seed_demo_makes_the_tours_teammate_once():
    """The README's tour adds `teammate` (or teammate@example.com) to a project: a verified account, in none yet."""
    for _ in range(2):
        call_command("seed_demo", stdout=StringIO())
    teammate = get_user_model().objects.get(username="teammate")
    assert teammate.email == "teammate@example.com" and teammate.check_password("threadline-demo")
    address = teammate.emailaddress_set.get()
    assert (address.email, address.verified, address.primary) == ("teammate@example.com", True, True)
    assert not Membership.objects.filter(user=teammate).exists()
    assert get_user_model().objects.count() == 2
