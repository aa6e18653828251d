"""The worker side of a contract version: load (JSON, YAML or a zip of files), validate, index the
operations, lint with the project's severities, and compare with the valid version before — in one
transaction, so a version is either fully processed or not at all. Claims, the lease and the sweeper
are core's (apps.core.jobs). Also the synchronous CI check, which runs the same steps on a candidate."""

import dataclasses
import logging
import zipfile

from django.conf import settings
from django.db import OperationalError, transaction
from django.utils import timezone

from apps.core.changelog import log_change
from apps.core.jobs import WorkQueue
from apps.core.models import ObjectChange

from .models import ContractVersion, LintSetting, Operation
from .openapi.diff_model import filter_level, is_breaking

logger = logging.getLogger(__name__)

ERROR_LIMIT = 500  # issues kept per version (a broken 4 MB spec can have thousands)


def work_queue() -> WorkQueue:
    return WorkQueue(model=ContractVersion, finished=tuple(ContractVersion.FINISHED),
                     lease_seconds=settings.CONTRACTS_LEASE_SECONDS, max_attempts=settings.CONTRACTS_MAX_ATTEMPTS,
                     resend_seconds=settings.CONTRACTS_RESEND_SECONDS,
                     dead_worker_seconds=settings.CONTRACTS_DEAD_WORKER_SECONDS)  # fmt: skip


class SpecRefused(Exception):
    """The upload is not a spec we can read (not JSON/YAML/zip, too big, hostile): the version is invalid."""


def load(data: bytes, filename: str = ""):
    """A LoadedSpec from the bytes of a JSON/YAML document or a zip of files."""
    from .openapi import load as loader

    limit = settings.CONTRACTS_MAX_SPEC_BYTES
    try:
        if data[:4] == b"PK\x03\x04" or filename.lower().endswith(".zip"):
            return loader.load_zip(data, max_total_bytes=limit)
        return loader.load_spec(data, filename=filename, max_bytes=limit)
    except (loader.SpecError, zipfile.BadZipFile, ValueError, RecursionError) as exc:
        raise SpecRefused(str(exc) or type(exc).__name__) from None


def issue_dict(issue) -> dict:
    return {key: value for key, value in dataclasses.asdict(issue).items() if value not in ("", None)}


def lint_severities(project) -> dict[str, str]:
    """The project's severities of rules the ruleset has (a setting of a rule since removed is ignored)."""
    from .openapi.lint import RULES

    known = {rule.id for rule in RULES}
    settings_ = LintSetting.objects.filter(project=project).values_list("rule", "severity")
    return {rule: severity for rule, severity in settings_ if rule in known}


def analyse(loaded, *, project) -> dict:
    """Validation issues, operations and lint findings of a loaded spec (the part the check shares)."""
    from .openapi.index import index_operations
    from .openapi.lint import lint
    from .openapi.validate import validate_spec

    issues = validate_spec(loaded)
    errors = [issue_dict(i) for i in issues if i.severity == "error"]
    operations = index_operations(loaded.document) if not errors else []
    findings = lint(loaded.document, severities=lint_severities(project), lines=loaded.lines)
    return {"errors": errors, "operations": operations, "lint": [issue_dict(f) for f in findings]}


def diff(base_document: dict, revision_document: dict) -> list[dict]:
    """The changes from one document to the other as dicts, most severe first (oasdiff's ids and levels)."""
    from .openapi.diff import diff_specs

    return [change.to_dict() for change in diff_specs(base_document, revision_document)]


def _give_up(version: ContractVersion) -> None:
    message = (f"Given up after {version.attempts} attempts: each time, the worker stopped before finishing "
               "(killed, out of memory, or the database was away).")  # fmt: skip
    _finish(version, errors=[{"message": message}])


def _finish(version: ContractVersion, *, errors: list, **fields) -> None:
    version.status = ContractVersion.Status.INVALID if errors else ContractVersion.Status.VALID
    version.errors, version.processed_at = errors[:ERROR_LIMIT], timezone.now()
    for name, value in fields.items():
        setattr(version, name, value)
    # Only what processing decides: the raw upload (up to the size limit) is never written back.
    version.save(update_fields=["status", "errors", "processed_at", "updated_at", *fields])
    verb = "validated" if version.status == ContractVersion.Status.VALID else "refused"
    log_change(actor=None, instance=version.contract, action=ObjectChange.Action.ACTION, verb=f"version {verb}",
               message=f"v{version.number}: " + (errors[0]["message"][:300] if errors else
               f"{version.operations_count} operations" + (", breaking" if version.breaking else "")))  # fmt: skip


def _process(version: ContractVersion) -> None:
    try:
        loaded = load(bytes(version.raw), version.filename)
    except SpecRefused as exc:
        _finish(version, errors=[{"message": str(exc)}])
        return
    result = analyse(loaded, project=version.contract.project)
    info = loaded.document.get("info") if isinstance(loaded.document.get("info"), dict) else {}
    fields = {"spec_version": loaded.version, "title": str(info.get("title", ""))[:300], "lint": result["lint"],
              "label": version.label or str(info.get("version", ""))[:100]}  # fmt: skip
    if result["errors"]:
        _finish(version, errors=result["errors"], **fields)
        return
    previous = (ContractVersion.objects.filter(contract=version.contract_id, status=ContractVersion.Status.VALID,
                                               number__lt=version.number).order_by("-number").first())  # fmt: skip
    changes = diff(previous.document, loaded.document) if previous else []
    Operation.objects.filter(version=version).delete()  # a retried delivery starts clean
    Operation.objects.bulk_create([
        Operation(version=version, method=op.method, path=op.path[:2000], operation_id=(op.operation_id or "")[:300],
                  summary=(op.summary or "")[:500], tags=list(op.tags), deprecated=op.deprecated,
                  parameters=[dataclasses.asdict(p) for p in op.parameters],
                  request_media_types=list(op.request_media_types),
                  responses={r.code: list(r.media_types) for r in op.responses}, security=list(op.security))
        for op in result["operations"]
    ], batch_size=1000)  # fmt: skip
    _finish(version, errors=[], document=loaded.document, operations_count=len(result["operations"]),
            breaking=is_breaking(changes) if previous else None, changes_count=len(changes),
            **fields)  # fmt: skip


def contract_version_process(*, version_id: int) -> str:
    """Process a queued version; returns its final status. Safe to deliver any number of times: only the
    delivery that claimed the version processes it, once; a bad spec makes it ``invalid``, never a crash."""
    queue = work_queue()
    attempt = queue.claim(version_id, give_up=_give_up)
    if isinstance(attempt, str):
        return attempt
    try:
        with transaction.atomic():
            version = (ContractVersion.objects.select_for_update(skip_locked=True, of=("self",))
                       .select_related("contract__project").filter(pk=version_id).first())  # fmt: skip
            if version is not None and queue.holds(version, attempt):
                _process(version)
    except OperationalError:
        queue.release(version_id, attempt)
        raise  # database trouble: the task retries with backoff
    except Exception as exc:  # keep the worker alive and the version explained
        logger.exception("Processing contract version %s failed", version_id)
        with transaction.atomic():
            version = ContractVersion.objects.select_for_update().select_related("contract").get(pk=version_id)
            if queue.holds(version, attempt):
                _finish(version, errors=[{"message": f"Internal error while processing ({type(exc).__name__}); "
                                          "the upload is kept."}])  # fmt: skip
    return queue.status(version_id)


def contract_versions_sweep() -> list[int]:
    return work_queue().sweep(give_up=_give_up)


def contract_version_enqueue_failed(*, version_id: int) -> None:
    work_queue().enqueue_failed(version_id)


def check(data: bytes, *, base, project, fail_on: str = "ERR") -> dict:
    """The CI check of a candidate spec against ``base`` (a valid version, or None): synchronous, stores
    nothing. ``fail`` when the candidate is unreadable or invalid, or has a change at ``fail_on`` or above."""
    try:
        loaded = load(data)
    except SpecRefused as exc:
        return {"fail": True, "base": base.pk if base else None, "errors": [{"message": str(exc)}], "changes": [],
                "lint": []}  # fmt: skip
    result = analyse(loaded, project=project)
    changes = diff(base.document, loaded.document) if base is not None and not result["errors"] else []
    return {"fail": bool(result["errors"]) or bool(filter_level(changes, fail_on)),
            "base": base.pk if base else None, "errors": result["errors"][:ERROR_LIMIT], "changes": changes,
            "lint": result["lint"]}  # fmt: skip
