"""Each architecture model through core's kit: pages and API by role, change log, validation once
and pinned query counts (tests/kit.py)."""

import pytest

from apps.architecture import services
from apps.architecture.models import ApiReference, Component, DataModel, Decision, Document, Relation, System
from apps.core.kit import kit_for
from tests.kit import KitTests

pytestmark = pytest.mark.django_db


def component(project, users, key, kind="service"):
    return services.component_save(instance=Component(project=project), actor=users["owner"],
                                   values={"key": key, "name": key, "kind": kind})  # fmt: skip


class TestSystemKit(KitTests):
    model = System
    create_data = {"key": "payments", "name": "Payments", "description": "Cards"}
    update_data = {"key": "system-0", "name": "Payments v2", "description": ""}
    api_create_data = {"key": "billing", "name": "Billing"}
    api_update_data = {"name": "Billing 2"}
    queries = {"list": 6, "detail": 10, "api-list": 4, "api-detail": 3}

    def make(self, project, users, number):
        return kit_for(System).create(project=project, actor=users["owner"],
                                      values={"key": f"system-{number}", "name": f"System {number}"})  # fmt: skip


class TestComponentKit(KitTests):
    model = Component
    create_data = {"key": "payments-api", "name": "Payments API", "kind": "service", "lifecycle": "production",
                   "tags": "python pci"}  # fmt: skip
    update_data = {"key": "component-0", "name": "Payments API 2", "kind": "service", "lifecycle": "deprecated",
                   "tags": "python"}  # fmt: skip
    api_create_data = {"key": "ledger", "name": "Ledger", "kind": "service", "tags": ["go"]}
    api_update_data = {"lifecycle": "deprecated", "tags": ["go", "tier-1"]}
    queries = {"list": 7, "detail": 19, "api-list": 5, "api-detail": 4}

    def make(self, project, users, number):
        values = {"key": f"component-{number}", "name": f"Component {number}", "kind": "service", "tags": ["t1", "t2"]}
        return kit_for(Component).create(project=project, actor=users["owner"], values=values)


class TestRelationKit(KitTests):
    model = Relation
    queries = {"list": 6, "detail": 6, "api-list": 4, "api-detail": 3}

    @pytest.fixture(autouse=True)
    def ends(self, project, users):
        self.a, self.b = component(project, users, "alpha"), component(project, users, "beta")
        self.create_data = {"source": self.a.pk, "target": self.b.pk, "kind": "sends_to", "protocol": "AMQP"}
        self.update_data = {"source": self.a.pk, "target": self.b.pk, "kind": "reads_from", "protocol": "SQL"}
        self.api_create_data = {"source": "alpha", "target": "beta", "kind": "writes_to"}
        self.api_update_data = {"protocol": "HTTPS/JSON"}

    def make(self, project, users, number):
        source = component(project, users, f"src-{number}")
        target = component(project, users, f"dst-{number}")
        return kit_for(Relation).create(project=project, actor=users["owner"],
                                        values={"source": source, "target": target, "kind": "calls"})  # fmt: skip


class TestDocumentKit(KitTests):
    model = Document
    create_data = {"title": "Checkout flow", "source": "sequenceDiagram\n  A->>B: pay"}
    update_data = {"title": "Checkout flow", "source": "sequenceDiagram\n  A->>B: pay\n  B-->>A: ok"}
    queries = {"list": 7, "detail": 8, "api-list": 5, "api-detail": 4}

    def make(self, project, users, number):
        values = {"title": f"Doc {number}", "source": "flowchart LR\n  a-->b"}
        return kit_for(Document).create(project=project, actor=users["owner"], values=values)


class TestDataModelKit(KitTests):
    model = DataModel
    queries = {"list": 6, "detail": 6, "api-list": 4, "api-detail": 3}

    @pytest.fixture(autouse=True)
    def database(self, project, users):
        self.db = component(project, users, "main-db", kind="database")
        self.create_data = {"key": "main-schema", "name": "Main schema", "component": self.db.pk}
        self.update_data = {"key": "dm-0", "name": "Main schema 2", "component": self.db.pk}
        self.api_create_data = {"key": "other", "name": "Other", "component": "main-db"}
        self.api_update_data = {"name": "Renamed"}

    def make(self, project, users, number):
        db = component(project, users, f"db-{number}", kind="database")
        values = {"key": f"dm-{number}", "name": f"DM {number}", "component": db}
        return kit_for(DataModel).create(project=project, actor=users["owner"], values=values)


class TestDecisionKit(KitTests):
    model = Decision
    create_data = {"title": "Use PostgreSQL", "status": "proposed", "context": "We need a database."}
    update_data = {"title": "Use PostgreSQL 15", "status": "accepted", "context": "We need a database."}
    queries = {"list": 6, "detail": 10, "api-list": 8, "api-detail": 7}

    def make(self, project, users, number):
        return kit_for(Decision).create(project=project, actor=users["owner"],
                                        values={"title": f"Decision {number}", "status": "accepted"})  # fmt: skip


class TestApiReferenceKit(KitTests):
    model = ApiReference
    create_data = {"key": "petstore", "name": "Petstore", "type": "openapi"}
    update_data = {"key": "api-0", "name": "Petstore 2", "type": "openapi"}
    api_update_data = {"name": "Petstore 3"}
    queries = {"list": 8, "detail": 8, "api-list": 6, "api-detail": 5}

    def make(self, project, users, number):
        return kit_for(ApiReference).create(project=project, actor=users["owner"],
                                            values={"key": f"api-{number}", "name": f"API {number}"})  # fmt: skip
