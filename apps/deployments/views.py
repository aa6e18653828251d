"""Deployment pages: environments (the pipeline, each with what it runs now) and deployments as CI
reported them (list with filters, detail with changes, components and contract versions). Each model
is declared once with core's kit; reports themselves come in through the API and webhooks."""

from django import forms
from django.db.models import Count, Prefetch
from django.utils import timezone

from apps.architecture.views import KeyConverter  # noqa: F401 - registers <archkey:…> for environment slugs
from apps.core.api.serializers import KeyField, KitSerializer
from apps.core.forms import ServiceModelForm
from apps.core.kit import ModelKit, register
from apps.core.tables import Column, Table
from apps.core.views import ProjectObjectDetailView

from . import gates, selectors, services
from .api.serializers import DeploymentSerializer, EnvironmentSerializer, IncidentSerializer
from .api.views import DeploymentViewSet, EnvironmentViewSet, IncidentViewSet
from .filtersets import DeploymentFilterSet, IncidentFilterSet
from .models import Change, Deployment, Environment, GatePolicy, Incident, WebhookSecret

GATE_CHECKS = ["tests_pass", "excuse_flaky", "no_new_failures", "requirement_coverage", "no_breaking_contracts",
               "no_lint_errors", "incident_freeze"]  # fmt: skip
STATUS_CELL = ('<span class="badge {% if row.status == "success" %}text-bg-success{% elif row.status == "failure" %}'
               'text-bg-danger{% elif row.status == "cancelled" %}text-bg-secondary{% else %}text-bg-info{% endif %}">'
               "{{ row.get_status_display }}</span>")  # fmt: skip


class DeploymentTable(Table):
    empty_text = ("Report deployments from CI — one curl line, or GitHub's and GitLab's deployment webhooks — and "
                  "see what runs where, what each deployment brought and how it went.")  # fmt: skip
    columns = [
        Column("finished_at", "Finished", sort=True, link=True, classes="text-nowrap small",
               cell='{{ row.finished_at|date:"Y-m-d H:i"|default:"—" }}'),
        Column("environment", cell='<a href="?environment={{ row.environment.slug|urlencode }}">'
               "{{ row.environment.slug }}</a>"),
        Column("version", sort=True, cell='{{ row.version|default:"—" }}'),
        Column("commit", classes="font-monospace small", cell='{{ row.commit|slice:":12"|default:"—" }}'),
        Column("status", sort=True, cell=STATUS_CELL),
        Column("kind", cell="{{ row.get_kind_display }}"),
        Column("change_count", "Changes", classes="text-end"),
    ]


class DeploymentDetailView(ProjectObjectDetailView):
    template_name = "deployments/deployment_detail.html"

    def get_context_data(self, **kwargs):
        deployment = self.object
        gate = gates.latest_evaluation(environment=deployment.environment, commit=deployment.commit)
        incidents = {"caused": deployment.caused_incidents.all(), "fixed": deployment.fixed_incidents.all()}
        return super().get_context_data(gate=gate, incidents=incidents, **kwargs)

    def get_queryset(self):
        return super().get_queryset().prefetch_related(
            "components", "contract_versions__contract", "caused_incidents", "fixed_incidents",
            Prefetch("changes", queryset=Change.objects.order_by("-committed_at")))  # fmt: skip


@register
class DeploymentKit(ModelKit):
    """Deployments as CI reported them; the API's POST is the report (apps.deployments.services)."""

    model = Deployment
    path, api_path = "", "deployments"
    fields = ["environment", "version", "commit", "ref", "status", "kind", "started_at", "finished_at", "build_url",
              "external_id"]  # fmt: skip
    filterset_class = DeploymentFilterSet
    table_class = DeploymentTable
    serializer_class = DeploymentSerializer
    viewset_class = DeploymentViewSet
    pages = {"detail": DeploymentDetailView, "create": None, "update": None}

    def delete(self, *, instance, actor):
        services.deployment_delete(instance=instance, actor=actor)

    def queryset(self, *, project):
        return (Deployment.objects.filter(project=project).select_related("environment", "actor")
                .prefetch_related("components", "contract_versions")
                .annotate(change_count=selectors.change_count()))  # fmt: skip


class EnvironmentDetailView(ProjectObjectDetailView):
    template_name = "deployments/environment_detail.html"

    def get_context_data(self, **kwargs):
        current = services.current_deployment(environment=self.object)
        recent = self.object.deployments.select_related("actor").annotate(change_count=selectors.change_count())[:20]
        policy = GatePolicy.objects.filter(environment=self.object).first()
        evaluations = self.object.gate_evaluations.select_related("actor")[:10]
        return super().get_context_data(current=current, recent=recent, policy=policy, evaluations=evaluations,
                                        **kwargs)  # fmt: skip


@register
class EnvironmentKit(ModelKit):
    """Environments in their pipeline order; a tier guessed from a reported name is flagged to confirm."""

    model = Environment
    path, api_path = "environments", "environments"
    lookup_field, lookup_converter = "slug", "archkey"
    fields = ["slug", "name", "tier", "position", "site_url", "components"]
    search = ["slug", "name"]
    filters = ["tier"]
    serializer_class = EnvironmentSerializer
    viewset_class = EnvironmentViewSet
    empty_text = "Environments appear as deployments name them (tier guessed from the name), or add one here."
    columns = [Column("position", "#", sort=True, classes="text-end"), Column("slug", sort=True, link=True),
               Column("name", sort=True), Column("tier", sort=True, cell='{{ row.get_tier_display }}{% if '
               'row.tier_inferred %} <span class="badge text-bg-warning" title="Guessed from the name: edit to '
               'confirm">guessed</span>{% endif %}'),
               Column("deployment_count", "Deployments", classes="text-end")]  # fmt: skip
    pages = {"detail": EnvironmentDetailView}

    def queryset(self, *, project):
        return (Environment.objects.filter(project=project).prefetch_related("components")
                .annotate(deployment_count=Count("deployments")))  # fmt: skip

    def create(self, *, project, actor, values):
        environment = super().create(project=project, actor=actor, values=values)
        services.ensure_default_policy(environment)
        return environment

    def update(self, *, instance, actor, values):
        instance.tier_inferred = False  # a person saved it: the tier is theirs now
        environment = super().update(instance=instance, actor=actor, values=values)
        services.ensure_default_policy(environment)  # made production: it gets the default gate
        return environment


SEVERITY_CELL = ('<span class="badge {% if row.severity == "sev1" %}text-bg-danger{% elif row.severity == "sev2" %}'
                 'text-bg-warning{% else %}text-bg-secondary{% endif %}">{{ row.severity|upper }}</span>')  # fmt: skip


class IncidentForm(ServiceModelForm):
    """The incident form; the deployments offered as cause and fix are the project's latest (a select of
    100 000 would help nobody), plus whatever the incident already names."""

    CHOICES = 200

    class Meta:
        model = Incident
        fields = ["title", "severity", "environment", "started_at", "detected_at", "resolved_at", "description",
                  "caused_by", "cause_confirmed", "fixed_by"]  # fmt: skip
        widgets = {name: forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M")
                   for name in ("started_at", "detected_at", "resolved_at")}  # fmt: skip
        help_texts = {"caused_by": "Suggested: the last deployment to the environment before the incident "
                                   "started (within 72 h). Choosing one, or ticking “confirmed”, fixes it for "
                                   "good."}  # fmt: skip

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.instance._state.adding:
            self.fields["started_at"].initial = timezone.now().replace(second=0, microsecond=0)
        latest = self.fields["caused_by"].queryset.filter(status=Deployment.Status.SUCCESS).order_by("-finished_at")
        ids = list(latest.values_list("pk", flat=True)[: self.CHOICES])
        ids += [pk for pk in (self.instance.caused_by_id, self.instance.fixed_by_id) if pk]
        for name in ("caused_by", "fixed_by"):
            field = self.fields[name]
            field.queryset = field.queryset.filter(pk__in=ids).select_related("environment")


class IncidentDetailView(ProjectObjectDetailView):
    template_name = "deployments/incident_detail.html"

    def get_queryset(self):
        return super().get_queryset().select_related("caused_by__environment", "fixed_by__environment")


@register
class IncidentKit(ModelKit):
    """Incidents: opened by people, the API or an alerting tool; the cause is suggested until confirmed."""

    model = Incident
    path, api_path = "incidents", "incidents"
    fields = IncidentForm.Meta.fields
    form_class = IncidentForm
    filterset_class = IncidentFilterSet
    serializer_class = IncidentSerializer
    viewset_class = IncidentViewSet
    markdown = ["description"]
    empty_text = ("No incidents — good. Open one when production hurts, or let Alertmanager open and resolve them: "
                  "POST …/incidents/ with its webhook payload.")  # fmt: skip
    columns = [
        Column("started_at", "Started", sort=True, classes="text-nowrap small",
               cell='{{ row.started_at|date:"Y-m-d H:i" }}'),
        Column("title", sort=True, link=True),
        Column("severity", sort=True, cell=SEVERITY_CELL),
        Column("environment", cell='{{ row.environment.slug|default:"—" }}'),
        Column("resolved_at", "State", sort=True, cell='{% if row.resolved_at %}resolved '
               '{{ row.resolved_at|date:"Y-m-d H:i" }}{% else %}<span class="badge text-bg-danger">open</span>'
               "{% endif %}"),
        Column("caused_by", "Caused by", cell='{% if row.caused_by %}{{ row.caused_by }}{% if not '
               'row.cause_confirmed %} <span class="badge text-bg-light border" title="Suggested; confirm it on the '
               'incident">suggested</span>{% endif %}{% else %}—{% endif %}'),
    ]  # fmt: skip

    def queryset(self, *, project):
        return Incident.objects.filter(project=project).select_related("environment", "caused_by__environment")

    def create(self, *, project, actor, values):
        return services.incident_save(instance=Incident(project=project, source="ui"), actor=actor, values=values)

    def update(self, *, instance, actor, values):
        return services.incident_save(instance=instance, actor=actor, values=values)


class GatePolicySerializer(KitSerializer):
    environment = KeyField(Environment.objects.all(), slug_field="slug", help_text="Environment slug.")

    class Meta:
        model = GatePolicy
        fields = ["id", "url", "web_url", "environment", *GATE_CHECKS, "created_at", "updated_at"]
        read_only_fields = ["id", "created_at", "updated_at"]


@register
class GatePolicyKit(ModelKit):
    """Per environment, the checks `gates/check/` runs before a deployment there may go ahead."""

    model = GatePolicy
    path, api_path = "gates", "gates/policies"
    fields = ["environment", *GATE_CHECKS]
    serializer_class = GatePolicySerializer
    empty_text = ("No gate policies. A production environment gets one when it is created (tests pass, no breaking "
                  "contract change, no open SEV1/SEV2 incident); add one for any other environment here.")  # fmt: skip
    columns = [Column("environment", link=True, cell="{{ row.environment.name }}"),
               *(Column(name, cell=f'{{% if row.{name} %}}<i class="bi bi-check-lg text-success" aria-label="on">'
                        f'</i>{{% else %}}<span class="text-body-secondary">off</span>{{% endif %}}')
                 for name in GATE_CHECKS if name != "requirement_coverage"),
               Column("requirement_coverage", "Coverage ≥", cell='{{ row.requirement_coverage|default_if_none:"off" }}'
                      '{% if row.requirement_coverage is not None %} %{% endif %}')]  # fmt: skip

    def queryset(self, *, project):
        return GatePolicy.objects.filter(project=project).select_related("environment")


class WebhookSecretForm(ServiceModelForm):
    class Meta:
        model = WebhookSecret
        fields = ["provider", "secret"]
        widgets = {"secret": forms.PasswordInput(render_value=False)}
        help_texts = {"secret": "Paste the same secret into the webhook's settings (GitHub: Secret; GitLab: "
                                "Secret token). It is never shown again."}  # fmt: skip


class WebhookSecretSerializer(KitSerializer):
    class Meta:
        model = WebhookSecret
        fields = ["id", "url", "web_url", "provider", "secret", "created_at", "updated_at"]
        read_only_fields = ["id", "created_at", "updated_at"]
        extra_kwargs = {"secret": {"write_only": True}}


@register
class WebhookSecretKit(ModelKit):
    """The secrets CI webhooks sign with; written, never shown back (not on a page, not in the API)."""

    model = WebhookSecret
    path, api_path = "webhook-secrets", "webhook-secrets"
    fields = ["provider"]
    form_class = WebhookSecretForm
    serializer_class = WebhookSecretSerializer
    filters = ["provider"]
    empty_text = ("Add the secret your GitHub or GitLab webhook signs with, then point the webhook at "
                  "/api/v1/projects/<slug>/webhooks/github/ (or gitlab/).")  # fmt: skip
    columns = [Column("provider", sort=True, link=True), Column("updated_at", "Set", classes="small")]
