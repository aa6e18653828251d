"""Requirements on core's kit: the kit's whole test suite (roles, refused writes, API, change log,
validation once, pinned query counts) on the requirement model."""

import pytest

from apps.requirements import services
from apps.requirements.models import Requirement
from tests.kit import KitTests

pytestmark = pytest.mark.django_db


class TestRequirementKit(KitTests):
    model = Requirement
    create_data = {"title": "Refund a payment", "type": "functional", "priority": "must"}
    update_data = {"title": "Refund a payment in full", "type": "functional", "priority": "should"}
    api_create_data = {"title": "Refund a payment", "criteria": ["Given a capture, when refunded, then credited"]}
    api_update_data = {"title": "Refund a payment in full"}
    queries = {"list": 7, "detail": 16, "api-list": 6, "api-detail": 6}

    def make(self, project, users, number):
        # Rows as the pages show them: labels, a parent, an owner and criteria, so an N+1 would show.
        parent = Requirement.objects.filter(project=project).first()
        return services.requirement_create(
            project=project, actor=users["owner"], title=f"Requirement {number}", owner=users["member"],
            labels=[f"l{number}", "shared"], criteria=[f"Given {number}, then ok"], parent=parent,
        )
