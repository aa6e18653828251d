from django.contrib.auth import get_user_model
from rest_framework import serializers

from apps.core.models import ObjectChange
from apps.core.permissions import Role

from ..models import Membership, Project


class ProjectSerializer(serializers.ModelSerializer):
    url = serializers.HyperlinkedIdentityField(
        view_name="api:project-detail", lookup_field="slug", lookup_url_kwarg="slug"
    )
    role = serializers.SerializerMethodField(help_text="Your role in this project.")

    class Meta:
        model = Project
        fields = ["url", "slug", "name", "description", "archived", "role", "created_at", "updated_at"]
        read_only_fields = ["created_at", "updated_at"]

    def get_role(self, project) -> str | None:
        roles = self.context.get("roles")
        if roles is not None:
            return roles.get(project.pk)
        access = self.context.get("access")
        return access.role if access else None


class UserSummarySerializer(serializers.ModelSerializer):
    class Meta:
        model = get_user_model()
        fields = ["username", "first_name", "last_name"]


class MembershipSerializer(serializers.ModelSerializer):
    user = UserSummarySerializer(read_only=True)

    class Meta:
        model = Membership
        fields = ["id", "user", "role", "created_at"]
        read_only_fields = ["id", "created_at"]


class MembershipCreateSerializer(serializers.Serializer):
    user = serializers.CharField(help_text="Username or email of the person to add.")
    role = serializers.ChoiceField(choices=Role.choices, default=Role.MEMBER)


class MembershipRoleSerializer(serializers.Serializer):
    role = serializers.ChoiceField(choices=Role.choices)


class ObjectChangeSerializer(serializers.ModelSerializer):
    object_type = serializers.SerializerMethodField()
    actor = serializers.CharField(source="actor_name")

    class Meta:
        model = ObjectChange
        fields = [
            "id", "time", "actor", "action", "verb", "object_type", "object_id", "object_repr",
            "message", "before", "after", "via",
        ]

    def get_object_type(self, change) -> str:
        return f"{change.content_type.app_label}.{change.content_type.model}"
