"""Serializers of runs, results, test cases and history. Writes go through apps.testruns.services."""

from django.core.cache import cache
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from apps.core.api.serializers import KitSerializer

from ..models import TestCase, TestResult, TestRun
from ..services import META_FIELDS, progress_key


class TestRunMetaSerializer(serializers.ModelSerializer):
    """CI metadata of an upload: form or JSON fields, or query parameters with a raw body. Lengths and
    formats are the model's (shown in the schema from it); the service validates them once."""

    open = serializers.BooleanField(
        required=False, default=False, help_text="Sharded run: more reports follow, then POST …/complete/."
    )

    class Meta:
        model = TestRun
        fields = [*META_FIELDS, "open"]
        validators = []  # a known external_id is answered with its run (200), not refused
        extra_kwargs = {name: {"required": False} for name in META_FIELDS}


class TestRunCreateSerializer(TestRunMetaSerializer):
    """A multipart upload: the report file with the run's metadata."""

    report = serializers.FileField(
        required=False, help_text="The report (JUnit XML, TRX, NUnit, xUnit; gzip ok)."
    )

    class Meta(TestRunMetaSerializer.Meta):
        fields = [*META_FIELDS, "open", "report"]


class UploadSerializer(serializers.Serializer):
    report = serializers.FileField(help_text="One more report file of this (open) run.")


class AcceptedSerializer(serializers.Serializer):
    """The answer to an upload (202; 200 when ``external_id`` names a known run): poll ``url``."""

    number = serializers.IntegerField(help_text="The run's number in its project (unit #7): its URLs use it.")
    url = serializers.URLField(help_text="The run in the API: poll it for status and totals.")
    status = serializers.ChoiceField(choices=TestRun.State.choices)
    web_url = serializers.URLField(help_text="The run's page.")


class TotalsSerializer(serializers.Serializer):
    tests = serializers.IntegerField()
    passed = serializers.IntegerField()
    failed = serializers.IntegerField()
    errors = serializers.IntegerField()
    skipped = serializers.IntegerField()


class TestRunSerializer(KitSerializer):
    """A run, with ``url`` and ``web_url`` from its kit (by number, as every kit's links are)."""

    totals = serializers.SerializerMethodField()
    progress = serializers.SerializerMethodField(help_text="Percent of the report read (100 once complete).")
    created_by = serializers.CharField(source="created_by.username", default=None, read_only=True)
    warnings = serializers.ListField(
        child=serializers.CharField(), read_only=True,
        help_text="What Threadline repaired in the reports (e.g. unescaped '<' in attributes), one sentence each.",
    )

    class Meta:
        model = TestRun
        fields = [
            "number",
            "url",
            "web_url",
            "name",
            "branch",
            "commit",
            "build_url",
            "build_number",
            "environment",
            "external_id",
            "status",
            "error",
            "warnings",
            "is_open",
            "progress",
            "totals",
            "flaky",
            "duration",
            "pass_rate",
            "created_by",
            "created_at",
            "started_at",
            "completed_at",
        ]

    @extend_schema_field(TotalsSerializer)
    def get_totals(self, run) -> dict:
        return {
            "tests": run.tests,
            "passed": run.passed,
            "failed": run.failed,
            "errors": run.errors,
            "skipped": run.skipped,
        }

    def get_progress(self, run) -> int:
        if run.status == TestRun.State.PROCESSING:
            return cache.get(progress_key(run.pk), run.progress)
        return 100 if run.status == TestRun.State.COMPLETE else run.progress


class TestCaseSummarySerializer(serializers.ModelSerializer):
    class Meta:
        model = TestCase
        fields = ["id", "suite", "classname", "name"]


class TestResultSerializer(serializers.ModelSerializer):
    test_case = TestCaseSummarySerializer(read_only=True)

    class Meta:
        model = TestResult
        fields = [
            "id",
            "test_case",
            "status",
            "duration",
            "failure_type",
            "failure_message",
            "failure_text",
            "message_signature",
            "flaky_in_run",
            "retries",
            "file",
            "line",
        ]


class RunSummarySerializer(serializers.ModelSerializer):
    class Meta:
        model = TestRun
        fields = ["number", "name", "branch", "commit", "environment", "created_at"]


class HistoryEntrySerializer(serializers.ModelSerializer):
    run = RunSummarySerializer(read_only=True)

    class Meta:
        model = TestResult
        fields = [
            "id",
            "run",
            "status",
            "duration",
            "failure_type",
            "failure_message",
            "flaky_in_run",
            "retries",
        ]


class TestCaseSerializer(serializers.ModelSerializer):
    # Read from the test's results (TestCase.objects.with_latest()), not stored on the test.
    # Runs by their number in the project (unit #7).
    last_run = serializers.IntegerField(source="last_run_number", read_only=True, default=None)
    last_duration = serializers.FloatField(read_only=True, default=None)
    first_failed_run = serializers.IntegerField(source="first_failed_run_number", read_only=True, default=None,
                                                help_text="The run where the current failure streak began.")
    last_passed_run = serializers.IntegerField(source="last_passed_run_number", read_only=True, default=None)

    class Meta:
        model = TestCase
        fields = [
            "id",
            "suite",
            "classname",
            "name",
            "file",
            "last_status",
            "last_run",
            "last_duration",
            "first_failed_run",
            "last_passed_run",
            "flaky",
            "flips",
            "flaky_score",
            "created_at",
        ]


class FlakyTestSerializer(serializers.Serializer):
    test_case = TestCaseSerializer()
    flips = serializers.IntegerField()
    score = serializers.FloatField()
    retried = serializers.BooleanField(allow_null=True)
    runs = serializers.IntegerField(allow_null=True)


class TrendPointSerializer(serializers.Serializer):
    """One complete run on the trends chart."""

    number = serializers.IntegerField(help_text="The run's number in its project.")
    name = serializers.CharField()
    branch = serializers.CharField()
    created_at = serializers.DateTimeField()
    tests = serializers.IntegerField()
    passed = serializers.IntegerField()
    failed = serializers.IntegerField()
    errors = serializers.IntegerField()
    skipped = serializers.IntegerField()
    duration = serializers.FloatField()
    pass_rate = serializers.FloatField(allow_null=True, help_text="Percent of the tests that ran; null if none ran.")


class TrendsSerializer(serializers.Serializer):
    points = TrendPointSerializer(many=True, help_text="Oldest first, the last 100 complete runs.")


class ComparisonSerializer(serializers.Serializer):
    """A run against a base run (first 200 rows of each group, with the group's full count)."""

    base = serializers.IntegerField(allow_null=True, help_text="null: no earlier run of this branch and name.")
    head = serializers.IntegerField()
    new_failures = TestResultSerializer(many=True, help_text="Failing here, not failing in base.")
    new_failures_count = serializers.IntegerField()
    fixed = TestResultSerializer(many=True, help_text="Failing in base, passing here.")
    fixed_count = serializers.IntegerField()
    still_failing = TestResultSerializer(many=True, help_text="Failing in both.")
    still_failing_count = serializers.IntegerField()


class RunQuerySerializer(serializers.Serializer):
    """?branch=&name= of trends and flaky tests: the runs of one branch and one pipeline name."""

    branch = serializers.CharField(required=False, allow_blank=True, trim_whitespace=False)
    name = serializers.CharField(required=False, allow_blank=True, trim_whitespace=False)


class FlakyQuerySerializer(RunQuerySerializer):
    window = serializers.IntegerField(
        required=False, min_value=2, max_value=500, help_text="How many recent runs to look at (2-500)."
    )


class CompareQuerySerializer(serializers.Serializer):
    base = serializers.IntegerField(
        required=False, min_value=1,
        help_text="Run to compare with (default: the previous run of the same branch and name).",
    )  # fmt: skip
