"""The contracts API beyond the kit's CRUD: versions (upload → 202, then poll), their operations and
raw spec, the diff of two versions and the synchronous CI check of a candidate spec."""

from django.conf import settings
from django.core.exceptions import ValidationError
from django.http import HttpResponse
from django.shortcuts import get_object_or_404
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema
from rest_framework import status
from rest_framework.decorators import action
from rest_framework.parsers import MultiPartParser
from rest_framework.response import Response

from apps.core.api.parsers import RawTextParser, body_bytes
from apps.core.api.serializers import query_values
from apps.core.api.views import ProjectModelViewSet
from apps.core.permissions import READ, WRITE

from .. import pipeline, services
from ..models import ContractVersion
from ..openapi.diff_model import is_breaking
from .serializers import (
    CheckQuerySerializer,
    ContractCheckSerializer,
    ContractDiffSerializer,
    DiffQuerySerializer,
    OperationLinkRowSerializer,
    OperationLinkSerializer,
    OperationSerializer,
    VersionDetailSerializer,
    VersionSerializer,
    VersionUploadQuerySerializer,
)

BINARY = {"type": "string", "format": "binary"}
SPEC_BODY = {"application/yaml": {"type": "string"}, "application/octet-stream": BINARY,
             "multipart/form-data": {"type": "object", "properties": {"spec": BINARY}}}  # fmt: skip


class ContractViewSet(ProjectModelViewSet):
    """API contracts of a project, by slug; their versions are processed by a worker."""

    action_roles = {"versions": READ, "upload": WRITE, "version": READ, "operations": READ, "spec": READ,
                    "diff": READ, "check": READ, "operation_links": READ, "link_operation": WRITE}  # fmt: skip

    def max_request_bytes(self) -> int:
        return settings.CONTRACTS_MAX_SPEC_BYTES + 64 * 1024

    def _version(self, contract, version_id) -> ContractVersion:
        # Neither the upload nor the parsed spec: the version's fields and operations are what is asked for.
        return get_object_or_404(contract.versions.select_related("author").defer("raw", "document"),
                                 pk=int(version_id))  # fmt: skip

    @extend_schema(responses=VersionSerializer(many=True))
    @action(detail=True, methods=["get"], url_path="versions", pagination_class=None,
            parser_classes=[MultiPartParser, RawTextParser])  # fmt: skip
    def versions(self, request, *args, **kwargs):
        """The contract's versions, newest first."""
        versions = self.get_object().versions.select_related("author").defer("raw", "document").order_by("-number")
        return Response(VersionSerializer(versions, many=True).data)

    @extend_schema(request=SPEC_BODY, parameters=[VersionUploadQuerySerializer], responses={202: VersionSerializer})
    @versions.mapping.post
    def upload(self, request, *args, **kwargs):
        """Upload a version (JSON, YAML or a zip of files with relative $refs): raw body or multipart field
        `spec`. Answers 202 at once; poll `versions/{id}/` until `status` is `valid` or `invalid`."""
        contract = self.get_object()
        query = query_values(VersionUploadQuerySerializer, request)
        data = body_bytes(request, field="spec", limit=settings.CONTRACTS_MAX_SPEC_BYTES)
        upload = request.FILES.get("spec")
        version = services.contract_version_upload(
            contract=contract, actor=request.user, data=data, label=query.get("version", ""),
            filename=upload.name if upload is not None else query.get("filename", ""))  # fmt: skip
        return Response(VersionSerializer(version).data, status=status.HTTP_202_ACCEPTED)

    @extend_schema(responses=VersionDetailSerializer)
    @action(detail=True, methods=["get"], url_path="versions/<int:version_id>")
    def version(self, request, *args, **kwargs):
        """One version: status, validation errors (message, pointer, line), lint findings, counts."""
        return Response(VersionDetailSerializer(self._version(self.get_object(), kwargs["version_id"])).data)

    @extend_schema(responses=OperationSerializer(many=True))
    @action(detail=True, methods=["get"], url_path="versions/<int:version_id>/operations", pagination_class=None)
    def operations(self, request, *args, **kwargs):
        """The version's operations (`?tag=`, `?method=`, `?deprecated=true`)."""
        rows = self._version(self.get_object(), kwargs["version_id"]).operations.all()
        if request.query_params.get("tag"):
            rows = [op for op in rows if request.query_params["tag"] in op.tags]
        if request.query_params.get("method"):
            rows = [op for op in rows if op.method == request.query_params["method"].lower()]
        if request.query_params.get("deprecated") in ("true", "1"):
            rows = [op for op in rows if op.deprecated]
        return Response(OperationSerializer(rows, many=True).data)

    @extend_schema(responses={(200, "application/octet-stream"): OpenApiTypes.BINARY})
    @action(detail=True, methods=["get"], url_path="versions/<int:version_id>/spec")
    def spec(self, request, *args, **kwargs):
        """The spec exactly as it was uploaded."""
        version = get_object_or_404(self.get_object().versions, pk=int(kwargs["version_id"]))
        response = HttpResponse(bytes(version.raw), content_type="application/octet-stream")
        response["Content-Disposition"] = f'attachment; filename="{version.filename or "spec"}"'
        return response

    @extend_schema(parameters=[DiffQuerySerializer], responses=ContractDiffSerializer)
    @action(detail=True, methods=["get"])
    def diff(self, request, *args, **kwargs):
        """The changes from version `base` to version `revision` (ids), in oasdiff's vocabulary."""
        contract = self.get_object()
        query = query_values(DiffQuerySerializer, request)
        found = dict(contract.versions.filter(pk__in=[query["base"], query["revision"]], status="valid")
                     .values_list("pk", "document"))  # fmt: skip
        for name in ("base", "revision"):
            if query[name] not in found:
                raise ValidationError({name: f"This contract has no valid version {query[name]}."})
        changes = pipeline.diff(found[query["base"]], found[query["revision"]])
        return Response({"breaking": is_breaking(changes), "changes": changes})

    @extend_schema(request=SPEC_BODY, parameters=[CheckQuerySerializer], responses=ContractCheckSerializer)
    @action(detail=True, methods=["post"], parser_classes=[MultiPartParser, RawTextParser])
    def check(self, request, *args, **kwargs):
        """CI's question, answered at once: would this candidate spec break clients of `base`? Nothing is
        stored. `fail` is true when the candidate is invalid or has a change at `fail_on` or above."""
        contract = self.get_object()
        query = query_values(CheckQuerySerializer, request)
        data = body_bytes(request, field="spec", limit=settings.CONTRACTS_CHECK_MAX_BYTES)
        valid = contract.versions.filter(status="valid")
        base = (valid.order_by("-number") if query["base"] == "latest" else valid.filter(pk=int(query["base"]))).first()
        if base is None and query["base"] != "latest":
            raise ValidationError({"base": f"This contract has no valid version {query['base']}."})
        return Response(pipeline.check(data, base=base, project=self.project, fail_on=query["fail_on"]))

    @extend_schema(responses=OperationLinkRowSerializer(many=True))
    @action(detail=True, methods=["get"], url_path="operation-links", pagination_class=None)
    def operation_links(self, request, *args, **kwargs):
        """Which requirements each operation implements (by method and path, across versions)."""
        return Response(services.operation_link_rows(contract=self.get_object()))

    @extend_schema(request=OperationLinkSerializer, responses=OperationLinkRowSerializer(many=True))
    @operation_links.mapping.post
    def link_operation(self, request, *args, **kwargs):
        """Set the requirements one operation implements (the list replaces its links); each link keeps the
        requirement's fingerprint, so a later change to an approved requirement marks it suspect."""
        from apps.requirements.models import Requirement

        contract = self.get_object()
        serializer = OperationLinkSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        found, missing = Requirement.objects.by_keys(self.project, serializer.validated_data["requirements"])
        if missing:
            raise ValidationError({"requirements": f"Not in this project: {', '.join(missing)}."})
        services.operation_requirements_set(contract=contract, actor=request.user, requirements=found,
                                            method=serializer.validated_data["method"],
                                            path=serializer.validated_data["path"])  # fmt: skip
        return Response(services.operation_link_rows(contract=contract))
