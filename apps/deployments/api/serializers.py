"""API shapes of deployments. A report's timestamps must carry a time zone (and not lie in the future);
components are named by key, environments by slug, contract versions by id or {contract: label}."""

from django.utils import timezone
from rest_framework import serializers

from apps.architecture.models import Component
from apps.core.api.serializers import KeyField, KitSerializer

from ..models import Deployment, Environment, Incident
from ..receivers.report import ReportError, parse_timestamp


class TimestampField(serializers.CharField):
    """An ISO 8601 timestamp with its offset (``Z`` or ``+02:00``): a naive one is refused, not guessed."""

    def to_internal_value(self, data):
        text = super().to_internal_value(data)
        try:
            return parse_timestamp(text, self.field_name, now=timezone.now())
        except ReportError as exc:
            raise serializers.ValidationError(exc.message) from None

    def to_representation(self, value):
        return value.isoformat() if value else None


class ChangeInSerializer(serializers.Serializer):
    sha = serializers.RegexField(r"^[0-9a-fA-F]{40}$", help_text="The full SHA.")
    message = serializers.CharField(required=False, allow_blank=True, max_length=10_000, trim_whitespace=False)
    author = serializers.CharField(required=False, allow_blank=True, max_length=200)
    authored_at = TimestampField(required=False)
    committed_at = TimestampField(required=False)
    pr_number = serializers.IntegerField(required=False, min_value=1, max_value=2**31 - 1)
    pr_merged_at = TimestampField(required=False)


class DeploymentReportSerializer(serializers.Serializer):
    """What CI reports; reporting the same ``external_id`` again updates that deployment."""

    environment = serializers.CharField(max_length=100, help_text="A slug or name; a new one is created.")
    version = serializers.CharField(required=False, allow_blank=True, max_length=100)
    commit = serializers.RegexField(r"^[0-9a-fA-F]{7,40}$", required=False, help_text="The SHA deployed (full).")
    ref = serializers.CharField(required=False, allow_blank=True, max_length=255)
    status = serializers.ChoiceField(choices=Deployment.Status.choices, required=False, default="success")
    kind = serializers.ChoiceField(choices=Deployment.Kind.choices, required=False, default="planned")
    rollback_of = serializers.CharField(required=False, allow_blank=True, max_length=200,
                                        help_text="The rolled-back deployment's id or external_id.")  # fmt: skip
    started_at = TimestampField(required=False)
    finished_at = TimestampField(required=False)
    build_url = serializers.URLField(required=False, allow_blank=True, max_length=1000)
    external_id = serializers.CharField(required=False, allow_blank=True, max_length=200)
    components = serializers.ListField(child=serializers.CharField(max_length=63), required=False, max_length=500,
                                       help_text="Component keys; default: the environment's components.")  # fmt: skip
    contract_versions = serializers.JSONField(required=False, help_text='Version ids, or {"contract": "label"}.')
    changes = ChangeInSerializer(many=True, required=False, help_text="The commits this deployment brings.")

    def validate_contract_versions(self, value):
        if isinstance(value, dict) and len(value) <= 500 and all(
                isinstance(k, str) and "\x00" not in k and isinstance(v, str | int) and "\x00" not in str(v)
                for k, v in value.items()):  # fmt: skip
            return value
        if isinstance(value, list) and all(isinstance(v, int) and not isinstance(v, bool) and 0 < v < 2**31
                                           for v in value):  # fmt: skip
            return value
        raise serializers.ValidationError('A list of version ids, or {"contract slug": "version label"}.')


class DeploymentSerializer(KitSerializer):
    environment = serializers.SlugRelatedField(slug_field="slug", read_only=True)
    components = serializers.SlugRelatedField(slug_field="key", many=True, read_only=True)
    contract_versions = serializers.PrimaryKeyRelatedField(many=True, read_only=True)
    changes = serializers.IntegerField(source="change_count", read_only=True, help_text="Commits it brings.")
    actor = serializers.SlugRelatedField(slug_field="username", read_only=True)
    started_at = TimestampField(read_only=True)
    finished_at = TimestampField(read_only=True)

    class Meta:
        model = Deployment
        fields = ["id", "url", "web_url", "environment", "version", "commit", "ref", "status", "kind", "rollback_of",
                  "started_at", "finished_at", "build_url", "external_id", "source", "actor", "components",
                  "contract_versions", "changes", "created_at", "updated_at"]  # fmt: skip
        read_only_fields = fields


class EnvironmentSerializer(KitSerializer):
    components = KeyField(Component.objects.all(), many=True, required=False, help_text="Component keys.")

    class Meta:
        model = Environment
        fields = ["id", "slug", "url", "web_url", "name", "tier", "tier_inferred", "position", "site_url",
                  "components", "created_at", "updated_at"]  # fmt: skip
        read_only_fields = ["id", "tier_inferred", "created_at", "updated_at"]


class IncidentSerializer(KitSerializer):
    """An incident; setting `caused_by` (or `cause_confirmed: true`) fixes its cause for good."""

    environment = KeyField(Environment.objects.all(), slug_field="slug", required=False, allow_null=True,
                           help_text="Environment slug.")  # fmt: skip
    state = serializers.SerializerMethodField(help_text="open or resolved.")
    started_at = TimestampField(help_text="With its time zone, e.g. 2026-11-24T10:00:00Z.")
    detected_at = TimestampField(required=False, allow_null=True, help_text="Default: started_at.")
    resolved_at = TimestampField(required=False, allow_null=True, help_text="Empty while open.")

    class Meta:
        model = Incident
        fields = ["id", "url", "web_url", "title", "severity", "state", "environment", "started_at", "detected_at",
                  "resolved_at", "description", "caused_by", "cause_confirmed", "fixed_by", "external_id", "source",
                  "created_at", "updated_at"]  # fmt: skip
        read_only_fields = ["id", "source", "created_at", "updated_at"]

    def get_state(self, incident) -> str:
        return "open" if incident.resolved_at is None else "resolved"


class IncidentAlertSerializer(serializers.Serializer):
    """An alerting tool's event: `firing` opens (or re-opens) the incident with this `external_id`,
    `resolved` resolves it. Sending the same event twice changes nothing."""

    external_id = serializers.CharField(max_length=200, help_text="The alert's id (e.g. its fingerprint).")
    status = serializers.ChoiceField(choices=[("firing", "firing"), ("resolved", "resolved")])
    title = serializers.CharField(required=False, max_length=300, default="Alert")
    severity = serializers.ChoiceField(choices=Incident.Severity.choices, required=False, default="sev3")
    environment = KeyField(Environment.objects.all(), slug_field="slug", required=False, allow_null=True,
                           help_text="Environment slug.")  # fmt: skip
    started_at = TimestampField(required=False, help_text="Default: now.")
    resolved_at = TimestampField(required=False, help_text="Default: now (when status is resolved).")
    description = serializers.CharField(required=False, allow_blank=True, max_length=20_000, default="")


class CompareQuerySerializer(serializers.Serializer):
    base = serializers.CharField(max_length=63, help_text="Environment slug: the one to compare against.")
    head = serializers.CharField(max_length=63, help_text="Environment slug: what it has that base doesn't.")


class CompareTestRunSerializer(serializers.Serializer):
    number = serializers.IntegerField()
    status = serializers.CharField()
    failed = serializers.IntegerField()
    errors = serializers.IntegerField()
    web_url = serializers.CharField()


class CompareChangeSerializer(serializers.Serializer):
    sha = serializers.CharField()
    message = serializers.CharField()
    author = serializers.CharField()
    committed_at = TimestampField(allow_null=True)
    pr_number = serializers.IntegerField(allow_null=True)
    test_runs = CompareTestRunSerializer(many=True)


class CompareRequirementSerializer(serializers.Serializer):
    key = serializers.CharField()
    title = serializers.CharField()
    status = serializers.CharField()


class CompareContractSerializer(serializers.Serializer):
    contract = serializers.CharField(help_text="Contract slug.")
    base_version = serializers.IntegerField(allow_null=True, help_text="Version id base runs.")
    head_version = serializers.IntegerField(allow_null=True, help_text="Version id head runs.")
    breaking = serializers.BooleanField()
    changes = serializers.ListField(child=serializers.DictField(), help_text="oasdiff-style, breaking first.")


class CompareSerializer(serializers.Serializer):
    base = serializers.CharField()
    head = serializers.CharField()
    base_current = DeploymentSerializer(allow_null=True)
    head_current = DeploymentSerializer(allow_null=True)
    ahead_count = serializers.IntegerField(help_text="Commits in head not in base.")
    behind_count = serializers.IntegerField(help_text="Commits in base not in head.")
    changes = CompareChangeSerializer(many=True, help_text="The newest 500 of them.")
    requirements = CompareRequirementSerializer(many=True, help_text="Requirements those commits name.")
    contracts = CompareContractSerializer(many=True)
