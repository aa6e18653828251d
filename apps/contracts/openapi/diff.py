"""Breaking-change diff of two OpenAPI documents, in oasdiff's vocabulary (pure Python, no Django).

    from apps.contracts.openapi.diff import diff_specs, is_breaking

    changes = diff_specs(base, revision)   # two parsed documents (dicts), Swagger 2.0, OpenAPI 3.0 or 3.1
    is_breaking(changes)                   # any ERR

Each ``Change`` has an oasdiff check id (https://github.com/oasdiff/oasdiff, ``checker/rules.go``), its default
level (ERR breaking / WARN possibly breaking / INFO), the operation ("GET /pets/{id}", "" for document-level
changes), a JSON pointer into the revision (into the base for removals) and an oasdiff-style message.

Only local ``$ref``s (``#/...``) are resolved; external references are compared as opaque strings, never fetched.
Recursive schemas are compared once per (base, revision) node pair.

Versioning policy: like oasdiff (``api-version-not-bumped``, ``api-version-decreased``,
``api-major-version-not-bumped``, INFO by default), it is judged only when there is an ERR change and both
``info.version`` values are semantic versions.
"""

from __future__ import annotations

import re

from .diff_doc import Doc, stable_refs
from .diff_messages import message
from .diff_model import (
    CHANGE_LEVELS,
    LEVELS,
    Change,
    filter_level,
    is_breaking,
    sort_changes,
    worst_level,
)
from .diff_ops import OperationsDiff
from .diff_schema import SchemaDiffer
from .diff_security import document_changes

__all__ = [
    "CHANGE_LEVELS",
    "LEVELS",
    "Change",
    "diff_specs",
    "filter_level",
    "is_breaking",
    "worst_level",
]

_SEMVER = re.compile(
    r"^v?(0|[1-9]\d*)\.(0|[1-9]\d*)\.(0|[1-9]\d*)"
    r"(?:-((?:0|[1-9]\d*|\d*[a-zA-Z-][0-9a-zA-Z-]*)(?:\.(?:0|[1-9]\d*|\d*[a-zA-Z-][0-9a-zA-Z-]*))*))?"
    r"(?:\+([0-9a-zA-Z-]+(?:\.[0-9a-zA-Z-]+)*))?$"
)


class _Collector:
    def __init__(self) -> None:
        self.changes: list[Change] = []

    def for_operation(self, operation: str):
        def emit(change_id: str, location: str, *args) -> None:
            level = CHANGE_LEVELS.get(change_id)
            if level is None:  # not an oasdiff id (e.g. a direction oasdiff has no check for)
                return
            self.changes.append(Change(change_id, level, operation, location, message(change_id, *args)))

        return emit


def diff_specs(base: dict, revision: dict) -> list[Change]:
    """The changes from ``base`` to ``revision``, most severe first (then by operation, location, id)."""
    base_doc, revision_doc = Doc(base), Doc(revision)
    stable = stable_refs(base_doc, revision_doc)
    differ = SchemaDiffer(base_doc, revision_doc, stable)
    collector = _Collector()
    OperationsDiff(base_doc, revision_doc, differ, collector, stable).run()
    document_changes(base_doc, revision_doc, collector)
    _versioning_policy(base_doc.version(), revision_doc.version(), collector)
    return sort_changes(collector.changes)


def _semver(version: str | None) -> tuple[int, int, int] | None:
    match = _SEMVER.match(version or "")
    return (int(match[1]), int(match[2]), int(match[3])) if match else None


def _versioning_policy(base_version: str | None, revision_version: str | None, collector: _Collector) -> None:
    """oasdiff's semver gate: a breaking change needs a major version increase (a minor one below 1.0.0)."""
    base, revision = _semver(base_version), _semver(revision_version)
    if base is None or revision is None or not is_breaking(collector.changes):
        return
    emit = collector.for_operation("")
    if base_version == revision_version:
        emit("api-version-not-bumped", "/info/version", revision_version)
    elif revision <= base:
        emit("api-version-decreased", "/info/version", base_version, revision_version)
    elif not (revision[1] > base[1] if base[0] == revision[0] == 0 else revision[0] > base[0]):
        emit("api-major-version-not-bumped", "/info/version", base_version, revision_version)
