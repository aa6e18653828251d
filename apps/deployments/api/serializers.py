"""API shapes of deployments. A report's timestamps must carry a time zone (and not lie in the future);
components are named by key, environments by slug, contract versions by id or {contract: label}."""

from django.utils import timezone
from rest_framework import serializers

from apps.architecture.models import Component
from apps.core.api.serializers import KeyField, KitSerializer

from ..models import Deployment, Environment
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
