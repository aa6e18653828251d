"""Fixtures of the test-run suites: uploads through the API with tasks run eagerly."""

import gzip as gzip_module

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from tests.testruns.testruns_support import URL


@pytest.fixture
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT


@pytest.fixture
def upload(api_as, project, django_capture_on_commit_callbacks, media):
    """upload(content, role="member", raw=False, gzip=False, **meta) -> response (tasks run eagerly)."""

    def post(
        content: bytes | None,
        *,
        role: str = "member",
        raw: bool = False,
        gzip: bool = False,
        filename: str = "report.xml",
        slug: str | None = None,
        api=None,
        **meta,
    ):
        api = api or api_as(role)
        url = URL.format(slug=slug or project.slug)
        if gzip and content is not None:
            content = gzip_module.compress(content)
        with django_capture_on_commit_callbacks(execute=True):
            if raw:
                query = "&".join(f"{k}={v}" for k, v in meta.items())
                headers = {"HTTP_CONTENT_ENCODING": "gzip"} if gzip else {}
                return api.post(
                    url + (f"?{query}" if query else ""),
                    data=content,
                    content_type="application/xml",
                    **headers,
                )
            data = {k: str(v) for k, v in meta.items()}
            if content is not None:
                data["report"] = SimpleUploadedFile(filename, content, content_type="application/xml")
            return api.post(url, data=data, format="multipart")

    return post

