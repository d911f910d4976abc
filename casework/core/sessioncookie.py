"""The session cookie, encrypted: what it carries is readable by the server only.

Flask's cookie is signed, not encrypted: anyone holding it (a proxy that records headers, the
browser's cookie store on a seized laptop) reads it by decoding base64. Besides the session id
and the CSRF token, it carries the messages a page shows after a redirect, until that page is
shown, and they may quote what was typed ("the date “...” was kept as a note") or name a
colleague ("... was removed from the team"). So its payload is sealed with AES-256-GCM under a
key derived from ``SECRET_KEY`` (HKDF-SHA-256), then signed and timed as before: a cookie made
with another key, altered or too old is an empty session, as a badly signed one always was.
``SECRET_KEY_FALLBACKS`` still open the cookies made with a former key.
"""

from __future__ import annotations

import os
from typing import Any

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from flask import Flask, Request
from flask.sessions import SecureCookieSession, SecureCookieSessionInterface
from itsdangerous import BadData, URLSafeTimedSerializer

_LABEL = b"casework/session-cookie/v1"
_NONCE_BYTES = 12


def _cookie_key(secret: str | bytes) -> bytes:
    material = secret.encode("utf-8") if isinstance(secret, str) else secret
    return HKDF(algorithm=hashes.SHA256(), length=32, salt=None, info=_LABEL).derive(material)


class _SealedSerializer:
    """The session's tagged JSON, sealed (binary, so itsdangerous base64-encodes it). The first
    key seals; every key is tried to open."""

    def __init__(self, inner: Any, secrets: list[str | bytes]) -> None:
        self.inner = inner
        self.keys = [AESGCM(_cookie_key(secret)) for secret in secrets]

    def dumps(self, obj: Any) -> bytes:
        nonce = os.urandom(_NONCE_BYTES)
        plain = self.inner.dumps(obj).encode("utf-8")
        return nonce + self.keys[0].encrypt(nonce, plain, _LABEL)

    def loads(self, data: bytes) -> Any:
        nonce, sealed = data[:_NONCE_BYTES], data[_NONCE_BYTES:]
        for key in self.keys:
            try:
                plain = key.decrypt(nonce, sealed, _LABEL)
            except InvalidTag:
                continue
            return self.inner.loads(plain.decode("utf-8"))
        raise ValueError("the session cookie does not open with this server's keys")


class _CookieSerializer(URLSafeTimedSerializer):
    """A sealed payload is binary, so itsdangerous gives bytes; a cookie's value is text (the
    URL-safe form is ASCII)."""

    def dumps(self, obj: Any, salt: str | bytes | None = None) -> str:  # type: ignore[override]
        value = super().dumps(obj, salt)
        return value.decode("ascii") if isinstance(value, bytes) else value


class SealedCookieSessionInterface(SecureCookieSessionInterface):
    """Flask's cookie session, its payload encrypted before it is signed."""

    def __init__(self) -> None:
        # The serializer of the keys in force, built when they change: deriving the keys (and
        # setting up the ciphers) on every request costs more than opening the cookie.
        self._built: tuple[tuple[str | bytes, ...], URLSafeTimedSerializer] | None = None

    def get_signing_serializer(self, app: Flask) -> URLSafeTimedSerializer | None:
        if not app.secret_key:
            return None
        # itsdangerous signs with the last key; the cookie is sealed with the same one.
        keys: tuple[str | bytes, ...] = (
            *(app.config.get("SECRET_KEY_FALLBACKS") or ()),
            app.secret_key,
        )
        built = self._built
        if built is not None and built[0] == keys:
            return built[1]
        serializer = _CookieSerializer(
            list(keys),  # type: ignore[arg-type]
            salt=self.salt,
            serializer=_SealedSerializer(self.serializer, list(reversed(keys))),
            signer_kwargs={
                "key_derivation": self.key_derivation,
                "digest_method": self.digest_method,
            },
        )
        self._built = (keys, serializer)
        return serializer

    def open_session(self, app: Flask, request: Request) -> SecureCookieSession | None:
        # A cookie that is signed but does not open (one of before the cookie was sealed) is
        # an empty session, as a badly signed one is; never an error.
        try:
            return super().open_session(app, request)
        except BadData:
            return self.session_class()


def init_session_cookie(app: Flask) -> None:
    app.session_interface = SealedCookieSessionInterface()
