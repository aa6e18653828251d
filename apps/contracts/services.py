"""Writes of the contracts app: a version is stored as sent and queued in the same transaction (the
row is the record of the work; pipeline.py processes it), operation-requirement links keep the
requirement's fingerprint. Each write validates once and logs one change."""

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from apps.core.changelog import log_change
from apps.core.models import ObjectChange
from apps.core.services import instance_save
from apps.requirements.revisions import set_links

from .models import Contract, ContractVersion, OperationRequirement


def contract_create(*, project, actor, values: dict) -> Contract:
    """Create a contract. One whose slug names an API a catalog import left as a reference (Backstage's
    kind: API) binds it, and takes its provider and consumers unless they are given."""
    from apps.architecture.models import ApiReference
    from apps.core.kit import split_m2m

    values = dict(values)
    reference = values.get("api_reference") or ApiReference.objects.filter(
        project=project, key=values.get("slug", ""), contract__isnull=True).first()  # fmt: skip
    if reference is not None:
        values["api_reference"] = reference
        if not values.get("provider"):
            values["provider"] = reference.providers.first()
        if not values.get("consumers"):
            values["consumers"] = list(reference.consumers.all())
    plain, m2m = split_m2m(Contract, values)
    return instance_save(instance=Contract(project=project, **plain), actor=actor, m2m=m2m)


def max_spec_bytes() -> int:
    return settings.CONTRACTS_MAX_SPEC_BYTES


@transaction.atomic
def contract_version_upload(*, contract: Contract, actor, data: bytes, filename: str = "",
                            label: str = "") -> ContractVersion:  # fmt: skip
    """Keep the upload as the contract's next version, ``queued``; a worker processes it once this
    transaction commits (and the sweeper again if that message is lost)."""
    if not data:
        raise ValidationError({"spec": "Nothing was sent: put the spec in the body or in multipart field 'spec'."})
    if len(data) > max_spec_bytes():
        raise ValidationError({"spec": f"The file is larger than the {max_spec_bytes() // 2**20} MB limit."})
    locked = Contract.objects.select_for_update().get(pk=contract.pk)
    last = locked.versions.order_by("-number").values_list("number", flat=True).first() or 0
    version = ContractVersion(contract=locked, number=last + 1, label=label.strip()[:100], filename=filename[:255],
                              raw=data, size=len(data), author=actor, queued_at=timezone.now())  # fmt: skip
    version.full_clean(exclude=["contract", "author", "raw"])
    version.save()
    log_change(actor=actor, instance=locked, action=ObjectChange.Action.ACTION, verb="version uploaded",
               message=f"v{version.number}" + (f" ({version.label})" if version.label else "") +
               f", {len(data) // 1024} KB")  # fmt: skip
    from .tasks import contract_version_process_enqueue

    transaction.on_commit(lambda: contract_version_process_enqueue(version.pk))
    return version


@transaction.atomic
def operation_requirements_set(*, contract: Contract, actor, method: str, path: str, requirements: list) -> None:
    """Link exactly these requirements to the operation (new links keep today's fingerprint)."""
    method = method.lower()
    links = OperationRequirement.objects.filter(contract=contract, method=method, path=path)
    set_links(links, requirements, lambda r, **kept: OperationRequirement(contract=contract, method=method, path=path,
                                                                         requirement=r, **kept))  # fmt: skip
    log_change(actor=actor, instance=contract, action=ObjectChange.Action.ACTION, verb="linked requirements",
               message=f"{method.upper()} {path}: " + (", ".join(r.key for r in requirements) or "none"))  # fmt: skip


def operation_link_rows(*, contract: Contract) -> list[dict]:
    """Every operation-requirement link of the contract with its suspect flag (the one rule)."""
    from apps.requirements.revisions import is_suspect

    links = contract.requirement_links.select_related("requirement")
    return [{"method": link.method, "path": link.path, "requirement": link.requirement.key,
             "title": link.requirement.title, "suspect": is_suspect(link.fingerprint, link.requirement)}
            for link in links]  # fmt: skip
