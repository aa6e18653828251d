"""Paths, operations, parameters, request bodies and responses: oasdiff's endpoint-level checks."""

from __future__ import annotations

import re

from .diff_checks_params import HeaderChecks, ParamChecks
from .diff_checks_schema import STABILITY, SchemaChecks
from .diff_dates import parse_sunset, today
from .diff_doc import Doc, refs_in
from .diff_model import pointer
from .diff_schema import SchemaDiffer
from .diff_schema_model import same_value
from .diff_security import security_changes

_PATH_PARAM = re.compile(r"\{([^}]*)\}")
_BASE, _REVISION = "\x00base", "\x00revision"  # placeholders for the schema pointers of recorded checks


def normalize_path(path: str) -> str:
    """Paths that differ only by the names of their path parameters are the same endpoint."""
    return _PATH_PARAM.sub("{}", str(path))


def _param_key(param: dict, path_map: dict[str, str] | None = None) -> tuple:
    name = param.get("name")
    if param.get("in") == "path" and path_map:
        name = path_map.get(name, name)
    return param.get("in"), name


def _stability(op: dict) -> tuple[str | None, str | None]:
    """(level, error): oasdiff's x-stability-level, "" when absent."""
    value = op.get("x-stability-level")
    if value is None:
        return "", None
    if value not in STABILITY:
        return None, f'value is not one of draft, alpha, beta or stable: "{value}"'
    return value, None


class OperationsDiff:
    def __init__(self, base: Doc, revision: Doc, differ: SchemaDiffer, collector, stable: set[str]):
        self.b, self.r = base, revision
        self.differ = differ
        self.collector = collector
        self.stable = stable
        self.recorded: dict[tuple, list] = {}

    def run(self) -> None:
        base_paths = {}
        for path in self.b.paths():
            base_paths.setdefault(normalize_path(path), path)
        rev_paths = {}
        for path in self.r.paths():
            rev_paths.setdefault(normalize_path(path), path)
        for key, path in base_paths.items():
            if key not in rev_paths:
                for method, op in self.b.operations(self.b.paths()[path]).items():
                    self._removed(path, method, op, whole_path=True)
        for key, path in rev_paths.items():
            if key not in base_paths:
                for method in self.r.operations(self.r.paths()[path]):
                    self._emit(method, path)("endpoint-added", pointer("", "paths", path, method))
        for key, base_path in base_paths.items():
            if key in rev_paths:
                self._path_item(base_path, rev_paths[key])

    def _emit(self, method: str, path: str):
        return self.collector.for_operation(f"{method.upper()} {path}")

    def _removed(self, path: str, method: str, op: dict, whole_path: bool) -> None:
        stability, error = _stability(op)
        if error is None and stability in ("alpha", "draft"):
            return
        emit = self._emit(method, path)
        location = pointer("", "paths", path, method)
        prefix = "api-path" if whole_path else "api"
        if not op.get("deprecated"):
            emit(f"{prefix}-removed-without-deprecation", location)
            return
        if "x-sunset" not in op:
            emit(f"{prefix}-removed-with-deprecation", location)
            return
        date, error = parse_sunset(op["x-sunset"])
        if error:
            emit("api-path-sunset-parse", location, error)
        elif today() < date:
            emit(f"{prefix}-removed-before-sunset", location, date.isoformat())

    def _path_item(self, base_path: str, rev_path: str) -> None:
        base_item, rev_item = self.b.obj(self.b.paths()[base_path]), self.r.obj(self.r.paths()[rev_path])
        base_names = _PATH_PARAM.findall(base_path)
        rev_names = _PATH_PARAM.findall(rev_path)
        path_map = dict(zip(base_names, rev_names, strict=False))
        base_ops, rev_ops = self.b.operations(base_item), self.r.operations(rev_item)
        base_level = {_param_key(self.b.obj(p), path_map) for p in base_item.get("parameters") or []}
        for index, node in enumerate(rev_item.get("parameters") or []):
            param = self.r.obj(node)
            if _param_key(param) in base_level or param.get("in") == "path":
                continue
            change_id = "new-required-request-default-parameter-to-existing-path"
            if not param.get("required"):
                change_id = "new-optional-request-default-parameter-to-existing-path"
            for method in rev_ops:
                location = pointer("", "paths", rev_path, "parameters", index)
                self._emit(method, rev_path)(change_id, location, param.get("in"), param.get("name"))
        for method, op in base_ops.items():
            if method not in rev_ops:
                self._removed(base_path, method, op, whole_path=False)
        for method in rev_ops:
            if method not in base_ops:
                self._emit(method, rev_path)("endpoint-added", pointer("", "paths", rev_path, method))
        for method, base_op in base_ops.items():
            if method in rev_ops:
                rev_op = rev_ops[method]
                if base_path == rev_path and same_value(base_op, rev_op) and refs_in(base_op) <= self.stable:
                    continue
                self._operation(method, base_path, rev_path, base_op, rev_op, path_map)

    def _operation(self, method, base_path, rev_path, bop: dict, rop: dict, path_map) -> None:
        emit = self._emit(method, rev_path)
        bptr, rptr = pointer("", "paths", base_path, method), pointer("", "paths", rev_path, method)
        self._lifecycle(emit, bop, rop, rptr)
        before, after = bop.get("operationId"), rop.get("operationId")
        if before != after:
            if not before:
                emit("api-operation-id-added", pointer(rptr, "operationId"), after)
            else:
                emit("api-operation-id-removed", pointer(rptr, "operationId"), before, after or "")
        base_tags = [t for t in bop.get("tags") or [] if isinstance(t, str)]
        rev_tags = [t for t in rop.get("tags") or [] if isinstance(t, str)]
        for tag in base_tags:
            if tag not in rev_tags:
                emit("api-tag-removed", pointer(bptr, "tags"), tag)
        for tag in rev_tags:
            if tag not in base_tags:
                emit("api-tag-added", pointer(rptr, "tags"), tag)
        for change_id, args in security_changes(bop.get("security"), rop.get("security"), scope="endpoint"):
            emit(change_id, pointer(rptr, "security"), *args)
        self._parameters(emit, bop, rop, bptr, rptr, path_map)
        self._request_body(emit, bop, rop, bptr, rptr)
        self._responses(emit, bop, rop, bptr, rptr)

    def _lifecycle(self, emit, bop: dict, rop: dict, rptr: str) -> None:
        base_level, base_error = _stability(bop)
        rev_level, rev_error = _stability(rop)
        for error in (base_error, rev_error):
            if error:
                emit("api-invalid-stability-level", pointer(rptr, "x-stability-level"), error)
        if not base_error and not rev_error and (base_level or "stable") != (rev_level or "stable"):
            before, after = base_level or "stable", rev_level or "stable"
            verb = "decreased" if STABILITY[after] < STABILITY[before] else "increased"
            emit(f"api-stability-{verb}", pointer(rptr, "x-stability-level"), before, after)
        deprecated_before, deprecated_after = bool(bop.get("deprecated")), bool(rop.get("deprecated"))
        location = pointer(rptr, "deprecated")
        if deprecated_before and not deprecated_after:
            emit("endpoint-reactivated", location)
        elif deprecated_after and not deprecated_before and not rev_error:
            if "x-sunset" not in rop:
                emit("endpoint-deprecated", location)
            else:
                date, error = parse_sunset(rop["x-sunset"])
                if error:
                    emit("api-deprecated-sunset-parse", location, error)
                elif date < today():
                    emit("api-sunset-date-too-small", location, date.isoformat(), 0)
                else:
                    emit("endpoint-deprecated-with-sunset", location, date.isoformat())
        if deprecated_after and bop.get("x-sunset") != rop.get("x-sunset") and "x-sunset" in bop:
            location = pointer(rptr, "x-sunset")
            if "x-sunset" not in rop:
                emit("sunset-deleted", location)
                return
            date, error = parse_sunset(rop["x-sunset"])
            base_date, base_error = parse_sunset(bop["x-sunset"])
            if error or base_error:
                emit("api-path-sunset-parse", location, error or base_error)
            elif base_date > date and date < today():
                args = (base_date.isoformat(), date.isoformat(), base_date.isoformat(), 0)
                emit("api-sunset-date-changed-too-small", location, *args)

    def _parameters(self, emit, bop, rop, bptr, rptr, path_map) -> None:
        checks = ParamChecks(emit, self.differ, self.b, self.r)
        base_params = [(i, self.b.obj(node)) for i, node in enumerate(bop.get("parameters") or [])]
        rev_params = [(i, self.r.obj(node)) for i, node in enumerate(rop.get("parameters") or [])]
        rev_index = {}
        for i, param in rev_params:
            rev_index.setdefault(_param_key(param), (i, param))
        matched = set()
        for i, param in base_params:
            key = _param_key(param, path_map)
            if key in rev_index:
                j, rev = rev_index[key]
                matched.add(j)
                checks.modified(param, rev, pointer(bptr, "parameters", i), pointer(rptr, "parameters", j))
            else:
                checks.removed(param, pointer(bptr, "parameters", i))
        for j, param in rev_params:
            if j not in matched and rev_index.get(_param_key(param), (None,))[0] == j:
                checks.added(param, pointer(rptr, "parameters", j))

    def _request_body(self, emit, bop, rop, bptr, rptr) -> None:
        has_base, has_rev = "requestBody" in bop, "requestBody" in rop
        if not has_base and not has_rev:
            return
        base_body = self.b.obj(bop.get("requestBody")) if has_base else None
        rev_body = self.r.obj(rop.get("requestBody")) if has_rev else None
        bptr, rptr = pointer(bptr, "requestBody"), pointer(rptr, "requestBody")
        if base_body is None:
            emit("request-body-added-required" if rev_body.get("required") else "request-body-added-optional", rptr)
            return
        if rev_body is None:
            emit("request-body-removed", bptr)
            return
        if bool(base_body.get("required")) != bool(rev_body.get("required")):
            emit("request-body-became-required" if rev_body.get("required") else "request-body-became-optional", rptr)
        self._content(emit, base_body, rev_body, bptr, rptr, None)

    def _responses(self, emit, bop, rop, bptr, rptr) -> None:
        base_responses = bop.get("responses") if isinstance(bop.get("responses"), dict) else {}
        rev_responses = rop.get("responses") if isinstance(rop.get("responses"), dict) else {}
        base_responses = {str(status): node for status, node in base_responses.items()}
        rev_responses = {str(status): node for status, node in rev_responses.items()}
        bptr, rptr = pointer(bptr, "responses"), pointer(rptr, "responses")
        for status in base_responses:
            if status not in rev_responses and status.isdigit():
                kind = "success" if 200 <= int(status) <= 299 else "non-success"
                emit(f"response-{kind}-status-removed", pointer(bptr, status), status)
        for status in rev_responses:
            if status not in base_responses and status.isdigit():
                kind = "success" if 200 <= int(status) <= 299 else "non-success"
                emit(f"response-{kind}-status-added", pointer(rptr, status), status)
        for status, node in base_responses.items():
            if status not in rev_responses:
                continue
            base, rev = self.b.obj(node), self.r.obj(rev_responses[status])
            if same_value(base, rev) and refs_in(base) <= self.stable:
                continue
            b_here, r_here = pointer(bptr, status), pointer(rptr, status)
            base_headers = base.get("headers") if isinstance(base.get("headers"), dict) else {}
            rev_headers = rev.get("headers") if isinstance(rev.get("headers"), dict) else {}
            if base_headers or rev_headers:
                headers = HeaderChecks(emit, self.differ, self.b, self.r)
                headers.run(base_headers, rev_headers, status, pointer(b_here, "headers"), pointer(r_here, "headers"))
            self._content(emit, base, rev, b_here, r_here, status)

    def _content(self, emit, base: dict, rev: dict, bptr: str, rptr: str, status: str | None) -> None:
        base_content = base.get("content") if isinstance(base.get("content"), dict) else {}
        rev_content = rev.get("content") if isinstance(rev.get("content"), dict) else {}
        side = "request" if status is None else "response"
        for media_type in base_content:
            if media_type not in rev_content:
                location = pointer(bptr, "content", media_type)
                if side == "request":
                    emit("request-body-media-type-removed", location, media_type)
                else:
                    emit("response-media-type-removed", location, media_type, status)
        for media_type in rev_content:
            if media_type not in base_content:
                location = pointer(rptr, "content", media_type)
                if side == "request":
                    emit("request-body-media-type-added", location, media_type)
                else:
                    emit("response-media-type-added", location, media_type, status)
        for media_type, base_media in base_content.items():
            if media_type not in rev_content:
                continue
            base_media, rev_media = self.b.obj(base_media), self.r.obj(rev_content[media_type])
            b_here, r_here = pointer(bptr, "content", media_type), pointer(rptr, "content", media_type)
            status_args = () if status is None else (status,)
            body = "request-body" if side == "request" else "response-body"
            if "schema" in base_media and "schema" not in rev_media:
                emit(f"{body}-media-type-schema-removed", b_here, media_type, *status_args)
                continue
            if "schema" in rev_media and "schema" not in base_media:
                emit(f"{body}-media-type-schema-added", r_here, media_type, *status_args)
                continue
            if "schema" not in base_media:
                continue
            diff = self.differ.diff(base_media["schema"], rev_media["schema"])
            if diff is not None:
                self._schema_checks(emit, diff, side, media_type, status, b_here, r_here)

    def _schema_checks(self, emit, diff, side, media_type, status, b_here: str, r_here: str) -> None:
        """Run the body checks once per (schema diff, side, media type, status) and replay them for every
        operation sharing that schema (a component returned by many operations is walked once)."""
        key = (id(diff), side, media_type, status)
        recorded = self.recorded.get(key)
        if recorded is None:
            recorded = []

            def record(change_id, location, *args):
                recorded.append((change_id, location, args))

            SchemaChecks(record, side, media_type, status, self.b, self.r).run(diff, _BASE, _REVISION)
            self.recorded[key] = recorded
        b_schema, r_schema = pointer(b_here, "schema"), pointer(r_here, "schema")
        for change_id, location, args in recorded:
            if location.startswith(_BASE):
                location = b_schema + location[len(_BASE) :]
            elif location.startswith(_REVISION):
                location = r_schema + location[len(_REVISION) :]
            emit(change_id, location, *args)
