"""The release gate's endpoint: CI asks ``POST …/gates/check/`` before it deploys a commit to an
environment, and gets the verdict with each check's reason and page. Asking stores the evaluation
(the deployment of that commit shows it), so it needs the member role."""

from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.response import Response

from apps.core.api.views import ProjectAPIView
from apps.core.permissions import WRITE

from .. import gates
from ..receivers.report import ReportError, check_sha
from .serializers import DeploymentReportSerializer


class GateQuestionSerializer(serializers.Serializer):
    """What CI asks: may this commit (and these contract versions) go to this environment now?"""

    environment = serializers.CharField(max_length=63, help_text="The environment's slug.")
    commit = serializers.CharField(max_length=64, help_text="The SHA to deploy: 7-40 hex characters (full is best).")
    version = serializers.CharField(required=False, allow_blank=True, max_length=100, default="",
                                    help_text="The version label to deploy, kept with the evaluation.")  # fmt: skip
    contract_versions = serializers.JSONField(required=False, help_text='Version ids, or {"contract": "label"}: '
                                              "what the deployment will carry.")  # fmt: skip

    validate_contract_versions = DeploymentReportSerializer.validate_contract_versions

    def validate_commit(self, value):
        try:
            return check_sha(value, "commit")
        except ReportError as exc:
            raise serializers.ValidationError(exc.message) from None


class GateCheckResultSerializer(serializers.Serializer):
    # Plain text, not an enum: a "NameEnum" component would clash with the next choice field called "name".
    name = serializers.CharField(help_text=f"The check: {', '.join(gates.CHECKS)}.")
    status = serializers.ChoiceField(choices=gates.STATUSES, help_text="skipped: the gate's policy doesn't ask for it.")
    detail = serializers.CharField(help_text="Why, in a sentence.")
    url = serializers.SerializerMethodField(help_text='The page to look at (a test run, a contract diff …), or "".')

    def get_url(self, check) -> str:
        request = self.context.get("request")
        return request.build_absolute_uri(check["url"]) if check["url"] and request is not None else check["url"]


class GateAnswerSerializer(serializers.Serializer):
    """The gate's answer: ``pass`` is true when no check failed; ``reasons`` are the failing checks' details."""

    id = serializers.IntegerField(help_text="The stored evaluation.")
    passed = serializers.BooleanField(source="passed", help_text="May the deployment go ahead?")  # named "pass"
    reasons = serializers.ListField(child=serializers.CharField(), help_text="Why it doesn't pass (empty if it does).")
    checks = GateCheckResultSerializer(many=True)

    def get_fields(self):
        # "pass" is a Python keyword: the field is declared as ``passed`` and answered under its real name.
        return {("pass" if name == "passed" else name): field for name, field in super().get_fields().items()}


class GateCheckView(ProjectAPIView):
    """``POST projects/<slug>/gates/check/``: the release gate."""

    action_roles = {"post": WRITE}

    def max_request_bytes(self) -> int:
        return gates.MAX_REQUEST_BYTES

    @extend_schema(request=GateQuestionSerializer, responses={200: GateAnswerSerializer})
    def post(self, request, *args, **kwargs):
        """May `commit` go to `environment` now? The environment's gate policy picks the checks (tests pass,
        no new failures, requirement coverage, no breaking contracts, no lint errors, incident freeze); the
        answer is stored, and its `pass` is false when any check fails. An unknown environment, a bad SHA or
        an unknown contract version is a 400, and then nothing is stored."""
        question = GateQuestionSerializer(data=request.data)
        question.is_valid(raise_exception=True)
        evaluation = gates.gate_check(project=self.project, actor=request.user, **question.validated_data)
        return Response(GateAnswerSerializer(evaluation, context={"request": request}).data)
