import pytest

from apps.core.registry import seed_project


@pytest.fixture
def demo(project, users, settings, tmp_path, django_capture_on_commit_callbacks):
    """The project seeded as `make run` seeds it (twelve weeks of deployments, incidents, contracts …)."""
    settings.MEDIA_ROOT = tmp_path / "media"
    with django_capture_on_commit_callbacks(execute=True):
        seed_project(project=project, user=users["owner"])
    return project
