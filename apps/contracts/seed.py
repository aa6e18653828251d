"""Demo contract for ``manage.py seed_demo``: the Payments API, bound to the catalog's component and API
reference, with two versions — the second removes an operation, so the diff shows a breaking change."""

import json

from apps.architecture.models import ApiReference, Component
from apps.core.kit import kit_for

from . import services
from .models import Contract


def payments_spec(version: str, *, with_refunds: bool) -> bytes:
    paths = {
        "/payments": {"post": {"operationId": "createPayment", "summary": "Take a card payment", "tags": ["payments"],
                               "requestBody": {"required": True, "content": {"application/json": {"schema": {
                                   "$ref": "#/components/schemas/PaymentRequest"}}}},
                               "responses": {"201": {"description": "Captured", "content": {"application/json": {
                                   "schema": {"$ref": "#/components/schemas/Payment"}}}}}}},
        "/payments/{paymentId}": {"get": {
            "operationId": "getPayment", "summary": "One payment", "tags": ["payments"],
            "parameters": [{"name": "paymentId", "in": "path", "required": True, "schema": {"type": "string"}}],
            "responses": {"200": {"description": "The payment", "content": {"application/json": {"schema": {
                "$ref": "#/components/schemas/Payment"}}}}, "404": {"description": "No such payment"}}}},
    }  # fmt: skip
    if with_refunds:
        paths["/payments/{paymentId}/refunds"] = {"post": {
            "operationId": "refundPayment", "summary": "Refund a payment", "tags": ["refunds"],
            "parameters": [{"name": "paymentId", "in": "path", "required": True, "schema": {"type": "string"}}],
            "responses": {"201": {"description": "Refunded"}}}}  # fmt: skip
    document = {
        "openapi": "3.0.3",
        "info": {"title": "Payments API", "version": version, "description": "Card payments and refunds."},
        "servers": [{"url": "https://api.example.com/v1"}],
        "paths": paths,
        "components": {"schemas": {
            "PaymentRequest": {"type": "object", "required": ["amount", "currency"], "properties": {
                "amount": {"type": "integer", "minimum": 1}, "currency": {"type": "string", "minLength": 3,
                                                                          "maxLength": 3}}},
            "Payment": {"type": "object", "properties": {"id": {"type": "string"}, "amount": {"type": "integer"},
                                                         "status": {"type": "string",
                                                                    "enum": ["pending", "captured", "refunded"]}}},
        }},
    }  # fmt: skip
    return json.dumps(document, indent=2).encode()


def seed_contracts(*, project, user) -> None:
    """Idempotent: does nothing if the project already has contracts."""
    if Contract.objects.filter(project=project).exists():
        return
    values = {"slug": "payments-api", "name": "Payments API", "owner": user,
              "description": "The public API of the payments service."}  # fmt: skip
    provider = Component.objects.filter(project=project, key="payments-api").first()
    reference = ApiReference.objects.filter(project=project, key="payments-api").first()
    if provider is not None:
        values["provider"] = provider
        values["consumers"] = list(Component.objects.filter(project=project, key="web-shop"))
    if reference is not None:
        values["api_reference"] = reference
    contract = kit_for(Contract).create(project=project, actor=user, values=values)
    services.contract_version_upload(contract=contract, actor=user, data=payments_spec("1.0.0", with_refunds=True),
                                     filename="payments-v1.json")  # fmt: skip
    services.contract_version_upload(contract=contract, actor=user, data=payments_spec("1.1.0", with_refunds=False),
                                     filename="payments-v1.1.json")  # fmt: skip
