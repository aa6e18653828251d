"""Demo requirements for ``manage.py seed_demo``: a small hierarchy with criteria and a few transitions."""

from apps.core.permissions import ProjectAccess, Role

from . import services
from .models import Requirement

DEMO = [
    # (title, parent index, extra fields, criteria, statuses to walk through)
    ("Accept card payments", None, {"priority": "must", "source": "Head of Sales"},
     ["Given a valid card, when the customer pays, then the payment is captured"], ["in_review", "approved"]),
    ("Support 3-D Secure challenges", 0, {"priority": "must", "labels": ["psd2", "security"]},
     ["Given a card enrolled in 3DS, when the issuer challenges, then the customer is redirected",
      "Given a failed challenge, when the customer returns, then the payment is declined"], ["in_review"]),
    ("Save cards for returning customers", 0, {"priority": "should", "labels": ["ux"]},
     ["Given a saved card, when the customer pays again, then they only enter the CVC"], []),
    ("Refund a payment", None, {"priority": "must", "source": "Support team"},
     ["Given a captured payment, when support refunds it, then the customer is credited within 5 days"],
     ["in_review", "approved", "implemented"]),
    ("Partial refunds", 3, {"priority": "could"}, [], []),
    ("Payout to merchants daily", None, {"priority": "should", "source": "Finance"}, [], []),
    ("Payment API answers in under 300 ms (p95)", None,
     {"type": "non_functional", "category": "performance", "priority": "must", "labels": ["sla"]},
     ["Given 200 requests per second, when measured over an hour, then p95 latency is below 300 ms"],
     ["in_review", "approved", "implemented", "verified"]),
    ("Card numbers are never stored in clear", None,
     {"type": "non_functional", "category": "compliance", "priority": "must", "labels": ["pci", "security"],
      "description": "PCI DSS requirement 3.4: **render PAN unreadable** anywhere it is stored."},
     ["Given any database dump, when searched for PANs, then none is found"], ["in_review", "approved"]),
]  # fmt: skip


def seed_requirements(*, project, user) -> None:
    """Idempotent: does nothing if the project already has requirements."""
    if Requirement.objects.filter(project=project).exists():
        return
    access = ProjectAccess(project=project, role=Role.OWNER)
    created = []
    for title, parent, fields, criteria, statuses in DEMO:
        requirement = services.requirement_create(
            project=project, actor=user, title=title, owner=user, criteria=criteria,
            parent=created[parent] if parent is not None else None, **fields,
        )  # fmt: skip
        for status in statuses:
            services.requirement_transition(requirement=requirement, to=status, actor=user, access=access)
        created.append(requirement)
