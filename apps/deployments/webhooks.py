"""Receivers for what CI already sends: GitHub's ``deployment``/``deployment_status`` webhooks and
GitLab's Deployment Hook, at ``/api/v1/projects/<slug>/webhooks/github|gitlab/``. The signature is
checked against the project's secret before anything is read into the database (401, nothing stored);
a replayed GitHub delivery is acknowledged and ignored; the payload becomes the same report the API
takes (``services.deployment_report``)."""

import json

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.shortcuts import get_object_or_404
from django.utils import timezone
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import permissions, status
from rest_framework.exceptions import AuthenticationFailed, ParseError
from rest_framework.response import Response
from rest_framework.views import APIView

from apps.core.api.schema import ErrorSerializer
from apps.core.api.views import BodyLimitMixin
from apps.core.changelog import change_source
from apps.projects.models import Project

from . import services
from .models import WebhookDelivery, WebhookSecret
from .receivers import github, gitlab
from .receivers.report import IgnoredEvent, ReportError
from .receivers.signatures import verify_github, verify_gitlab


def report_values(report) -> dict:
    """A receivers.DeploymentReport as the values services.deployment_report takes."""
    names = ("environment", "version", "commit", "ref", "status", "kind", "started_at", "finished_at", "build_url",
             "external_id")  # fmt: skip
    values = {name: getattr(report, name) for name in names}
    if report.components:
        values["components"] = list(report.components)
    return {name: value for name, value in values.items() if value not in (None, "")}


class WebhookView(BodyLimitMixin, APIView):
    """A CI provider's webhook: no token (the provider signs the body instead)."""

    provider = ""
    authentication_classes = []
    permission_classes = [permissions.AllowAny]

    def verify(self, request, raw: bytes, secret: str) -> bool:
        raise NotImplementedError

    def get_authenticate_header(self, request):
        # A failed signature is a 401 (DRF answers 403 when a view has no authentication scheme).
        return 'Signature realm="webhook"'

    def parse(self, request, body: dict):
        raise NotImplementedError

    @extend_schema(request={"application/json": {"type": "object"}}, responses={
        200: OpenApiResponse(description="A replayed delivery: acknowledged, ignored."),
        202: OpenApiResponse(description="Recorded (or acknowledged and ignored)."),
        401: OpenApiResponse(ErrorSerializer, description="Missing or wrong signature: nothing stored.")})  # fmt: skip
    def post(self, request, project_slug: str):
        project = get_object_or_404(Project, slug=project_slug)
        secrets = WebhookSecret.objects.filter(project=project, provider=self.provider)
        secret = secrets.values_list("secret", flat=True)
        raw = request.body  # read once, before any parsing: the signature covers these bytes
        if not secret or not self.verify(request, raw, secret[0]):
            raise AuthenticationFailed("Missing or wrong webhook signature: nothing was stored.")
        try:
            body = json.loads(raw or b"null")
        except (ValueError, RecursionError):
            raise ParseError("The body is not JSON.") from None
        if not isinstance(body, dict):
            raise ParseError("The body is not a JSON object.")
        with transaction.atomic(), change_source("api"):
            if not self.first_delivery(request, project):
                return Response({"detail": "Already received: ignored."}, status=status.HTTP_200_OK)
            try:
                report = self.parse(request, body)
            except IgnoredEvent as exc:
                return Response({"detail": f"Ignored: {exc.reason}"}, status=status.HTTP_202_ACCEPTED)
            except ReportError as exc:
                raise ValidationError({exc.field: exc.message}) from None
            if report is None:
                return Response({"detail": "Not a deployment event: ignored."}, status=status.HTTP_202_ACCEPTED)
            deployment = services.deployment_report(project=project, actor=None, values=report_values(report),
                                                    source=self.provider)  # fmt: skip
        return Response({"id": deployment.pk, "status": deployment.status}, status=status.HTTP_202_ACCEPTED)

    def first_delivery(self, request, project) -> bool:
        delivery = github.delivery_id(request.headers) if self.provider == "github" else None
        if not delivery:
            return True
        try:
            with transaction.atomic():
                WebhookDelivery.objects.create(project=project, provider=self.provider, delivery_id=delivery[:100])
        except IntegrityError:
            return False
        return True


class GitHubWebhookView(WebhookView):
    """GitHub's `deployment` and `deployment_status` events (X-Hub-Signature-256 with the project's secret)."""

    provider = "github"

    def verify(self, request, raw: bytes, secret: str) -> bool:
        return verify_github(raw, request.headers.get("X-Hub-Signature-256"), secret)

    def parse(self, request, body: dict):
        event = github.event_name(request.headers)
        if event == "deployment_status":
            return github.from_deployment_status(body, now=timezone.now())
        if event == "deployment":
            return github.from_deployment(body, now=timezone.now())
        return None  # ping, push …: acknowledged


class GitLabWebhookView(WebhookView):
    """GitLab's Deployment Hook (X-Gitlab-Token with the project's secret)."""

    provider = "gitlab"

    def verify(self, request, raw: bytes, secret: str) -> bool:
        return verify_gitlab(request.headers.get("X-Gitlab-Token"), secret)

    def parse(self, request, body: dict):
        if body.get("object_kind") != "deployment":
            return None
        return gitlab.from_deployment_hook(body, now=timezone.now())
