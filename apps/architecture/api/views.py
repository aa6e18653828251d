"""The architecture API beyond the kits' CRUD: document revisions, data-model versions and diffs,
ADR lookups by number, the catalog import/export and the generated diagrams. Writes call services."""

from django.conf import settings
from django.core.exceptions import ValidationError
from django.http import HttpResponse
from django.shortcuts import get_object_or_404
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import status
from rest_framework.decorators import action
from rest_framework.negotiation import DefaultContentNegotiation
from rest_framework.parsers import MultiPartParser
from rest_framework.response import Response
from rest_framework.settings import api_settings

from apps.core.api.parsers import RawTextParser, body_text
from apps.core.api.serializers import query_values
from apps.core.api.views import ProjectAPIView, ProjectModelViewSet
from apps.core.permissions import READ, WRITE
from apps.core.text import is_number

from .. import selectors, services, transfer
from ..models import Component, DataModelVersion, Decision, System
from .serializers import (
    CatalogReportSerializer,
    DataModelVersionDetailSerializer,
    DataModelVersionSerializer,
    DiagramSerializer,
    DiffQuerySerializer,
    DocumentRevisionSerializer,
    SchemaDiffSerializer,
    VersionUploadQuerySerializer,
)

DRY_RUN = OpenApiParameter("dry_run", bool, description="1 = preview, save nothing.")
DEPTH = OpenApiParameter("depth", int, enum=[1, 2], description="Rings of neighbours (1 or 2).")
TEXT_BODY = {"text/plain": {"type": "string"}, "multipart/form-data": {
    "type": "object", "properties": {"file": {"type": "string", "format": "binary"}}}}  # fmt: skip


class DocumentViewSet(ProjectModelViewSet):
    """Hand-written diagrams (Mermaid) of a project; every change of source makes a revision."""

    @extend_schema(responses=DocumentRevisionSerializer(many=True))
    @action(detail=True, methods=["get"], pagination_class=None)
    def revisions(self, request, *args, **kwargs):
        """Every revision of the document, newest first."""
        revisions = self.get_object().revisions.select_related("author")
        return Response(DocumentRevisionSerializer(revisions, many=True).data)


class SchemaFormatNegotiation(DefaultContentNegotiation):
    """Here ``?format=`` names an uploaded schema's language (dbml, sql), not the response's media type
    (DRF would answer 404 for a format it has no renderer for): responses are JSON."""

    class settings:  # noqa: N801 - DRF reads ``self.settings.<NAME>``
        URL_FORMAT_OVERRIDE = None

        def __getattr__(self, name):
            return getattr(api_settings, name)

    settings = settings()


class DataModelViewSet(ProjectModelViewSet):
    """Data models (ERD) of database/cache/storage components; versions are DBML or SQL DDL uploads."""

    content_negotiation_class = SchemaFormatNegotiation

    action_roles = {"versions": READ, "upload": WRITE, "version": READ, "diff": READ}

    def max_request_bytes(self) -> int:
        return settings.ARCHITECTURE_MAX_SCHEMA_BYTES + 64 * 1024  # the schema plus multipart framing

    @extend_schema(responses=DataModelVersionSerializer(many=True))
    @action(detail=True, methods=["get"], url_path="versions", pagination_class=None,
            parser_classes=[MultiPartParser, RawTextParser])
    def versions(self, request, *args, **kwargs):
        """The data model's versions, newest first."""
        versions = self.get_object().versions.select_related("author").order_by("-number")
        return Response(DataModelVersionSerializer(versions, many=True).data)

    @extend_schema(request=TEXT_BODY, parameters=[VersionUploadQuerySerializer],
                   responses={201: DataModelVersionSerializer})  # fmt: skip
    @versions.mapping.post
    def upload(self, request, *args, **kwargs):
        """Add a version: DBML or SQL DDL as the raw body or multipart field `file`
        (`?format=dbml|sql&dialect=postgres|mysql&label=v2`). Parsed now; refused whole with the line at fault."""
        data_model = self.get_object()
        query = query_values(VersionUploadQuerySerializer, request)
        text = body_text(request, limit=settings.ARCHITECTURE_MAX_SCHEMA_BYTES)
        upload = request.FILES.get("file")
        guessed = "dbml" if upload is not None and upload.name.lower().endswith(".dbml") else "sql"
        version = services.data_model_version_add(
            data_model=data_model, actor=request.user, text=text, format=query.get("format") or guessed,
            dialect=query.get("dialect") or "postgres", label=query.get("label", ""))  # fmt: skip
        return Response(DataModelVersionSerializer(version).data, status=status.HTTP_201_CREATED)

    @extend_schema(responses=DataModelVersionDetailSerializer)
    @action(detail=True, methods=["get"], url_path="versions/<int:version_id>")
    def version(self, request, *args, **kwargs):
        """One version with its parsed schema (tables, columns, indexes, foreign keys) and source."""
        version = get_object_or_404(self.get_object().versions, pk=int(kwargs["version_id"]))
        return Response(DataModelVersionDetailSerializer(version).data)

    @extend_schema(parameters=[DiffQuerySerializer], responses=SchemaDiffSerializer)
    @action(detail=True, methods=["get"])
    def diff(self, request, *args, **kwargs):
        """What changed from version `base` to version `revision` (ids), each change breaking or safe."""
        data_model = self.get_object()
        query = query_values(DiffQuerySerializer, request)
        wanted = DataModelVersion.objects.filter(data_model=data_model, pk__in=[query["base"], query["revision"]])
        versions = {v.pk: v for v in wanted}
        for name in ("base", "revision"):
            if query[name] not in versions:
                raise ValidationError({name: f"This data model has no version {query[name]}."})
        return Response(services.data_model_diff(base=versions[query["base"]], revision=versions[query["revision"]]))


class DecisionViewSet(ProjectModelViewSet):
    """Architecture decision records, looked up by number (ADR-0003)."""

    def scoped_queryset(self):
        return Decision.objects.filter(project=self.project).prefetch_related(
            "supersedes", "superseded_by", "components", "requirement_links__requirement__project")


class CatalogImportView(ProjectAPIView):
    parser_classes = [MultiPartParser, RawTextParser]
    action_roles = {"post": WRITE}

    def max_request_bytes(self) -> int:
        return settings.ARCHITECTURE_MAX_CATALOG_BYTES + 64 * 1024

    @extend_schema(request=TEXT_BODY, responses={200: CatalogReportSerializer, 201: CatalogReportSerializer},
                   parameters=[DRY_RUN])  # fmt: skip
    def post(self, request, *args, **kwargs):
        """Import a Backstage catalog-info.yaml (raw body or multipart `file`): all of it, or nothing."""
        text = body_text(request, limit=settings.ARCHITECTURE_MAX_CATALOG_BYTES)
        dry_run = request.query_params.get("dry_run", "").lower() in {"1", "true", "yes"}
        report = transfer.catalog_import(project=self.project, actor=request.user, text=text, dry_run=dry_run)
        return Response(report.as_dict(), status=status.HTTP_200_OK if dry_run else status.HTTP_201_CREATED)


class CatalogExportView(ProjectAPIView):
    @extend_schema(responses={(200, "application/yaml"): OpenApiTypes.STR})
    def get(self, request, *args, **kwargs):
        """The whole catalog in Backstage's format (multi-document YAML)."""
        return HttpResponse(transfer.catalog_export(project=self.project), content_type="application/yaml")


class DiagramView(ProjectAPIView):
    """A diagram generated from the model: ``{"mermaid", "nodes", "truncated", "hidden"}``."""

    def respond(self, diagram):
        return Response({"mermaid": diagram.mermaid, "nodes": diagram.nodes, "truncated": diagram.truncated,
                         "hidden": diagram.hidden})  # fmt: skip


class LandscapeDiagramView(DiagramView):
    @extend_schema(responses=DiagramSerializer)
    def get(self, request, *args, **kwargs):
        """The system landscape: systems and the relations that cross between them."""
        return self.respond(selectors.landscape_diagram(project=self.project))


class SystemDiagramView(DiagramView):
    @extend_schema(responses=DiagramSerializer)
    def get(self, request, *args, **kwargs):
        """One system's components, with their neighbours outside it."""
        system = get_object_or_404(System, project=self.project, key=kwargs["key"])
        return self.respond(selectors.system_diagram(system=system))


class ComponentDiagramView(DiagramView):
    @extend_schema(responses=DiagramSerializer,
                   parameters=[DEPTH])  # fmt: skip
    def get(self, request, *args, **kwargs):
        """A component's neighbourhood (depth 1 or 2), capped so a huge catalog still renders."""
        component = get_object_or_404(Component, project=self.project, key=kwargs["key"])
        depth = request.query_params.get("depth", "1")
        if not is_number(depth) or int(depth) not in (1, 2):
            raise ValidationError({"depth": "1 or 2."})
        return self.respond(selectors.component_diagram(component=component, depth=int(depth)))
