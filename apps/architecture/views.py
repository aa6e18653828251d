"""Architecture pages: each model declared once with core's kit; the pages beyond plain CRUD (the
diagrams, data-model versions and diffs, the overview, imports) are short views over selectors and
services. Data-model pages live in views_schema.py, the overview and imports in urls.py's views."""

from django.db.models import Count
from django.urls import register_converter

from apps.core.kit import ModelKit, Page, register
from apps.core.tables import Column, Table
from apps.core.views import ProjectObjectDetailView, query_number

from . import selectors, services
from .api.serializers import (
    ApiReferenceSerializer,
    ComponentSerializer,
    DataModelSerializer,
    DecisionSerializer,
    DocumentSerializer,
    RelationSerializer,
    SystemSerializer,
)
from .api.views import DataModelViewSet, DecisionViewSet, DocumentViewSet
from .filtersets import ComponentFilterSet, DataModelFilterSet, DecisionFilterSet, DocumentFilterSet, RelationFilterSet
from .forms import ComponentForm, DecisionForm, DocumentForm
from .models import ADR_PREFIX, KEY_PATTERN, ApiReference, Component, DataModel, Decision, Document, Relation, System
from .views_schema import DataModelDetailView, DataModelDiffView, VersionCreateView, VersionDbmlView, VersionDetailView


class KeyConverter:
    """<archkey:key>: a component, system or data-model key (Backstage's name rule)."""

    regex = KEY_PATTERN.pattern.strip("^$")

    def to_python(self, value: str) -> str:
        return value

    def to_url(self, value) -> str:
        return str(value)


class AdrKeyConverter:
    """<adrkey:key> matches "ADR-0003" (or "ADR-3") and hands the view the number 3."""

    regex = r"ADR-[0-9]{1,9}"

    def to_python(self, value: str) -> int:
        return int(value[len(ADR_PREFIX) :])

    def to_url(self, value) -> str:
        return f"{ADR_PREFIX}{value:04d}" if isinstance(value, int) else str(value)


register_converter(KeyConverter, "archkey")
register_converter(AdrKeyConverter, "adrkey")

TAGS_CELL = ('{% for tag in row.tags.all %}<a class="badge rounded-pill text-bg-light border text-decoration-none" '
             'href="?tag={{ tag.name|urlencode }}">{{ tag.name }}</a> {% endfor %}')  # fmt: skip


class ComponentTable(Table):
    load = "architecture"
    empty_text = ("Describe the building blocks of your system — services, databases, queues — or import a "
                  "Backstage catalog-info.yaml. Every diagram is drawn from them.")  # fmt: skip
    columns = [
        Column("key", sort=True, link=True, classes="text-nowrap", cell="{{ row.key }}"),
        Column("name", sort=True, cell="{{ row.name }}"),
        Column("kind", sort=True, classes="text-nowrap", cell='<i class="bi bi-{{ row.kind|kind_icon }}" '
               'aria-hidden="true"></i> {{ row.get_kind_display }}'),
        Column("lifecycle", sort=True, cell='<span class="badge {{ row.lifecycle|lifecycle_badge }}">'
               "{{ row.get_lifecycle_display }}</span>"),
        Column("system", sort="system", cell='{% if row.system %}<a href="?system={{ row.system.key|urlencode }}">'
               "{{ row.system.name }}</a>{% else %}—{% endif %}"),
        Column("owner", classes="small", cell='{{ row.owner.username|default:row.team|default:"—" }}'),
        Column("technology", classes="small", cell='{{ row.technology|default:"—" }}'),
        Column("tags", cell=TAGS_CELL),
    ]


class SystemDetailView(ProjectObjectDetailView):
    template_name = "architecture/system_detail.html"

    def get_context_data(self, **kwargs):
        return super().get_context_data(diagram=selectors.system_diagram(system=self.object), **kwargs)


@register
class SystemKit(ModelKit):
    """Systems: named groups of components; each one's page draws its containers and neighbours."""

    model = System
    path, api_path = "systems", "systems"
    lookup_field, lookup_converter = "key", "archkey"
    fields = ["key", "name", "domain", "owner", "description"]
    search = ["key", "name", "description", "domain"]
    filters = ["domain"]
    markdown = ["description"]
    serializer_class = SystemSerializer
    empty_text = "A system groups components (Payments, Checkout …). Add one, or import a Backstage catalog."
    columns = [Column("key", sort=True, link=True), Column("name", sort=True), "domain", Column(
        "size", "Components", classes="text-end",
        cell='<a href="{% url \'architecture:component_list\' project.slug %}?system={{ row.key|urlencode }}">'
             "{{ row.size }}</a>")]  # fmt: skip
    pages = {"detail": SystemDetailView}

    def queryset(self, *, project):
        return System.objects.filter(project=project).select_related("owner").annotate(size=Count("components"))


class ComponentDetailView(ProjectObjectDetailView):
    template_name = "architecture/component_detail.html"
    selector = staticmethod(selectors.component_detail)

    def get_context_data(self, **kwargs):
        depth = 2 if query_number(self.request, "depth", 1) >= 2 else 1
        requirement_rows = []
        for decision in self.object.decisions.all():
            requirement_rows += [dict(row, decision=decision) for row in services.decision_requirement_rows(decision)]
        return super().get_context_data(
            diagram=selectors.component_diagram(component=self.object, depth=depth), depth=depth,
            requirement_rows=requirement_rows, **kwargs)  # fmt: skip


@register
class ComponentKit(ModelKit):
    """The catalog: components with kind, lifecycle, owner, system and nesting."""

    model = Component
    path, api_path = "components", "components"
    lookup_field, lookup_converter = "key", "archkey"
    fields = ComponentForm.Meta.fields
    markdown = ["description"]
    form_class = ComponentForm
    filterset_class = ComponentFilterSet
    table_class = ComponentTable
    serializer_class = ComponentSerializer
    pages = {"detail": ComponentDetailView}

    def queryset(self, *, project):
        return selectors.component_list(project=project)

    def create(self, *, project, actor, values):
        return services.component_save(instance=Component(project=project), actor=actor, values=values)

    def update(self, *, instance, actor, values):
        return services.component_save(instance=instance, actor=actor, values=values)


@register
class RelationKit(ModelKit):
    """Typed, directed edges between components (cycles allowed, duplicates and self-edges refused)."""

    model = Relation
    path, api_path = "relations", "relations"
    fields = ["source", "kind", "target", "protocol", "description"]
    filterset_class = RelationFilterSet
    serializer_class = RelationSerializer
    empty_text = "Relations say who calls, sends to, reads or writes whom. Add one between two components."
    columns = [
        Column("source", sort="source", cell='<a href="{{ row.source.get_absolute_url }}">{{ row.source.key }}</a>'),
        Column("kind", sort=True, link=True, cell="{{ row.get_kind_display }}"),
        Column("target", sort="target", cell='<a href="{{ row.target.get_absolute_url }}">{{ row.target.key }}</a>'),
        Column("protocol", classes="small", cell='{{ row.protocol|default:"—" }}'),
        "description",
    ]

    def queryset(self, *, project):
        return Relation.objects.filter(project=project).select_related("source__project", "target__project")


class DocumentDetailView(ProjectObjectDetailView):
    template_name = "architecture/document_detail.html"

    def get_queryset(self):
        return super().get_queryset().prefetch_related("components", "revisions__author")


class DocumentDiffView(DocumentDetailView):
    template_name = "architecture/document_diff.html"

    def get_context_data(self, **kwargs):
        from apps.requirements.revisions import diff_lines

        revisions = {r.number: r for r in self.object.revisions.all()}
        latest = self.object.revision
        a = query_number(self.request, "a", max(latest - 1, 1))
        b = query_number(self.request, "b", max(latest, 1))
        old, new = revisions.get(a), revisions.get(b)
        lines = diff_lines(old.source, new.source, f"revision {a}", f"revision {b}") if old and new else []
        return super().get_context_data(revisions=list(revisions.values()), a=a, b=b, old=old, new=new,
                                        lines=lines, **kwargs)  # fmt: skip



@register
class DocumentKit(ModelKit):
    """Hand-written diagrams as code (Mermaid), with revisions; shown on the components they name."""

    model = Document
    path, api_path = "diagrams", "documents"
    fields = DocumentForm.Meta.fields
    markdown = ["description"]
    form_class = DocumentForm
    filterset_class = DocumentFilterSet
    serializer_class = DocumentSerializer
    viewset_class = DocumentViewSet
    empty_text = ("Write a sequence diagram of a flow, a state machine or an ER sketch in Mermaid; link it to "
                  "the components it shows and it appears on their pages.")  # fmt: skip
    columns = [Column("title", sort=True, link=True, cell="{{ row.title }}"),
               Column("diagram_type", "Type", classes="small font-monospace", cell="{{ row.diagram_type }}"),
               Column("component", cell='{{ row.component.key|default:"project" }}'),
               Column("revision", classes="text-end"),
               Column("updated_at", "Updated", sort=True, classes="small")]  # fmt: skip
    pages = {"detail": DocumentDetailView,
             "document_diff": Page(DocumentDiffView, "revisions/diff/", detail=True)}  # fmt: skip

    def queryset(self, *, project):
        return Document.objects.filter(project=project).select_related("component").prefetch_related("components")

    def create(self, *, project, actor, values):
        return services.document_save(instance=Document(project=project), actor=actor, values=values)

    def update(self, *, instance, actor, values):
        return services.document_save(instance=instance, actor=actor, values=values)


@register
class DataModelKit(ModelKit):
    """Data models (ERD) of data-holding components, kept as DBML/DDL versions with a breaking-change diff."""

    model = DataModel
    path, api_path = "data-models", "data-models"
    lookup_field, lookup_converter = "key", "archkey"
    fields = ["key", "name", "component", "description"]
    search = ["key", "name", "description"]
    markdown = ["description"]
    filterset_class = DataModelFilterSet
    serializer_class = DataModelSerializer
    viewset_class = DataModelViewSet
    empty_text = ("Keep a database's schema here: upload its DBML or pg_dump/mysqldump DDL, see the ERD and "
                  "what each new version breaks.")  # fmt: skip
    columns = [Column("key", sort=True, link=True), Column("name", sort=True),
               Column("component", cell='<a href="{{ row.component.get_absolute_url }}">{{ row.component.key }}</a>'),
               Column("version_count", "Versions", classes="text-end"),
               Column("latest_breaking", "Latest", cell='{% if row.latest_breaking %}<span class="badge '
                      'text-bg-danger">breaking</span>{% elif row.version_count %}<span class="badge text-bg-light '
                      'border">safe</span>{% else %}—{% endif %}')]  # fmt: skip
    pages = {
        "detail": DataModelDetailView,
        "datamodel_version_create": Page(VersionCreateView, "versions/new/", detail=True),
        "datamodel_version": Page(VersionDetailView, "versions/<int:number>/", detail=True),
        "datamodel_version_dbml": Page(VersionDbmlView, "versions/<int:number>/dbml/", detail=True),
        "datamodel_diff": Page(DataModelDiffView, "diff/", detail=True),
    }  # fmt: skip

    def queryset(self, *, project):
        return (DataModel.objects.filter(project=project).select_related("component__project")
                .annotate(version_count=Count("versions")))  # fmt: skip


class DecisionTable(Table):
    load = "architecture"
    empty_text = ("Record why the architecture is the way it is: each decision gets a number like ADR-0001, "
                  "MADR's fields and links to the components and requirements it concerns.")  # fmt: skip
    columns = [
        Column("number", "Number", sort=True, link=True, classes="text-nowrap", cell="{{ row.key }}"),
        Column("title", sort=True, cell="{{ row.title }}"),
        Column("status", sort=True, cell='<a href="?status={{ row.status }}" class="badge text-decoration-none '
               '{{ row.status|adr_badge }}">{{ row.get_status_display }}</a>'),
        Column("date", sort=True, classes="small text-nowrap", cell='{{ row.date|date:"Y-m-d"|default:"—" }}'),
        Column("deciders", classes="small", cell='{{ row.deciders|default:"—" }}'),
    ]


class DecisionDetailView(ProjectObjectDetailView):
    template_name = "architecture/decision_detail.html"

    def get_queryset(self):
        return super().get_queryset().prefetch_related("supersedes", "superseded_by", "components",
                                                       "requirement_links__requirement__project")

    def get_context_data(self, **kwargs):
        return super().get_context_data(requirement_rows=services.decision_requirement_rows(self.object), **kwargs)


@register
class DecisionKit(ModelKit):
    """Architecture decision records, ADR-0001 … per project (MADR fields, supersedes, links)."""

    model = Decision
    path, api_path = "decisions", "adrs"
    lookup_field, lookup_converter, lookup_url_kwarg = "number", "adrkey", "key"
    fields = [name for name in DecisionForm.Meta.fields if name != "requirements"]  # links: the form's own field
    markdown = ["context", "considered_options", "decision", "consequences"]
    form_class = DecisionForm
    filterset_class = DecisionFilterSet
    table_class = DecisionTable
    serializer_class = DecisionSerializer
    viewset_class = DecisionViewSet
    pages = {"detail": DecisionDetailView}

    def create(self, *, project, actor, values):
        return services.decision_save(instance=Decision(project=project), actor=actor, values=values)

    def update(self, *, instance, actor, values):
        return services.decision_save(instance=instance, actor=actor, values=values)


@register
class ApiReferenceKit(ModelKit):
    """APIs a catalog import named, kept as references until the contracts app binds them to contracts."""

    model = ApiReference
    path, api_path = "apis", "api-references"
    lookup_field, lookup_converter = "key", "archkey"
    fields = ["key", "name", "type", "lifecycle", "owner", "system", "definition", "providers", "consumers"]
    search = ["key", "name", "definition"]
    filters = ["type"]
    serializer_class = ApiReferenceSerializer
    empty_text = "APIs appear here when a Backstage catalog names them (kind: API)."
    columns = [Column("key", sort=True, link=True), Column("name", sort=True), "type", "lifecycle", "owner"]

    def queryset(self, *, project):
        return (ApiReference.objects.filter(project=project).select_related("system")
                .prefetch_related("providers", "consumers"))  # fmt: skip
