"""Revisions as text: the content fingerprint, the diff of two revisions, and the suspect-link rule.

Pure Python. A requirement's *content* is its title, description and the ordered text of its
acceptance criteria (a criterion's met flag is progress, not content, so it is left out).
"""

import difflib
import hashlib
import json

from .workflow import BASELINED


def _normalise(text: str) -> str:
    # Line endings and trailing spaces are not edits a reader can see.
    return "\n".join(
        line.rstrip() for line in (text or "").replace("\r\n", "\n").replace("\r", "\n").split("\n")
    ).strip()


def fingerprint(title: str, description: str, criteria: list[str]) -> str:
    """sha256 (hex) of the normalised content; equal content always gives the same fingerprint."""
    payload = json.dumps([_normalise(title), _normalise(description), [_normalise(c) for c in criteria]])
    return hashlib.sha256(payload.encode()).hexdigest()


def as_text(title: str, description: str, criteria: list[str]) -> str:
    """One revision as plain text, the form the diff works on."""
    lines = [f"# {title}", "", _normalise(description), "", "Acceptance criteria:"]
    lines += [f"{n}. {text}" for n, text in enumerate(criteria, 1)] or ["(none)"]
    return "\n".join(lines)


def diff_lines(old: str, new: str, old_name: str = "a", new_name: str = "b") -> list[tuple[str, str]]:
    """A unified diff as (kind, line) pairs; kind is add, del, hunk, head or same. Escape when rendering."""
    kinds = {"+": "add", "-": "del", "@": "hunk"}
    rows = []
    for line in difflib.unified_diff(old.splitlines(), new.splitlines(), old_name, new_name, lineterm=""):
        kind = "head" if line.startswith(("+++", "---")) else kinds.get(line[:1], "same")
        rows.append((kind, line))
    return rows


def is_suspect(linked_fingerprint: str, requirement) -> bool:
    """Is a link made when the requirement had ``linked_fingerprint`` now suspect?

    True when the requirement is baselined (approved, implemented or verified) and its content
    has changed since the link was made. ``requirement`` needs ``fingerprint`` and ``status``.
    """
    return (
        bool(linked_fingerprint) and requirement.status in BASELINED and linked_fingerprint != requirement.fingerprint
    )


def set_links(links, requirements, make) -> None:
    """Keep ``links`` (a queryset of one thing's requirement links) to exactly ``requirements``: the others
    go, a new one is ``make(requirement, fingerprint=…, revision=…)`` carrying the requirement's fingerprint
    now, an existing one keeps the fingerprint it was made with (so a later change stays suspect)."""
    wanted = {r.pk: r for r in requirements}
    links.exclude(requirement_id__in=wanted).delete()
    have = set(links.values_list("requirement_id", flat=True))
    links.model.objects.bulk_create([make(r, fingerprint=r.fingerprint, revision=r.revision)
                                     for pk, r in wanted.items() if pk not in have])  # fmt: skip
