"""Test-run pages: runs list, run detail (+ progress and results partials), test case history, tests,
flaky tests, trends and run comparison. Short subclasses of core's generic views; reads in selectors.
"""

from django.contrib import messages
from django.core.cache import cache
from django.core.exceptions import ValidationError
from django.db.models import Case, When
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect
from django.urls import reverse
from django.views import generic

from apps.core.permissions import MANAGE
from apps.core.views import (
    ProjectMixin,
    ProjectObjectDeleteView,
    ProjectObjectDetailView,
    ProjectObjectListView,
)

from . import selectors, services
from .filtersets import TestCaseFilterSet, TestResultFilterSet, TestRunFilterSet
from .history import flaky_window
from .models import FAILING, TestCase, TestRun


class UploadHelpMixin:
    """The curl one-liner shown in empty states and on the runs page."""

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        api = reverse("api:testrun-list", kwargs={"project_slug": self.project.slug})
        context["upload_url"] = self.request.build_absolute_uri(api)
        return context


class RunListView(UploadHelpMixin, ProjectObjectListView):
    filterset_class = TestRunFilterSet
    selector = staticmethod(selectors.run_list)
    template_name = "testruns/run_list.html"
    partial_template_name = "testruns/_run_rows.html"


class RunDetailView(UploadHelpMixin, ProjectObjectDetailView):
    model = TestRun
    template_name = "testruns/run_detail.html"

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
                result_filter=TestResultFilterSet(self.request.GET or None, request=self.request),
            )
        return super().get_context_data(**context, **kwargs)


class RunProgressView(ProjectMixin, generic.DetailView):
    """The htmx-polled progress bar; once the run is finished the page reloads itself."""

    model = TestRun
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

    filterset_class = TestResultFilterSet
    template_name = "testruns/run_results.html"
    partial_template_name = "testruns/_result_rows.html"

    def selector(self, *, project):
        # Results carry no project column: the run, looked up in this project, scopes them.
        self.run = get_object_or_404(TestRun, project=project, pk=self.kwargs["pk"])
        failing_first = Case(When(status__in=FAILING, then=0), When(status="skipped", then=2), default=1)
        return selectors.run_results(run=self.run).order_by(failing_first, "id")

    def get_context_data(self, **kwargs):
        return super().get_context_data(run=self.run, **kwargs)


class RunDeleteView(ProjectObjectDeleteView):
    model = TestRun
    write_role = MANAGE

    def perform_delete(self, obj):
        services.test_run_delete(run=obj, actor=self.request.user)

    def get_success_url(self):
        return reverse("testruns:run_list", kwargs={"project_slug": self.project.slug})


class RunReprocessView(ProjectMixin, generic.View):
    def post(self, request, *args, **kwargs):
        run = get_object_or_404(TestRun, project=self.project, pk=kwargs["pk"])
        try:
            services.test_run_reprocess(run=run, actor=request.user)
        except ValidationError as exc:
            messages.error(request, " ".join(exc.messages))
        else:
            messages.success(request, "Queued for processing again.")
        return redirect(run.get_absolute_url())


class CaseListView(ProjectObjectListView):
    filterset_class = TestCaseFilterSet
    selector = staticmethod(selectors.test_case_list)
    template_name = "testruns/case_list.html"
    partial_template_name = "testruns/_case_rows.html"


class CaseDetailView(ProjectObjectDetailView):
    model = TestCase
    selector = staticmethod(selectors.test_case_list)
    template_name = "testruns/case_detail.html"

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
        branch = self.request.GET.get("branch") or None
        name = self.request.GET.get("name") or None
        rows = selectors.flaky_tests(project=self.project, branch=branch, name=name)
        return super().get_context_data(
            rows=rows, branch=branch, name=name, window=flaky_window(),
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
        return get_object_or_404(TestRun, project=self.project, pk=int(value)) if value.isdigit() else None

    def get_context_data(self, **kwargs):
        head = self._run("head")
        base = self._run("base") or (selectors.previous_run(run=head) if head else None)
        context = {"head": head, "base": base,
                   "recent": list(TestRun.objects.filter(project=self.project, status=TestRun.State.COMPLETE)
                                  .only("id", "name", "branch", "created_at")[:100])}
        if head and base:
            groups = selectors.compare_runs(base=base, head=head)
            context["groups"] = [
                ("new_failures", "New failures", "danger", list(groups["new_failures"][:200])),
                ("fixed", "Fixed", "success", list(groups["fixed"][:200])),
                ("still_failing", "Still failing", "warning", list(groups["still_failing"][:200])),
            ]
        return super().get_context_data(**context, **kwargs)
