"""API: requirements by key, with their transitions, criteria, revisions and comments; import/export."""

from django.shortcuts import get_object_or_404
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_view
from rest_framework import mixins, status, viewsets
from rest_framework.decorators import action
from rest_framework.parsers import MultiPartParser
from rest_framework.renderers import JSONRenderer
from rest_framework.response import Response

from apps.core.api.csvio import CSVParser, CSVRenderer
from apps.core.api.parsers import uploaded_file
from apps.core.api.views import ProjectModelViewSet, ProjectScopedMixin
from apps.core.permissions import MANAGE, READ, WRITE

from .. import selectors, services, transfer
from ..models import (
    Requirement,
)
from ..revisions import as_text, diff_lines
from .serializers import (
    CommentSerializer,
    CriterionSerializer,
    ImportReportSerializer,
    RequirementCreateSerializer,
    RequirementSerializer,
    RevisionDiffSerializer,
    RevisionSerializer,
    TransitionSerializer,
)

KEY_PARAM = OpenApiParameter("key", str, OpenApiParameter.PATH, description="Requirement key, e.g. REQ-12.")


@extend_schema_view(
    retrieve=extend_schema(parameters=[KEY_PARAM]),
    update=extend_schema(parameters=[KEY_PARAM]),
    partial_update=extend_schema(parameters=[KEY_PARAM]),
    destroy=extend_schema(parameters=[KEY_PARAM]),
    create=extend_schema(request=RequirementCreateSerializer, responses={201: RequirementSerializer}),
)
class RequirementViewSet(ProjectModelViewSet):
    """Requirements of a project, looked up by key (REQ-12). Filters are the list page's."""

    action_roles = {"import_csv": MANAGE, "export": READ, "transition": WRITE}
    filtered_actions = ("list", "export")

    def scoped_queryset(self):
        return selectors.requirement_list(project=self.project, with_criteria=True)

    def get_serializer_class(self):
        return RequirementCreateSerializer if self.action == "create" else super().get_serializer_class()

    def get_renderers(self):
        # OPTIONS describes the endpoint in JSON, also on export (whose first renderer is CSV).
        return [JSONRenderer()] if self.request.method == "OPTIONS" else super().get_renderers()

    def get_serializer_context(self):
        # One requirement's answer lists its verifying tests; lists carry only the status.
        return {**super().get_serializer_context(), "verification_tests": self.action == "retrieve"}

    @extend_schema(request=TransitionSerializer, responses=RequirementSerializer, parameters=[KEY_PARAM])
    @action(detail=True, methods=["post"])
    def transition(self, request, *args, **kwargs):
        """Move along the workflow: {"to": "approved", "comment": "…"}. Approving needs a maintainer."""
        data = TransitionSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        requirement = services.requirement_transition(
            requirement=self.get_object(), to=data.validated_data["to_status"], actor=request.user,
            access=self.access, comment=data.validated_data.get("comment", ""),
        )  # fmt: skip
        return Response(RequirementSerializer(requirement, context=self.get_serializer_context()).data)

    @extend_schema(
        parameters=[OpenApiParameter("format", str, enum=["csv", "json"], description="csv (default) or json.")],
        responses={(200, "text/csv"): OpenApiTypes.STR, (200, "application/json"): OpenApiTypes.OBJECT},
    )
    @action(detail=False, methods=["get"], renderer_classes=[CSVRenderer, JSONRenderer], pagination_class=None)
    def export(self, request, *args, **kwargs):
        """The filtered requirements as a CSV or JSON download (same columns as the import)."""
        fmt = "json" if request.query_params.get("format") == "json" else "csv"
        return transfer.export_download(
            queryset=self.filter_queryset(self.get_queryset()), fmt=fmt, project=self.project
        )

    @extend_schema(
        request={
            "text/csv": OpenApiTypes.BINARY,
            "multipart/form-data": {
                "type": "object",
                "properties": {"file": {"type": "string", "format": "binary"}},
            },
        },
        parameters=[OpenApiParameter("dry_run", bool, description="1 = validate and preview, save nothing.")],
        responses={200: ImportReportSerializer, 201: ImportReportSerializer},
    )
    @action(detail=False, methods=["post"], url_path="import", parser_classes=[CSVParser, MultiPartParser])
    def import_csv(self, request, *args, **kwargs):
        """Import a CSV (body as text/csv, or a multipart "file"). All rows are saved, or none."""
        self.access.require(WRITE)  # archived projects refuse imports even to maintainers
        data = request.data
        if not isinstance(data, bytes):  # multipart: the "file" field
            upload = uploaded_file(request, "file")
            data = upload.read() if upload else b""
        dry_run = request.query_params.get("dry_run", "").lower() in {"1", "true", "yes"}
        report = transfer.requirements_import(project=self.project, actor=request.user, data=data, dry_run=dry_run)
        if not report.ok:
            body = {
                "status": 400,
                "code": "invalid",
                "detail": f"{len(report.errors)} row error(s); nothing saved.",
                "errors": {"rows": [vars(e) for e in report.errors]},
                "report": report.as_dict(),
            }
            return Response(body, status=status.HTTP_400_BAD_REQUEST)
        return Response(report.as_dict(), status=status.HTTP_200_OK if dry_run else status.HTTP_201_CREATED)


class RequirementChildMixin(ProjectScopedMixin):
    """Nested under /requirements/{key}/: resolves ``self.requirement`` after the permission check."""

    def initial(self, request, *args, **kwargs):
        super().initial(request, *args, **kwargs)
        self.requirement = get_object_or_404(Requirement, project=self.project, number=kwargs["key"])

    def get_serializer_context(self):
        return {**super().get_serializer_context(), "requirement": getattr(self, "requirement", None)}


@extend_schema(parameters=[KEY_PARAM])
class CriterionViewSet(RequirementChildMixin, viewsets.ModelViewSet):
    """A requirement's acceptance criteria in order. PATCH {"position": n} moves one."""

    serializer_class = CriterionSerializer
    action_roles = {"destroy": WRITE}  # a criterion is part of the requirement's text, not an object of its own
    http_method_names = ["get", "post", "patch", "delete", "head", "options"]

    def scoped_queryset(self):
        return selectors.criteria_of(self.requirement)

    def perform_destroy(self, instance):
        services.criterion_delete(criterion=instance, actor=self.request.user)


@extend_schema(parameters=[KEY_PARAM])
class RevisionViewSet(RequirementChildMixin, mixins.ListModelMixin, viewsets.GenericViewSet):
    """A requirement's revisions, newest first; ``diff`` compares any two."""

    serializer_class = RevisionSerializer

    def scoped_queryset(self):
        return self.requirement.revisions.select_related("author")

    @extend_schema(
        parameters=[OpenApiParameter("a", int, required=True), OpenApiParameter("b", int, required=True)],
        responses=RevisionDiffSerializer,
    )
    @action(detail=False, methods=["get"], pagination_class=None)
    def diff(self, request, *args, **kwargs):
        """Unified diff between revisions ?a=1&b=3."""
        data = RevisionDiffSerializer(data={**request.query_params.dict(), "diff": "-"})
        data.is_valid(raise_exception=True)
        a, b = data.validated_data["a"], data.validated_data["b"]
        old = get_object_or_404(self.get_queryset(), number=a)
        new = get_object_or_404(self.get_queryset(), number=b)
        lines = diff_lines(
            as_text(old.title, old.description, old.criteria),
            as_text(new.title, new.description, new.criteria),
            f"revision {a}",
            f"revision {b}",
        )
        return Response({"a": a, "b": b, "diff": "\n".join(line for _, line in lines)})


@extend_schema(parameters=[KEY_PARAM])
class CommentViewSet(RequirementChildMixin, mixins.ListModelMixin, mixins.CreateModelMixin, viewsets.GenericViewSet):
    """Discussion on a requirement, oldest first. Markdown; body_html is rendered and sanitised."""

    serializer_class = CommentSerializer

    def scoped_queryset(self):
        return self.requirement.comments.select_related("author")


class TransitionViewSet(RequirementChildMixin, mixins.ListModelMixin, viewsets.GenericViewSet):
    """A requirement's workflow history, newest first."""

    serializer_class = TransitionSerializer
    action_roles = {"list": READ}

    def scoped_queryset(self):
        return self.requirement.transitions.select_related("actor")
