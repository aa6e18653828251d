"""Is a requirement verified? Read from the test links that the test-runs app keeps.

A requirement is
* ``verified`` — at least one linked test passed in its latest run and none is failing;
* ``failing``  — a linked test failed or errored in its latest run;
* ``untested`` — no linked test has a pass or a failure yet (none linked, or only skipped).

The links live downstream (``testruns.TestCaseRequirement``, reverse name ``test_links``; each test
case carries ``last_status`` and ``latest_annotations()`` gives its latest run). Requirements only reads that reverse
relation and imports nothing from the test-runs app; without it every requirement is untested.
"""

from django.db.models import Case, CharField, Exists, OuterRef, Value, When

from .models import Requirement
from .revisions import is_suspect

VERIFIED, FAILING, UNTESTED = "verified", "failing", "untested"
CHOICES = [(VERIFIED, "Verified by tests"), (FAILING, "Failing tests"), (UNTESTED, "Untested")]
PASSING_STATUSES = ("passed",)
FAILING_STATUSES = ("failed", "error")


def _link_model():
    try:
        return Requirement._meta.get_field("test_links").related_model
    except Exception:  # the test-runs app is not installed
        return None


def annotate_verification(queryset):
    """Adds ``verification`` (verified/failing/untested) with two EXISTS subqueries — no N+1."""
    links = _link_model()
    if links is None:
        return queryset.annotate(verification=Value(UNTESTED, output_field=CharField()))
    mine = links.objects.filter(requirement=OuterRef("pk"))
    return queryset.annotate(
        verification=Case(
            When(Exists(mine.filter(test_case__last_status__in=FAILING_STATUSES)), then=Value(FAILING)),
            When(Exists(mine.filter(test_case__last_status__in=PASSING_STATUSES)), then=Value(VERIFIED)),
            default=Value(UNTESTED),
            output_field=CharField(),
        )
    )


def verification_of(requirement) -> dict:
    """{"status", "tests": [...]} for one requirement: each linked test with its latest outcome."""
    links = _link_model()
    if links is None:
        return {"status": UNTESTED, "tests": []}
    # The test's latest run is read from its results (the test-runs app's TestCase.with_latest()).
    latest = links._meta.get_field("test_case").related_model.latest_annotations("test_case_id")
    rows = (
        links.objects.filter(requirement=requirement)
        .select_related("test_case__project")
        .annotate(last_run_number=latest["last_run_number"], last_run_at=latest["last_run_at"])
        .order_by("test_case__suite", "test_case__classname", "test_case__name")
    )
    tests = []
    for link in rows:
        case = link.test_case
        tests.append({
            "id": case.pk,
            "name": case.full_name,
            "status": case.last_status or "",
            "last_run": link.last_run_number,  # the run's number in the project
            "last_run_at": link.last_run_at,
            "suspect": is_suspect(link.fingerprint, requirement),
            "linked_revision": link.revision,
            "url": case.get_absolute_url(),
        })
    statuses = {t["status"] for t in tests}
    if statuses & set(FAILING_STATUSES):
        status = FAILING
    elif statuses & set(PASSING_STATUSES):
        status = VERIFIED
    else:
        status = UNTESTED
    return {"status": status, "tests": tests}
