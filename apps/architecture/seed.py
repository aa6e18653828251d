"""Demo architecture for ``manage.py seed_demo``: a small payments catalog, a sequence diagram, a
data model with two versions (one breaking) and two decisions — every page has something to show."""

from apps.core.services import instance_save
from apps.requirements.models import Requirement

from . import services
from .models import ApiReference, Component, DataModel, Decision, Document, Relation, System

SYSTEMS = [("payments", "Payments", "Takes card payments and refunds."), ("storefront", "Storefront", "")]
COMPONENTS = [
    # key, name, kind, system, technology, lifecycle
    ("web-shop", "Web shop", "frontend", "storefront", "React 19", "production"),
    ("payments-api", "Payments API", "service", "payments", "Django 5.2", "production"),
    ("payments-db", "Payments DB", "database", "payments", "PostgreSQL 15", "production"),
    ("payment-events", "Payment events", "topic", "payments", "RabbitMQ", "production"),
    ("ledger", "Ledger", "service", "payments", "Go 1.24", "experimental"),
    ("legacy-gateway", "Legacy gateway", "service", "payments", "Java 8", "deprecated"),
    ("card-network", "Card network", "external", "", "ISO 8583", "production"),
]
RELATIONS = [
    ("web-shop", "payments-api", "calls", "HTTPS/JSON"), ("payments-api", "payments-db", "writes_to", "SQL"),
    ("payments-api", "payment-events", "sends_to", "AMQP"), ("ledger", "payment-events", "reads_from", "AMQP"),
    ("payments-api", "legacy-gateway", "calls", "SOAP"), ("legacy-gateway", "card-network", "calls", "ISO 8583"),
    ("ledger", "payments-api", "calls", "HTTPS/JSON"),
]  # fmt: skip
SEQUENCE = """sequenceDiagram
    autonumber
    participant Shop as Web shop
    participant API as Payments API
    participant Card as Card network
    Shop->>API: POST /payments
    API->>Card: authorise
    Card-->>API: approved
    API-->>Shop: 201 Created
"""
SCHEMA_V1 = """CREATE TABLE payment (id bigint PRIMARY KEY, amount numeric(12,2) NOT NULL, currency char(3) NOT NULL,
    card_last4 varchar(4), note text);
CREATE TABLE refund (id bigint PRIMARY KEY, payment_id bigint NOT NULL REFERENCES payment (id), amount numeric(12,2));
"""
SCHEMA_V2 = """CREATE TABLE payment (id bigint PRIMARY KEY, amount numeric(12,2) NOT NULL, currency char(3) NOT NULL,
    card_last4 varchar(4), status varchar(20) NOT NULL DEFAULT 'pending');
CREATE TABLE refund (id bigint PRIMARY KEY, payment_id bigint NOT NULL REFERENCES payment (id),
    amount numeric(12,2) NOT NULL);
CREATE INDEX payment_status ON payment (status);
"""


def seed_architecture(*, project, user) -> None:
    """Idempotent: does nothing if the project already has components."""
    if Component.objects.filter(project=project).exists():
        return
    systems = {key: instance_save(instance=System(project=project, key=key, name=name, description=text),
                                           actor=user) for key, name, text in SYSTEMS}  # fmt: skip
    components = {}
    for key, name, kind, system, technology, lifecycle in COMPONENTS:
        components[key] = services.component_save(
            instance=Component(project=project), actor=user,
            values={"key": key, "name": name, "kind": kind, "system": systems.get(system), "technology": technology,
                    "lifecycle": lifecycle, "owner": user if kind != "external" else None,
                    "tags": ["pci"] if system == "payments" else []})  # fmt: skip
    for source, target, kind, protocol in RELATIONS:
        relation = Relation(project=project, source=components[source], target=components[target], kind=kind,
                            protocol=protocol)  # fmt: skip
        instance_save(instance=relation, actor=user)
    services.document_save(instance=Document(project=project), actor=user, values={
        "title": "Card payment", "source": SEQUENCE, "component": components["payments-api"],
        "components": [components["web-shop"], components["payments-api"], components["card-network"]]})  # fmt: skip
    data_model = DataModel(project=project, key="payments-schema", name="Payments schema",
                           component=components["payments-db"])  # fmt: skip
    data_model = instance_save(instance=data_model, actor=user)
    for label, text in (("v1", SCHEMA_V1), ("v2", SCHEMA_V2)):
        services.data_model_version_add(data_model=data_model, actor=user, text=text, format="sql",
                                        dialect="postgres", label=label)  # fmt: skip
    # The API the payments service provides, as a catalog import would leave it (for the contracts app).
    api = ApiReference(project=project, key="payments-api", name="Payments API", type="openapi",
                       lifecycle="production", system=systems["payments"])  # fmt: skip
    api = instance_save(instance=api, actor=user)
    api.providers.set([components["payments-api"]])
    api.consumers.set([components["web-shop"]])
    requirements = list(Requirement.objects.filter(project=project).order_by("number")[:1])
    first = services.decision_save(instance=Decision(project=project), actor=user, values={
        "title": "Use SOAP gateway for card authorisation", "status": "accepted",
        "context": "The card network only offered SOAP in 2019.", "decision": "Wrap it in the legacy gateway.",
        "components": [components["legacy-gateway"]]})  # fmt: skip
    services.decision_save(instance=Decision(project=project), actor=user, values={
        "title": "Authorise cards directly from the Payments API", "status": "accepted",
        "context": "The legacy gateway adds 120 ms and is deprecated.",
        "considered_options": "* Keep the gateway\n* Call the card network directly",
        "decision": "Call the card network directly over its REST API.",
        "consequences": "* Good: one hop less\n* Bad: PCI scope grows to the API",
        "components": [components["payments-api"], components["legacy-gateway"]], "supersedes": [first],
        "requirements": requirements})  # fmt: skip
