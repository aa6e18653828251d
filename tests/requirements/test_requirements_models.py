"""Keys, validation (hierarchy, owner, category), revisions, fingerprints and suspect links."""

import pytest
from django.core.exceptions import ValidationError

from apps.core.markdown import render_markdown
from apps.core.models import ObjectChange
from apps.requirements import services
from apps.requirements.models import Requirement, RequirementRevision, parse_key
from apps.requirements.revisions import as_text, diff_lines, fingerprint, is_suspect


def test_keys_count_up_per_project_and_are_never_reused(make_requirement, users, other_project):
    first, second = make_requirement(), make_requirement()
    assert (first.key, second.key) == ("REQ-1", "REQ-2")
    services.requirement_delete(requirement=second, actor=users["owner"])
    assert make_requirement().key == "REQ-3"
    elsewhere = services.requirement_create(project=other_project, actor=users["outsider"], title="Other")
    assert elsewhere.key == "REQ-1"


def test_parse_key():
    assert parse_key("REQ-12") == 12 and parse_key(" req-3 ") == 3
    assert parse_key("REQ-") is None and parse_key("TST-1") is None and parse_key("") is None
    assert parse_key("REQ-99999999999999999999") is None  # past the column's range: no requirement, no DataError


def test_keys_past_the_number_range_are_missing_not_a_crash(make_requirement, project):
    first, huge = make_requirement(), "REQ-99999999999999999999"
    assert Requirement.objects.by_keys(project, ["REQ-1", huge]) == ([first], [huge])


def test_failed_create_burns_no_key(make_requirement, project, users):
    with pytest.raises(ValidationError):
        services.requirement_create(project=project, actor=users["owner"], title="")
    assert make_requirement().key == "REQ-1"


def test_hierarchy_cycles_are_refused(make_requirement, users):
    top = make_requirement()
    middle = make_requirement(parent=top)
    leaf = make_requirement(parent=middle)
    for parent in (leaf, middle, top):
        with pytest.raises(ValidationError) as info:
            services.requirement_update(
                requirement=Requirement.objects.get(pk=top.pk), actor=users["owner"], parent=parent
            )
        assert "parent" in info.value.message_dict
    top.refresh_from_db()
    assert top.parent is None


def test_parent_from_another_project_is_refused(make_requirement, other_project, users):
    stranger = services.requirement_create(project=other_project, actor=users["outsider"], title="Theirs")
    with pytest.raises(ValidationError, match="same project"):
        make_requirement(parent=stranger)


def test_owner_must_be_a_member(make_requirement, users):
    with pytest.raises(ValidationError) as info:
        make_requirement(owner=users["outsider"])
    assert "owner" in info.value.message_dict
    assert make_requirement(owner=users["viewer"]).owner == users["viewer"]


@pytest.mark.parametrize(
    ("type_", "category", "ok"),
    [("functional", "", True), ("functional", "security", False), ("non_functional", "", False),
     ("non_functional", "performance", True), ("non_functional", "bogus", False)],
)  # fmt: skip
def test_category_only_for_non_functional(make_requirement, type_, category, ok):
    if ok:
        make_requirement(type=type_, category=category)
    else:
        with pytest.raises(ValidationError) as info:
            make_requirement(type=type_, category=category)
        assert "category" in info.value.message_dict


def test_labels_are_per_project_and_validated(make_requirement, project, users):
    requirement = make_requirement(labels=["api", "security", "api"])
    assert sorted(label.name for label in requirement.labels.all()) == ["api", "security"]
    with pytest.raises(ValidationError, match="separate"):
        make_requirement(labels=["a,b"])


def test_revisions_follow_content_edits_only(make_requirement, walk, users):
    requirement = make_requirement(title="Pay", description="Cards", criteria=["Given a card, then pay"])
    assert requirement.revision == 1
    first = requirement.fingerprint
    services.requirement_update(requirement=requirement, actor=users["owner"], priority="must", source="Sales")
    assert requirement.revision == 1 and requirement.fingerprint == first  # not content
    services.requirement_update(requirement=requirement, actor=users["owner"], title="Pay by card")
    assert requirement.revision == 2
    criterion = requirement.criteria.get()
    services.criterion_update(criterion=criterion, actor=users["owner"], met=True)
    requirement.refresh_from_db()
    assert requirement.revision == 2  # met is progress, not content
    services.criterion_add(requirement=requirement, actor=users["owner"], text="Given no card, then refuse")
    services.criterion_move(criterion=criterion, actor=users["owner"], position=1)
    requirement.refresh_from_db()
    assert requirement.revision == 4
    revisions = list(RequirementRevision.objects.filter(requirement=requirement).order_by("number"))
    assert [r.number for r in revisions] == [1, 2, 3, 4]
    assert revisions[-1].criteria == ["Given no card, then refuse", "Given a card, then pay"]
    assert revisions[-1].fingerprint == requirement.fingerprint


def test_fingerprint_ignores_invisible_whitespace():
    assert fingerprint("T", "a\r\nb  ", ["c"]) == fingerprint("T ", "a\nb", ["c "])
    assert fingerprint("T", "a", ["c", "d"]) != fingerprint("T", "a", ["d", "c"])


def test_suspect_when_a_baselined_requirement_changes(make_requirement, walk, users):
    requirement = walk(make_requirement(title="Pay"), "in_review", "approved")
    linked = requirement.fingerprint
    assert not is_suspect(linked, requirement)
    services.requirement_update(requirement=requirement, actor=users["owner"], description="Now with refunds")
    assert is_suspect(linked, requirement)
    draft = make_requirement()
    old = draft.fingerprint
    services.requirement_update(requirement=draft, actor=users["owner"], title="Changed")
    assert not is_suspect(old, draft)  # drafts make no promise yet
    assert not is_suspect("", requirement)


def test_diff_of_two_revisions():
    old = as_text("Pay", "Cards", ["a"])
    new = as_text("Pay", "Cards and <script>", ["a", "b"])
    kinds = dict(diff_lines(old, new))
    assert kinds  # there is a diff
    lines = diff_lines(old, new)
    assert ("add", "+Cards and <script>") in lines and ("del", "-Cards") in lines and ("add", "+2. b") in lines


def test_markdown_with_script_is_rendered_harmless():
    html = render_markdown('Hi <script>alert(1)</script> [x](javascript:alert(1)) <img src=x onerror="alert(1)">')
    assert "<script" not in html and "javascript:" not in html and "onerror" not in html


def test_criteria_are_one_line_and_reorder(make_requirement, users):
    requirement = make_requirement(criteria=["one", "two", "three"])
    with pytest.raises(ValidationError, match="one line"):
        services.criterion_add(requirement=requirement, actor=users["owner"], text="a\nb")
    three = requirement.criteria.get(text="three")
    services.criterion_move(criterion=three, actor=users["owner"], position=0)
    assert list(requirement.criteria.values_list("text", flat=True)) == ["three", "one", "two"]
    services.criterion_delete(criterion=requirement.criteria.get(text="one"), actor=users["owner"])
    assert list(requirement.criteria.values_list("text", "position")) == [("three", 0), ("two", 1)]


def test_comment_is_logged_on_the_requirement(make_requirement, users):
    requirement = make_requirement()
    services.comment_add(requirement=requirement, actor=users["member"], body="Looks **right**")
    change = ObjectChange.objects.get(verb="commented")
    assert change.project == requirement.project and change.actor == users["member"]
