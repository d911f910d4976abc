"""The OpenAPI 3.1 document, generated from the registered operations and their pydantic models."""

from __future__ import annotations

import re
from typing import Any

from pydantic import BaseModel
from pydantic.json_schema import models_json_schema

from casework import __version__
from casework.api.framework import (
    IDEMPOTENCY_KEY_KEPT,
    IDEMPOTENCY_KEY_MAX_LEN,
    OPERATIONS,
    Operation,
)
from casework.api.schemas import ErrorResponse

_ARG = re.compile(r"<(?:[a-z]+:)?([a-z_]+)>")
_REF = "#/components/schemas/{model}"

_STATUS_TEXT = {
    200: "OK",
    201: "Created",
    400: "The request cannot be read",
    401: "No valid token (missing, unknown, revoked or expired)",
    403: "The token's user (or scope) may not do this",
    404: "Nothing here, or nothing this user may see",
    409: "The Idempotency-Key was used with another request, or is in use by one being handled",
    412: "If-Match does not name the current version: nothing was changed",
    413: "The body is larger than the server takes: nothing was saved",
    415: "The body is not of the content type this operation takes",
    422: "The request does not validate",
    428: "If-Match is missing",
    429: "Too many requests for this token",
    503: "The database (or, for a file, the file store) is unavailable: nothing was saved; retry",
}


_IDEMPOTENCY_KEY = (
    "Makes the create safe to send again: the same key with the same request (path and body) "
    "answers with the object the first one created (as it is now), created once (header "
    "Idempotent-Replayed: true); the same key with another request is a 409. Keys are per "
    f"user. A key is 1 to {IDEMPOTENCY_KEY_MAX_LEN} printable ASCII characters (letters, digits, "
    "punctuation, and "
    "spaces between them; spaces around it are not part of it). It is remembered for at least "
    f"{IDEMPOTENCY_KEY_KEPT.days} days after its first use; then the clean-up job, run hourly, "
    "forgets it, and the same key creates anew."
)


def _path(rule: str) -> str:
    return "/api/v1" + _ARG.sub(r"{\1}", rule)


def _error(status: int) -> dict[str, Any]:
    return {
        "description": _STATUS_TEXT[status],
        "content": {"application/json": {"schema": {"$ref": _REF.format(model="ErrorResponse")}}},
    }


def _query_parameters(model: type[BaseModel], defs: dict[str, Any]) -> list[dict[str, Any]]:
    schema = model.model_json_schema(ref_template=_REF)
    defs.update(schema.pop("$defs", {}))
    required = set(schema.get("required", []))
    parameters = []
    for name, prop in schema.get("properties", {}).items():
        prop = dict(_not_null(prop))
        parameter = {"name": name, "in": "query", "required": name in required}
        if "description" in prop:  # the parameter's, where readers of the document look
            parameter["description"] = prop.pop("description")
        parameters.append({**parameter, "schema": prop})
    return parameters


def _not_null(prop: dict[str, Any]) -> dict[str, Any]:
    """A query argument is absent rather than null: drop the null branch of an optional one."""
    options = [o for o in prop.get("anyOf", []) if o.get("type") != "null"]
    if len(options) != 1 or len(prop.get("anyOf", [])) != 2:
        return prop
    rest = {k: v for k, v in prop.items() if k not in ("anyOf", "default")}
    return {**rest, **options[0]}


def _operation(op: Operation, names: dict[tuple[type, str], dict[str, Any]], defs: dict) -> dict:
    parameters = [
        {
            "name": name,
            "in": "path",
            "required": True,
            "schema": {"type": "string", "minLength": 1, "maxLength": 40},
        }
        for name in _ARG.findall(op.rule)
    ]
    if op.query is not None:
        parameters += _query_parameters(op.query, defs)
    if op.if_match:
        parameters.append(
            {
                "name": "If-Match",
                "in": "header",
                "required": False,
                "description": "The ETag of the version you change (428 without it).",
                "schema": {"type": "string", "maxLength": 100},
            }
        )
    if op.replay is not None:
        parameters.append(
            {
                "name": "Idempotency-Key",
                "in": "header",
                "required": False,
                "description": _IDEMPOTENCY_KEY,
                "schema": {
                    "type": "string",
                    "minLength": 1,
                    "maxLength": IDEMPOTENCY_KEY_MAX_LEN,
                    # Printable ASCII; a header's value neither starts nor ends with a space.
                    "pattern": "^[!-~](?:[ -~]*[!-~])?$",
                },
            }
        )
    responses: dict[str, Any] = {}
    if op.download:
        responses[str(op.status)] = {
            "description": "The file, as an attachment named by the case reference and its id",
            "content": {"*/*": {"schema": {"type": "string", "format": "binary"}}},
        }
    else:
        responses[str(op.status)] = {
            "description": _STATUS_TEXT[op.status],
            "content": {"application/json": {"schema": names[(op.response, "serialization")]}},
        }
        if op.etag:
            responses[str(op.status)]["headers"] = {
                "ETag": {
                    "description": 'The version answered ("v<version>"): send it as If-Match.',
                    "schema": {"type": "string"},
                }
            }
    # Any operation may be refused to a user who sees its object but lacks the right (403).
    errors = {401, 403, 404, 422, 429, 503, *op.errors}
    if op.body is not None:
        errors |= {400, 413, 415}
    if op.if_match:
        errors |= {412, 428}
    if op.replay is not None:
        errors |= {409}
    for status in sorted(errors):
        responses[str(status)] = _error(status)
    result: dict[str, Any] = {
        "operationId": op.endpoint,
        "summary": op.summary,
        **({"description": op.description} if op.description else {}),
        "tags": [op.tag],
        "parameters": parameters,
        "responses": responses,
        "security": [{"token": []}],
    }
    if op.body is not None:
        schema = names[(op.body, "validation")]
        if op.upload:
            body_schema = op.body.model_json_schema(ref_template=_REF)
            defs.update(body_schema.pop("$defs", {}))
            body_schema["properties"][op.upload] = {"type": "string", "format": "binary"}
            body_schema.setdefault("required", []).append(op.upload)
            content = {"multipart/form-data": {"schema": body_schema}}
        else:
            content = {"application/json": {"schema": schema}}
        result["requestBody"] = {"required": True, "content": content}
    return result


def build_spec() -> dict[str, Any]:
    """The whole document: every operation, every schema once under components."""
    models: list[tuple[type[BaseModel], str]] = [(ErrorResponse, "serialization")]
    for op in OPERATIONS:
        if op.response is not None:
            models.append((op.response, "serialization"))
        if op.body is not None:
            models.append((op.body, "validation"))
    names, top = models_json_schema(list(dict.fromkeys(models)), ref_template=_REF)
    defs: dict[str, Any] = dict(top.get("$defs", {}))
    paths: dict[str, dict[str, Any]] = {}
    for op in OPERATIONS:
        paths.setdefault(_path(op.rule), {})[op.method.lower()] = _operation(op, names, defs)
    return {
        "openapi": "3.1.0",
        "info": {
            "title": "Casework API",
            "version": __version__,
            "description": (
                "Cases, people, evidence, legal grounds and advocacy, with the same access rules "
                "as the web application. Authenticate with a personal access token "
                "(Authorization: Bearer <token>), created on your profile page. Every answer is "
                "in English (error messages and the messages of each field included), whatever "
                "the token's user reads the pages in and whatever the request's Accept-Language: "
                "show your own words by the error's code and field names."
            ),
        },
        "servers": [{"url": "/"}],
        "paths": paths,
        "components": {
            "schemas": defs,
            "securitySchemes": {"token": {"type": "http", "scheme": "bearer"}},
        },
    }
