from django import template
from django.utils.http import urlencode
from django.utils.safestring import mark_safe

from apps.core import registry
from apps.core.markdown import render_markdown

register = template.Library()


@register.filter
def markdown(text):
    return render_markdown(text)


@register.simple_tag(takes_context=True)
def query_replace(context, **changes):
    """The current query string with some parameters replaced (for sorting and paging links)."""
    query = context["request"].GET.copy()
    for key, value in changes.items():
        if value is None:
            query.pop(key, None)
        else:
            query[key] = value
    return "?" + urlencode(sorted(query.lists()), doseq=True)


@register.simple_tag
def project_tabs(project) -> list[dict]:
    """The registered apps' tabs (apps.core.registry), in lifecycle order."""
    return registry.project_tabs(project)


@register.simple_tag(takes_context=True)
def app_sections(context, project) -> list[dict]:
    """The current app's section links (apps.core.registry.app_sections), the current one marked."""
    request = context.get("request")
    match = getattr(request, "resolver_match", None)
    sections = registry.app_sections(project, match.namespace) if match and match.namespace else []
    # The longest matching prefix is the current section ("Overview" is every page's prefix).
    current = max((s["url"] for s in sections if request.path.startswith(s["url"])), key=len, default="")
    return [dict(section, active=section["url"] == current) for section in sections]


@register.simple_tag(takes_context=True)
def table_rows(context, table, rows):
    """The body rows of a bound apps.core.tables table: one compiled template for all cells."""
    return mark_safe(table.render_rows(context, rows))  # noqa: S308 - rendered by an autoescaping template


@register.simple_tag(takes_context=True)
def table_header(context, table, column):
    if column.header:
        return mark_safe(table.render_header(context, column))  # noqa: S308 - an autoescaping template
    if column.sort_key:
        return sort_link(context, column.sort_key, column.label)
    return column.label


@register.filter
def verbose_name(obj):
    return obj._meta.verbose_name


@register.filter
def verbose_name_plural(obj):
    return obj._meta.verbose_name_plural


@register.filter
def field_value(obj, name: str):
    return getattr(obj, name)


@register.filter
def field_display(obj, name: str):
    """A field's value as a reader wants it: a choice's label, a related row's name."""
    display = getattr(obj, f"get_{name}_display", None)
    return display() if display else getattr(obj, name)


@register.filter
def role_badge(role):
    return {"owner": "text-bg-dark", "maintainer": "text-bg-primary", "member": "text-bg-info",
            "viewer": "text-bg-light border"}.get(str(role), "text-bg-secondary")


WIDGET_CLASSES = {
    "CheckboxInput": "form-check-input",
    "Select": "form-select",
    "SelectMultiple": "form-select",
    "CheckboxSelectMultiple": "",
    "RadioSelect": "",
    "FileInput": "form-control",
    "ClearableFileInput": "form-control",
}


@register.filter
def widget_kind(bound_field) -> str:
    return type(bound_field.field.widget).__name__


@register.filter
def bs_widget(bound_field):
    """Render a field's widget with Bootstrap's class (and is-invalid when it has errors)."""
    css = WIDGET_CLASSES.get(widget_kind(bound_field), "form-control")
    if bound_field.errors:
        css += " is-invalid"
    return bound_field.as_widget(attrs={"class": css.strip()} if css.strip() else None)


@register.inclusion_tag("forms/form.html")
def bootstrap_form(form):
    return {"form": form}


@register.simple_tag(takes_context=True)
def sort_link(context, field: str, label: str):
    """A column header link that sorts by ``field`` (django-filter's ``ordering``), toggling the direction."""
    from django.utils.html import format_html

    current = context["request"].GET.get("ordering", "")
    descending = current == field
    target = f"-{field}" if descending else field
    arrow = {field: " ▲", f"-{field}": " ▼"}.get(current, "")
    return format_html('<a href="{}" class="link-body-emphasis text-decoration-none">{}{}</a>',
                       query_replace(context, ordering=target, page=None), label, arrow)
