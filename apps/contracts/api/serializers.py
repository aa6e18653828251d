"""API shapes of contracts: components, requirements and API references are named by their keys."""

from rest_framework import serializers

from apps.architecture.models import ApiReference, Component
from apps.core.api.serializers import KeyField, KitSerializer, UsernameField

from ..models import Contract, ContractVersion, Operation

STAMPS = ["created_at", "updated_at"]


class ContractSerializer(KitSerializer):
    owner = UsernameField(required=False, allow_null=True, help_text="A member's username.")
    provider = KeyField(Component.objects.all(), help_text="The key of the component that serves it.")
    consumers = KeyField(Component.objects.all(), many=True, required=False, help_text="Component keys.")
    api_reference = KeyField(ApiReference.objects.all(), help_text="The key of the catalog's API entity it binds.")

    class Meta:
        model = Contract
        fields = ["id", "slug", "url", "web_url", "name", "description", "owner", "provider", "consumers",
                  "api_reference", *STAMPS]  # fmt: skip
        read_only_fields = ["id", *STAMPS]


class VersionSerializer(serializers.ModelSerializer):
    author = serializers.SlugRelatedField(slug_field="username", read_only=True)

    class Meta:
        model = ContractVersion
        fields = ["id", "number", "label", "status", "filename", "size", "spec_version", "title", "operations_count",
                  "breaking", "changes_count", "errors", "author", "created_at", "processed_at"]  # fmt: skip


class VersionDetailSerializer(VersionSerializer):
    class Meta(VersionSerializer.Meta):
        fields = [*VersionSerializer.Meta.fields, "lint"]


class VersionUploadQuerySerializer(serializers.Serializer):
    version = serializers.CharField(required=False, allow_blank=True, max_length=100,
                                    help_text="Your label; default: the spec's info.version.")  # fmt: skip
    filename = serializers.CharField(required=False, allow_blank=True, max_length=255)


class OperationSerializer(serializers.ModelSerializer):
    class Meta:
        model = Operation
        fields = ["method", "path", "operation_id", "summary", "tags", "deprecated", "parameters",
                  "request_media_types", "responses", "security"]  # fmt: skip


class DiffQuerySerializer(serializers.Serializer):
    base = serializers.IntegerField(min_value=1, max_value=2**31 - 1, help_text="A version id.")
    revision = serializers.IntegerField(min_value=1, max_value=2**31 - 1, help_text="A version id.")


class CheckQuerySerializer(serializers.Serializer):
    base = serializers.RegexField(r"^(latest|[0-9]{1,10})$", required=False, default="latest",
                                  help_text="'latest' (the newest valid version) or a version id.")  # fmt: skip
    fail_on = serializers.ChoiceField(
        choices=["ERR", "WARN"], required=False, default="ERR",
        help_text="Fail on breaking changes (ERR) or also on possibly breaking ones (WARN).")  # fmt: skip


class ContractChangeSerializer(serializers.Serializer):
    id = serializers.CharField(help_text="oasdiff's change id, e.g. response-property-removed.")
    level = serializers.ChoiceField(choices=["ERR", "WARN", "INFO"])
    operation = serializers.CharField(help_text='e.g. "GET /pets/{id}"; empty for the API as a whole.')
    location = serializers.CharField()
    message = serializers.CharField()


class ContractDiffSerializer(serializers.Serializer):
    breaking = serializers.BooleanField()
    changes = ContractChangeSerializer(many=True)


class ContractCheckSerializer(serializers.Serializer):
    fail = serializers.BooleanField(help_text="The candidate is invalid, or has changes at or above fail_on.")
    base = serializers.IntegerField(allow_null=True, help_text="The version id compared with.")
    errors = serializers.ListField(child=serializers.DictField(), help_text="Validation errors of the candidate.")
    changes = ContractChangeSerializer(many=True)
    lint = serializers.ListField(child=serializers.DictField())


class OperationLinkSerializer(serializers.Serializer):
    method = serializers.ChoiceField(choices=["get", "put", "post", "delete", "options", "head", "patch", "trace"])
    path = serializers.CharField(max_length=2000)
    requirements = serializers.ListField(
        child=serializers.CharField(max_length=50), max_length=200,
        help_text="Requirement keys (REQ-3); the list replaces the links.")  # fmt: skip


class OperationLinkRowSerializer(serializers.Serializer):
    method = serializers.CharField()
    path = serializers.CharField()
    requirement = serializers.CharField(help_text="The requirement's key.")
    title = serializers.CharField()
    suspect = serializers.BooleanField(help_text="The requirement changed after the link was made.")
