"""Declarative tables for list pages: columns in Python, one template (generic/_table.html) for all.

    class RunTable(Table):
        load = "humanize testruns"
        columns = [
            Column("name", link=True),
            Column("status", sort=True, cell='<span class="badge {{ row.status|status_badge }}">…</span>'),
            Column("tests", classes="text-end", cell="{{ row.tests|intcomma }}"),
        ]

A column names a row attribute; its cell is the value (choices shown by label, dates formatted,
blanks as "—") unless it gives a ``cell`` template snippet that reads ``row`` and the page's context
(``project``, ``access`` …). ``sort`` names an ordering key of the list's FilterSet, so the header
sorts the page and the same ``?ordering=`` works on the API. ``link`` makes the cell the row's
link to its detail page. ``role`` shows a column only to that role and up (a bulk checkbox).

All cells of a table compile into ONE row template, built once per set of visible columns:
rendering a page costs one template render, not one per cell.
"""

from dataclasses import dataclass, replace

from django.core.exceptions import FieldDoesNotExist
from django.db import models
from django.template import Template
from django.utils.text import capfirst


@dataclass(frozen=True)
class Column:
    name: str
    label: str = ""  # default: the model field's verbose name
    sort: str | bool = False  # True: sort by ``name``; a string: that ordering key
    link: bool = False  # the cell links to the row's detail page
    cell: str = ""  # a template snippet rendering the cell from ``row``
    classes: str = ""  # classes of the cell and its header, e.g. "text-end text-nowrap"
    role: str = ""  # shown only to this role or higher (apps.core.permissions)
    header: str = ""  # a template snippet for the header instead of the label

    @property
    def sort_key(self) -> str:
        return self.name if self.sort is True else (self.sort or "")


def _field(model, name: str):
    if model is None or "." in name:
        return None
    try:
        return model._meta.get_field(name)
    except FieldDoesNotExist:
        return None


def default_cell(model, name: str, markdown: bool = False) -> str:
    """The template of a plain cell: the value, shown the way its model field reads best."""
    field = _field(model, name)
    value = "row." + name
    if markdown:  # the text a reader sees, not its markup
        return "{{ " + value + "|markdown|striptags|truncatechars:120|default:'—' }}"
    if field is not None and getattr(field, "choices", None):
        return "{{ row.get_" + name + "_display|default:'—' }}"
    if field is None or isinstance(field, models.IntegerField | models.FloatField | models.DecimalField):
        return "{{ " + value + "|default_if_none:'—' }}"
    if isinstance(field, models.DateTimeField):
        title = "{{ " + value + "|date:'Y-m-d H:i' }}"
        return f'<span title="{title}">' + "{{ " + value + '|date:"Y-m-d"|default:"—" }}</span>'
    if isinstance(field, models.BooleanField):
        return "{{ " + value + "|yesno:'Yes,No' }}"
    if isinstance(field, models.TextField):
        return "{{ " + value + "|truncatechars:120|default:'—' }}"
    return "{{ " + value + "|default:'—' }}"


_shared: dict = {}


class Table:
    """A list page's columns. Subclass with ``columns``; the kit binds it to a model and its links."""

    columns: list = []
    load = ""  # template tag libraries the cell snippets use, e.g. "humanize requirements"
    template_name = "generic/_table.html"
    frame = "card shadow-sm"  # classes of the box around the table ("" inside another card)
    classes = "table-hover"  # of the <table>, e.g. "table-hover table-sm"
    caption = ""
    empty_title = ""  # default: "No <things> yet"
    empty_text = ""

    def __init__(self, model=None, *, link_url_name: str = "", link_lookup: str = "pk", markdown=(),
                 empty_text: str = ""):
        self.model = model
        self.link_url_name, self.link_lookup = link_url_name, link_lookup
        self.markdown = set(markdown)
        self.empty_text = self.empty_text or empty_text
        self.columns = [self._complete(column) for column in self.columns]
        if link_url_name and self.columns and not any(column.link for column in self.columns):
            self.columns[0] = replace(self.columns[0], link=True)
        self._compiled: dict[tuple, Template] = {}

    def _complete(self, column) -> Column:
        field = _field(self.model, column if isinstance(column, str) else column.name)
        if isinstance(column, str):
            # A plain field column sorts by itself (the kit's FilterSet offers the same ordering).
            sortable = field is not None and field.concrete and not field.is_relation
            column = Column(column, sort=sortable and not isinstance(field, models.TextField))
        label = column.label or (capfirst(field.verbose_name) if field else capfirst(column.name.replace("_", " ")))
        cell = column.cell or default_cell(self.model, column.name, markdown=column.name in self.markdown)
        return replace(column, label=label, cell=cell)

    @classmethod
    def shared(cls, model=None) -> "Table":
        """One instance per table class and model, so its compiled rows are reused across requests."""
        key = (cls, model)
        if key not in _shared:
            _shared[key] = cls(model)
        return _shared[key]

    @property
    def noun_plural(self) -> str:
        return str(self.model._meta.verbose_name_plural) if self.model else "rows"

    def bind(self, *, access=None, **context) -> "BoundTable":
        visible = [c for c in self.columns if not c.role or (access is not None and access.can(c.role))]
        return BoundTable(self, visible, context)

    def row_template(self, columns: list[Column]) -> Template:
        key = tuple(column.name for column in columns)
        if key not in self._compiled:
            cells = []
            for column in columns:
                cell = column.cell
                if column.link and self.link_url_name:
                    href = "{% url '" + self.link_url_name + "' project.slug row." + self.link_lookup + " %}"
                    cell = f'<a href="{href}" class="fw-semibold">{cell}</a>'
                css = f' class="{column.classes}"' if column.classes else ""
                cells.append(f"<td{css}>{cell}</td>")
            source = "{% load threadline " + self.load + " %}{% for row in rows %}<tr>" + "".join(cells)
            source += "</tr>{% endfor %}"
            self._compiled[key] = Template(source)
        return self._compiled[key]


class BoundTable:
    """A table as one request sees it: the columns the user's role shows, plus page context."""

    def __init__(self, table: Table, columns: list[Column], context: dict):
        self.table, self.columns, self.context = table, columns, context
        self.template_name, self.frame, self.classes = table.template_name, table.frame, table.classes
        self.caption = table.caption
        self.noun_plural = table.noun_plural
        self.empty_title = table.empty_title or f"No {table.noun_plural} yet"
        self.empty_text = table.empty_text

    def render_header(self, context, column: Column) -> str:
        key = ("header", column.name)
        if key not in self.table._compiled:
            self.table._compiled[key] = Template("{% load threadline " + self.table.load + " %}" + column.header)
        return self.table._compiled[key].render(context)

    def render_rows(self, context, rows) -> str:
        with context.push(rows=rows):
            return self.table.row_template(self.columns).render(context)
