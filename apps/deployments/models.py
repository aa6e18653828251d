"""Deployments: environments in a promotion pipeline, the deployments CI reports to them with the
changes (commits) each brings, the components and contract versions each deploys. The most downstream
app: it links to architecture (components) and contracts (versions); nothing links to it."""

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models

from apps.architecture.models import KEY_HELP, Component, check_key
from apps.contracts.models import ContractVersion
from apps.core.models import ProjectScopedModel


class Environment(ProjectScopedModel):
    """Where deployments go: a tier (several production environments are fine: regions, tenants) and
    a position in the promotion pipeline. One a report named first gets a tier inferred from its name,
    flagged so the team can correct it."""

    class Tier(models.TextChoices):
        PRODUCTION = "production", "Production"
        STAGING = "staging", "Staging"
        TESTING = "testing", "Testing"
        DEVELOPMENT = "development", "Development"

    slug = models.CharField(max_length=63, help_text=KEY_HELP)
    name = models.CharField(max_length=200)
    tier = models.CharField(max_length=20, choices=Tier.choices, default=Tier.DEVELOPMENT)
    tier_inferred = models.BooleanField(default=False, help_text="Guessed from the name; save to confirm.")
    position = models.PositiveSmallIntegerField(default=0, help_text="Order in the pipeline: dev → staging → prod.")
    site_url = models.URLField(blank=True, max_length=500,
                               help_text="Where it answers, e.g. https://staging.example.com.")
    components = models.ManyToManyField(Component, blank=True, related_name="environments",
                                        help_text="What a deployment here deploys when it names none.")  # fmt: skip

    class Meta:
        ordering = ["position", "slug"]
        constraints = [models.UniqueConstraint(fields=["project", "slug"], name="environment_unique_slug",
                                               violation_error_message="This project already has an "
                                               "environment with this slug.")]  # fmt: skip

    def __str__(self) -> str:
        return self.name

    def clean(self) -> None:
        try:
            check_key(self.slug)
        except ValidationError as exc:
            raise ValidationError({"slug": exc.message_dict["key"]}) from None


class Change(ProjectScopedModel):
    """A commit some deployment brought, once per project (by SHA)."""

    sha = models.CharField(max_length=40)
    message = models.TextField(blank=True)
    author = models.CharField(max_length=200, blank=True)
    authored_at = models.DateTimeField(null=True, blank=True)
    committed_at = models.DateTimeField(null=True, blank=True)
    pr_number = models.PositiveIntegerField(null=True, blank=True)
    pr_merged_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-committed_at", "sha"]
        constraints = [models.UniqueConstraint(fields=["project", "sha"], name="change_unique_sha")]

    def __str__(self) -> str:
        return self.sha[:12]


class Deployment(ProjectScopedModel):
    """One deployment to one environment, as CI reports it (started, then finished: the same
    ``external_id`` updates it, never duplicates it)."""

    class Status(models.TextChoices):
        QUEUED = "queued", "Queued"
        IN_PROGRESS = "in_progress", "In progress"
        SUCCESS = "success", "Success"
        FAILURE = "failure", "Failure"
        CANCELLED = "cancelled", "Cancelled"

    class Kind(models.TextChoices):
        PLANNED = "planned", "Planned"
        HOTFIX = "hotfix", "Hotfix"
        ROLLBACK = "rollback", "Rollback"

    environment = models.ForeignKey(Environment, on_delete=models.CASCADE, related_name="deployments")
    version = models.CharField(max_length=100, blank=True)
    commit = models.CharField(max_length=40, blank=True, help_text="The full SHA deployed.")
    ref = models.CharField(max_length=255, blank=True)
    status = models.CharField(max_length=12, choices=Status.choices, default=Status.SUCCESS)
    kind = models.CharField(max_length=10, choices=Kind.choices, default=Kind.PLANNED)
    rollback_of = models.ForeignKey("self", null=True, blank=True, on_delete=models.SET_NULL,
                                    related_name="rolled_back_by")  # fmt: skip
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True, db_index=True)
    build_url = models.URLField(blank=True, max_length=1000)
    external_id = models.CharField(max_length=200, blank=True, help_text="CI's id: reporting it again updates.")
    source = models.CharField(max_length=10, default="api", help_text="api, github or gitlab.")
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                              related_name="+")  # fmt: skip
    components = models.ManyToManyField(Component, blank=True, related_name="deployments")
    contract_versions = models.ManyToManyField(ContractVersion, blank=True, related_name="deployments")
    changes = models.ManyToManyField(Change, blank=True, related_name="deployments")

    class Meta:
        ordering = ["-finished_at", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["project", "external_id"], condition=~models.Q(external_id=""),
                                    name="deployment_unique_external_id"),
        ]  # fmt: skip
        indexes = [models.Index(fields=["environment", "status", "-finished_at"])]

    def __str__(self) -> str:
        return f"{self.version or self.commit[:12] or '?'} → {self.environment}"

    def clean(self) -> None:
        if self.started_at and self.finished_at and self.finished_at < self.started_at:
            raise ValidationError({"finished_at": "A deployment can't finish before it starts."})
        if self.rollback_of_id and self.rollback_of_id == self.pk:
            raise ValidationError({"rollback_of": "A deployment can't roll itself back."})


class WebhookSecret(ProjectScopedModel):
    """The shared secret a project's GitHub (``X-Hub-Signature-256``) or GitLab (``X-Gitlab-Token``)
    webhook signs its deliveries with. Without one, that provider's deliveries are refused (401)."""

    class Provider(models.TextChoices):
        GITHUB = "github", "GitHub"
        GITLAB = "gitlab", "GitLab"

    provider = models.CharField(max_length=10, choices=Provider.choices)
    secret = models.CharField(max_length=200, help_text="The same text as in the webhook's settings.")

    class Meta:
        ordering = ["provider"]
        constraints = [models.UniqueConstraint(fields=["project", "provider"], name="webhooksecret_unique_provider",
                                               violation_error_message="This project already has a secret for "
                                               "this provider.")]  # fmt: skip

    def __str__(self) -> str:
        return f"{self.get_provider_display()} webhook secret"

    def clean(self) -> None:
        if len(self.secret or "") < 16:
            raise ValidationError({"secret": "Use at least 16 characters (a random one: openssl rand -hex 20)."})


class WebhookDelivery(models.Model):
    """A delivery already handled (GitHub's ``X-GitHub-Delivery``): a replay of it is acknowledged, not applied."""

    project = models.ForeignKey("projects.Project", on_delete=models.CASCADE, related_name="+")
    provider = models.CharField(max_length=10)
    delivery_id = models.CharField(max_length=100)
    received_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["project", "provider", "delivery_id"],
                                               name="webhookdelivery_unique")]  # fmt: skip

    def __str__(self) -> str:
        return f"{self.provider} delivery {self.delivery_id}"


class Incident(ProjectScopedModel):
    """Something that hurt an environment: opened by a person, the API or an alerting tool (by
    ``external_id``), resolved the same ways. ``caused_by`` is suggested (the last successful deployment
    to the environment before it started) until a person confirms or sets it; then it never moves."""

    class Severity(models.TextChoices):
        SEV1 = "sev1", "SEV1 — critical"
        SEV2 = "sev2", "SEV2 — major"
        SEV3 = "sev3", "SEV3 — minor"
        SEV4 = "sev4", "SEV4 — low"

    title = models.CharField(max_length=300)
    severity = models.CharField(max_length=4, choices=Severity.choices, default=Severity.SEV3)
    environment = models.ForeignKey(Environment, null=True, blank=True, on_delete=models.SET_NULL,
                                    related_name="incidents")  # fmt: skip
    started_at = models.DateTimeField(help_text="When the service began to suffer.")
    detected_at = models.DateTimeField(null=True, blank=True, help_text="When someone (or an alert) noticed.")
    resolved_at = models.DateTimeField(null=True, blank=True, db_index=True, help_text="Empty while open.")
    description = models.TextField(blank=True, help_text="Markdown.")
    caused_by = models.ForeignKey(Deployment, null=True, blank=True, on_delete=models.SET_NULL,
                                  related_name="caused_incidents",
                                  help_text="The deployment that caused it.")  # fmt: skip
    cause_confirmed = models.BooleanField(default=False, help_text="A person confirmed or set the cause: it stays.")
    fixed_by = models.ForeignKey(Deployment, null=True, blank=True, on_delete=models.SET_NULL,
                                 related_name="fixed_incidents", help_text="The deployment that fixed it.")  # fmt: skip
    external_id = models.CharField(max_length=200, blank=True, help_text="The alerting tool's id (fingerprint).")
    source = models.CharField(max_length=20, default="ui", help_text="ui, api or alertmanager.")

    class Meta:
        ordering = ["-started_at", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["project", "external_id"], condition=~models.Q(external_id=""),
                                    name="incident_unique_external_id"),
        ]  # fmt: skip
        indexes = [models.Index(fields=["project", "resolved_at"])]

    def __str__(self) -> str:
        return self.title

    @property
    def is_open(self) -> bool:
        return self.resolved_at is None

    def clean(self) -> None:
        errors = {}
        if self.started_at and self.resolved_at and self.resolved_at < self.started_at:
            errors["resolved_at"] = "An incident can't be resolved before it starts."
        if self.started_at and self.detected_at and self.detected_at < self.started_at:
            errors["detected_at"] = "An incident can't be detected before it starts."
        for field in ("caused_by", "fixed_by"):
            deployment = getattr(self, field)
            if deployment is not None and deployment.project_id != self.project_id:
                errors[field] = "That deployment belongs to another project."
        if self.caused_by_id and self.caused_by_id == self.fixed_by_id:
            errors["fixed_by"] = "The deployment that caused an incident can't be the one that fixed it."
        if errors:
            raise ValidationError(errors)


class GatePolicy(ProjectScopedModel):
    """What must hold before a deployment to one environment may go ahead (``gates/check/``)."""

    environment = models.OneToOneField(Environment, on_delete=models.CASCADE, related_name="gate_policy")
    tests_pass = models.BooleanField(default=True, help_text="The commit's test runs are complete, none failing.")
    excuse_flaky = models.BooleanField(default=False, help_text="Failures of known-flaky tests don't count.")
    no_new_failures = models.BooleanField(
        default=False, help_text="No test fails that passes on what the environment runs now.")  # fmt: skip
    requirement_coverage = models.PositiveSmallIntegerField(
        null=True, blank=True, help_text="Percent of approved must-have requirements verified by passing tests "
        "(empty: not checked).")  # fmt: skip
    no_breaking_contracts = models.BooleanField(
        default=True, help_text="No ERR change against the contract versions running there.")  # fmt: skip
    no_lint_errors = models.BooleanField(default=False, help_text="No lint finding of severity error.")
    incident_freeze = models.BooleanField(default=True, help_text="No open SEV1/SEV2 incident in the environment.")

    class Meta:
        ordering = ["environment__position", "environment__slug"]
        verbose_name_plural = "gate policies"

    def __str__(self) -> str:
        return f"Gate for {self.environment}"

    def clean(self) -> None:
        if self.requirement_coverage is not None and self.requirement_coverage > 100:
            raise ValidationError({"requirement_coverage": "A percentage: 0 to 100."})
        if self.environment_id and self.environment.project_id != self.project_id:
            raise ValidationError({"environment": "That environment belongs to another project."})


class GateEvaluation(ProjectScopedModel):
    """One answer of the gate: who asked, for what, and why it passed or not (kept, shown on the
    deployment of that commit that follows)."""

    environment = models.ForeignKey(Environment, on_delete=models.CASCADE, related_name="gate_evaluations")
    commit = models.CharField(max_length=40)
    version = models.CharField(max_length=100, blank=True)
    passed = models.BooleanField()
    reasons = models.JSONField(default=list)
    checks = models.JSONField(default=list)
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                              related_name="+")  # fmt: skip

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["environment", "commit", "-created_at"])]

    def __str__(self) -> str:
        return f"Gate {'passed' if self.passed else 'failed'} for {self.commit[:12]} → {self.environment}"


class RequirementDelivery(models.Model):
    """When a requirement first reached production: the first successful production deployment bringing
    a change whose message names its key (``REQ-12``). Kept by the deployment service, read by the
    requirement page and the list's "in production" filter."""

    requirement = models.OneToOneField("requirements.Requirement", on_delete=models.CASCADE,
                                       related_name="production_delivery")  # fmt: skip
    deployment = models.ForeignKey(Deployment, on_delete=models.CASCADE, related_name="+")
    change = models.ForeignKey(Change, on_delete=models.CASCADE, related_name="+")
    delivered_at = models.DateTimeField()

    def __str__(self) -> str:
        return f"{self.requirement} in production since {self.delivered_at:%Y-%m-%d}"

    @property
    def approved_at(self):
        """When the requirement was first approved (its transitions, prefetched by the requirement page)."""
        return min((t.created_at for t in self.requirement.transitions.all() if t.to_status == "approved"),
                   default=None)  # fmt: skip

    @property
    def lead_time(self):
        """Approved → in production; None if it never went through approval (or shipped before it)."""
        approved = self.approved_at
        return self.delivered_at - approved if approved and approved <= self.delivered_at else None


class ChangeDelivery(models.Model):
    """When a change first reached an environment — the start of DORA's lead time for changes — kept by
    ``apps.deployments.dora_queries.record_deliveries`` (rebuilt by ``rebuild_deliveries``). One row per
    (environment, change) with ``component`` empty, and one per (environment, component, change) counting only the
    deployments that list that component. The first delivery is the first successful deployment there, in
    ``(finished_at, id)`` order, that lists the change, is not a rollback and was not rolled back (by a successful
    deployment to the same environment; for a component's row, one listing that component). Every tier is kept, so
    an environment whose tier is corrected to production has its history."""

    # No index of their own: changedelivery_lead starts with the environment; components are rarely deleted.
    environment = models.ForeignKey(Environment, on_delete=models.CASCADE, related_name="+", db_index=False)
    component = models.ForeignKey(Component, null=True, blank=True, on_delete=models.CASCADE, related_name="+",
                                  db_index=False)  # fmt: skip
    change = models.ForeignKey(Change, on_delete=models.CASCADE, related_name="+")
    deployment = models.ForeignKey(Deployment, on_delete=models.CASCADE, related_name="+")
    delivered_at = models.DateTimeField(help_text="The delivering deployment's finished_at.")
    lead_seconds = models.FloatField(null=True, blank=True,
                                     help_text="committed_at (else authored_at) → delivered_at; empty without "
                                     "either; negative with clock skew.")  # fmt: skip

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["environment", "change"], condition=models.Q(component=None),
                                    name="changedelivery_unique_any"),
            models.UniqueConstraint(fields=["environment", "component", "change"],
                                    condition=models.Q(component__isnull=False),
                                    name="changedelivery_unique_component"),
        ]  # fmt: skip
        # The DORA lead-time aggregate reads (environment, component, delivered_at range) and lead_seconds from
        # this index alone (an index-only scan on PostgreSQL).
        indexes = [models.Index(fields=["environment", "component", "delivered_at", "lead_seconds"],
                                name="changedelivery_lead")]  # fmt: skip
        verbose_name_plural = "change deliveries"

    def __str__(self) -> str:
        return f"{self.change} delivered to {self.environment} at {self.delivered_at:%Y-%m-%d %H:%M}"
