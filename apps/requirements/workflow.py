"""The requirement workflow: which status may follow which, and the role each move needs.

Pure Python (no Django import) so the table is easy to read and to test on its own. Roles are
the project roles of apps.core.permissions, by name: "member" writes, "maintainer" manages.

    draft ──► in_review ──► approved ──► implemented ──► verified
      ▲           │  │          │             │
      └───────────┘  └► rejected └► obsolete ◄─┘   (and back to draft to rework)
"""

DRAFT, IN_REVIEW, APPROVED, IMPLEMENTED, VERIFIED = (
    "draft",
    "in_review",
    "approved",
    "implemented",
    "verified",
)
REJECTED, OBSOLETE = "rejected", "obsolete"

STATUSES = [
    (DRAFT, "Draft"),
    (IN_REVIEW, "In review"),
    (APPROVED, "Approved"),
    (IMPLEMENTED, "Implemented"),
    (VERIFIED, "Verified"),
    (REJECTED, "Rejected"),
    (OBSOLETE, "Obsolete"),
]

MEMBER, MAINTAINER = "member", "maintainer"

# (from, to) -> the minimum project role. Anything not listed is refused.
TRANSITIONS: dict[tuple[str, str], str] = {
    (DRAFT, IN_REVIEW): MEMBER,
    (DRAFT, OBSOLETE): MEMBER,
    (IN_REVIEW, DRAFT): MEMBER,
    (IN_REVIEW, APPROVED): MAINTAINER,
    (IN_REVIEW, REJECTED): MAINTAINER,
    (APPROVED, IMPLEMENTED): MEMBER,
    (APPROVED, DRAFT): MAINTAINER,
    (APPROVED, OBSOLETE): MAINTAINER,
    (IMPLEMENTED, VERIFIED): MAINTAINER,
    (IMPLEMENTED, APPROVED): MEMBER,
    (IMPLEMENTED, OBSOLETE): MAINTAINER,
    (VERIFIED, IMPLEMENTED): MAINTAINER,
    (VERIFIED, OBSOLETE): MAINTAINER,
    (REJECTED, DRAFT): MEMBER,
    (OBSOLETE, DRAFT): MAINTAINER,
}

# What the change log says, and what the button on the detail page says, for a move into a status.
VERBS = {
    DRAFT: "moved back to draft",
    IN_REVIEW: "submitted for review",
    APPROVED: "approved",
    IMPLEMENTED: "marked implemented",
    VERIFIED: "marked verified",
    REJECTED: "rejected",
    OBSOLETE: "marked obsolete",
}
BUTTONS = {
    DRAFT: "Back to draft",
    IN_REVIEW: "Submit for review",
    APPROVED: "Approve",
    IMPLEMENTED: "Mark implemented",
    VERIFIED: "Mark verified",
    REJECTED: "Reject",
    OBSOLETE: "Mark obsolete",
}

# A link to a requirement in one of these states is a promise; changing the text breaks it (suspect).
BASELINED = frozenset({APPROVED, IMPLEMENTED, VERIFIED})
# The share of the project that is "done" on the overview card.
DONE = frozenset({APPROVED, IMPLEMENTED, VERIFIED})


def required_role(source: str, target: str) -> str | None:
    """The minimum role for source → target, or None when the move is not in the workflow."""
    return TRANSITIONS.get((source, target))


def next_statuses(source: str) -> list[str]:
    """Statuses reachable from ``source`` in one move, in workflow order."""
    order = [value for value, _ in STATUSES]
    return sorted((t for (s, t) in TRANSITIONS if s == source), key=order.index)


def refusal(source: str, target: str) -> str | None:
    """Why source → target is not allowed (naming both states and the allowed ones), or None."""
    labels = dict(STATUSES)
    if target not in labels:
        return f"'{target}' is not a status; use one of: {', '.join(labels)}."
    if (source, target) in TRANSITIONS:
        return None
    allowed = ", ".join(next_statuses(source)) or "none"
    return f"A requirement can't move from {source} to {target}. From {source} it can go to: {allowed}."
