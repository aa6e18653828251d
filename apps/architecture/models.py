"""Architecture as a model: systems, components and their relations, diagrams as code, data models
(ERD versions) and decision records. Every generated diagram is drawn from these rows (diagrams.py),
so nothing here is a picture that can go stale.

Downstream apps (contracts, deployments) own their links to components; this app imports neither.
"""

import re

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models

from apps.core.models import ProjectScopedModel, ProjectScopedQuerySet, TimeStampedModel
from apps.core.text import is_number

from . import mermaid

# Backstage's entity-name rule, so a catalog round-trips: letters, digits, "-", "_" and ".", at most 63.
KEY_PATTERN = re.compile(r"^[A-Za-z0-9]([-A-Za-z0-9_.]*[A-Za-z0-9])?$")
KEY_HELP = "Letters, digits, '-', '_' and '.', at most 63; used in URLs and the API (e.g. payments-api)."
ADR_PREFIX = "ADR-"


# Keys that would read as a page of the list ("components/new/") rather than an object.
RESERVED_KEYS = {"new"}


def check_key(key: str) -> None:
    if not KEY_PATTERN.match(key or "") or len(key) > 63:
        raise ValidationError({"key": f"'{key}' is not a valid key. {KEY_HELP}"})
    if key in RESERVED_KEYS:
        raise ValidationError({"key": f"'{key}' is reserved; choose another key."})


def adr_key(number: int) -> str:
    return f"{ADR_PREFIX}{number:04d}"


def parse_adr_key(key: str) -> int | None:
    """'ADR-0003', 'adr-3' or '3' -> 3; anything else -> None."""
    text = (key or "").strip().upper()
    digits = text[len(ADR_PREFIX):] if text.startswith(ADR_PREFIX) else text
    return int(digits) if is_number(digits) and int(digits) > 0 else None


def _unique(name: str, *fields: str, message: str) -> models.UniqueConstraint:
    return models.UniqueConstraint(fields=list(fields), name=name, violation_error_message=message)


class KeyedQuerySet(ProjectScopedQuerySet):
    def by_key(self, project, key: str):
        return self.filter(project=project, key=key).first()


class System(ProjectScopedModel):
    """A named group of components ("Payments"): the boxes of the landscape diagram."""

    key = models.CharField(max_length=63, help_text=KEY_HELP)
    name = models.CharField(max_length=200)
    description = models.TextField(blank=True, help_text="Markdown.")
    owner = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                              related_name="+", help_text="A member of the project.")  # fmt: skip
    domain = models.CharField(max_length=63, blank=True, help_text="A wider business area (Backstage's Domain).")

    objects = KeyedQuerySet.as_manager()

    class Meta:
        ordering = ["name", "key"]
        constraints = [_unique("system_unique_key", "project", "key",
                               message="This project already has a system with this key.")]  # fmt: skip

    def __str__(self) -> str:
        return self.name

    def clean(self) -> None:
        check_key(self.key)


class Tag(ProjectScopedModel):
    """A free-form tag of components (python, pci, tier-1), one row per name per project."""

    name = models.CharField(max_length=63)

    class Meta:
        ordering = ["name"]
        constraints = [_unique("tag_unique_name", "project", "name", message="This project already has this tag.")]

    def __str__(self) -> str:
        return self.name

    def clean(self) -> None:
        if any(separator in self.name for separator in ", ;"):
            raise ValidationError({"name": "A tag is one word: no spaces, ',' or ';'."})


class Component(ProjectScopedModel):
    """A building block of the system: a service, a database, a queue … Nested through ``parent``
    (a container in a system, a module in a container), never in a cycle."""

    class Kind(models.TextChoices):
        SERVICE = "service", "Service"
        FRONTEND = "frontend", "Frontend"
        DATABASE = "database", "Database"
        CACHE = "cache", "Cache"
        QUEUE = "queue", "Queue"
        TOPIC = "topic", "Topic"
        STORAGE = "storage", "Storage"
        EXTERNAL = "external", "External system"
        LIBRARY = "library", "Library"

    class Lifecycle(models.TextChoices):
        PLANNED = "planned", "Planned"
        EXPERIMENTAL = "experimental", "Experimental"
        PRODUCTION = "production", "Production"
        DEPRECATED = "deprecated", "Deprecated"
        RETIRED = "retired", "Retired"

    # Kinds that hold data: only these can own a data model (ERD).
    DATA_KINDS = (Kind.DATABASE, Kind.CACHE, Kind.STORAGE)

    key = models.CharField(max_length=63, help_text=KEY_HELP)
    name = models.CharField(max_length=200)
    kind = models.CharField(max_length=20, choices=Kind.choices, default=Kind.SERVICE)
    description = models.TextField(blank=True, help_text="Markdown.")
    owner = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                              related_name="+", help_text="A member of the project.")  # fmt: skip
    team = models.CharField(max_length=100, blank=True, help_text="The owning team, e.g. team-payments.")
    lifecycle = models.CharField(max_length=20, choices=Lifecycle.choices, default=Lifecycle.PRODUCTION)
    technology = models.CharField(max_length=100, blank=True, help_text='e.g. "Django 5.2", "PostgreSQL 15".')
    repository_url = models.URLField(blank=True, max_length=500)
    tags = models.ManyToManyField(Tag, blank=True, related_name="components")
    system = models.ForeignKey(System, null=True, blank=True, on_delete=models.SET_NULL, related_name="components")
    parent = models.ForeignKey("self", null=True, blank=True, on_delete=models.SET_NULL, related_name="children",
                               help_text="The component this one is part of.")  # fmt: skip
    # References a catalog import could not resolve ("system:billing"), kept so nothing is lost and
    # shown on the model-health panel until someone fixes them.
    unresolved = models.JSONField(default=list, blank=True, editable=False)

    objects = KeyedQuerySet.as_manager()

    class Meta:
        ordering = ["key"]
        constraints = [_unique("component_unique_key", "project", "key",
                               message="This project already has a component with this key.")]  # fmt: skip
        indexes = [models.Index(fields=["project", "system"]), models.Index(fields=["project", "kind"])]

    def __str__(self) -> str:
        return self.name

    def clean(self) -> None:
        check_key(self.key)
        if self.parent_id is None:
            return
        if self.pk is not None and self.parent_id == self.pk:
            raise ValidationError({"parent": "A component can't be part of itself."})
        # Walk up from the new parent: meeting this component again would close a cycle. One query
        # per level; nesting is a few levels deep, and the walk stops at the first repeat.
        seen, current = set(), self.parent_id
        while current is not None and current not in seen:
            if self.pk is not None and current == self.pk:
                raise ValidationError({"parent": "That would nest the component inside itself (a cycle)."})
            seen.add(current)
            current = Component.objects.filter(pk=current).values_list("parent_id", flat=True).first()


class Relation(ProjectScopedModel):
    """A typed, directed edge between two components. Cycles between components are allowed (real
    systems have them); the same edge twice, or an edge from a component to itself, is not."""

    class Kind(models.TextChoices):
        CALLS = "calls", "calls (sync)"
        SENDS_TO = "sends_to", "sends to (async)"
        READS_FROM = "reads_from", "reads from"
        WRITES_TO = "writes_to", "writes to"
        DEPENDS_ON = "depends_on", "depends on"

    source = models.ForeignKey(Component, on_delete=models.CASCADE, related_name="relations_out")
    target = models.ForeignKey(Component, on_delete=models.CASCADE, related_name="relations_in")
    kind = models.CharField(max_length=20, choices=Kind.choices, default=Kind.CALLS)
    protocol = models.CharField(max_length=100, blank=True, help_text='e.g. "HTTPS/JSON", "AMQP".')
    description = models.TextField(blank=True)

    class Meta:
        ordering = ["source__key", "target__key", "kind"]
        constraints = [
            _unique("relation_unique_edge", "source", "target", "kind",
                    message="These components already have a relation of this kind."),
            models.CheckConstraint(condition=~models.Q(source=models.F("target")), name="relation_not_self",
                                   violation_error_message="A component can't have a relation to itself."),
        ]  # fmt: skip
        indexes = [models.Index(fields=["project", "kind"])]

    def __str__(self) -> str:
        return f"{self.source} {self.get_kind_display()} {self.target}"

    def clean(self) -> None:
        if self.source_id and self.source_id == self.target_id:
            raise ValidationError({"target": "A component can't have a relation to itself."})
        for name in ("source", "target"):
            component = getattr(self, name, None) if getattr(self, f"{name}_id") else None
            if component is not None and component.project_id != self.project_id:
                raise ValidationError({name: "Choose a component of this project."})


class Document(ProjectScopedModel):
    """A hand-written diagram as code (Mermaid: flowchart, sequence, class, state, ER, C4 …), attached
    to the project or to one component, and shown on the pages of the components it is linked to.
    Every save of new source makes a numbered revision (DocumentRevision)."""

    title = models.CharField(max_length=200)
    component = models.ForeignKey(Component, null=True, blank=True, on_delete=models.SET_NULL,
                                  related_name="own_documents", help_text="Attach it to one component "
                                  "(empty: the project).")  # fmt: skip
    components = models.ManyToManyField(Component, blank=True, related_name="documents",
                                        help_text="The components it shows: it appears on their pages.")  # fmt: skip
    source = models.TextField(help_text="Mermaid source.")
    description = models.TextField(blank=True, help_text="Markdown.")
    revision = models.PositiveIntegerField(default=0, editable=False)

    class Meta:
        ordering = ["title", "pk"]
        verbose_name = "diagram"

    def __str__(self) -> str:
        return self.title

    @property
    def diagram_type(self) -> str:
        """The first word of the first line that isn't a comment or front matter ("sequenceDiagram")."""
        in_front_matter = False
        for line in self.source.splitlines():
            text = line.strip()
            if text == "---":
                in_front_matter = not in_front_matter
                continue
            if in_front_matter or not text or text.startswith("%%"):
                continue
            return text.split()[0]
        return ""

    def clean(self) -> None:
        if not self.source.strip():
            raise ValidationError({"source": "Write the diagram's Mermaid source."})
        if len(self.source) > settings.ARCHITECTURE_MAX_DIAGRAM_CHARS:
            raise ValidationError({"source": f"A diagram is at most {settings.ARCHITECTURE_MAX_DIAGRAM_CHARS} "
                                             "characters; split it."})  # fmt: skip
        unsafe = mermaid.problems(self.source)
        if unsafe:
            raise ValidationError({"source": unsafe})
        if self.component_id and self.component.project_id != self.project_id:
            raise ValidationError({"component": "Choose a component of this project."})


class DocumentRevision(TimeStampedModel):
    """One saved state of a document's source, numbered 1, 2, … per document."""

    document = models.ForeignKey(Document, on_delete=models.CASCADE, related_name="revisions")
    number = models.PositiveIntegerField()
    title = models.CharField(max_length=200)
    source = models.TextField()
    author = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                               related_name="+")  # fmt: skip

    class Meta:
        ordering = ["document", "-number"]
        constraints = [models.UniqueConstraint(fields=["document", "number"], name="documentrevision_unique")]

    def __str__(self) -> str:
        return f"{self.document} r{self.number}"


class DataModel(ProjectScopedModel):
    """The schema of a data-holding component (database, cache, storage), kept as versions (DBML or DDL)."""

    key = models.CharField(max_length=63, help_text=KEY_HELP)
    name = models.CharField(max_length=200)
    component = models.ForeignKey(Component, on_delete=models.CASCADE, related_name="data_models",
                                  help_text="A database, cache or storage component.")  # fmt: skip
    description = models.TextField(blank=True, help_text="Markdown.")
    # Does the latest version break the one before it? Kept by the upload service for the health panel.
    latest_breaking = models.BooleanField(default=False, editable=False)

    objects = KeyedQuerySet.as_manager()

    class Meta:
        ordering = ["key"]
        constraints = [_unique("datamodel_unique_key", "project", "key",
                               message="This project already has a data model with this key.")]  # fmt: skip

    def __str__(self) -> str:
        return self.name

    def clean(self) -> None:
        check_key(self.key)
        if self.component_id:
            if self.component.project_id != self.project_id:
                raise ValidationError({"component": "Choose a component of this project."})
            if self.component.kind not in Component.DATA_KINDS:
                raise ValidationError({"component": "A data model belongs to a database, cache or storage component."})


class DataModelVersion(TimeStampedModel):
    """One uploaded schema (DBML or SQL DDL), parsed once into ``schema`` (tables, columns, indexes,
    foreign keys; apps.architecture.schema.model.Schema.to_dict) for the ERD and the diffs."""

    class Format(models.TextChoices):
        DBML = "dbml", "DBML"
        SQL = "sql", "SQL DDL"

    class Dialect(models.TextChoices):
        POSTGRES = "postgres", "PostgreSQL"
        MYSQL = "mysql", "MySQL"

    data_model = models.ForeignKey(DataModel, on_delete=models.CASCADE, related_name="versions")
    number = models.PositiveIntegerField()
    label = models.CharField(max_length=100, blank=True, help_text='Your name for it, e.g. "v2" or a commit.')
    format = models.CharField(max_length=10, choices=Format.choices)
    dialect = models.CharField(max_length=10, choices=Dialect.choices, blank=True)
    source = models.TextField()
    schema = models.JSONField(default=dict)
    tables = models.PositiveIntegerField(default=0)
    warnings = models.JSONField(default=list, blank=True)
    breaking = models.BooleanField(null=True, blank=True,
                                   help_text="Breaking against the version before (None: the first).")
    author = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                               related_name="+")  # fmt: skip

    class Meta:
        ordering = ["data_model", "-number"]
        constraints = [models.UniqueConstraint(fields=["data_model", "number"], name="datamodelversion_unique")]

    def __str__(self) -> str:
        return f"{self.data_model} v{self.number}"

    @property
    def project(self):
        return self.data_model.project


class Decision(ProjectScopedModel):
    """An architecture decision record (ADR-0001 …) with MADR's fields. ``status`` becomes
    ``superseded`` only through services.decision_supersede, in the same transaction as the link."""

    class Status(models.TextChoices):
        PROPOSED = "proposed", "Proposed"
        ACCEPTED = "accepted", "Accepted"
        REJECTED = "rejected", "Rejected"
        DEPRECATED = "deprecated", "Deprecated"
        SUPERSEDED = "superseded", "Superseded"

    number = models.PositiveIntegerField(editable=False)
    title = models.CharField(max_length=200)
    status = models.CharField(max_length=20, choices=Status.choices, default=Status.PROPOSED)
    date = models.DateField(null=True, blank=True, help_text="When it was decided.")
    deciders = models.CharField(max_length=300, blank=True, help_text="Who decided, comma-separated.")
    context = models.TextField(blank=True, help_text="Context and problem statement (Markdown).")
    considered_options = models.TextField(blank=True, help_text="Markdown list.")
    decision = models.TextField(blank=True, help_text="Decision outcome and why (Markdown).")
    consequences = models.TextField(blank=True, help_text="Good and bad (Markdown).")
    supersedes = models.ManyToManyField("self", symmetrical=False, blank=True, related_name="superseded_by")
    components = models.ManyToManyField(Component, blank=True, related_name="decisions")

    class Meta:
        ordering = ["number"]
        constraints = [models.UniqueConstraint(fields=["project", "number"], name="decision_unique_number")]
        indexes = [models.Index(fields=["project", "status"])]

    def __str__(self) -> str:
        return f"{self.key} {self.title}"

    @property
    def key(self) -> str:
        return adr_key(self.number) if self.number else "ADR-?"


class DecisionRequirement(TimeStampedModel):
    """A decision concerning a requirement; the requirement's fingerprint at link time makes the link
    suspect once the (baselined) requirement changes, as test links do."""

    decision = models.ForeignKey(Decision, on_delete=models.CASCADE, related_name="requirement_links")
    requirement = models.ForeignKey("requirements.Requirement", on_delete=models.CASCADE,
                                    related_name="decision_links")  # fmt: skip
    fingerprint = models.CharField(max_length=64, blank=True)
    revision = models.PositiveIntegerField(null=True, blank=True)

    class Meta:
        ordering = ["requirement__number"]
        constraints = [models.UniqueConstraint(fields=["decision", "requirement"], name="decisionrequirement_unique")]

    def __str__(self) -> str:
        return f"{self.decision} concerns {self.requirement_id}"


class ApiReference(ProjectScopedModel):
    """An API entity from a Backstage catalog, kept as a reference until the contracts app binds it
    to a contract: its provider and consumers are components."""

    key = models.CharField(max_length=63, help_text=KEY_HELP)
    name = models.CharField(max_length=200)
    type = models.CharField(max_length=30, blank=True, help_text="openapi, asyncapi, graphql, grpc …")
    lifecycle = models.CharField(max_length=20, blank=True)
    owner = models.CharField(max_length=100, blank=True)
    system = models.ForeignKey(System, null=True, blank=True, on_delete=models.SET_NULL, related_name="apis")
    definition = models.TextField(blank=True, help_text="The definition or where it lives ($text: URL).")
    providers = models.ManyToManyField(Component, blank=True, related_name="provided_apis")
    consumers = models.ManyToManyField(Component, blank=True, related_name="consumed_apis")

    objects = KeyedQuerySet.as_manager()

    class Meta:
        ordering = ["key"]
        verbose_name, verbose_name_plural = "API reference", "APIs"
        constraints = [_unique("apireference_unique_key", "project", "key",
                               message="This project already has an API with this key.")]  # fmt: skip

    def __str__(self) -> str:
        return self.name

    def clean(self) -> None:
        check_key(self.key)
