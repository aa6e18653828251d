"""The workflow table, and the service that enforces it: every illegal move refused, roles respected."""

import itertools

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from apps.core.models import ObjectChange
from apps.requirements import services, workflow
from apps.requirements.models import RequirementTransition

STATUSES = [value for value, _ in workflow.STATUSES]
ALL_PAIRS = list(itertools.product(STATUSES, STATUSES))
ILLEGAL = [pair for pair in ALL_PAIRS if pair not in workflow.TRANSITIONS]
# A path from draft to each status, through legal moves only.
PATH = {
    "draft": [], "in_review": ["in_review"], "approved": ["in_review", "approved"],
    "implemented": ["in_review", "approved", "implemented"],
    "verified": ["in_review", "approved", "implemented", "verified"],
    "rejected": ["in_review", "rejected"], "obsolete": ["obsolete"],
}  # fmt: skip


def test_the_table_only_names_known_statuses():
    for source, target in workflow.TRANSITIONS:
        assert source in STATUSES and target in STATUSES
    assert workflow.next_statuses("draft") == ["in_review", "obsolete"]


@pytest.mark.parametrize(("source", "target"), ILLEGAL)
def test_pure_refusal_names_both_states(source, target):
    message = workflow.refusal(source, target)
    assert message and source in message and target in message


@pytest.mark.parametrize(("source", "target"), ILLEGAL)
def test_every_illegal_transition_is_refused_and_nothing_saved(
    source, target, make_requirement, walk, users, access_of
):
    requirement = walk(make_requirement(), *PATH[source])
    before = RequirementTransition.objects.count(), ObjectChange.objects.count()
    with pytest.raises(ValidationError) as info:
        services.requirement_transition(
            requirement=requirement, to=target, actor=users["owner"], access=access_of("owner")
        )
    assert f"from {source} to {target}" in str(info.value)
    requirement.refresh_from_db()
    assert requirement.status == source
    assert (RequirementTransition.objects.count(), ObjectChange.objects.count()) == before


@pytest.mark.parametrize(("source", "target"), list(workflow.TRANSITIONS))
@pytest.mark.parametrize("role", ["viewer", "member", "maintainer", "owner"])
def test_each_legal_transition_needs_its_role(source, target, role, make_requirement, walk, users, access_of):
    requirement = walk(make_requirement(), *PATH[source])
    allowed = access_of(role).can(workflow.required_role(source, target))
    if role == "viewer":
        assert not allowed
    if not allowed:
        with pytest.raises(PermissionDenied):
            services.requirement_transition(
                requirement=requirement, to=target, actor=users[role], access=access_of(role)
            )
        requirement.refresh_from_db()
        assert requirement.status == source
        return
    services.requirement_transition(
        requirement=requirement, to=target, actor=users[role], access=access_of(role), comment="looks good"
    )
    requirement.refresh_from_db()
    assert requirement.status == target
    move = RequirementTransition.objects.filter(requirement=requirement).first()
    assert (move.from_status, move.to_status, move.actor, move.comment) == (source, target, users[role], "looks good")
    change = ObjectChange.objects.filter(verb=workflow.VERBS[target]).first()
    assert change.before == {"status": source} and change.after == {"status": target}
    assert change.project == requirement.project and change.message == "looks good"


def test_member_cannot_approve_but_maintainer_can(make_requirement, walk, users, access_of):
    requirement = walk(make_requirement(), "in_review")
    with pytest.raises(PermissionDenied, match="maintainer"):
        services.requirement_transition(
            requirement=requirement, to="approved", actor=users["member"], access=access_of("member")
        )
    services.requirement_transition(
        requirement=requirement, to="approved", actor=users["maintainer"], access=access_of("maintainer")
    )
    assert requirement.status == "approved"


def test_unknown_status_is_refused_with_the_list(make_requirement, users, access_of):
    with pytest.raises(ValidationError, match="not a status"):
        services.requirement_transition(
            requirement=make_requirement(), to="done", actor=users["owner"], access=access_of("owner")
        )


def test_bulk_transition_is_all_or_nothing(make_requirement, walk, users, access_of):
    ready, draft = walk(make_requirement(), "in_review"), make_requirement()
    with pytest.raises(ValidationError) as info:
        services.requirement_bulk_transition(
            requirements=[ready, draft], to="approved", actor=users["owner"], access=access_of("owner")
        )
    assert draft.key in str(info.value) and ready.key not in str(info.value)
    ready.refresh_from_db()
    assert ready.status == "in_review"
    assert (
        services.requirement_bulk_transition(
            requirements=[ready], to="approved", actor=users["owner"], access=access_of("owner")
        )
        == 1
    )
