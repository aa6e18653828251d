"""Markdown → safe HTML. The one renderer for every user-written text (descriptions, comments).

What survives is plain document markup: no script, no event handlers, no ``javascript:`` links,
no ``class`` or ``style`` (so nobody can lay a fake dialog over the page with Bootstrap's
classes), and no images from other sites (a remote image tells its host who read the page and
when) unless the host is listed in ``MARKDOWN_IMAGE_HOSTS``. A refused image becomes a link to it.
"""

from urllib.parse import urlsplit
from xml.etree import ElementTree

import markdown as md
import nh3
from django.conf import settings
from django.utils.safestring import mark_safe
from markdown.extensions import Extension
from markdown.treeprocessors import Treeprocessor

ALLOWED_TAGS = {
    "a", "abbr", "b", "blockquote", "br", "code", "del", "em", "h1", "h2", "h3", "h4", "h5", "h6",
    "hr", "i", "img", "li", "ol", "p", "pre", "strong", "sub", "sup", "table", "tbody", "td", "th",
    "thead", "tr", "ul", "input", "span", "div",
}
ALLOWED_ATTRIBUTES = {
    "a": {"href", "title"},
    "img": {"src", "alt", "title"},
    "th": {"align"},
    "td": {"align"},
    "input": {"type", "checked", "disabled"},
}


def image_allowed(src: str) -> bool:
    """Our own images (a path on this site), or https images of a host the settings allow."""
    parts = urlsplit(src or "")
    if not parts.scheme and not parts.netloc:
        return src.startswith("/") and not src.startswith("//")
    return parts.scheme == "https" and (parts.hostname or "") in set(settings.MARKDOWN_IMAGE_HOSTS)


class _RemoteImagesToLinks(Treeprocessor):
    def run(self, root):
        for parent in root.iter():
            for index, child in enumerate(list(parent)):
                if child.tag == "img" and not image_allowed(child.get("src", "")):
                    link = ElementTree.Element("a", {"href": child.get("src", "")})
                    link.text = child.get("alt") or child.get("src", "")
                    link.tail = child.tail
                    parent.remove(child)
                    parent.insert(index, link)


class _SafeImages(Extension):
    def extendMarkdown(self, markdown):  # noqa: N802 - the Markdown library's name
        markdown.treeprocessors.register(_RemoteImagesToLinks(markdown), "threadline_images", 0)


def _drop_foreign_image_sources(tag: str, attribute: str, value: str) -> str | None:
    # Raw <img> written as HTML skips the tree processor; nh3 drops its source here instead.
    if tag == "img" and attribute == "src" and not image_allowed(value):
        return None
    return value


def render_markdown(text: str) -> str:
    """Render and sanitise (see the module docstring for what survives)."""
    html = md.markdown(text or "", extensions=["fenced_code", "tables", "sane_lists", _SafeImages()],
                       output_format="html")  # fmt: skip
    clean = nh3.clean(
        html,
        tags=ALLOWED_TAGS,
        attributes=ALLOWED_ATTRIBUTES,
        attribute_filter=_drop_foreign_image_sources,
        url_schemes={"http", "https", "mailto"},
        link_rel="noopener noreferrer nofollow",
    )
    return mark_safe(clean)  # noqa: S308 - sanitised by nh3 just above
