"""Base serializers. A serializer turns JSON into values and rows into JSON; the model's rules are
checked once, by the service that saves (its ValidationError becomes the API's 400 body)."""

from django.contrib.auth import get_user_model
from django.urls import reverse
from rest_framework import serializers
from rest_framework.exceptions import ValidationError

from apps.core.models import limit_to_project


class ByNameField(serializers.CharField):
    """A related row named by a string; blank or null means none (CharField would hand on "" itself)."""

    def run_validation(self, data=serializers.empty):
        if data == "" or (isinstance(data, str) and not data.strip()):
            if not self.allow_blank:
                self.fail("blank")
            return None
        return super().run_validation(data)


class UsernameField(ByNameField):
    """A project member by username (read: the username)."""

    def to_representation(self, user):
        return user.get_username() if user else None

    def to_internal_value(self, data):
        username = super().to_internal_value(data)
        if not username:
            return None
        project = self.context["project"]
        user = (
            get_user_model()
            .objects.filter(**{get_user_model().USERNAME_FIELD: username}, memberships__project=project)
            .first()
        )
        if user is None:
            raise serializers.ValidationError(f"No member of this project is called '{username}'.")
        return user


class ProjectModelSerializer(serializers.ModelSerializer):
    """A ModelSerializer of a project-scoped model; the project comes from the URL, never the body,
    and a related row can only be one of the same project (a user: one of its members)."""

    def get_fields(self):
        fields = super().get_fields()
        project = self.context.get("project")
        for field in fields.values() if project is not None else ():
            target = getattr(field, "child_relation", field)
            if getattr(target, "queryset", None) is not None:
                target.queryset = limit_to_project(target.queryset, project)
        return fields


class KitSerializer(ProjectModelSerializer):
    """The serializer a kit derives: its fields, plus links to the object in the API and the UI."""

    url = serializers.SerializerMethodField(help_text="This object in the API.")
    web_url = serializers.SerializerMethodField(help_text="This object's page.")

    @property
    def kit(self):
        # Derived serializers carry their kit as a class attribute; an app's own finds its model's.
        from apps.core.kit import kit_for

        return kit_for(self.Meta.model)

    def _absolute(self, path: str) -> str:
        request = self.context.get("request")
        return request.build_absolute_uri(path) if request is not None else path

    def get_url(self, obj) -> str:
        kit = self.kit
        kwargs = {"project_slug": self.context["project"].slug, kit.lookup_url_kwarg: getattr(obj, kit.lookup_field)}
        return self._absolute(reverse(f"api:{kit.basename}-detail", kwargs=kwargs))

    def get_web_url(self, obj) -> str:
        return self._absolute(self.kit.url("detail", obj, project=self.context["project"]))


def kit_serializer(kit) -> type[KitSerializer]:
    """``<Model>Serializer`` with id, the kit's fields and the timestamps."""
    lookup = [] if kit.lookup_field in ("pk", "id") else [kit.lookup_field]
    meta = type("Meta", (), {
        "model": kit.model,
        "fields": ["id", *lookup, "url", "web_url", *kit.fields, "created_at", "updated_at"],
        "read_only_fields": ["id", *lookup, "created_at", "updated_at"],
    })  # fmt: skip
    return type(f"{kit.model.__name__}Serializer", (KitSerializer,), {"Meta": meta, "kit": kit})


def query_values(serializer_class: type[serializers.Serializer], request) -> dict:
    """An endpoint's own query parameters, parsed by a serializer: typed, bounded, and NUL bytes, odd
    digits ("²") and the like refused with a 400 before they reach a query. Absent ones are absent."""
    serializer = serializer_class(data=request.query_params)
    if not serializer.is_valid():
        raise ValidationError(serializer.errors)
    return serializer.validated_data


class KeyField(serializers.SlugRelatedField):
    """A related row of the same project named by its key (a component "payments-api"); the project
    limit comes from ProjectModelSerializer, like any related field's."""

    def __init__(self, queryset, *, slug_field: str = "key", **kwargs):
        kwargs.setdefault("required", False)
        kwargs.setdefault("allow_null", not kwargs.get("many", False))
        super().__init__(slug_field=slug_field, queryset=queryset, **kwargs)

    # A key is text first: a number, a NUL byte or a lone surrogate (PostgreSQL refuses both) is a 400.
    text = serializers.CharField(max_length=200)

    def to_internal_value(self, data):
        if not isinstance(data, str):
            self.fail("invalid")
        data = self.text.run_validation(data)
        try:
            return self.get_queryset().get(**{self.slug_field: data})
        except (TypeError, ValueError):
            self.fail("invalid")
        except self.get_queryset().model.DoesNotExist:
            raise ValidationError(f"There is no '{data}' in this project.") from None
