"""API: invitations to a project, for its maintainers and owners (list, invite, revoke).

The token is never in an answer: it only travels in the invitation email.
"""

from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.response import Response

from apps.core.api.views import ProjectScopedMixin
from apps.core.permissions import MANAGE, Role

from .. import selectors, services
from ..filtersets import InvitationFilterSet
from ..models import Invitation


class InvitationSerializer(serializers.ModelSerializer):
    status = serializers.ChoiceField(choices=Invitation.Status.choices, read_only=True)
    invited_by = serializers.SlugRelatedField(slug_field="username", read_only=True, allow_null=True)
    accepted_by = serializers.SlugRelatedField(slug_field="username", read_only=True, allow_null=True)

    class Meta:
        model = Invitation
        fields = ["id", "email", "role", "status", "invited_by", "created_at", "expires_at",
                  "accepted_at", "accepted_by", "revoked_at"]  # fmt: skip
        read_only_fields = fields


class InvitationCreateSerializer(serializers.Serializer):
    email = serializers.EmailField(max_length=254, help_text="Who to invite; they need no account yet.")
    role = serializers.ChoiceField(choices=Role.choices, default=Role.MEMBER)


@extend_schema_view(destroy=extend_schema(responses={204: None}))
class InvitationViewSet(ProjectScopedMixin, mixins.ListModelMixin, mixins.RetrieveModelMixin,
                        viewsets.GenericViewSet):  # fmt: skip
    """Invitations of a project, newest first (``?status=pending``). Maintainers and owners invite an
    email (``{"email", "role"}``; it gets a link to sign up and join), and revoke (DELETE)."""

    serializer_class = InvitationSerializer
    filterset_class = InvitationFilterSet
    queryset = Invitation.objects.none()  # the schema's model; rows come from scoped_queryset()
    lookup_url_kwarg = "invitation_id"
    action_roles = {"list": MANAGE, "retrieve": MANAGE, "create": MANAGE, "destroy": MANAGE}

    def scoped_queryset(self):
        return selectors.invitation_list(project=self.project)

    @extend_schema(request=InvitationCreateSerializer, responses={201: InvitationSerializer})
    def create(self, request, *args, **kwargs):
        data = InvitationCreateSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        invitation, _ = services.invitation_create(
            project=self.project, actor=request.user, access=self.access,
            site_url=request.build_absolute_uri("/"), **data.validated_data,
        )  # fmt: skip
        return Response(InvitationSerializer(invitation).data, status=status.HTTP_201_CREATED)

    def destroy(self, request, *args, **kwargs):
        """Revoke the invitation: its link stops working. Revoking twice is harmless."""
        services.invitation_revoke(invitation=self.get_object(), actor=request.user, access=self.access)
        return Response(status=status.HTTP_204_NO_CONTENT)
