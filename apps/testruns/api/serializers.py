"""Serializers of runs, results, test cases and history. Writes go through apps.testruns.services."""

from django.core.cache import cache
from django.urls import reverse
from rest_framework import serializers

from ..models import TestCase, TestResult, TestRun
from ..services import META_FIELDS, progress_key


class TestRunCreateSerializer(serializers.ModelSerializer):
    """CI metadata sent with an upload (form fields, or query parameters with a raw body). Lengths and
    formats are the model's (shown in the schema from it); the service validates them once."""

    open = serializers.BooleanField(
        required=False, default=False, help_text="Sharded run: more reports follow, then POST …/complete/."
    )
    report = serializers.FileField(
        required=False, help_text="The report (JUnit XML, TRX, NUnit, xUnit; gzip ok)."
    )

    class Meta:
        model = TestRun
        fields = [*META_FIELDS, "open", "report"]
        validators = []  # a known external_id is answered with its run (200), not refused
        extra_kwargs = {name: {"required": False} for name in META_FIELDS}


class UploadSerializer(serializers.Serializer):
    report = serializers.FileField(help_text="One more report file of this (open) run.")


class AcceptedSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    url = serializers.URLField()
    status = serializers.CharField()


class TestRunSerializer(serializers.ModelSerializer):
    url = serializers.SerializerMethodField()
    web_url = serializers.SerializerMethodField()
    totals = serializers.SerializerMethodField()
    progress = serializers.SerializerMethodField()
    created_by = serializers.CharField(source="created_by.username", default=None, read_only=True)

    class Meta:
        model = TestRun
        fields = [
            "id",
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

    def _slug(self) -> str:
        return self.context["project"].slug

    def get_url(self, run) -> str:
        path = reverse("api:testrun-detail", kwargs={"project_slug": self._slug(), "pk": run.pk})
        request = self.context.get("request")
        return request.build_absolute_uri(path) if request else path

    def get_web_url(self, run) -> str:
        path = reverse("testruns:run_detail", kwargs={"project_slug": self._slug(), "pk": run.pk})
        request = self.context.get("request")
        return request.build_absolute_uri(path) if request else path

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
        fields = ["id", "name", "branch", "commit", "environment", "created_at"]


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
    last_run = serializers.IntegerField(source="last_run_id", read_only=True, default=None)
    last_duration = serializers.FloatField(read_only=True, default=None)
    last_passed_run = serializers.IntegerField(source="last_passed_run_id", read_only=True, default=None)

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
