"""How an API operation runs: authenticate by token, validate with pydantic, call the service,
one commit, audit, answer in JSON. Each operation is registered once with its models, which also
describe it in the OpenAPI document (``casework.api.openapi``).
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import cached_property
from typing import Any

from flask import Blueprint, Response, current_app, g, jsonify, request
from pydantic import BaseModel, ValidationError
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from werkzeug.datastructures import ETags
from werkzeug.exceptions import HTTPException

from casework.api.models import ApiToken, IdempotencyKey, TokenScope
from casework.audit.services import record
from casework.core import formkeys
from casework.core.blindindex import current_index
from casework.core.db import db, utcnow
from casework.core.errors import (
    MissingVersion,
    NotVisible,
    PermissionDenied,
    StaleEdit,
    StorageFailed,
    ValidationFailed,
)
from casework.core.pipeline import json_error

bp = Blueprint("api", __name__, url_prefix="/api/v1")

IDEMPOTENCY_KEY_MAX_LEN = formkeys.KEY_MAX_LEN
IDEMPOTENCY_KEY_KEPT = formkeys.KEPT  # then the clean-up job (``formkeys.purge``) forgets it


@dataclass
class Operation:
    """One API operation: what it takes, what it answers, and what it needs."""

    endpoint: str
    method: str
    rule: str
    summary: str
    tag: str
    response: type[BaseModel] | None
    status: int = 200
    body: type[BaseModel] | None = None
    query: type[BaseModel] | None = None
    write: bool = False
    # A multipart upload: the file part's name (the body model holds the other parts).
    upload: str | None = None
    # A file download: the answer is the file, not JSON.
    download: bool = False
    # For creates taking an Idempotency-Key: rebuild the answer from the object's public id.
    replay: Callable[..., BaseModel] | None = None
    # An update needing If-Match (428 without it, 412 when stale).
    if_match: bool = False
    # The answer carries the record's ETag (what a later If-Match names).
    etag: bool = False
    errors: tuple[int, ...] = field(default=())
    # More than the summary says (the order of a list...), for the document.
    description: str | None = None
    # The service's name of a field whose request name differs (its errors are the request's).
    field_names: dict[str, str] = field(default_factory=dict)


class Call:
    """What a handler gets besides the URL arguments.

    The body and query are validated when the handler first reads them, after it has loaded
    the objects of the URL: a request about an object the user may not see is answered like one
    about a missing object, whatever its body holds.
    """

    def __init__(self, op: Operation, user: Any, token: ApiToken) -> None:
        self.op = op
        self.user = user
        self.token = token

    @cached_property
    def body(self) -> Any:
        return _body(self.op)

    @cached_property
    def query(self) -> Any:
        if self.op.query is None:
            return None
        return self.op.query.model_validate(request.args.to_dict())


OPERATIONS: list[Operation] = []


class Refusal(Exception):
    """A request refused before any change, with its status and message."""

    def __init__(self, status: int, message: str) -> None:
        self.status = status
        self.message = message
        super().__init__(message)


MISSING_IF_MATCH = "Send If-Match with the ETag of the version you change."
STALE = "The record changed since you read it; nothing was saved."


def operation(method: str, rule: str, *, summary: str, tag: str, **options: Any):
    """Register ``fn(call, **url_args)`` as an API operation on ``bp``."""

    def register(fn: Callable[..., Any]) -> Callable[..., Any]:
        op = Operation(
            endpoint=fn.__name__,
            method=method,
            rule=rule,
            summary=summary,
            tag=tag,
            response=options.pop("response", None),
            **options,
        )
        OPERATIONS.append(op)

        def view(**kwargs: Any) -> Any:
            return _run(op, fn, kwargs)

        view.__name__ = fn.__name__
        bp.add_url_rule(rule, endpoint=fn.__name__, view_func=view, methods=[method])
        return fn

    return register


def etag_of(obj: Any) -> str:
    """The entity tag of a versioned record: its version."""
    return f'"v{obj.version}"'


def check_if_match(obj: Any) -> int:
    """The version the client changes (from If-Match); 428 without one, 412 if stale."""
    header = request.headers.get("If-Match")
    if not header:
        raise Refusal(428, MISSING_IF_MATCH)
    tags: ETags = request.if_match
    if tags.star_tag or not tags.contains(etag_of(obj).strip('"')):
        raise Refusal(412, STALE)
    return obj.version


def _fields(exc: ValidationError) -> dict[str, list[str]]:
    fields: dict[str, list[str]] = {}
    for error in exc.errors(include_url=False, include_input=False):
        name = ".".join(str(part) for part in error["loc"])
        fields.setdefault(name, []).append(error["msg"])
    return fields


def _body(op: Operation) -> Any:
    if op.body is None:
        return None
    if op.upload:
        if request.mimetype != "multipart/form-data":
            raise Refusal(415, "Send the file and its parts as multipart/form-data.")
        return op.body.model_validate(request.form.to_dict())
    if request.mimetype != "application/json":
        raise Refusal(415, "Send the body as application/json.")
    try:
        data = request.get_json(silent=True)
    except RecursionError:  # nested deeper than the decoder goes: not a body anyone sends
        data = None
    if data is None:
        raise ValidationFailed({"": ["The body is not valid JSON."]})
    return op.body.model_validate(data)


def _idempotency_key() -> str | None:
    key = request.headers.get("Idempotency-Key")
    if key is None:
        return None
    cleaned = formkeys.clean(key)
    if cleaned is None:
        raise ValidationFailed(
            {"Idempotency-Key": [f"Use 1 to {IDEMPOTENCY_KEY_MAX_LEN} printable ASCII characters."]}
        )
    return cleaned


def _request_hash() -> str:
    """What makes two requests the same: path and body (for an upload, its parts, whatever
    boundary the client chose). Keyed (the blind index's key, a purpose of its own): the body
    names people, and a plain hash kept with the key would confirm a guessed name to anyone
    holding the database or a backup. (A retry across a change of that key, within the seven
    days a key is kept, is told it was another request.)"""
    digest = current_index().hasher("api idempotency request")
    digest.update(request.path.encode())
    if request.mimetype == "multipart/form-data":
        for name, value in sorted(request.form.items(multi=True)):
            digest.update(f"\0{name}\0{value}".encode("utf-8", "replace"))
        for name, upload in sorted(request.files.items(multi=True), key=lambda item: item[0]):
            digest.update(f"\0{name}\0{upload.filename}\0".encode("utf-8", "replace"))
            upload.stream.seek(0)
            while chunk := upload.stream.read(1 << 16):
                digest.update(chunk)
            upload.stream.seek(0)
    else:
        digest.update(b"\0")
        digest.update(request.get_data(cache=True))
    return digest.hexdigest()


def _respond(op: Operation, result: Any, status: int) -> Response:
    headers: dict[str, str] = {}
    if isinstance(result, tuple):
        result, headers = result
    if isinstance(result, Response):
        return result
    response = jsonify(result.model_dump(mode="json"))
    response.status_code = status
    response.headers.update(headers)
    return response


def _audit(op: Operation, call_user: Any, token: ApiToken, status: int) -> None:
    record(
        call_user,
        "api.request",
        object_type="api_tokens",
        object_id=token.public_id,
        endpoint=op.endpoint,
        method=op.method,
        status=status,
    )


def _run(op: Operation, fn: Callable[..., Any], kwargs: dict[str, Any]) -> Any:
    user, token = g.api_user, g.api_token
    try:
        if any("\x00" in str(value) for value in kwargs.values()):
            raise NotVisible()
        if op.write and token.scope != TokenScope.WRITE:
            return _fail(op, 403, "This token may only read (its scope is read).")
        call = Call(op, user, token)
        key = _idempotency_key() if op.replay is not None else None
        request_hash = _request_hash() if key is not None else ""
        if key is not None:
            seen = db.session.scalar(
                select(IdempotencyKey).where(
                    IdempotencyKey.user_id == user.id, IdempotencyKey.key == key
                )
            )
            if seen is not None:
                if seen.operation != op.endpoint or seen.request_hash != request_hash:
                    return _fail(op, 409, "This Idempotency-Key was used with another request.")
                result = op.replay(call, seen.object_id, **kwargs)
                response = _respond(op, result, seen.status)
                response.headers["Idempotent-Replayed"] = "true"
                _audit(op, user, token, seen.status)
                db.session.commit()
                return response
        result = fn(call, **kwargs)
        response = _respond(op, result, op.status)
        if key is not None:
            db.session.add(
                IdempotencyKey(
                    user_id=user.id,
                    key=key,
                    operation=op.endpoint,
                    request_hash=request_hash,
                    status=response.status_code,
                    object_id=response.get_json()["id"],
                )
            )
        _audit(op, user, token, response.status_code)
        try:
            db.session.commit()
        except IntegrityError:
            # The same key, sent twice at once: the other request made the object.
            return _fail(op, 409, "A request with this Idempotency-Key is already being handled.")
        return response
    except ValidationError as exc:
        return _fail(op, 422, "The request is not valid.", _fields(exc))
    except StorageFailed as exc:
        return _fail(op, 503, "The file store is unavailable; nothing was saved.", exc.errors)
    except ValidationFailed as exc:
        fields = {op.field_names.get(name, name): msgs for name, msgs in exc.errors.items()}
        return _fail(op, 422, "The request is not valid.", fields)
    except NotVisible as exc:
        return _fail(op, 404, "There is nothing here, or you may not see it.", refusal=exc)
    except PermissionDenied as exc:
        return _fail(op, 403, "You do not have permission to do this.", refusal=exc)
    except Refusal as exc:
        return _fail(op, exc.status, exc.message)
    except StaleEdit:
        return _fail(op, 412, STALE)
    except MissingVersion:
        return _fail(op, 428, MISSING_IF_MATCH)
    except HTTPException as exc:
        return _fail(op, exc.code or 400, exc.description or exc.name)


def _fail(
    op: Operation,
    status: int,
    message: str,
    fields: dict[str, list[str]] | None = None,
    *,
    refusal: Exception | None = None,
):
    """Undo the request's changes; audit the refusal; answer in the error shape."""
    db.session.rollback()
    token = db.session.merge(g.api_token)
    token.last_used_at = utcnow()
    _audit(op, token.user, token, status)
    after_rollback = getattr(refusal, "after_rollback", None)
    if after_rollback is not None:
        after_rollback()  # the loader's audit of a refusal on an object that exists
    db.session.commit()
    return json_error(status, message, fields)


def rate_limit_key() -> str:
    """Flask-Limiter key: the token (its digest), or the address when none is sent."""
    secret = bearer_secret()
    if secret:
        return "token:" + hashlib.sha256(secret.encode("utf-8", "replace")).hexdigest()[:32]
    return "addr:" + (request.remote_addr or "unknown")


def rate_limit() -> str:
    return current_app.config["API_RATE_LIMIT"]


def bearer_secret() -> str | None:
    header = request.headers.get("Authorization", "")
    scheme, _, secret = header.partition(" ")
    if scheme.lower() != "bearer":
        return None
    return secret.strip() or None
