"""The requirements card on the project overview: counts by status and the share approved or beyond."""

from django.urls import reverse

from . import selectors, workflow


def requirements_card(project) -> dict:
    counts = selectors.status_counts(project=project)
    total = sum(counts.values())
    done = sum(counts[status] for status in workflow.DONE)
    share = round(100 * done / total) if total else 0
    labels = dict(workflow.STATUSES)
    return {
        "url": reverse("requirements:requirement_list", args=[project.slug]),
        "empty": total == 0,
        "hint": "No requirements yet. Write the first one, or import a CSV.",
        "stats": [("Total", total)] + [(labels[status], n) for status, n in counts.items() if n],
        "bar": {"label": "approved, implemented or verified", "value": share},
    }
