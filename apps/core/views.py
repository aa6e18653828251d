"""Generic server-rendered views. Domain apps subclass these with a few declarative lines.

Every project page goes through ProjectMixin, the UI side of the one permission layer:
anonymous users are sent to log in, outsiders get 404, short roles get 403.
"""

from django.contrib import messages
from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.exceptions import ValidationError
from django.http import HttpResponseRedirect
from django.views import generic

from .permissions import READ, WRITE, ProjectAccess, project_access
from .services import instance_delete, instance_save

SAFE_METHODS = {"GET", "HEAD", "OPTIONS"}


class ProjectMixin(LoginRequiredMixin):
    """Resolves ``project_slug`` into ``self.project`` / ``self.access`` or refuses the request."""

    read_role = READ
    write_role = WRITE
    project_url_kwarg = "project_slug"

    def dispatch(self, request, *args, **kwargs):
        if not request.user.is_authenticated:
            return self.handle_no_permission()
        minimum = self.read_role if request.method in SAFE_METHODS else self.write_role
        self.access: ProjectAccess = project_access(request.user, kwargs[self.project_url_kwarg], minimum=minimum)
        self.project = self.access.project
        return super().dispatch(request, *args, **kwargs)

    def get_queryset(self):
        return super().get_queryset().filter(project=self.project)

    def get_context_data(self, **kwargs):
        return super().get_context_data(project=self.project, access=self.access, **kwargs)


class FilteredListMixin:
    """A ListView filtered by the model's one FilterSet (the same class the API uses)."""

    filterset_class = None
    paginate_by = 50

    def get_filterset(self, queryset):
        return self.filterset_class(self.request.GET or None, queryset=queryset, request=self.request)

    def get_queryset(self):
        queryset = super().get_queryset()
        if self.filterset_class is None:
            return queryset
        self.filterset = self.get_filterset(queryset)
        return self.filterset.qs if self.filterset.is_bound and self.filterset.is_valid() else queryset

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["filterset"] = getattr(self, "filterset", None)
        query = self.request.GET.copy()
        query.pop("page", None)
        context["query_without_page"] = query.urlencode()
        return context

    def get_template_names(self):
        # htmx swaps only the results when filters change.
        if getattr(self.request, "htmx", False) and getattr(self, "partial_template_name", None):
            return [self.partial_template_name]
        return super().get_template_names()


class ProjectObjectListView(ProjectMixin, FilteredListMixin, generic.ListView):
    template_name = "generic/object_list.html"


class ProjectObjectDetailView(ProjectMixin, generic.DetailView):
    template_name = "generic/object_detail.html"


class ServiceFormMixin:
    """Form views whose save goes through a service. Override ``perform_save`` for domain rules."""

    success_message = "Saved."

    def perform_save(self, form):
        return instance_save(instance=form.instance, actor=self.request.user, m2m=self.m2m_values(form))

    def m2m_values(self, form) -> dict:
        names = {f.name for f in form.instance._meta.many_to_many}
        return {name: form.cleaned_data[name] for name in names if name in form.cleaned_data}

    def form_valid(self, form):
        try:
            self.object = self.perform_save(form)
        except ValidationError as exc:
            form.add_error(None, exc)
            return self.form_invalid(form)
        if self.success_message:
            messages.success(self.request, self.success_message)
        return HttpResponseRedirect(self.get_success_url())


class ProjectObjectCreateView(ProjectMixin, ServiceFormMixin, generic.CreateView):
    template_name = "generic/object_form.html"

    def get_queryset(self):
        return self.model.objects.filter(project=self.project)

    def get_form_kwargs(self):
        kwargs = super().get_form_kwargs()
        kwargs["instance"] = self.model(project=self.project)
        return kwargs


class ProjectObjectUpdateView(ProjectMixin, ServiceFormMixin, generic.UpdateView):
    template_name = "generic/object_form.html"


class ProjectObjectDeleteView(ProjectMixin, generic.DeleteView):
    template_name = "generic/object_confirm_delete.html"
    success_message = "Deleted."

    def perform_delete(self, obj):
        instance_delete(instance=obj, actor=self.request.user)

    def form_valid(self, form):
        self.perform_delete(self.object)
        messages.success(self.request, self.success_message)
        return HttpResponseRedirect(self.get_success_url())
