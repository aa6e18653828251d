"""Security requirements (global and per operation) and components.securitySchemes, as oasdiff compares them.

A security list is an OR of alternatives; each alternative ANDs schemes, each scheme ANDs scopes. Identical
alternatives cancel out; a leftover whose scheme set is unambiguous on both sides is a scope change; the rest
were added or removed.
"""

from __future__ import annotations

from .diff_doc import Doc
from .diff_model import pointer


def _alternatives(security) -> list[dict[str, list[str]]]:
    out = []
    for requirement in security if isinstance(security, list) else []:
        if isinstance(requirement, dict):
            out.append({str(k): [str(s) for s in v] if isinstance(v, list) else [] for k, v in requirement.items()})
    return out


def alternative_text(requirement: dict[str, list[str]]) -> str:
    """"petstore_auth: [read:pets, write:pets] AND api_key": oasdiff's rendering of one alternative."""
    parts = []
    for scheme in sorted(requirement):
        scopes = sorted(requirement[scheme])
        parts.append(f"{scheme}: [{', '.join(scopes)}]" if scopes else scheme)
    return " AND ".join(parts)


def _same(a: dict, b: dict) -> bool:
    return set(a) == set(b) and all(set(a[k]) == set(b[k]) for k in a)


def security_changes(base, revision, scope: str) -> list[tuple[str, tuple]]:
    """[(change id, message args)] between two security lists; scope is "endpoint" or "global"."""
    reqs_b, reqs_r = _alternatives(base), _alternatives(revision)
    matched_b, matched_r = [False] * len(reqs_b), [False] * len(reqs_r)
    for i, req in enumerate(reqs_b):
        for j, other in enumerate(reqs_r):
            if not matched_r[j] and _same(req, other):
                matched_b[i] = matched_r[j] = True
                break

    def unique(reqs, matched, schemes) -> bool:
        return sum(1 for k, req in enumerate(reqs) if not matched[k] and set(req) == schemes) == 1

    prefix = "api-security" if scope == "endpoint" else "api-global-security"
    out: list[tuple[str, tuple]] = []
    for i, req in enumerate(reqs_b):
        if matched_b[i] or not unique(reqs_b, matched_b, set(req)):
            continue
        j = next((j for j, other in enumerate(reqs_r) if not matched_r[j] and set(other) == set(req)), None)
        if j is None or not unique(reqs_r, matched_r, set(reqs_r[j])):
            continue
        matched_b[i] = matched_r[j] = True
        for scheme in sorted(req):
            before, after = req[scheme], reqs_r[j][scheme]
            out.extend((f"{prefix}-scope-added", (s, scheme)) for s in after if s not in before)
            out.extend((f"{prefix}-scope-removed", (s, scheme)) for s in before if s not in after)
    noun = "api-security" if scope == "endpoint" else "api-global-security"
    for i, req in enumerate(reqs_b):
        if not matched_b[i] and (text := alternative_text(req)):
            out.append((f"{noun}-removed", (text,)))
    for j, req in enumerate(reqs_r):
        if not matched_r[j] and (text := alternative_text(req)):
            out.append((f"{noun}-added", (text,)))
    return out


def document_changes(base: Doc, revision: Doc, collector) -> None:
    """Global security, security schemes, removed component schemas, webhooks."""
    emit = collector.for_operation("")
    for change_id, args in security_changes(base.root.get("security"), revision.root.get("security"), "global"):
        emit(change_id, "/security", *args)
    schemes_b, schemes_r = base.components("securitySchemes"), revision.components("securitySchemes")
    for name in schemes_r:
        if name not in schemes_b:
            emit("api-security-component-added", pointer("", "components", "securitySchemes", name), name)
    for name in schemes_b:
        if name not in schemes_r:
            emit("api-security-component-removed", pointer("", "components", "securitySchemes", name), name)
    for name, node in schemes_b.items():
        if name in schemes_r:
            _scheme_changes(emit, name, base.obj(node), revision.obj(schemes_r[name]))
    schemas_r = revision.components("schemas")
    for name in base.components("schemas"):
        if name not in schemas_r:
            emit("api-schema-removed", pointer("", "components", "schemas", name), name)
    hooks_b = base.root.get("webhooks") if isinstance(base.root.get("webhooks"), dict) else {}
    hooks_r = revision.root.get("webhooks") if isinstance(revision.root.get("webhooks"), dict) else {}
    for name in hooks_b:
        if name not in hooks_r:
            emit("webhook-removed", pointer("", "webhooks", name), name)
    for name in hooks_r:
        if name not in hooks_b:
            emit("webhook-added", pointer("", "webhooks", name), name)


def _scheme_changes(emit, name: str, base: dict, rev: dict) -> None:
    location = pointer("", "components", "securitySchemes", name)
    if base.get("type") != rev.get("type"):
        emit("api-security-component-type-changed", location, name, base.get("type"), rev.get("type"))
    # oasdiff compares the implicit OAuth flow only
    flows_b = base.get("flows") if isinstance(base.get("flows"), dict) else {}
    flows_r = rev.get("flows") if isinstance(rev.get("flows"), dict) else {}
    flow_b, flow_r = flows_b.get("implicit"), flows_r.get("implicit")
    if not isinstance(flow_b, dict) or not isinstance(flow_r, dict):
        return
    location = pointer(location, "flows", "implicit")
    if flow_b.get("authorizationUrl") != flow_r.get("authorizationUrl"):
        args = (name, flow_b.get("authorizationUrl"), flow_r.get("authorizationUrl"))
        emit("api-security-component-oauth-url-changed", location, *args)
    if flow_b.get("tokenUrl") != flow_r.get("tokenUrl"):
        args = (name, flow_b.get("tokenUrl"), flow_r.get("tokenUrl"))
        emit("api-security-component-oauth-token-url-changed", location, *args)
    scopes_b = flow_b.get("scopes") if isinstance(flow_b.get("scopes"), dict) else {}
    scopes_r = flow_r.get("scopes") if isinstance(flow_r.get("scopes"), dict) else {}
    for scope in scopes_r:
        if scope not in scopes_b:
            emit("api-security-component-oauth-scope-added", location, name, scope)
    for scope in scopes_b:
        if scope not in scopes_r:
            emit("api-security-component-oauth-scope-removed", location, name, scope)
        elif scopes_b[scope] != scopes_r[scope]:
            emit("api-security-component-oauth-scope-changed", location, name, scope, scopes_b[scope], scopes_r[scope])
