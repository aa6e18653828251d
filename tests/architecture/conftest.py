"""Shared rows of the architecture tests: a small catalog made through the services."""

import pytest

from apps.architecture import services
from apps.architecture.models import Component, System


@pytest.fixture
def make_component(project, users):
    def make(key: str, *, kind: str = "service", system=None, **values):
        return services.component_save(instance=Component(project=project), actor=users["owner"],
                                       values={"key": key, "name": key.title(), "kind": kind, "system": system,
                                               **values})  # fmt: skip

    return make


@pytest.fixture
def make_system(project, users):
    def make(key: str, **values):
        return services.instance_save(instance=System(project=project, key=key, name=key.title(), **values),
                                      actor=users["owner"])  # fmt: skip

    return make
