"""Template helpers for allauth's pages in Threadline's look (templates/allauth/elements/*).

allauth builds every account page from small "elements" (form, fields, button …); these tags let
those element templates render forms with Threadline's own form templates and pick Bootstrap classes.
"""

import re

from django import template
from django.template.loader import render_to_string

register = template.Library()

# A word in title case ("Password", "Me"); all-capital words (TOTP, 2FA) and lower-case ones are kept.
_TITLE_WORD = re.compile(r"\b([A-Z])([a-z]+)\b")


def sentence_case(text: str) -> str:
    """'New Password (again)' -> 'New password (again)': allauth's labels read like the rest of Threadline."""
    text = str(text)
    if not text:
        return text
    head, tail = text[0], text[1:]
    return head + _TITLE_WORD.sub(lambda m: m.group(1).lower() + m.group(2), tail)


@register.simple_tag
def auth_form(form) -> str:
    """An allauth form through Threadline's form templates (labels, help text, errors tied to inputs).

    allauth's forms are built per request, so relabelling this instance's fields touches nothing shared.
    """
    for bound_field in form:
        field = bound_field.field
        placeholder = field.widget.attrs.get("placeholder")
        label = placeholder if bound_field.name == "login" and placeholder else bound_field.label
        # allauth labels the log-in field just "Login"; its placeholder says what it takes. The bound field
        # keeps its own copy of the label (made when a posted form was validated), so both are set.
        bound_field.label = field.label = sentence_case(label) if label else label
        if placeholder:
            # allauth's placeholders stand in for labels it hides; ours are visible, so they only repeat them.
            del field.widget.attrs["placeholder"]
    return render_to_string("forms/form.html", {"form": form})


@register.simple_tag
def auth_button_class(tags) -> str:
    """Bootstrap classes for an allauth button from its tags (danger, secondary, link, outline, prominent, minor)."""
    tags = set(tags or ())
    if "link" in tags:
        variant = "btn-link"
    elif "danger" in tags:
        variant = "btn-outline-danger" if "outline" in tags else "btn-danger"
    elif "secondary" in tags:
        variant = "btn-outline-secondary"
    elif "outline" in tags:
        variant = "btn-outline-primary"
    else:
        variant = "btn-primary"
    classes = ["btn", variant]
    if "prominent" in tags:
        classes.append("w-100")
    if "minor" in tags:
        classes.append("btn-sm")
    return " ".join(classes)


@register.simple_tag
def auth_badge_class(tags) -> str:
    tags = set(tags or ())
    for tag, css in (("success", "text-bg-success"), ("warning", "text-bg-warning"),
                     ("danger", "text-bg-danger"), ("primary", "text-bg-primary")):  # fmt: skip
        if tag in tags:
            return css
    return "text-bg-secondary"


@register.simple_tag
def auth_alert_kind(tags) -> str:
    """An allauth alert's Bootstrap colour: danger for errors (announced at once), info otherwise."""
    tags = set(tags or ())
    if tags & {"danger", "error"}:
        return "danger"
    return "warning" if "warning" in tags else "info"
