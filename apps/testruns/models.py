"""Test runs and what they hold: uploaded reports, test identities, per-run results, requirement links.

* ``TestRun``: one CI execution of a suite/pipeline on a branch (status, totals, progress).
* ``ReportUpload``: a raw report file as uploaded, stored BEFORE parsing so a run can be re-processed.
* ``TestCase``: a stable test identity (suite + class + name) across runs, with denormalised
  latest status and flakiness so lists and requirement verification are single queries.
* ``TestResult``: one test case's outcome in one run. Bulk data: loaded with COPY, never logged per row.
* ``TestCaseRequirement``: a test case naming a requirement key (REQ-12), filled during ingestion.
"""

from django.conf import settings
from django.db import models
from django.db.models import F, OuterRef, Subquery

from apps.core.models import ProjectScopedModel, ProjectScopedQuerySet, TimeStampedModel

from .rows import identity_of, test_key


class Status(models.TextChoices):
    PASSED = "passed", "Passed"
    FAILED = "failed", "Failed"
    ERROR = "error", "Error"
    SKIPPED = "skipped", "Skipped"


FAILING = (Status.FAILED, Status.ERROR)


class RunStatus(models.TextChoices):
    QUEUED = "queued", "Queued"
    PROCESSING = "processing", "Processing"
    COMPLETE = "complete", "Complete"
    FAILED = "failed", "Failed"


def identity_hash(suite: str, classname: str, name: str) -> str:
    """The stable key of a test across runs (unique per project)."""
    return identity_of(test_key(suite, classname, name))


class TestRun(ProjectScopedModel):
    """One CI execution of a suite/pipeline (``name``) on a branch, fed by one or more report uploads."""

    __test__ = False  # not a pytest class, despite the name

    State = RunStatus

    # Numbered per project (unit #1 is a project's first run), from core's ProjectCounter: pages and
    # the API find a run by it, so the global id never tells how many runs other projects have.
    number = models.PositiveIntegerField(editable=False)
    name = models.CharField(max_length=200, blank=True, help_text="Suite or pipeline, e.g. 'unit'.")
    branch = models.CharField(max_length=200, blank=True)
    commit = models.CharField(max_length=64, blank=True)
    build_url = models.URLField(max_length=500, blank=True)
    build_number = models.CharField(max_length=64, blank=True)
    environment = models.CharField(max_length=100, blank=True)
    external_id = models.CharField(
        max_length=200, blank=True, help_text="CI's id for this run; re-posting it adds nothing new."
    )
    status = models.CharField(max_length=12, choices=State.choices, default=State.QUEUED)
    error = models.TextField(blank=True, help_text="Why processing failed.")
    warnings = models.JSONField(
        default=list,
        blank=True,
        help_text="What Threadline had to repair in a completed run's reports (one sentence each).",
    )
    is_open = models.BooleanField(default=False, help_text="Sharded run still accepting report files.")
    tests = models.PositiveIntegerField(default=0)
    passed = models.PositiveIntegerField(default=0)
    failed = models.PositiveIntegerField(default=0)
    errors = models.PositiveIntegerField(default=0)
    skipped = models.PositiveIntegerField(default=0)
    flaky = models.PositiveIntegerField(default=0, help_text="Tests that passed after a retry in this run.")
    duration = models.FloatField(default=0.0, help_text="Sum of test durations, seconds.")
    progress = models.PositiveSmallIntegerField(default=0, help_text="0-100 while processing.")
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    started_at = models.DateTimeField(null=True, blank=True, help_text="When a worker last took the run.")
    completed_at = models.DateTimeField(null=True, blank=True)
    # The database row is the record of the work; a Celery message only wakes a worker up. These two
    # let the sweeper (pipeline.test_runs_sweep) find work whose message or worker was lost.
    queued_at = models.DateTimeField(
        null=True, blank=True, help_text="When the run was last handed to the queue (empty: not sent yet)."
    )
    attempts = models.PositiveSmallIntegerField(default=0, help_text="Times a worker took the run.")

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["project", "number"], name="testrun_unique_number_per_project"),
            models.UniqueConstraint(
                fields=["project", "external_id"],
                condition=~models.Q(external_id=""),
                name="testrun_unique_external_id",
            ),
        ]
        indexes = [
            models.Index(fields=["project", "-created_at"], name="testrun_project_recent"),
            models.Index(fields=["project", "branch", "name", "-id"], name="testrun_branch_name"),
            models.Index(fields=["project", "status"], name="testrun_project_status"),
            # What the sweeper looks at every minute: the few runs not finished yet.
            models.Index(fields=["status"], condition=models.Q(status__in=["queued", "processing"]),
                         name="testrun_unfinished"),
        ]

    def __str__(self) -> str:
        label = self.name or "run"
        return f"{label} #{self.number}" + (f" on {self.branch}" if self.branch else "")

    @property
    def failing(self) -> int:
        return self.failed + self.errors

    @property
    def pass_rate(self) -> float | None:
        """Passed share of the tests that ran (skipped excluded), in percent."""
        ran = self.tests - self.skipped
        return round(100.0 * self.passed / ran, 1) if ran else None

    @property
    def is_finished(self) -> bool:
        return self.status in (self.State.COMPLETE, self.State.FAILED)


def upload_path(instance, filename: str) -> str:
    return f"testruns/{instance.run.project_id}/{instance.run_id}/{filename}"


class ReportUpload(TimeStampedModel):
    """A report file exactly as CI sent it (maybe gzipped), kept for re-processing until purged."""

    class State(models.TextChoices):
        STORED = "stored", "Stored"
        PROCESSED = "processed", "Processed"
        FAILED = "failed", "Failed"
        PURGED = "purged", "Purged"

    run = models.ForeignKey(TestRun, on_delete=models.CASCADE, related_name="uploads")
    file = models.FileField(upload_to=upload_path, max_length=300, blank=True)
    filename = models.CharField(max_length=255, blank=True)
    size = models.PositiveBigIntegerField(default=0, help_text="Bytes stored.")
    content_type = models.CharField(max_length=100, blank=True)
    gzip = models.BooleanField(default=False)
    truncated = models.BooleanField(default=False, help_text="Over the size limit: stored cut short.")
    status = models.CharField(max_length=10, choices=State.choices, default=State.STORED)
    error = models.TextField(blank=True)
    cases = models.PositiveIntegerField(default=0, help_text="Test cases read from this file.")

    class Meta:
        ordering = ["id"]
        indexes = [models.Index(fields=["status", "created_at"], name="reportupload_purge")]

    def __str__(self) -> str:
        return self.filename or f"upload {self.pk}"


class TestCaseQuerySet(ProjectScopedQuerySet):
    def with_latest(self):
        """Adds ``last_run_id``, ``last_run_at``, ``last_duration`` and ``last_passed_run_id`` from the
        test's results: correlated subqueries on the (test_case, run) index, no extra query."""
        return self.annotate(**latest_annotations("pk"), first_failed_run_number=F("first_failed_run__number"))


def latest_annotations(test_case_ref: str) -> dict:
    """Subqueries giving a test's latest run, its duration and its last passing run (``test_case_ref``
    names the test case id in the outer query)."""
    results = TestResult.objects.filter(test_case=OuterRef(test_case_ref)).order_by("-run_id")
    passed = results.filter(status=Status.PASSED)
    return {
        "last_run_id": Subquery(results.values("run_id")[:1]),
        # Runs as people name them: their number in the project (unit #7), not the global id.
        "last_run_number": Subquery(results.values("run__number")[:1]),
        "last_passed_run_number": Subquery(passed.values("run__number")[:1]),
        "last_run_at": Subquery(results.values("run__created_at")[:1]),
        "last_duration": Subquery(results.values("duration")[:1]),
        "last_passed_run_id": Subquery(passed.values("run_id")[:1]),
    }


class TestCase(ProjectScopedModel):
    """A test's stable identity across runs: suite + class + name, hashed into ``identity``."""

    __test__ = False

    # Only what changes rarely is stored here: the latest status and the start of the current failure
    # streak, written by ingestion for the tests whose status changed (few, in the steady state).
    # Which run last ran a test, how long it took and when it last passed are read from its results
    # (``with_latest()``: one index probe per test of a page), so an ingestion never rewrites every
    # test. Few indexes keep those writes cheap (HOT updates). No database-level FKs either: one
    # deferred trigger per row would make a first ingestion of 100 000 tests spend longer checking them
    # at commit than inserting; the loader takes the project from the run it holds locked, and
    # deletion cascades through Django (``on_delete``).
    project = models.ForeignKey(
        "projects.Project", on_delete=models.CASCADE, related_name="+", db_index=False, db_constraint=False
    )
    suite = models.TextField(blank=True)
    classname = models.TextField(blank=True)
    name = models.TextField(blank=True)
    # PostgreSQL stores it with the "C" collation (migration 0003): hex digits need no locale rules,
    # and byte comparisons make the unique index cheaper to fill and probe.
    identity = models.CharField(max_length=40, help_text="sha1 of suite, class and name.")
    file = models.TextField(blank=True)
    last_status = models.CharField(max_length=8, choices=Status.choices, blank=True)
    first_failed_run = models.ForeignKey(
        TestRun, null=True, blank=True, on_delete=models.SET_NULL, related_name="+", db_constraint=False,
        db_index=False, help_text="First run of the current failure streak (empty when the test passes).",
    )
    flaky = models.BooleanField(default=False)
    flips = models.PositiveIntegerField(default=0, help_text="Pass↔fail flips in the flaky window.")
    flaky_score = models.FloatField(default=0.0, help_text="Flips per run in the flaky window (0-1).")

    objects = TestCaseQuerySet.as_manager()

    class Meta:
        ordering = ["suite", "classname", "name"]
        constraints = [
            models.UniqueConstraint(fields=["project", "identity"], name="testcase_unique_identity"),
        ]
        indexes = [
            # Flagged tests (flaky or with flips): the flaky page, and the tests each ingestion re-checks.
            models.Index(fields=["project"], condition=models.Q(flaky=True) | models.Q(flips__gt=0),
                         name="testcase_project_flagged"),
        ]

    def __str__(self) -> str:
        return ".".join(part for part in (self.classname, self.name) if part) or self.suite

    latest_annotations = staticmethod(latest_annotations)

    @property
    def full_name(self) -> str:
        return " › ".join(part for part in (self.suite, self.classname, self.name) if part)


class TestResult(models.Model):
    """One test case's outcome in one run. Bulk data: no timestamps, no per-row change log.

    Rows are written only by the ingestion loader, which takes both ids from the database in the
    same transaction; database-level FK checks (one trigger per row) would double the load time,
    so integrity is the loader's and deletion cascades are Django's (``on_delete``).
    """

    __test__ = False

    run = models.ForeignKey(
        TestRun, on_delete=models.CASCADE, related_name="results", db_constraint=False, db_index=False
    )
    test_case = models.ForeignKey(
        TestCase, on_delete=models.CASCADE, related_name="results", db_constraint=False, db_index=False
    )
    status = models.CharField(max_length=8, choices=Status.choices)
    duration = models.FloatField(default=0.0)
    failure_type = models.TextField(blank=True)
    failure_message = models.TextField(blank=True)
    failure_text = models.TextField(blank=True)
    message_signature = models.CharField(
        max_length=200,
        blank=True,
        help_text="Failure message with numbers, ids, paths and quotes normalised.",
    )
    system_out = models.TextField(blank=True)
    system_err = models.TextField(blank=True)
    properties = models.JSONField(default=dict, blank=True)
    file = models.TextField(blank=True)
    line = models.IntegerField(null=True, blank=True)
    flaky_in_run = models.BooleanField(
        default=False, help_text="Passed after failing attempt(s) in this run."
    )
    retries = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["id"]
        indexes = [
            # A run's results in id order (pages); status filters use the partial index below.
            models.Index(fields=["run", "id"], name="testresult_run_id"),
            models.Index(fields=["test_case", "run"], name="testresult_case_run"),
            # What flaky detection looks at: failures and retries only (~5 % of rows).
            models.Index(
                fields=["run"],
                condition=models.Q(status__in=["failed", "error"]) | models.Q(flaky_in_run=True),
                name="testresult_run_notable",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.test_case_id} {self.status} in run {self.run_id}"

    @property
    def is_failing(self) -> bool:
        return self.status in FAILING


class TestCaseRequirement(TimeStampedModel):
    """A test case verifying a requirement because it names its key (REQ-12) in its name, class or a
    property. Made during ingestion; ``fingerprint``/``revision`` are the requirement's at link time,
    so the requirements side can flag the link suspect once the requirement changes."""

    __test__ = False

    test_case = models.ForeignKey(TestCase, on_delete=models.CASCADE, related_name="requirement_links")
    requirement = models.ForeignKey(
        "requirements.Requirement", on_delete=models.CASCADE, related_name="test_links"
    )
    fingerprint = models.CharField(max_length=64, blank=True)
    revision = models.PositiveIntegerField(null=True, blank=True)

    class Meta:
        ordering = ["id"]
        constraints = [
            models.UniqueConstraint(fields=["test_case", "requirement"], name="testcaserequirement_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.test_case} verifies {self.requirement_id}"
