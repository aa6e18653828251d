"""The project overview's test-runs card: latest run's pass rate, runs count, flaky count (three small queries)."""

from django.db.models import Count, Q
from django.urls import reverse

from .models import TestCase, TestRun
from .templatetags.testruns import pass_rate_colour, pass_rate_text


def testruns_card(project) -> dict:
    url = reverse("testruns:run_list", kwargs={"project_slug": project.slug})
    stats = TestRun.objects.filter(project=project).aggregate(
        runs=Count("id"), failed_runs=Count("id", filter=Q(status=TestRun.State.FAILED))
    )
    if not stats["runs"]:
        return {"url": url, "empty": True}
    latest = (TestRun.objects.filter(project=project, status=TestRun.State.COMPLETE).order_by("-id")
              .only("id", "number", "name", "branch", "tests", "passed", "skipped").first())
    flaky = TestCase.objects.filter(project=project, flaky=True).count()
    card = {"url": url, "empty": False,
            "stats": [("Runs", stats["runs"]), ("Flaky tests", flaky)]}
    if latest is not None:
        card["stats"].insert(0, ("Latest", f"{latest.name or 'run'} #{latest.number}"))
        if latest.pass_rate is not None:
            rate = latest.pass_rate
            card["bar"] = {"label": f"passed in the latest run ({latest.branch or 'no branch'})", "value": rate,
                           "text": pass_rate_text(rate), "colour": pass_rate_colour(rate)}  # fmt: skip
    return card
