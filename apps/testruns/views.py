from django.views import generic

from apps.core.views import ProjectMixin


class RunListView(ProjectMixin, generic.TemplateView):
    template_name = "testruns/run_list.html"


class RunDetailView(ProjectMixin, generic.TemplateView):
    template_name = "testruns/run_detail.html"


class CaseDetailView(ProjectMixin, generic.TemplateView):
    template_name = "testruns/case_detail.html"
