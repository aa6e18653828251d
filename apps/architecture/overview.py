"""The Architecture card on the project overview: what the catalog holds and how healthy it is."""

from django.db.models import Count, Q
from django.urls import reverse

from .models import Component, Decision


def architecture_card(project) -> dict:
    components = Component.objects.filter(project=project).aggregate(
        total=Count("pk"), production=Count("pk", filter=Q(lifecycle="production")),
        owned=Count("pk", filter=Q(owner__isnull=False) | ~Q(team="")))  # fmt: skip
    decisions = Decision.objects.filter(project=project).aggregate(
        total=Count("pk"), accepted=Count("pk", filter=Q(status="accepted")))  # fmt: skip
    total = components["total"]
    return {
        "url": reverse("architecture:overview", args=[project.slug]),
        "empty": total == 0 and decisions["total"] == 0,
        "hint": "No components yet. Describe your services and databases, or import a Backstage catalog.",
        "stats": [("Components", total), ("In production", components["production"]),
                  ("Decisions", decisions["total"]), ("Accepted", decisions["accepted"])],  # fmt: skip
        "bar": {"label": "components with an owner", "value": round(100 * components["owned"] / total) if total else 0},
    }
