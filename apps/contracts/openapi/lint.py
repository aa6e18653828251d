"""Linting an OpenAPI document with a ruleset modelled on Spectral's ``spectral:oas``.

This module owns the public lint API: ``RULES`` (every rule's id, default severity, description,
whether Spectral recommends it, and the spec versions it applies to — what the app shows and lets
a team configure) and ``lint()``, which runs them with per-rule severity overrides.

Severities are ``error``, ``warn`` and ``info`` (Spectral's ``hint`` is accepted as ``info``);
``off`` disables a rule. Rules Spectral leaves out of ``spectral:oas`` by default
(``recommended=False``: info-license, tag-description, ...) default to ``info`` here rather than
off, so they are visible without failing anything. The checks are in ``lint_rules.py`` and
``lint_schemas.py``; a rule that crashes on a malformed document becomes one ``info`` finding
instead of aborting the lint.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from . import lint_rules, lint_schemas  # noqa: F401 - importing them registers their rules
from .lint_base import REGISTRY, Context, Rule
from .refs import join_pointer

__all__ = ["Finding", "Rule", "RULES", "SEVERITIES", "lint"]

SEVERITIES = ("error", "warn", "info")
_ALIASES = {"hint": "info", "warning": "warn", "information": "info"}

RULES: list[Rule] = [rule for rule, _ in REGISTRY.values()]


@dataclass(frozen=True)
class Finding:
    rule: str
    severity: str
    message: str
    pointer: str
    line: int | None


def _severity(value: Any, rule_id: str) -> str:
    severity = _ALIASES.get(value, value) if isinstance(value, str) else value
    if severity not in (*SEVERITIES, "off"):
        raise ValueError(f"lint rule {rule_id}: severity must be one of error, warn, info, hint, off; got {value!r}")
    return severity


def lint(document: Any, *, severities: dict[str, str] | None = None, lines: Any = None) -> list[Finding]:
    """Every finding of every enabled rule that applies to the document's version.

    ``severities`` overrides rules by id (``{"info-contact": "off", "operation-tags": "error"}``);
    an unknown rule id or severity is a ``ValueError`` (a typo would otherwise silently do nothing).
    ``lines`` is a ``LineMap`` (``LoadedSpec.lines``) to give each finding its line.
    """
    overrides = dict(severities or {})
    unknown = sorted(set(overrides) - set(REGISTRY))
    if unknown:
        raise ValueError(f"unknown lint rule(s): {', '.join(unknown)}")
    if not isinstance(document, dict):
        return []
    ctx = Context(document)
    findings: list[Finding] = []
    for rule_id, (rule, check) in REGISTRY.items():
        severity = _severity(overrides.get(rule_id, rule.severity), rule_id)
        if severity == "off" or ctx.version not in rule.formats:
            continue
        try:
            results = [(join_pointer(parts), message) for parts, message in check(ctx)]
        except Exception as exc:  # noqa: BLE001 - one broken rule must not hide the others' findings
            results = [("", f"rule could not run on this document: {type(exc).__name__}: {exc}")]
            severity = "info"
        for pointer, message in results:
            line = lines.nearest(pointer) if lines is not None else None
            findings.append(Finding(rule_id, severity, message, pointer, line))
    return findings
