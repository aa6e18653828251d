"""Markdown rendering is sanitised: no scripts, no event handlers, no javascript: links."""

import pytest
from django.template import Context, Template

from apps.core.markdown import render_markdown

HOSTILE = "<script>alert(1)</script>[x](javascript:alert(1))<img src=x onerror=alert(1)>"


def test_hostile_markdown_is_harmless():
    html = render_markdown(HOSTILE).lower()
    assert "<script" not in html
    assert "javascript:" not in html
    assert "onerror" not in html


@pytest.mark.parametrize(
    "source,expected",
    [
        ("**bold** and `code`", "<strong>bold</strong> and <code>code</code>"),
        ("[site](https://example.com)", 'href="https://example.com"'),
        ("| a | b |\n|---|---|\n| 1 | 2 |", "<table>"),
        ("```python\nx = 1\n```", "<pre><code>x = 1"),
        ("![logo](/static/img/threadline.svg)", '<img alt="logo" src="/static/img/threadline.svg">'),
        ('<a href="https://x.io" onclick="evil()">x</a>', 'rel="noopener noreferrer nofollow"'),
    ],
)
def test_markdown_keeps_useful_html(source, expected):
    html = render_markdown(source)
    assert expected in html
    assert "onclick" not in html


def test_markdown_filter_and_empty_input():
    rendered = Template("{% load threadline %}{{ text|markdown }}").render(Context({"text": HOSTILE}))
    assert "<script" not in rendered and "onerror" not in rendered
    assert render_markdown(None) == "" and render_markdown("") == ""


def test_no_class_or_style_so_nothing_can_overlay_the_page():
    overlay = '<div class="position-fixed top-0 start-0 w-100 h-100" style="z-index: 9999">Log in again</div>'
    html = render_markdown(overlay + '<span class="btn btn-danger">x</span>\n\n```python\nx\n```')
    assert "class=" not in html and "style=" not in html and "Log in again" in html


@pytest.mark.parametrize("source", [
    "![pixel](https://tracker.example/p.png?reader=1)", "![pixel](http://tracker.example/p.png)",
    "![pixel](//tracker.example/p.png)", '<img src="https://tracker.example/p.png" alt="pixel">',
])
def test_remote_images_are_not_loaded_by_default(source):
    html = render_markdown(source)
    assert "<img" not in html or "src=" not in html  # never fetched by the reader's browser
    assert "tracker.example" not in html or '<a href="' in html  # a Markdown image becomes a link


def test_a_listed_image_host_is_allowed(settings):
    settings.MARKDOWN_IMAGE_HOSTS = ["images.example.com"]
    assert '<img alt="d" src="https://images.example.com/d.png">' in render_markdown("![d](https://images.example.com/d.png)")
    assert "<img" not in render_markdown("![d](https://other.example.com/d.png)")
