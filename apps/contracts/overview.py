"""The Contracts card on the project overview: how many contracts, and whether the latest versions hold."""

from django.db.models import Count, Q
from django.urls import reverse

from .models import Contract, ContractVersion


def contracts_card(project) -> dict:
    contracts = Contract.objects.filter(project=project).count()
    versions = ContractVersion.objects.filter(contract__project=project).aggregate(
        total=Count("pk"), invalid=Count("pk", filter=Q(status="invalid")),
        breaking=Count("pk", filter=Q(breaking=True)))  # fmt: skip
    return {
        "url": reverse("contracts:contract_list", args=[project.slug]),
        "empty": contracts == 0,
        "hint": "No contracts yet. Upload an OpenAPI spec to see it validated, linted and diffed.",
        "stats": [("Contracts", contracts), ("Versions", versions["total"]), ("Invalid", versions["invalid"]),
                  ("Breaking", versions["breaking"])],  # fmt: skip
    }
