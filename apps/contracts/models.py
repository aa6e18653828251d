"""API contracts: each contract keeps every version of its OpenAPI document (Swagger 2.0, OpenAPI 3.0,
3.1) with its validation, operation index, lint findings and its breaking changes against the version
before. A contract is provided by a component of the catalog and consumed by others (architecture),
and binds the API reference a Backstage import left there. Downstream apps (deployments) own their
links to versions; this app imports none of them."""

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models

from apps.architecture.models import KEY_HELP, ApiReference, Component, check_key
from apps.core.models import ProjectScopedModel, ProjectScopedQuerySet, TimeStampedModel

# Pages beside the contracts at /projects/<slug>/contracts/: a contract can't take their names.
RESERVED_SLUGS = {"lint-rules"}


class Contract(ProjectScopedModel):
    """An API's contract: its versions, who provides it and who consumes it."""

    slug = models.CharField(max_length=63, help_text=KEY_HELP)
    name = models.CharField(max_length=200)
    description = models.TextField(blank=True, help_text="Markdown.")
    owner = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                              related_name="+", help_text="A member of the project.")  # fmt: skip
    provider = models.ForeignKey(Component, null=True, blank=True, on_delete=models.SET_NULL,
                                 related_name="provided_contracts",
                                 help_text="The component that serves it.")  # fmt: skip
    consumers = models.ManyToManyField(Component, blank=True, related_name="consumed_contracts",
                                       help_text="Components that call it.")  # fmt: skip
    api_reference = models.OneToOneField(ApiReference, null=True, blank=True, on_delete=models.SET_NULL,
                                         related_name="contract",
                                         help_text="The API entity a catalog import named.")  # fmt: skip

    objects = ProjectScopedQuerySet.as_manager()

    class Meta:
        ordering = ["name", "slug"]
        constraints = [models.UniqueConstraint(fields=["project", "slug"], name="contract_unique_slug",
                                               violation_error_message="This project already has a contract "
                                               "with this slug.")]  # fmt: skip

    def __str__(self) -> str:
        return self.name

    def clean(self) -> None:
        try:
            check_key(self.slug)
        except ValidationError as exc:
            raise ValidationError({"slug": exc.message_dict["key"]}) from None
        if self.slug in RESERVED_SLUGS:
            raise ValidationError({"slug": f"'{self.slug}' names a page of Contracts; choose another slug."})
        for name in ("provider", "api_reference"):
            row = getattr(self, name) if getattr(self, f"{name}_id") else None
            if row is not None and row.project_id != self.project_id:
                raise ValidationError({name: "Choose one of this project."})


class ContractVersion(TimeStampedModel):
    """One uploaded document, processed by a worker: ``queued`` → ``processing`` → ``valid``/``invalid``.
    The raw upload is kept as sent; ``document`` is the parsed (and, for a zip, bundled) spec."""

    class Status(models.TextChoices):
        QUEUED = "queued", "Queued"
        PROCESSING = "processing", "Processing"
        VALID = "valid", "Valid"
        INVALID = "invalid", "Invalid"

    FINISHED = (Status.VALID, Status.INVALID)

    contract = models.ForeignKey(Contract, on_delete=models.CASCADE, related_name="versions")
    number = models.PositiveIntegerField()
    label = models.CharField(max_length=100, blank=True, help_text="Your version label; default: info.version.")
    status = models.CharField(max_length=12, choices=Status.choices, default=Status.QUEUED, db_index=True)
    filename = models.CharField(max_length=255, blank=True)
    raw = models.BinaryField()
    size = models.PositiveIntegerField(default=0)
    spec_version = models.CharField(max_length=10, blank=True, help_text='"2.0", "3.0" or "3.1".')
    title = models.CharField(max_length=300, blank=True)
    document = models.JSONField(null=True, blank=True)
    errors = models.JSONField(default=list, blank=True)
    lint = models.JSONField(default=list, blank=True)
    operations_count = models.PositiveIntegerField(default=0)
    breaking = models.BooleanField(null=True, blank=True, help_text="Breaking against the valid version before.")
    changes_count = models.PositiveIntegerField(default=0)
    author = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                               related_name="+")  # fmt: skip
    attempts = models.PositiveSmallIntegerField(default=0)
    queued_at = models.DateTimeField(null=True, blank=True)
    started_at = models.DateTimeField(null=True, blank=True)
    processed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["contract", "-number"]
        constraints = [models.UniqueConstraint(fields=["contract", "number"], name="contractversion_unique")]

    def __str__(self) -> str:
        return f"{self.contract} v{self.number}" + (f" ({self.label})" if self.label else "")

    @property
    def project(self):
        return self.contract.project


class Operation(models.Model):
    """One operation of a valid version (written in bulk when the version is processed, logged once)."""

    version = models.ForeignKey(ContractVersion, on_delete=models.CASCADE, related_name="operations")
    method = models.CharField(max_length=10)
    path = models.CharField(max_length=2000)
    operation_id = models.CharField(max_length=300, blank=True)
    summary = models.CharField(max_length=500, blank=True)
    tags = models.JSONField(default=list, blank=True)
    deprecated = models.BooleanField(default=False)
    parameters = models.JSONField(default=list, blank=True)
    request_media_types = models.JSONField(default=list, blank=True)
    responses = models.JSONField(default=dict, blank=True)
    security = models.JSONField(default=list, blank=True)

    class Meta:
        ordering = ["path", "method"]
        indexes = [models.Index(fields=["version", "path", "method"])]

    def __str__(self) -> str:
        return f"{self.method.upper()} {self.path}"


class OperationRequirement(TimeStampedModel):
    """A requirement an operation implements, by (contract, method, path) so it holds across versions;
    the requirement's fingerprint at link time makes the link suspect once it changes."""

    contract = models.ForeignKey(Contract, on_delete=models.CASCADE, related_name="requirement_links")
    method = models.CharField(max_length=10)
    path = models.CharField(max_length=2000)
    requirement = models.ForeignKey("requirements.Requirement", on_delete=models.CASCADE,
                                    related_name="operation_links")  # fmt: skip
    fingerprint = models.CharField(max_length=64, blank=True)
    revision = models.PositiveIntegerField(null=True, blank=True)

    class Meta:
        ordering = ["path", "method"]
        constraints = [models.UniqueConstraint(fields=["contract", "method", "path", "requirement"],
                                               name="operationrequirement_unique")]  # fmt: skip

    def __str__(self) -> str:
        return f"{self.method.upper()} {self.path} implements {self.requirement_id}"


class LintSetting(ProjectScopedModel):
    """A project's severity for one lint rule (``off`` disables it); rules without a row keep their default."""

    class Severity(models.TextChoices):
        ERROR = "error", "Error"
        WARN = "warn", "Warning"
        INFO = "info", "Info"
        OFF = "off", "Off"

    rule = models.CharField(max_length=80)
    severity = models.CharField(max_length=10, choices=Severity.choices)

    class Meta:
        ordering = ["rule"]
        constraints = [models.UniqueConstraint(fields=["project", "rule"], name="lintsetting_unique_rule",
                                               violation_error_message="This rule already has a setting.")]  # fmt: skip

    def __str__(self) -> str:
        return f"{self.rule}: {self.severity}"

    def clean(self) -> None:
        from .openapi.lint import RULES

        if self.rule not in {rule.id for rule in RULES}:
            raise ValidationError({"rule": f"There is no lint rule '{self.rule}'."})
