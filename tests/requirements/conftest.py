import pytest

from apps.core.permissions import ProjectAccess, Role
from apps.requirements import services


@pytest.fixture
def make_requirement(project, users):
    """make_requirement(title="…", **fields) -> a Requirement created through the service, by the owner."""
    counter = iter(range(1, 100_000))

    def make(**fields):
        fields.setdefault("title", f"Requirement {next(counter)}")
        return services.requirement_create(project=project, actor=users["owner"], **fields)

    return make


@pytest.fixture
def access_of(project):
    """access_of("member") -> the ProjectAccess a user of that role has."""

    def make(role: str) -> ProjectAccess:
        return ProjectAccess(project=project, role=Role(role))

    return make


@pytest.fixture
def walk(users, access_of):
    """walk(requirement, "in_review", "approved") moves it along the workflow as the owner."""

    def move(requirement, *statuses):
        for status in statuses:
            services.requirement_transition(
                requirement=requirement, to=status, actor=users["owner"], access=access_of("owner")
            )
        return requirement

    return move


@pytest.fixture
def req1(make_requirement, walk):
    """REQ-1, in review, with one acceptance criterion: what the role matrices act on."""
    return walk(make_requirement(title="Accept cards", criteria=["Given a card, then pay"]), "in_review")
