"""Test-run pages: runs list, run detail (+ progress and results partials), test case history, tests,
flaky tests, trends and run comparison. Short subclasses of core's generic views; reads in selectors.
"""

from django.core.cache import cache
from django.db.models import Case, When
from django.http import HttpResponse
from django.shortcuts import get_object_or_404
from django.urls import reverse
from django.views import generic

from apps.core.kit import ModelKit, Page, register
from apps.core.tables import Column, Table
from apps.core.text import is_number
from apps.core.views import ProjectMixin, ProjectObjectActionView, ProjectObjectDetailView, ProjectObjectListView

from . import selectors, services
from .admin import TestCaseAdmin, TestRunAdmin
from .api.serializers import FlakyQuerySerializer
from .api.views import TestCaseViewSet, TestRunViewSet
from .filtersets import TestCaseFilterSet, TestResultFilterSet, TestRunFilterSet
from .history import flaky_window
from .models import FAILING, TestCase, TestResult, TestRun


def case_cell(test: str, case_id: str) -> str:
    """A test's cell: its name as a link (cut to the column, whole in the tooltip and when focused),
    a flaky badge, and its suite and class below (cut the same way)."""
    return (
        "<a class=\"tl-name fw-semibold\" href=\"{% url 'testruns:case_detail' project.slug " + case_id + " %}\" "
        'title="{{ TEST.name }}">{{ TEST.name|default:"(unnamed)" }}</a>{% if TEST.flaky %} '
        '<span class="badge text-bg-warning">flaky</span>{% endif %}<div class="small text-body-secondary tl-name" '
        'title="{{ TEST.full_name }}">{{ TEST.suite }}{% if TEST.classname %} › {{ TEST.classname }}{% endif %}</div>'
    ).replace("TEST", test)


class RunTable(Table):
    load = "humanize testruns"
    empty_title = "No test runs yet"
    template_name = "testruns/_testrun_table.html"  # its empty state shows how CI uploads
    columns = [
        Column("name", "Run", link=True, cell='{{ row.name|default:"run" }} #{{ row.number }}'),
        Column("branch", cell='{% if row.branch %}<i class="bi bi-git" aria-hidden="true"></i> {{ row.branch }}'
               '{% endif %}{% if row.environment %} <span class="badge text-bg-light border">{{ row.environment }}'
               '</span>{% endif %}{% if row.commit %}<div class="small text-body-secondary font-monospace">'
               '{{ row.commit|truncatechars:12 }}</div>{% endif %}'),
        Column("status", "Outcome", cell="{% run_outcome row %}"),
        Column("tests", classes="text-end", cell="{{ row.tests|intcomma }}"),
        Column("failing", classes="text-end", cell='{% if row.failing %}<span class="text-danger fw-semibold">'
               '{{ row.failing|intcomma }}</span>{% else %}0{% endif %}'),
        Column("skipped", classes="text-end text-body-secondary", cell="{{ row.skipped|intcomma }}"),
        Column("pass_rate", "Pass rate", classes="tl-rate-col", cell="{% pass_rate_bar row.pass_rate %}"),
        Column("duration", classes="text-end", cell="{{ row.duration|seconds }}"),
        Column("created_at", "When", classes="small text-body-secondary",
               cell='<span title="{{ row.created_at }}">{{ row.created_at|naturaltime }}</span>'),
    ]


class CaseTable(Table):
    load = "humanize testruns"
    classes = "table-hover table-sm"
    empty_title = "No tests yet"
    empty_text = "Tests appear with the first uploaded run."
    columns = [
        Column("name", "Test", classes="tl-name-cell", cell=case_cell("row", "row.pk")),
        Column("last_status", cell='{% if row.last_status %}<span class="badge {{ row.last_status|status_badge }}">'
               "{{ row.get_last_status_display }}</span>{% endif %}"),
        Column("last_duration", "Last duration", classes="text-end", cell="{{ row.last_duration|seconds }}"),
        Column("last_run_id", "Last run", classes="small", cell='{% if row.last_run_id %}<a href="{% url '
               "'testruns:run_detail' project.slug row.last_run_number %}\">#{{ row.last_run_number }}</a> <span "
               'class="text-body-secondary">{{ row.last_run_at|naturaltime }}</span>{% endif %}'),
    ]


class ResultTable(Table):
    load = "testruns"
    frame, classes = "", "table-sm"  # inside the run page's results card
    template_name = "testruns/_result_table.html"
    columns = [
        Column("test", "Test", classes="tl-name-cell", cell=case_cell("row.test_case", "row.test_case_id")
               + '{% if row.failure_message and row.status != "passed" %}'
               '<div class="small text-danger-emphasis text-break">{{ row.failure_type }}{% if row.failure_type %}: '
               "{% endif %}{{ row.failure_message|truncatechars:240 }}</div>{% endif %}"),
        Column("status", classes="text-nowrap", cell='<span class="badge {{ row.status|status_badge }}">'
               "{{ row.get_status_display }}</span>{% if row.flaky_in_run %} <span class=\"badge text-bg-warning\" "
               'title="Passed after {{ row.retries }} failed attempt{{ row.retries|pluralize }}">flaky</span>'
               "{% endif %}"),
        Column("duration", sort=True, classes="text-end text-nowrap", cell="{{ row.duration|seconds }}"),
    ]


class RunListView(ProjectObjectListView):
    """The runs; with none yet, the empty state shows the curl one-liner that uploads a report."""

    def get_context_data(self, **kwargs):
        api = reverse("api:testrun-list", kwargs={"project_slug": self.project.slug})
        return super().get_context_data(upload_url=self.request.build_absolute_uri(api), **kwargs)


class RunDetailView(ProjectObjectDetailView):
    def get_context_data(self, **kwargs):
        run = self.object
        context = {"uploads": list(run.uploads.all())}
        if run.status == TestRun.State.COMPLETE:
            previous = selectors.previous_run(run=run)
            context.update(
                previous=previous,
                changes=selectors.compare_counts(base=previous, head=run) if previous else None,
                failure_groups=selectors.failure_groups(run=run) if run.failing else [],
                slowest=list(selectors.slowest_results(run=run)),
                tree=selectors.suite_tree(run=run),
            )
        return super().get_context_data(**context, **kwargs)


class RunProgressView(ProjectMixin, generic.DetailView):
    """The htmx-polled progress bar; once the run is finished the page reloads itself."""

    template_name = "testruns/_run_progress.html"

    def get(self, request, *args, **kwargs):
        self.object = self.get_object()
        if self.object.is_finished and request.headers.get("HX-Request"):
            response = HttpResponse(status=204)
            response["HX-Refresh"] = "true"
            return response
        progress = cache.get(services.progress_key(self.object.pk), self.object.progress)
        return self.render_to_response(self.get_context_data(object=self.object, progress=progress))


class RunResultsView(ProjectObjectListView):
    """A run's results, filtered and searched (the run page swaps this in with htmx)."""

    model = TestResult
    filterset_class = TestResultFilterSet
    table_class = ResultTable
    template_name = "testruns/run_results.html"

    def selector(self, *, project):
        # Results carry no project column: the run, looked up in this project, scopes them.
        self.run = get_object_or_404(TestRun, project=project, number=self.kwargs["number"])
        failing_first = Case(When(status__in=FAILING, then=0), When(status="skipped", then=2), default=1)
        return selectors.run_results(run=self.run).order_by(failing_first, "id")

    def get_context_data(self, **kwargs):
        page_url = reverse("testruns:run_results", args=[self.project.slug, self.run.number])
        return super().get_context_data(run=self.run, page_url=page_url, **kwargs)


class RunReprocessView(ProjectObjectActionView):
    """The run page's "Process again" button (a failed or stuck run)."""

    def act(self) -> str:
        services.test_run_reprocess(run=self.object, actor=self.request.user)
        return "Queued for processing again."


class CaseDetailView(ProjectObjectDetailView):

    def get_context_data(self, **kwargs):
        case = self.object
        history = list(selectors.test_history(test_case=case)[:50])
        links = list(case.requirement_links.select_related("requirement"))
        latest_failure = next((r for r in history if r.is_failing), None)
        return super().get_context_data(history=history, requirement_links=links, latest_failure=latest_failure,
                                        **kwargs)


class FlakyListView(ProjectMixin, generic.TemplateView):
    template_name = "testruns/flaky_list.html"

    def get_context_data(self, **kwargs):
        # The API's parameters, read the same way (one filter, one answer).
        query = FlakyQuerySerializer(data=self.request.GET)
        params = query.validated_data if query.is_valid() else None
        rows = selectors.flaky_tests(project=self.project, **params) if params is not None else []
        params = params or {}
        return super().get_context_data(
            rows=rows, branch=params.get("branch") or None, name=params.get("name") or None,
            window=params.get("window") or flaky_window(), errors=query.errors,
            branches=selectors.branches(project=self.project), names=selectors.run_names(project=self.project),
            **kwargs,
        )


class TrendsView(ProjectMixin, generic.TemplateView):
    template_name = "testruns/trends.html"

    def get_context_data(self, **kwargs):
        branches = selectors.branches(project=self.project)
        branch = self.request.GET.get("branch")
        if branch is None and branches:
            branch = "main" if "main" in branches else branches[0]
        return super().get_context_data(
            branch=branch, name=self.request.GET.get("name", ""), branches=branches,
            names=selectors.run_names(project=self.project), **kwargs,
        )


class CompareView(ProjectMixin, generic.TemplateView):
    template_name = "testruns/compare.html"

    def _run(self, key):
        value = self.request.GET.get(key, "")
        return get_object_or_404(TestRun, project=self.project, number=int(value)) if is_number(value) else None

    def get_context_data(self, **kwargs):
        head = self._run("head")
        base = self._run("base") or (selectors.previous_run(run=head) if head else None)
        context = {"head": head, "base": base,
                   "recent": list(TestRun.objects.filter(project=self.project, status=TestRun.State.COMPLETE)
                                  .only("id", "number", "name", "branch", "created_at")[:100])}
        if head and base:
            groups = selectors.compare_runs(base=base, head=head)
            context["groups"] = [
                ("new_failures", "New failures", "danger", list(groups["new_failures"][:200])),
                ("fixed", "Fixed", "success", list(groups["fixed"][:200])),
                ("still_failing", "Still failing", "warning", list(groups["still_failing"][:200])),
            ]
        return super().get_context_data(**context, **kwargs)


@register
class RunKit(ModelKit):
    model = TestRun
    path, url_name = "", "run"
    lookup_field = "number"  # unit #7 is the project's 7th run (pages and API alike)
    table_class = RunTable
    filterset_class = TestRunFilterSet
    viewset_class = TestRunViewSet
    admin_class = TestRunAdmin
    pages = {
        "list": RunListView, "detail": RunDetailView, "create": None, "update": None,
        "run_progress": Page(RunProgressView, "progress/", detail=True),
        "run_results": Page(RunResultsView, "results/", detail=True),
        "run_reprocess": Page(RunReprocessView, "reprocess/", detail=True),
        "flaky_list": Page(FlakyListView, "flaky/"),
        "trends": Page(TrendsView, "trends/"),
        "compare": Page(CompareView, "compare/"),
    }  # fmt: skip

    def queryset(self, *, project):
        return selectors.run_list(project=project)

    def delete(self, *, instance, actor):
        services.test_run_delete(run=instance, actor=actor)


@register
class CaseKit(ModelKit):
    model = TestCase
    path, url_name, api_path = "tests", "case", "test-cases"
    table_class = CaseTable
    filterset_class = TestCaseFilterSet
    viewset_class = TestCaseViewSet
    admin_class = TestCaseAdmin
    pages = {"detail": CaseDetailView, "create": None, "update": None, "delete": None}

    def queryset(self, *, project):
        return selectors.test_case_list(project=project)
