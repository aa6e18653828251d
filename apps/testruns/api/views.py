"""API of test runs: CI upload (202), sharded append/complete, runs, results, test cases, history,
flaky tests, comparison and trends. Permissions come from apps.core's layer; filters are the UI's.
"""

from django.core.exceptions import ValidationError
from django.shortcuts import get_object_or_404
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import mixins, status, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import ValidationError as DRFValidationError
from rest_framework.parsers import FormParser, MultiPartParser
from rest_framework.response import Response

from apps.core.api.errors import ConflictError
from apps.core.api.parsers import JSONParser, uploaded_file
from apps.core.api.serializers import query_values
from apps.core.api.views import ProjectReadOnlyViewSet, ProjectScopedMixin
from apps.core.permissions import WRITE

from .. import selectors, services
from ..filtersets import HistoryFilterSet, TestResultFilterSet
from ..models import TestCase
from .parsers import RAW_PARSERS, RawReportParser
from .serializers import (
    AcceptedSerializer,
    CompareQuerySerializer,
    ComparisonSerializer,
    FlakyQuerySerializer,
    FlakyTestSerializer,
    HistoryEntrySerializer,
    RunQuerySerializer,
    TestCaseSerializer,
    TestResultSerializer,
    TestRunCreateSerializer,
    TestRunMetaSerializer,
    TestRunSerializer,
    TrendsSerializer,
    UploadSerializer,
)

UPLOAD_PARSERS = [MultiPartParser, FormParser, JSONParser, *RAW_PARSERS]
# The report as the whole body: its bytes, whatever the media type says (the parsers sniff the format).
RAW_REPORT_BODY = {media_type: OpenApiTypes.BINARY for media_type in RawReportParser.media_types}
FILENAME_PARAM = OpenApiParameter("filename", str, description="The report's file name, with a raw body.")


def _fields_from(request) -> dict:
    """The run's metadata sent in the body (form fields or a JSON object), without the report."""
    if not hasattr(request.data, "items"):  # a JSON list, string or number
        raise DRFValidationError({"non_field_errors": ["Expected an object of run fields (or a report as the body)."]})
    return {key: value for key, value in request.data.items() if key != "report"}


def _report_from(request):
    """(file, filename, content_type, gzip) from a multipart field or the raw body; (None, …) if none came.

    A "report" that is not a file (a JSON value, a form text field) is refused rather than ignored."""
    report = uploaded_file(request, "report")
    if report is None:
        return None, "", "", None
    encoding = request.headers.get("Content-Encoding", "").lower()
    gzip = True if "gzip" in encoding else None
    filename = getattr(report, "name", "") or "report.xml"
    content_type = getattr(report, "content_type", "") or request.content_type
    return report, filename, content_type, gzip


def _filtered(filterset_class, request, queryset):
    filterset = filterset_class(request.query_params, queryset=queryset, request=request)
    if not filterset.is_valid():
        raise DRFValidationError(filterset.errors)
    return filterset.qs


class TestRunViewSet(
    ProjectScopedMixin,
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.DestroyModelMixin,
    viewsets.GenericViewSet,
):
    """Test runs. CI uploads with POST (202); the run is processed in the background."""

    serializer_class = TestRunSerializer
    action_roles = {"reports": WRITE, "complete": WRITE, "reprocess": WRITE}
    parser_classes = UPLOAD_PARSERS

    def max_request_bytes(self) -> int:
        return services.max_report_bytes() + 1024 * 1024  # the report, plus form fields and multipart framing

    def _accepted(self, run, code=status.HTTP_202_ACCEPTED):
        data = TestRunSerializer(run, context=self.get_serializer_context()).data
        return Response(
            {"number": run.number, "url": data["url"], "status": run.status, "web_url": data["web_url"]},
            status=code,
            headers={"Location": data["url"]},
        )

    @extend_schema(
        request={
            "multipart/form-data": TestRunCreateSerializer,
            "application/x-www-form-urlencoded": TestRunMetaSerializer,
            "application/json": TestRunMetaSerializer,
            **RAW_REPORT_BODY,
        },
        responses={202: AcceptedSerializer, 200: AcceptedSerializer},
        parameters=[TestRunMetaSerializer, FILENAME_PARAM],
    )
    def create(self, request, *args, **kwargs):
        """Upload a report: multipart field `report`, or the raw body (application/xml, gzip ok) with the
        metadata as query parameters. JSON or form fields without a report open a sharded run (`open`)."""
        meta = TestRunMetaSerializer(data={**request.query_params.dict(), **_fields_from(request)})
        meta.is_valid(raise_exception=True)
        values = dict(meta.validated_data)
        report, filename, content_type, gzip = _report_from(request)
        run, created = services.test_run_create(
            project=self.project,
            actor=request.user,
            report=report,
            filename=filename,
            content_type=content_type,
            gzip=gzip,
            **values,
        )
        run.refresh_from_db()
        return self._accepted(run, status.HTTP_202_ACCEPTED if created else status.HTTP_200_OK)

    @extend_schema(
        request={"multipart/form-data": UploadSerializer, **RAW_REPORT_BODY},
        responses={202: AcceptedSerializer},
        parameters=[FILENAME_PARAM],
    )
    @action(detail=True, methods=["post"], url_path="reports")
    def reports(self, request, *args, **kwargs):
        """Append one more report file (a CI shard) to an open run."""
        run = self.get_object()
        report, filename, content_type, gzip = _report_from(request)
        if report is None:
            raise DRFValidationError({"report": ["No report: send multipart field 'report' or a raw body."]})
        if not run.is_open:
            raise ConflictError("This run is closed: it was completed or not created with open=true.")
        services.test_run_add_report(
            run=run,
            actor=request.user,
            report=report,
            filename=filename,
            content_type=content_type,
            gzip=gzip,
        )
        return self._accepted(run)

    @extend_schema(request=None, responses={202: AcceptedSerializer})
    @action(detail=True, methods=["post"])
    def complete(self, request, *args, **kwargs):
        """Close a sharded run; its reports are processed together."""
        run = services.test_run_complete(run=self.get_object(), actor=request.user)
        run.refresh_from_db()
        return self._accepted(run)

    @extend_schema(request=None, responses={202: AcceptedSerializer})
    @action(detail=True, methods=["post"])
    def reprocess(self, request, *args, **kwargs):
        """Process a failed run again from its stored uploads."""
        try:
            run = services.test_run_reprocess(run=self.get_object(), actor=request.user)
        except ValidationError as exc:
            raise ConflictError(" ".join(exc.messages)) from None
        run.refresh_from_db()
        return self._accepted(run)

    @extend_schema(
        parameters=[OpenApiParameter("status", str), OpenApiParameter("q", str)],
        responses=TestResultSerializer(many=True),
    )
    @action(detail=True, methods=["get"])
    def results(self, request, *args, **kwargs):
        """The run's results; filter by status, search by name or message, order by duration."""
        run = self.get_object()
        queryset = _filtered(
            TestResultFilterSet,
            request,
            selectors.run_results(run=run).defer(None).defer("system_out", "system_err"),
        )
        page = self.paginate_queryset(queryset)
        return self.get_paginated_response(TestResultSerializer(page, many=True).data)

    @extend_schema(parameters=[CompareQuerySerializer], responses=ComparisonSerializer)
    @action(detail=True, methods=["get"])
    def compare(self, request, *args, **kwargs):
        """New failures, fixed and still failing tests against ``base`` (first 200 of each)."""
        head = self.get_object()
        base_id = query_values(CompareQuerySerializer, request).get("base")
        if base_id is not None:
            base = get_object_or_404(self.get_queryset(), number=base_id)
        else:
            base = selectors.previous_run(run=head)
        if base is None:
            body = {"base": None, "head": head.number}
            for key in ("new_failures", "fixed", "still_failing"):
                body.update({key: [], f"{key}_count": 0})
            return Response(body)
        groups = selectors.compare_runs(base=base, head=head)
        body = {"base": base.number, "head": head.number}
        for key, queryset in groups.items():
            rows = queryset.defer(None).defer("system_out", "system_err", "properties")[:200]
            body[key] = TestResultSerializer(rows, many=True).data
            body[f"{key}_count"] = queryset.count()
        return Response(body)

    @extend_schema(parameters=[RunQuerySerializer], responses=TrendsSerializer)
    @action(detail=False, methods=["get"], pagination_class=None)
    def trends(self, request, *args, **kwargs):
        """Pass rate and duration per complete run, oldest first (last 100), for one branch/name."""
        params = query_values(RunQuerySerializer, request)
        points = selectors.trend_points(project=self.project, branch=params.get("branch"), name=params.get("name"))
        return Response({"points": points})


class TestCaseViewSet(ProjectReadOnlyViewSet):
    """Tests by stable identity (suite + class + name), with latest status and flakiness."""

    serializer_class = TestCaseSerializer

    @extend_schema(
        responses=HistoryEntrySerializer(many=True),
        parameters=[OpenApiParameter("branch", str), OpenApiParameter("name", str)],
    )
    @action(detail=True, methods=["get"])
    def history(self, request, *args, **kwargs):
        """This test's status and duration in each run, newest first."""
        queryset = _filtered(HistoryFilterSet, request, selectors.test_history(test_case=self.get_object()))
        page = self.paginate_queryset(queryset)
        return self.get_paginated_response(HistoryEntrySerializer(page, many=True).data)


class FlakyTestViewSet(ProjectScopedMixin, viewsets.GenericViewSet):
    """Flaky tests: pass↔fail flips in the last N runs of a branch, or passed after retry."""

    serializer_class = FlakyTestSerializer
    queryset = TestCase.objects.none()  # rows come from selectors.flaky_tests; this only names the model

    @extend_schema(parameters=[FlakyQuerySerializer])
    def list(self, request, *args, **kwargs):
        params = query_values(FlakyQuerySerializer, request)
        rows = selectors.flaky_tests(project=self.project, **params)
        page = self.paginate_queryset(rows)
        return self.get_paginated_response(FlakyTestSerializer(page, many=True).data)
