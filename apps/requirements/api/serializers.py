"""API shapes for requirements. The models' rules are checked by the services that save (once)."""

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from apps.core.api.serializers import ByNameField, ProjectModelSerializer, UsernameField
from apps.core.markdown import render_markdown

from .. import services, verification, workflow
from ..models import (
    AcceptanceCriterion,
    Requirement,
    RequirementComment,
    RequirementRevision,
    RequirementTransition,
    parse_key,
)

STATUS_HELP = "One of: " + ", ".join(value for value, _ in workflow.STATUSES) + "."


@extend_schema_field(OpenApiTypes.STR)
class StatusField(serializers.CharField):
    """A read-only workflow status; a plain string in the schema so it can't clash with other apps' enums."""

    def __init__(self, **kwargs):
        super().__init__(read_only=True, help_text=kwargs.pop("help_text", STATUS_HELP), **kwargs)


class RequirementKeyField(ByNameField):
    """A requirement of the same project by key, e.g. "REQ-3"."""

    def to_representation(self, requirement):
        return requirement.key if requirement else None

    def to_internal_value(self, data):
        key = super().to_internal_value(data)
        if not key:
            return None
        if parse_key(key) is None:
            raise serializers.ValidationError(f"'{key}' is not a key like REQ-12.")
        requirement = Requirement.objects.by_key(self.context["project"], key)
        if requirement is None:
            raise serializers.ValidationError(f"There is no {key} in this project.")
        return requirement


class LabelsField(serializers.ListField):
    """Label names in, sorted label names out (from the prefetched M2M)."""

    child = serializers.CharField()

    def to_representation(self, manager):
        return sorted(label.name for label in manager.all())


class CriterionSerializer(serializers.ModelSerializer):
    position = serializers.IntegerField(min_value=0, required=False, help_text="0-based; moving renumbers the rest.")

    class Meta:
        model = AcceptanceCriterion
        fields = ["id", "position", "text", "met"]
        read_only_fields = ["id"]

    def create(self, validated_data):
        return services.criterion_add(
            requirement=self.context["requirement"], actor=self.context["request"].user, **validated_data
        )

    def update(self, instance, validated_data):
        return services.criterion_update(criterion=instance, actor=self.context["request"].user, **validated_data)


class VerifyingTestSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    name = serializers.CharField()
    status = serializers.CharField(help_text="Status in the test's latest run.")
    last_run = serializers.IntegerField(allow_null=True)
    last_run_at = serializers.DateTimeField(allow_null=True)
    suspect = serializers.BooleanField(help_text="The requirement changed after this link was made.")
    linked_revision = serializers.IntegerField(allow_null=True)
    url = serializers.CharField()


class VerificationSerializer(serializers.Serializer):
    status = serializers.ChoiceField(choices=verification.CHOICES)
    tests = VerifyingTestSerializer(many=True, required=False)


class RequirementSerializer(ProjectModelSerializer):
    key = serializers.CharField(read_only=True, help_text="REQ-<number>, unique in the project, never reused.")
    owner = UsernameField(required=False, allow_blank=True, allow_null=True, help_text="Username of a member.")
    parent = RequirementKeyField(required=False, allow_blank=True, allow_null=True, help_text="Key, e.g. REQ-3.")
    labels = LabelsField(
        child=serializers.CharField(),
        required=False,
        help_text="Label names; missing ones are created.",
    )
    criteria = CriterionSerializer(many=True, read_only=True)
    description_html = serializers.SerializerMethodField(help_text="The description rendered and sanitised.")
    status = StatusField(help_text=f"{STATUS_HELP} Changes only through POST …/{{key}}/transition/.")
    verification = serializers.SerializerMethodField(
        help_text="verified | failing | untested, from the latest run of each linked test; "
        "the detail also lists the tests (suspect = linked before the requirement last changed)."
    )

    class Meta:
        model = Requirement
        fields = [
            "key", "title", "description", "description_html", "type", "category", "priority", "status",
            "owner", "labels", "parent", "rationale", "source", "criteria", "revision", "fingerprint",
            "verification", "created_at", "updated_at",
        ]  # fmt: skip
        read_only_fields = ["status", "revision", "fingerprint", "created_at", "updated_at"]

    @extend_schema_field(VerificationSerializer)
    def get_verification(self, requirement) -> dict:
        if self.context.get("verification_tests"):
            return verification.verification_of(requirement)
        # Lists carry the status only (annotated in the same query), not each test.
        return {"status": getattr(requirement, "verification", verification.UNTESTED)}

    def get_description_html(self, requirement) -> str:
        return str(render_markdown(requirement.description))


class RequirementCreateSerializer(RequirementSerializer):
    """On create, criteria may be given as a list of texts."""

    criteria = serializers.ListField(
        child=serializers.CharField(),
        required=False,
        write_only=True,
        help_text="Criterion texts.",
    )

    def to_representation(self, instance):
        return RequirementSerializer(instance, context=self.context).data


class TransitionSerializer(serializers.ModelSerializer):
    to = serializers.ChoiceField(choices=workflow.STATUSES, write_only=True, source="to_status")
    from_status = StatusField()
    to_status = StatusField()
    actor = serializers.SlugRelatedField(slug_field="username", read_only=True)

    class Meta:
        model = RequirementTransition
        fields = ["to", "from_status", "to_status", "actor", "comment", "created_at"]
        read_only_fields = ["from_status", "to_status", "created_at"]
        extra_kwargs = {"comment": {"required": False}}


class RevisionSerializer(serializers.ModelSerializer):
    author = serializers.SlugRelatedField(slug_field="username", read_only=True)

    class Meta:
        model = RequirementRevision
        fields = ["number", "title", "description", "criteria", "fingerprint", "author", "created_at"]


class RevisionDiffSerializer(serializers.Serializer):
    a = serializers.IntegerField()
    b = serializers.IntegerField()
    diff = serializers.CharField(help_text="Unified diff of revision a → b.")


class CommentSerializer(serializers.ModelSerializer):
    author = serializers.SlugRelatedField(slug_field="username", read_only=True)
    body_html = serializers.SerializerMethodField()

    class Meta:
        model = RequirementComment
        fields = ["id", "author", "body", "body_html", "created_at"]
        read_only_fields = ["id", "created_at"]

    def get_body_html(self, comment) -> str:
        return str(render_markdown(comment.body))

    def create(self, validated_data):
        return services.comment_add(
            requirement=self.context["requirement"],
            actor=self.context["request"].user,
            body=validated_data["body"],
        )


class ImportReportSerializer(serializers.Serializer):
    dry_run = serializers.BooleanField()
    saved = serializers.BooleanField()
    rows = serializers.IntegerField()
    created = serializers.IntegerField()
    updated = serializers.IntegerField()
    unchanged = serializers.IntegerField(help_text="Rows naming a requirement they leave exactly as it is.")
    errors = serializers.ListField(child=serializers.DictField(), help_text="[{row, field, message}]")
    preview = serializers.ListField(child=serializers.DictField())
