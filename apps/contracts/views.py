"""Contract pages: the contract kit (list, contract page with its versions timeline, edit), one
version's page (validation, lint, operations), its interactive docs, the raw and bundled spec, the
upload form and the diff of any two versions. Writes go through services."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db.models import Count, Max
from django.http import Http404, HttpResponse, HttpResponseRedirect, JsonResponse
from django.shortcuts import get_object_or_404
from django.urls import reverse

from apps.architecture.views import KeyConverter  # noqa: F401 - registers <archkey:…> (contract slugs share the rule)
from apps.core.forms import add_service_errors
from apps.core.kit import ModelKit, Page, register
from apps.core.permissions import WRITE
from apps.core.tables import Column
from apps.core.views import ProjectObjectActionView, ProjectObjectDetailView, ProjectObjectListView, query_number

from . import pipeline, services
from .api.serializers import ContractSerializer
from .api.views import ContractViewSet
from .forms import LintSettingForm, SpecUploadForm
from .models import Contract, ContractVersion, LintSetting
from .openapi.diff_model import LEVELS, is_breaking, worst_level


class ContractDetailView(ProjectObjectDetailView):
    template_name = "contracts/contract_detail.html"

    def get_context_data(self, **kwargs):
        versions = self.object.versions.select_related("author").defer("raw", "document").order_by("-number")
        return super().get_context_data(versions=list(versions), **kwargs)


class VersionMixin:
    deferred = ("raw", "document")  # the upload and the parsed spec: large, and most pages read neither

    def version(self) -> ContractVersion:
        versions = self.object.versions.select_related("author").defer(*self.deferred)
        return get_object_or_404(versions, number=self.kwargs["number"])


class VersionDetailView(VersionMixin, ProjectObjectDetailView):
    template_name = "contracts/version_detail.html"
    deferred = ("raw",)  # it lists the document's schemas

    def get_context_data(self, **kwargs):
        from .openapi.index import list_schemas

        version = self.version()
        kwargs["schemas"] = list_schemas(version.document) if version.document else []
        operations = version.operations.all()
        tag = self.request.GET.get("tag", "").strip()
        if tag:
            operations = [op for op in operations if tag in op.tags]
        previous = (self.object.versions.filter(status="valid", number__lt=version.number).order_by("-number")
                    .values_list("number", flat=True).first())  # fmt: skip
        links: dict[tuple, list] = {}
        for row in services.operation_link_rows(contract=self.object):
            links.setdefault((row["method"], row["path"]), []).append(row)
        rows = [(op, links.get((op.method, op.path), [])) for op in operations]
        return super().get_context_data(version=version, operations=operations, rows=rows, previous=previous,
                                        tag=tag, **kwargs)  # fmt: skip


class OperationLinkView(VersionMixin, ProjectObjectActionView):
    """The version page's "link requirements" form: the keys typed replace the operation's links."""

    def act(self) -> str:
        from apps.requirements.models import Requirement

        method, _, path = self.request.POST.get("operation", "").partition(" ")
        if not self.version().operations.filter(method=method, path=path).exists():
            raise ValidationError("Choose an operation of this version.")
        keys = [k for k in self.request.POST.get("requirements", "").replace(",", " ").split() if k]
        found, missing = Requirement.objects.by_keys(self.project, keys)
        if missing:
            raise ValidationError(f"Not in this project: {', '.join(missing)}.")
        services.operation_requirements_set(contract=self.object, actor=self.request.user, method=method, path=path,
                                            requirements=found)  # fmt: skip
        return f"{method.upper()} {path}: " + (", ".join(keys) or "no requirements") + "."

    def get_success_url(self) -> str:
        return reverse("contracts:version_detail", kwargs={"project_slug": self.project.slug,
                                                           "slug": self.object.slug, "number": self.kwargs["number"]})


class VersionSpecView(ProjectObjectDetailView):
    """The spec as uploaded (``?bundled=1``: the parsed, bundled document as JSON, for the docs)."""

    def render_to_response(self, context, **response_kwargs):
        version = get_object_or_404(self.object.versions, number=self.kwargs["number"])
        if self.request.GET.get("bundled"):
            if version.document is None:
                raise Http404("This version has no readable document.")
            return JsonResponse(version.document)
        response = HttpResponse(bytes(version.raw), content_type="application/octet-stream")
        name = version.filename or f"{self.object.slug}-v{version.number}"
        response["Content-Disposition"] = f'attachment; filename="{name}"'
        return response


class VersionDocsView(VersionMixin, ProjectObjectDetailView):
    template_name = "contracts/version_docs.html"

    def get_context_data(self, **kwargs):
        version = self.version()
        if version.status != ContractVersion.Status.VALID:
            raise Http404("Docs are drawn from valid versions.")
        return super().get_context_data(version=version, **kwargs)


class VersionUploadView(ProjectObjectDetailView):
    permission = WRITE
    template_name = "contracts/version_upload.html"

    def get_context_data(self, **kwargs):
        kwargs.setdefault("form", SpecUploadForm())
        return super().get_context_data(**kwargs)

    def post(self, request, *args, **kwargs):
        self.object = self.get_object()
        form = SpecUploadForm(request.POST, request.FILES)
        if form.is_valid():
            try:
                version = services.contract_version_upload(
                    contract=self.object, actor=request.user, data=form.cleaned_data["data"],
                    filename=form.cleaned_data["filename"], label=form.cleaned_data["version"])  # fmt: skip
            except ValidationError as exc:
                add_service_errors(form, exc)
            else:
                messages.success(request, f"Version {version.number} uploaded: it is being checked.")
                return HttpResponseRedirect(reverse("contracts:version_detail", kwargs={
                    "project_slug": self.project.slug, "slug": self.object.slug,
                    "number": version.number}))  # fmt: skip
        return self.render_to_response(self.get_context_data(form=form), status=400)


class VersionDiffView(ProjectObjectDetailView):
    """The changes between two valid versions (``?base=&revision=``, numbers), grouped by operation,
    breaking first."""

    template_name = "contracts/version_diff.html"

    def get_context_data(self, **kwargs):
        valid = list(self.object.versions.filter(status="valid").defer("raw", "document").order_by("-number"))
        context = {"versions": valid, "groups": None}
        if len(valid) >= 2:
            revision = query_number(self.request, "revision", valid[0].number)
            before = next((v.number for v in valid if v.number < revision), valid[-1].number)
            base = query_number(self.request, "base", before)
            numbers = {v.number for v in valid}
            if base not in numbers or revision not in numbers:
                raise Http404("Choose two valid versions.")
            docs = dict(self.object.versions.filter(number__in=[base, revision]).values_list("number", "document"))
            changes = pipeline.diff(docs[base], docs[revision])
            context.update(base=base, revision=revision, changes=changes, groups=group_changes(changes),
                           breaking=is_breaking(changes))  # fmt: skip
        return super().get_context_data(**context, **kwargs)


def group_changes(changes: list[dict]) -> list[dict]:
    """[{operation, level, changes}] — operations with a breaking change first, then by name."""
    groups: dict[str, list] = {}
    for change in changes:
        groups.setdefault(change["operation"] or "The API as a whole", []).append(change)
    rows = [{"operation": name, "changes": items, "level": worst_level(items)} for name, items in groups.items()]
    return sorted(rows, key=lambda row: (-LEVELS[row["level"]], row["operation"]))


@register
class ContractKit(ModelKit):
    """API contracts: every version, validated, indexed, linted and diffed."""

    model = Contract
    path, api_path = "", "contracts"
    lookup_field, lookup_converter, lookup_url_kwarg = "slug", "archkey", "slug"
    fields = ["slug", "name", "description", "owner", "provider", "consumers", "api_reference"]
    search = ["slug", "name", "description"]
    markdown = ["description"]
    serializer_class = ContractSerializer
    viewset_class = ContractViewSet
    empty_text = ("Keep every version of your OpenAPI (or Swagger) contracts: each upload is validated, "
                  "linted, indexed and compared with the one before, and CI can ask whether a change breaks "
                  "clients.")  # fmt: skip
    columns = [
        Column("slug", sort=True, link=True, classes="text-nowrap"),
        Column("name", sort=True),
        Column("provider", cell='{{ row.provider.key|default:"—" }}'),
        Column("latest", "Latest version", classes="text-end", cell="{{ row.latest|default:'—' }}"),
        Column("version_count", "Versions", classes="text-end"),
    ]
    pages = {
        "detail": ContractDetailView,
        "version_upload": Page(VersionUploadView, "versions/new/", detail=True),
        "version_detail": Page(VersionDetailView, "versions/<int:number>/", detail=True),
        "version_docs": Page(VersionDocsView, "versions/<int:number>/docs/", detail=True),
        "version_spec": Page(VersionSpecView, "versions/<int:number>/spec/", detail=True),
        "operation_link": Page(OperationLinkView, "versions/<int:number>/links/", detail=True),
        "version_diff": Page(VersionDiffView, "diff/", detail=True),
    }

    def create(self, *, project, actor, values):
        return services.contract_create(project=project, actor=actor, values=values)

    def queryset(self, *, project):
        return (Contract.objects.filter(project=project).select_related("provider", "owner", "api_reference")
                .prefetch_related("consumers")
                .annotate(version_count=Count("versions"), latest=Max("versions__number")))  # fmt: skip


class LintSettingListView(ProjectObjectListView):
    """The project's settings, then the whole ruleset with each rule's severity here."""

    def get_context_data(self, **kwargs):
        from .openapi.lint import RULES

        chosen = dict(LintSetting.objects.filter(project=self.project).values_list("rule", "severity"))
        rules = [{"id": r.id, "default": r.severity, "effective": chosen.get(r.id, r.severity),
                  "changed": r.id in chosen, "description": r.description} for r in RULES]  # fmt: skip
        return super().get_context_data(rules=rules, **kwargs)


@register
class LintSettingKit(ModelKit):
    """A project's lint severities: a rule set to error, warn, info or off (others keep their default)."""

    model = LintSetting
    path, api_path = "lint-rules", "lint-rules"
    fields = ["rule", "severity"]
    form_class = LintSettingForm
    search = ["rule"]
    filters = ["severity"]
    empty_text = "Every lint rule runs at its default severity. Add a setting to raise, lower or turn one off."
    columns = [Column("rule", sort=True, link=True, classes="font-monospace"), Column("severity", sort=True)]
    pages = {"list": LintSettingListView}
