"""Every write on requirements: keyword-only, atomic, validated by the models, logged once.

Views, viewsets, the admin and the importer are doors into these functions; none holds rules.
"""

from collections.abc import Iterable

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from apps.core.changelog import log_change
from apps.core.models import ObjectChange
from apps.core.permissions import ProjectAccess
from apps.core.services import instance_delete, instance_save
from apps.core.services import last_number as core_last_number
from apps.core.services import reserve_numbers as core_reserve_numbers

from . import workflow
from .models import (
    AcceptanceCriterion,
    Label,
    Requirement,
    RequirementComment,
    RequirementRevision,
    RequirementTransition,
)
from .revisions import fingerprint

# ---- keys ---------------------------------------------------------------------------------------


def reserve_numbers(*, project, count: int = 1, at_least: int = 0) -> range:
    """Take ``count`` fresh key numbers (REQ-n): core's per-project counter, never reused."""
    return core_reserve_numbers(project=project, name="requirement", count=count, at_least=at_least)


def last_number(*, project) -> int:
    return core_last_number(project=project, name="requirement")


# ---- labels -------------------------------------------------------------------------------------


def split_labels(text: str) -> list[str]:
    """'api, security; ux' -> ['api', 'security', 'ux'] (commas or semicolons, blanks dropped)."""
    return list(dict.fromkeys(part.strip() for part in (text or "").replace(";", ",").split(",") if part.strip()))


def label_problems(name: str) -> list[str]:
    """Why ``name`` can't be a label (the model's rules: Label.name and Label.clean), or []."""
    try:
        Label(name=name).full_clean(exclude=["project"], validate_unique=False, validate_constraints=False)
    except ValidationError as exc:
        return [f"'{name[:20]}{'…' if len(name) > 20 else ''}': {message}" for message in exc.messages]
    return []


def labels_resolve(*, project, names: Iterable[str]) -> list[Label]:
    """The project's labels with these names, created when missing."""
    names = list(dict.fromkeys(name.strip() for name in names if name and name.strip()))
    problems = [problem for name in names for problem in label_problems(name)]
    if problems:
        raise ValidationError({"labels": problems})
    Label.objects.bulk_create([Label(project=project, name=name) for name in names], ignore_conflicts=True)
    return list(Label.objects.filter(project=project, name__in=names))


# ---- requirements -------------------------------------------------------------------------------


def criterion_texts(requirement: Requirement) -> list[str]:
    return list(AcceptanceCriterion.objects.filter(requirement=requirement).values_list("text", flat=True))


def _record_revision(*, requirement: Requirement, actor) -> RequirementRevision | None:
    """A new numbered revision if the content changed since the last one (the row lock orders edits)."""
    criteria = criterion_texts(requirement)
    new_fingerprint = fingerprint(requirement.title, requirement.description, criteria)
    current = Requirement.objects.select_for_update().filter(pk=requirement.pk).values("revision", "fingerprint").get()
    if current["fingerprint"] == new_fingerprint:
        return None
    number = current["revision"] + 1
    revision = RequirementRevision.objects.create(
        requirement=requirement,
        number=number,
        title=requirement.title,
        description=requirement.description,
        criteria=criteria,
        fingerprint=new_fingerprint,
        author=actor if getattr(actor, "pk", None) else None,
    )
    Requirement.objects.filter(pk=requirement.pk).update(revision=number, fingerprint=new_fingerprint)
    requirement.revision, requirement.fingerprint = number, new_fingerprint
    return revision


@transaction.atomic
def requirement_create(
    *, project, actor, labels: Iterable[str] = (), criteria: Iterable[str] = (), **fields
) -> Requirement:
    """Create a draft requirement with the next key, its labels and criteria, and revision 1."""
    requirement = Requirement(project=project, **fields)
    # The key is taken first so the one full_clean sees a whole requirement; if it fails, the
    # transaction gives the number back (keys are never reused, but never skipped either).
    (requirement.number,) = reserve_numbers(project=project)
    instance_save(instance=requirement, actor=actor, m2m={"labels": labels_resolve(project=project, names=labels)})
    for position, text in enumerate(criteria):
        criterion = AcceptanceCriterion(requirement=requirement, position=position, text=text)
        try:
            criterion.full_clean()
        except ValidationError as exc:  # named after the field that carried them: "criteria"
            raise ValidationError({"criteria": [f"Criterion {position + 1}: {m}" for m in exc.messages]}) from None
        criterion.save()
    _record_revision(requirement=requirement, actor=actor)
    return requirement


@transaction.atomic
def requirement_update(
    *, requirement: Requirement, actor, labels: Iterable[str] | None = None, **fields
) -> Requirement:
    """Change fields (not status: that's a transition). A content change makes a new revision."""
    for name, value in fields.items():
        setattr(requirement, name, value)
    m2m = None if labels is None else {"labels": labels_resolve(project=requirement.project, names=labels)}
    instance_save(instance=requirement, actor=actor, m2m=m2m)
    _record_revision(requirement=requirement, actor=actor)
    return requirement


def requirement_delete(*, requirement: Requirement, actor) -> None:
    """Delete it (children move to the top level). Its key is never handed out again."""
    instance_delete(instance=requirement, actor=actor)


@transaction.atomic
def requirement_transition(
    *, requirement: Requirement, to: str, actor, access: ProjectAccess, comment: str = ""
) -> Requirement:
    """Move along the workflow; refuses moves not in workflow.TRANSITIONS or above the actor's role."""
    source = Requirement.objects.select_for_update().values_list("status", flat=True).get(pk=requirement.pk)
    problem = workflow.refusal(source, to)
    if problem:
        raise ValidationError({"to": f"{requirement.key}: {problem}"})
    access.require(workflow.required_role(source, to))
    RequirementTransition.objects.create(
        requirement=requirement, from_status=source, to_status=to, actor=actor, comment=comment
    )
    Requirement.objects.filter(pk=requirement.pk).update(status=to)
    requirement.status = to
    log_change(
        actor=actor,
        instance=requirement,
        action=ObjectChange.Action.ACTION,
        verb=workflow.VERBS[to],
        before={"status": source},
        after={"status": to},
        message=comment,
    )
    return requirement


@transaction.atomic
def requirement_bulk_transition(
    *, requirements: Iterable[Requirement], to: str, actor, access: ProjectAccess, comment: str = ""
) -> int:
    """All or nothing: if any of them can't make the move, none moves and the error names them all."""
    requirements = list(requirements)
    problems = []
    for requirement in requirements:
        problem = workflow.refusal(requirement.status, to)
        if problem is None and not access.can(workflow.required_role(requirement.status, to)):
            problem = f"moving from {requirement.status} to {to} needs a higher role."
        if problem:
            problems.append(f"{requirement.key}: {problem}")
    if problems:
        raise ValidationError({"to": problems})
    for requirement in requirements:
        requirement_transition(requirement=requirement, to=to, actor=actor, access=access, comment=comment)
    return len(requirements)


@transaction.atomic
def requirement_bulk_label(*, requirements: Iterable[Requirement], label: str, actor, remove: bool = False) -> int:
    """Add (or remove) one label on many requirements, logged once per requirement."""
    requirements = list(requirements)
    if not requirements:
        return 0
    (label_obj,) = labels_resolve(project=requirements[0].project, names=[label]) or [None]
    if label_obj is None:
        raise ValidationError({"label": "Type a label name."})
    for requirement in requirements:
        (requirement.labels.remove if remove else requirement.labels.add)(label_obj)
        log_change(
            actor=actor,
            instance=requirement,
            action=ObjectChange.Action.ACTION,
            verb=f"{'unlabelled' if remove else 'labelled'} {label_obj.name}"[:60],
        )
    return len(requirements)


# ---- acceptance criteria ------------------------------------------------------------------------


def _criteria_changed(requirement: Requirement, actor, verb: str, text: str) -> None:
    log_change(actor=actor, instance=requirement, action=ObjectChange.Action.ACTION, verb=verb, message=text)
    Requirement.objects.filter(pk=requirement.pk).update(updated_at=timezone.now())
    _record_revision(requirement=requirement, actor=actor)


@transaction.atomic
def criterion_add(
    *, requirement: Requirement, actor, text: str, met: bool = False, position: int | None = None
) -> AcceptanceCriterion:
    """Add a criterion at the end, or at ``position`` (0-based; the others move down)."""
    _lock_criteria(requirement)
    last = AcceptanceCriterion.objects.filter(requirement=requirement).count()
    criterion = AcceptanceCriterion(requirement=requirement, position=last, text=text.strip(), met=met)
    criterion.full_clean()
    criterion.save()
    if position is not None and position < last:
        _reposition(criterion, position)
    _criteria_changed(requirement, actor, "added a criterion", criterion.text)
    return criterion


@transaction.atomic
def criterion_update(
    *,
    criterion: AcceptanceCriterion,
    actor,
    text: str | None = None,
    met: bool | None = None,
    position: int | None = None,
) -> AcceptanceCriterion:
    _lock_criteria(criterion.requirement)
    if text is not None:
        criterion.text = text.strip()
    if met is not None:
        criterion.met = met
    criterion.full_clean()
    criterion.save()
    if position is not None:
        _reposition(criterion, position)
    _criteria_changed(criterion.requirement, actor, "edited a criterion", criterion.text)
    return criterion


def _lock_criteria(requirement: Requirement) -> None:
    """Criteria of one requirement change one writer at a time: positions are counted, then written."""
    Requirement.objects.select_for_update().filter(pk=requirement.pk).first()


def _reposition(criterion: AcceptanceCriterion, position: int | None) -> None:
    """Put the criterion at ``position`` (0-based, clamped; None = drop it) and renumber 0..n-1."""
    items = list(AcceptanceCriterion.objects.filter(requirement=criterion.requirement_id).exclude(pk=criterion.pk))
    if position is not None:
        items.insert(max(0, min(position, len(items))), criterion)
    for index, item in enumerate(items):
        item.position = index
    AcceptanceCriterion.objects.bulk_update(items, ["position"])


@transaction.atomic
def criterion_move(*, criterion: AcceptanceCriterion, actor, position: int) -> AcceptanceCriterion:
    _lock_criteria(criterion.requirement)
    _reposition(criterion, position)
    _criteria_changed(criterion.requirement, actor, "reordered criteria", criterion.text)
    return criterion


@transaction.atomic
def criterion_delete(*, criterion: AcceptanceCriterion, actor) -> None:
    requirement = criterion.requirement
    _lock_criteria(requirement)
    _reposition(criterion, None)
    criterion.delete()
    _criteria_changed(requirement, actor, "removed a criterion", criterion.text)


# ---- discussion ---------------------------------------------------------------------------------


@transaction.atomic
def comment_add(*, requirement: Requirement, actor, body: str) -> RequirementComment:
    comment = RequirementComment(requirement=requirement, author=actor, body=body.strip())
    comment.full_clean()
    comment.save()
    log_change(
        actor=actor,
        instance=requirement,
        action=ObjectChange.Action.ACTION,
        verb="commented",
        message=comment.body[:200],
    )
    return comment
