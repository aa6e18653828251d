"""The one registry of what each domain app adds to a project: its tab, overview card, demo seed,
and the models whose pages and API core's kit serves (apps.core.kit).

An app registers itself from its ``AppConfig.ready()``::

    register_app(self, title="Requirements", icon="card-checklist", order=10,
                 card=requirements_card, seed=seed_requirements)

and declares each model's pages with a ``ModelKit`` in its ``views.py`` (imported by
``register_app``, as the admin imports ``admin.py``). ``config/urls.py``, the project tabs, the overview and
``seed_demo`` read this registry, so adding an app edits none of them. Core imports no domain app.
"""

from collections.abc import Callable
from dataclasses import dataclass, field
from importlib import import_module
from importlib.util import find_spec

from django.urls import include, path
from django.urls.exceptions import NoReverseMatch
from django.utils.text import capfirst


@dataclass
class AppEntry:
    """What one domain app contributes to every project."""

    label: str  # the Django app label, also the URL namespace: "requirements"
    module: str  # "apps.requirements"
    title: str
    icon: str  # a Bootstrap icon name, e.g. "card-checklist"
    path: str  # the URL segment under /projects/<slug>/: "requirements", "test-runs"
    order: int  # lifecycle position: tabs and overview cards follow it
    card: Callable | None = None  # (project) -> dict for the overview (apps.projects.overview)
    seed: Callable | None = None  # (project=, user=) -> None, idempotent demo data
    hint: str = ""  # the overview card's text while the app has nothing to show
    tab: str = ""  # URL name of the tab's page; default: the first kit's list page
    sections: bool = False  # a row of links to the tab's page and each kit's list, on the app's pages
    section_pages: tuple = ()  # more of the app's own pages in that row, after the tab's: (title, url name)
    kits: list = field(default_factory=list)

    @property
    def tab_url_name(self) -> str:
        if self.tab:
            return f"{self.label}:{self.tab}"
        return f"{self.label}:{self.kits[0].url_name}_list" if self.kits else ""

    def urlpatterns(self) -> list:
        """The app's own pages (``<app>.urls``: pages that belong to no one model), then its kits'.
        A kit at the app's root ("" path) matches last, so "tests/" is never read as an object key."""
        patterns = []
        if find_spec(f"{self.module}.urls") is not None:
            patterns += import_module(f"{self.module}.urls").urlpatterns
        for kit in sorted(self.kits, key=lambda kit: kit.path == ""):
            patterns += kit.urlpatterns()
        return patterns


_apps: dict[str, AppEntry] = {}


def register_app(config, *, title: str, icon: str, order: int, path: str | None = None, card=None, seed=None,
                 hint: str = "", tab: str = "", sections: bool = False, section_pages: tuple = ()) -> AppEntry:
    """Called from an app's ``AppConfig.ready()``; registering twice (tests reloading) replaces."""
    entry = AppEntry(label=config.label, module=config.name, title=title, icon=icon, order=order,
                     path=path if path is not None else config.label.replace("_", "-"), card=card, seed=seed,
                     hint=hint, tab=tab, sections=sections, section_pages=section_pages)  # fmt: skip
    previous = _apps.get(config.label)
    if previous is not None:
        entry.kits = previous.kits
    _apps[config.label] = entry
    # The kits of the app's views register now, while the admin is still being set up.
    if find_spec(f"{config.name}.views") is not None:
        import_module(f"{config.name}.views")
    return entry


def app_entry(label: str) -> AppEntry:
    return _apps[label]


def registered_apps() -> list[AppEntry]:
    return sorted(_apps.values(), key=lambda entry: (entry.order, entry.label))


def project_urlpatterns() -> list:
    """Every registered app's pages, under /projects/<slug>/<app path>/, namespaced by app label."""
    return [
        path(f"projects/<slug:project_slug>/{entry.path}/", include((entry.urlpatterns(), entry.label)))
        for entry in registered_apps()
    ]


def api_urlpatterns() -> list:
    """Every kit's viewset under /api/v1/projects/<slug>/<api path>/, then each app's extra routes
    (``<app>.api.urls``, for nested or non-model endpoints)."""
    from rest_framework.routers import SimpleRouter

    router = SimpleRouter(use_regex_path=False)
    extra = []
    for entry in registered_apps():
        for kit in entry.kits:
            if kit.api:
                router.register(f"projects/<slug:project_slug>/{kit.api_path}", kit.viewset, basename=kit.basename)
        if find_spec(f"{entry.module}.api.urls") is not None:
            extra += import_module(f"{entry.module}.api.urls").urlpatterns
    return router.urls + extra


def project_tabs(project) -> list[dict]:
    """The project bar's tabs of the registered apps, in lifecycle order."""
    from django.urls import reverse

    tabs = []
    for entry in registered_apps():
        if not entry.tab_url_name:
            continue
        try:
            url = reverse(entry.tab_url_name, kwargs={"project_slug": project.slug})
        except NoReverseMatch:  # an app whose pages are not mounted (e.g. a test's URLconf)
            continue
        tabs.append({"title": entry.title, "icon": entry.icon, "url": url})
    return tabs


def seed_project(*, project, user) -> None:
    for entry in registered_apps():
        if entry.seed is not None:
            entry.seed(project=project, user=user)


def app_sections(project, namespace: str) -> list[dict]:
    """The section links of the app whose page this is (``sections=True``): its tab's page ("Overview")
    when that is not a kit's list, then each kit's list, in registration order. [] for other apps."""
    from django.urls import reverse

    entry = _apps.get(namespace)
    if entry is None or not entry.sections:
        return []
    names = [] if not entry.tab else [("Overview", f"{entry.label}:{entry.tab}")]
    names += [(title, f"{entry.label}:{name}") for title, name in entry.section_pages]
    names += [(capfirst(kit.model._meta.verbose_name_plural), f"{entry.label}:{kit.url_name}_list")
              for kit in entry.kits if kit.has_page("list")]  # fmt: skip
    return [{"title": title, "url": reverse(name, kwargs={"project_slug": project.slug})} for title, name in names]
