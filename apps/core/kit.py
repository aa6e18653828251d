"""The CRUD kit: declare a project-scoped model once; core makes its pages, API, filters and admin.

    @register
    class SystemKit(ModelKit):
        model = System
        fields = ["name", "description"]  # what the form and the API write
        search = ["name", "description"]  # what ?q= searches

gives, with the app registered (apps.core.registry.register_app):

* pages at /projects/<slug>/<app path>/<kit path>/: list (a table with sorting, paging and an empty
  state), detail, new/, <id>/edit/, <id>/delete/ — named ``<app>:<url_name>_<page>``;
* the API at /api/v1/projects/<slug>/<api path>/ (list, create, retrieve, update, delete);
* one FilterSet behind both (search, the ``filters`` fields, ordering by the sortable columns),
  a ModelForm, a serializer and an admin, each derived unless the kit names its own;
* permissions by action through the one layer: list/detail need READ, create/edit WRITE and delete
  MANAGE — on GET as well as POST; outsiders get 404;
* every write through ``create``/``update``/``delete`` below (the kit's services: core's generic
  ones, or an app's own), so the UI, the API and the admin validate once and log one change;
* ``get_absolute_url`` from the names above (apps.core.models.ProjectScopedModel).

Extra pages go in ``pages`` ({url name: Page(view, path, detail=...)}), and so do replacements of
the standard ones ({"detail": MyDetailView}) or their removal ({"delete": None}).
"""

from dataclasses import dataclass
from functools import cached_property

from django.contrib import admin as django_admin
from django.db import models
from django.urls import path as url_path
from django.urls import reverse

from .registry import app_entry
from .services import instance_delete, instance_save

STANDARD_PAGES = ("list", "detail", "create", "update", "delete")

_kits: dict[type, "ModelKit"] = {}


@dataclass(frozen=True)
class Page:
    """An extra page of a kit: a view at ``path`` under the list (or under one object if ``detail``)."""

    view: type
    path: str
    detail: bool = False


def split_m2m(model, values: dict) -> tuple[dict, dict]:
    names = {f.name for f in model._meta.many_to_many}
    return {k: v for k, v in values.items() if k not in names}, {k: v for k, v in values.items() if k in names}


class ModelKit:
    """A model's pages and API. Subclass, set ``model`` and ``fields``, decorate with ``@register``."""

    model: type[models.Model]
    fields: list[str] = []  # written by the form and the API
    columns: list = []  # the list table: names or apps.core.tables.Column; default: fields
    search: list[str] = []  # fields ``?q=`` searches
    filters: list[str] = []  # fields filtered by exact value (choices and booleans get a select)
    markdown: list[str] = []  # fields rendered as markdown (detail page), as plain text (table)
    empty_text = ""  # the empty list's hint: what these are for, what to do first

    path: str | None = None  # under the app's path; default: the plural name ("" = the app's root)
    url_name: str = ""  # URL name stem; default: the model name
    api_path: str | None = None  # under /api/v1/projects/<slug>/; default: app path + kit path
    lookup_field = "pk"
    lookup_converter = "int"
    lookup_url_kwarg = ""  # default: lookup_field

    api = True
    admin = True
    pages: dict = {}

    # Named replacements for what the kit derives (None: derive it).
    form_class = None
    filterset_class = None
    serializer_class = None
    table_class = None
    viewset_class = None
    admin_class = None

    def __init__(self):
        opts = self.model._meta
        self.app = app_entry(opts.app_label)
        self.namespace = opts.app_label
        self.url_name = self.url_name or opts.model_name
        self.basename = opts.model_name
        self.lookup_url_kwarg = self.lookup_url_kwarg or self.lookup_field
        if self.path is None:
            self.path = str(opts.verbose_name_plural).replace(" ", "-").lower()
        if self.api_path is None:
            self.api_path = "/".join(part for part in (self.app.path, self.path) if part)
        self.columns = self.columns or self.fields

    # ---- the services every door calls ---------------------------------------------------------

    def queryset(self, *, project):
        """The rows of one project that pages and API read, with the FKs shown in the table joined."""
        related = [f.name for f in self.model._meta.fields if f.is_relation and f.name in self.column_names()]
        return self.model.objects.filter(project=project).select_related(*related)

    def create(self, *, project, actor, values: dict):
        plain, m2m = split_m2m(self.model, values)
        return instance_save(instance=self.model(project=project, **plain), actor=actor, m2m=m2m)

    def update(self, *, instance, actor, values: dict):
        plain, m2m = split_m2m(self.model, values)
        for name, value in plain.items():
            setattr(instance, name, value)
        return instance_save(instance=instance, actor=actor, m2m=m2m)

    def delete(self, *, instance, actor) -> None:
        instance_delete(instance=instance, actor=actor)

    # ---- names and URLs ------------------------------------------------------------------------

    def column_names(self) -> list[str]:
        return [column if isinstance(column, str) else column.name for column in self.columns]

    def url(self, page: str, instance=None, *, project=None) -> str:
        project = project if project is not None else instance.project
        kwargs = {"project_slug": project.slug}
        if instance is not None:
            kwargs[self.lookup_url_kwarg] = getattr(instance, self.lookup_field)
        return reverse(f"{self.namespace}:{self.url_name}_{page}", kwargs=kwargs)

    def has_page(self, page: str) -> bool:
        return page in self.pages and self.pages[page] is not None or page not in self.pages and page in STANDARD_PAGES

    def page_views(self) -> dict:
        """{page: (view class, path, detail)} for every page the kit serves."""
        from . import views

        standard = {
            "list": (views.ProjectObjectListView, "", False),
            "create": (views.ProjectObjectCreateView, "new/", False),
            "detail": (views.ProjectObjectDetailView, "", True),
            "update": (views.ProjectObjectUpdateView, "edit/", True),
            "delete": (views.ProjectObjectDeleteView, "delete/", True),
        }
        found = {}
        for name, (view, path, detail) in standard.items():
            if self.has_page(name):
                found[name] = (self.pages.get(name) or view, path, detail)
        for name, page in self.pages.items():
            if name not in standard and page is not None:
                found[name] = (page.view, page.path, page.detail)
        return found

    def urlpatterns(self) -> list:
        prefix = f"{self.path}/" if self.path else ""
        obj = f"{prefix}<{self.lookup_converter}:{self.lookup_url_kwarg}>/"
        list_level, detail_level = [], []
        for name, (view, path, detail) in self.page_views().items():
            full_name = f"{self.url_name}_{name}" if name in STANDARD_PAGES else name
            pattern = url_path((obj if detail else prefix) + path, view.as_view(kit=self), name=full_name)
            (detail_level if detail else list_level).append((path == "", pattern))
        # Fixed paths ("new/", "tree/") before the catch-all list and object paths.
        ordered = sorted(list_level, key=lambda item: item[0]) + sorted(detail_level, key=lambda item: item[0])
        return [pattern for _, pattern in ordered]

    # ---- what the kit derives when the app names none (made once, kept) ------------------------

    @cached_property
    def form(self):
        from .forms import project_model_form

        return self.form_class or project_model_form(self.model, self.fields)

    @cached_property
    def filterset(self):
        from .filtersets import project_filterset

        return self.filterset_class or project_filterset(self)

    @cached_property
    def table(self):
        from .tables import Table

        table_class = self.table_class or type(f"{self.model.__name__}Table", (Table,), {"columns": self.columns})
        return table_class(self.model, link_url_name=f"{self.namespace}:{self.url_name}_detail",
                           link_lookup=self.lookup_field, markdown=self.markdown, empty_text=self.empty_text)

    @cached_property
    def serializer(self):
        from .api.serializers import kit_serializer

        return self.serializer_class or kit_serializer(self)

    @cached_property
    def viewset(self):
        """The API viewset: the app's (a ProjectModelViewSet subclass) or core's, bound to this kit."""
        from .api.views import ProjectModelViewSet

        base = self.viewset_class or ProjectModelViewSet
        attrs = {"kit": self, "lookup_field": self.lookup_field, "lookup_url_kwarg": self.lookup_url_kwarg,
                 "lookup_value_converter": self.lookup_converter, "__doc__": base.__doc__ if self.viewset_class
                 else f"{self.model._meta.verbose_name_plural.capitalize()} of a project."}  # fmt: skip
        if "serializer_class" not in base.__dict__:
            attrs["serializer_class"] = self.serializer
        if "filterset_class" not in base.__dict__:
            attrs["filterset_class"] = self.filterset
        return type(base.__name__ if self.viewset_class else f"{self.model.__name__}ViewSet", (base,), attrs)

    @cached_property
    def model_admin(self):
        from .admin import KitAdmin

        if self.admin_class is not None:
            return self.admin_class
        shown = [n for n in self.column_names() if n in {f.name for f in self.model._meta.fields}]
        return type(f"{self.model.__name__}Admin", (KitAdmin,), {
            "list_display": ["__str__", *shown, "project"], "search_fields": self.search,
            "list_filter": [*self.filters, "project"], "list_select_related": ["project"],
        })  # fmt: skip


def register(kit_class: type[ModelKit]) -> type[ModelKit]:
    """Class decorator: make the kit's one instance and register its pages, API and admin."""
    kit = kit_class()
    entry = kit.app
    entry.kits[:] = [k for k in entry.kits if k.model is not kit.model] + [kit]
    _kits[kit.model] = kit
    if kit.admin and not django_admin.site.is_registered(kit.model):
        django_admin.site.register(kit.model, kit.model_admin)
    return kit_class


def kit_for(model) -> ModelKit:
    """The kit of a model class or instance (KeyError if none is registered)."""
    model = model if isinstance(model, type) else type(model)
    return _kits[model._meta.concrete_model]
