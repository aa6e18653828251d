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
        ("```python\nx = 1\n```", 'class="language-python"'),
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
