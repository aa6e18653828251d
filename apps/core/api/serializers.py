"""The base serializer: validation comes from the model (full_clean), writes go through services."""

import copy

from django.core.exceptions import ValidationError as DjangoValidationError
from rest_framework import serializers

from apps.core.services import instance_save

from .errors import django_errors_to_dict


class ModelCleanSerializer(serializers.ModelSerializer):
    """Runs the model's ``full_clean()`` on the would-be instance so API and forms agree.

    ``project`` (and anything else in ``context_fields``) is taken from the serializer context,
    set by the project-scoped viewset, never from the request body.
    """

    context_fields: tuple[str, ...] = ("project",)

    def _context_values(self) -> dict:
        model_fields = {f.name for f in self.Meta.model._meta.fields}
        return {
            name: self.context[name]
            for name in self.context_fields
            if name in model_fields and name in self.context
        }

    def _split_m2m(self, attrs: dict) -> tuple[dict, dict]:
        m2m_names = {f.name for f in self.Meta.model._meta.many_to_many}
        plain = {k: v for k, v in attrs.items() if k not in m2m_names}
        return plain, {k: v for k, v in attrs.items() if k in m2m_names}

    def build_instance(self, attrs: dict):
        plain, _ = self._split_m2m(attrs)
        if self.instance is not None:
            instance = copy.copy(self.instance)
            for key, value in plain.items():
                setattr(instance, key, value)
            return instance
        return self.Meta.model(**plain, **self._context_values())

    def validate(self, attrs):
        attrs = super().validate(attrs)
        instance = self.build_instance(attrs)
        writable = {name for name, field in self.fields.items() if not field.read_only}
        if self.instance is None:
            # Fields the client can't send (keys, authors) are filled by services after validation.
            given = set(attrs) | set(self._context_values())
            exclude = [f.name for f in instance._meta.fields if f.name not in given and f.name not in writable]
        else:
            exclude = []
        try:
            instance.full_clean(exclude=exclude)
        except DjangoValidationError as exc:
            raise serializers.ValidationError(django_errors_to_dict(exc)) from exc
        return attrs

    # Writes: one service call each. Domain serializers override these to call their own service.
    def create(self, validated_data):
        plain, m2m = self._split_m2m(validated_data)
        instance = self.Meta.model(**plain, **self._context_values())
        return instance_save(instance=instance, actor=self.context["request"].user, m2m=m2m)

    def update(self, instance, validated_data):
        plain, m2m = self._split_m2m(validated_data)
        for key, value in plain.items():
            setattr(instance, key, value)
        return instance_save(instance=instance, actor=self.context["request"].user, m2m=m2m)
