"""The Deployments card of the project overview: environments, recent deployments, open incidents and
refused gates, in four counts."""

from datetime import timedelta

from django.db.models import Count, Q
from django.urls import reverse
from django.utils import timezone

from .models import Deployment, Environment, GateEvaluation, Incident


def deployments_card(project) -> dict:
    since = timezone.now() - timedelta(days=30)
    deployments = Deployment.objects.filter(project=project).aggregate(
        total=Count("pk"), recent=Count("pk", filter=Q(finished_at__gte=since)))  # fmt: skip
    return {
        "url": reverse("deployments:overview", args=[project.slug]),
        "empty": deployments["total"] == 0,
        "hint": "No deployments yet. Report one from CI: POST …/deployments/ (one curl line), or add the webhook.",
        "stats": [("Environments", Environment.objects.filter(project=project).count()),
                  ("Deployed, 30 days", deployments["recent"]),
                  ("Open incidents", Incident.objects.filter(project=project, resolved_at__isnull=True).count()),
                  ("Gates failed, 30 days", GateEvaluation.objects.filter(project=project, passed=False,
                                                                           created_at__gte=since).count())],
    }  # fmt: skip
