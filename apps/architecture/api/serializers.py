"""API shapes of the architecture app. Other objects are named by their keys (components, systems,
requirements, ADR-0003), never by ids; the models' rules are checked once, by the services."""

from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from apps.core.api.serializers import KeyField, KitSerializer, UsernameField
from apps.requirements.models import Requirement

from .. import services
from ..models import (
    ApiReference,
    Component,
    DataModel,
    DataModelVersion,
    Decision,
    Document,
    DocumentRevision,
    Relation,
    System,
    parse_adr_key,
)

STAMPS = ["created_at", "updated_at"]


class SystemSerializer(KitSerializer):
    owner = UsernameField(required=False, allow_null=True, help_text="A member's username.")

    class Meta:
        model = System
        fields = ["id", "key", "url", "web_url", "name", "domain", "owner", "description", *STAMPS]
        read_only_fields = ["id", *STAMPS]


class TagsField(serializers.ListField):
    """Tag names in (missing ones are created), sorted names out."""

    child = serializers.CharField(max_length=63)

    def to_representation(self, manager):
        return sorted(tag.name for tag in manager.all())


class ComponentSerializer(KitSerializer):
    owner = UsernameField(required=False, allow_null=True, help_text="A member's username.")
    system = KeyField(System.objects.all(), help_text="A system key.")
    parent = KeyField(Component.objects.all(), help_text="The key of the component this one is part of.")
    tags = TagsField(required=False)
    unresolved = serializers.ListField(child=serializers.CharField(), read_only=True,
                                       help_text="References a catalog import could not resolve.")  # fmt: skip

    class Meta:
        model = Component
        fields = ["id", "key", "url", "web_url", "name", "kind", "lifecycle", "system", "parent", "owner", "team",
                  "technology", "repository_url", "tags", "description", "unresolved", *STAMPS]  # fmt: skip
        read_only_fields = ["id", *STAMPS]


class RelationSerializer(KitSerializer):
    source = KeyField(Component.objects.all(), required=True, allow_null=False, help_text="A component key.")
    target = KeyField(Component.objects.all(), required=True, allow_null=False, help_text="A component key.")

    class Meta:
        model = Relation
        fields = ["id", "url", "web_url", "source", "kind", "target", "protocol", "description", *STAMPS]
        read_only_fields = ["id", *STAMPS]


class DocumentSerializer(KitSerializer):
    component = KeyField(Component.objects.all(), help_text="Attached to this component (null: the project).")
    components = KeyField(Component.objects.all(), many=True, required=False,
                          help_text="Keys of the components it shows: it appears on their pages.")  # fmt: skip
    diagram_type = serializers.CharField(read_only=True, help_text='e.g. "sequenceDiagram".')

    class Meta:
        model = Document
        fields = ["id", "url", "web_url", "title", "diagram_type", "component", "components", "source", "description",
                  "revision", *STAMPS]  # fmt: skip
        read_only_fields = ["id", "revision", *STAMPS]


class DocumentRevisionSerializer(serializers.ModelSerializer):
    author = serializers.SlugRelatedField(slug_field="username", read_only=True)

    class Meta:
        model = DocumentRevision
        fields = ["number", "title", "source", "author", "created_at"]


class DataModelSerializer(KitSerializer):
    component = KeyField(Component.objects.all(), required=True, allow_null=False,
                         help_text="A database, cache or storage component's key.")  # fmt: skip
    versions = serializers.IntegerField(source="version_count", read_only=True)
    latest_breaking = serializers.BooleanField(read_only=True,
                                               help_text="The latest version breaks the one before it.")  # fmt: skip

    class Meta:
        model = DataModel
        fields = ["id", "key", "url", "web_url", "name", "component", "description", "versions", "latest_breaking",
                  *STAMPS]  # fmt: skip
        read_only_fields = ["id", *STAMPS]


class DataModelVersionSerializer(serializers.ModelSerializer):
    author = serializers.SlugRelatedField(slug_field="username", read_only=True)

    class Meta:
        model = DataModelVersion
        fields = ["id", "number", "label", "format", "dialect", "tables", "breaking", "warnings", "author",
                  "created_at"]  # fmt: skip


class DataModelVersionDetailSerializer(DataModelVersionSerializer):
    class Meta(DataModelVersionSerializer.Meta):
        fields = [*DataModelVersionSerializer.Meta.fields, "schema", "source"]


class VersionUploadQuerySerializer(serializers.Serializer):
    format = serializers.ChoiceField(choices=DataModelVersion.Format.choices, required=False,
                                     help_text="dbml or sql (default: sql, or the file name's extension).")  # fmt: skip
    dialect = serializers.ChoiceField(choices=DataModelVersion.Dialect.choices, required=False, default="postgres")
    label = serializers.CharField(required=False, allow_blank=True, max_length=100)


class DiffQuerySerializer(serializers.Serializer):
    base = serializers.IntegerField(min_value=1, max_value=2**31 - 1, help_text="A version id.")
    revision = serializers.IntegerField(min_value=1, max_value=2**31 - 1, help_text="A version id.")


class SchemaChangeSerializer(serializers.Serializer):
    id = serializers.CharField(help_text='e.g. "column-removed".')
    level = serializers.CharField(help_text="breaking or safe.")
    object = serializers.CharField(help_text='The table, "table.column" or "table.index".')
    location = serializers.CharField()
    message = serializers.CharField()


class SchemaDiffSerializer(serializers.Serializer):
    breaking = serializers.BooleanField()
    changes = SchemaChangeSerializer(many=True)


class AdrNumbersField(serializers.ListField):
    """Decisions named by their numbers ("ADR-0002"); out: the same strings."""

    child = serializers.CharField()

    def to_representation(self, manager):
        return [d.key for d in manager.all()]

    def to_internal_value(self, data):
        found, project = [], self.context["project"]
        for key in super().to_internal_value(data):
            number = parse_adr_key(key)
            decision = Decision.objects.filter(project=project, number=number).first() if number else None
            if decision is None:
                raise serializers.ValidationError(f"There is no {key} in this project.")
            found.append(decision)
        return found


class RequirementKeysField(serializers.ListField):
    """Requirements named by their keys ("REQ-3"), in and out (read from the decision's links)."""

    child = serializers.CharField()

    def to_representation(self, links):
        return [link.requirement.key for link in links.all()]

    def to_internal_value(self, data):
        found, missing = Requirement.objects.by_keys(self.context["project"], super().to_internal_value(data))
        if missing:
            raise serializers.ValidationError(f"There is no {missing[0]} in this project.")
        return found


class RequirementLinkSerializer(serializers.Serializer):
    key = serializers.CharField()
    title = serializers.CharField()
    suspect = serializers.BooleanField(help_text="The requirement changed after the link was made.")


class DecisionSerializer(KitSerializer):
    key = serializers.CharField(read_only=True, help_text='e.g. "ADR-0003".')
    supersedes = AdrNumbersField(required=False, help_text="Decisions this one replaces; they become superseded.")
    superseded_by = AdrNumbersField(read_only=True)
    components = KeyField(Component.objects.all(), many=True, required=False, help_text="Component keys.")
    requirements = RequirementKeysField(source="requirement_links", required=False, help_text="Requirement keys.")
    requirement_links = serializers.SerializerMethodField(help_text="Each requirement with its suspect flag.")

    class Meta:
        model = Decision
        fields = ["key", "url", "web_url", "title", "status", "date", "deciders", "context", "considered_options",
                  "decision", "consequences", "supersedes", "superseded_by", "components", "requirements",
                  "requirement_links", *STAMPS]  # fmt: skip
        read_only_fields = STAMPS

    def validate(self, attrs):
        if "requirement_links" in attrs:  # the service takes the requirements, and keeps the links
            attrs["requirements"] = attrs.pop("requirement_links")
        return attrs

    @extend_schema_field(RequirementLinkSerializer(many=True))
    def get_requirement_links(self, decision) -> list[dict]:
        return [{"key": row["key"], "title": row["title"], "suspect": row["suspect"]}
                for row in services.decision_requirement_rows(decision)]  # fmt: skip


class ApiReferenceSerializer(KitSerializer):
    system = KeyField(System.objects.all(), help_text="A system key.")
    providers = KeyField(Component.objects.all(), many=True, required=False, help_text="Component keys.")
    consumers = KeyField(Component.objects.all(), many=True, required=False, help_text="Component keys.")

    class Meta:
        model = ApiReference
        fields = ["id", "key", "url", "web_url", "name", "type", "lifecycle", "owner", "system", "definition",
                  "providers", "consumers", *STAMPS]  # fmt: skip
        read_only_fields = ["id", *STAMPS]


class DiagramSerializer(serializers.Serializer):
    mermaid = serializers.CharField(help_text="Mermaid source, generated from the model.")
    nodes = serializers.IntegerField()
    truncated = serializers.BooleanField(help_text="Some nodes were left out (the cap); see 'hidden'.")
    hidden = serializers.IntegerField()


class CatalogReportSerializer(serializers.Serializer):
    dry_run = serializers.BooleanField()
    saved = serializers.BooleanField()
    rows = serializers.IntegerField(help_text="Entities read.")
    created = serializers.IntegerField()
    updated = serializers.IntegerField()
    unchanged = serializers.IntegerField()
    errors = serializers.ListField(child=serializers.DictField())
    preview = serializers.ListField(child=serializers.DictField())
    unknown_references = serializers.ListField(child=serializers.CharField())
    notes = serializers.ListField(child=serializers.CharField())
