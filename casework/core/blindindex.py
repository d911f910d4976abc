"""Keyed blind index: equality lookups over values that are encrypted at rest.

A token is HMAC-SHA-256 over a normalised value, under a key derived for one *purpose* (one
column or kind of key) from ``BLIND_INDEX_KEY``, truncated. Equal normalised values under the
same purpose give equal tokens; nothing else about the value can be read from a token without
the key, and tokens of different purposes cannot be compared with each other.
"""

from __future__ import annotations

import hashlib
import hmac

from flask import current_app

TOKEN_BYTES = 16  # 128 bits: collisions stay negligible, the token column stays small
TOKEN_LEN = TOKEN_BYTES * 2  # hex characters


def purpose_key(master: str | bytes, purpose: str) -> bytes:
    """A key for one purpose (HKDF-style extract-and-expand of the master key)."""
    master_bytes = master.encode() if isinstance(master, str) else master
    prk = hmac.new(b"casework-blind-index", master_bytes, hashlib.sha256).digest()
    return hmac.new(prk, purpose.encode() + b"\x01", hashlib.sha256).digest()


class BlindIndex:
    """Token maker for one master key; per-purpose keys are derived once and cached."""

    def __init__(self, master: str | bytes) -> None:
        if not master:
            raise ValueError("a blind index needs a key")
        self._master = master
        self._keys: dict[str, bytes] = {}

    def _key(self, purpose: str) -> bytes:
        key = self._keys.get(purpose)
        if key is None:
            key = self._keys[purpose] = purpose_key(self._master, purpose)
        return key

    def digest(self, purpose: str, value: str) -> bytes:
        """The token of an already normalised ``value`` for ``purpose``, as bytes."""
        return hmac.new(self._key(purpose), value.encode("utf-8"), hashlib.sha256).digest()[
            :TOKEN_BYTES
        ]

    def hasher(self, purpose: str) -> hmac.HMAC:
        """An HMAC-SHA-256 for ``purpose`` to feed in parts (``update``), for what is too
        large or too varied to normalise into one value (a request's body)."""
        return hmac.new(self._key(purpose), digestmod=hashlib.sha256)

    def token(self, purpose: str, value: str) -> str:
        """The token of an already normalised ``value`` for ``purpose`` (hexadecimal)."""
        return self.digest(purpose, value).hex()


def current_index() -> BlindIndex:
    """The blind index of the running application (its ``BLIND_INDEX_KEY``)."""
    ext = current_app.extensions
    index = ext.get("casework.blindindex")
    if index is None:
        index = ext["casework.blindindex"] = BlindIndex(current_app.config["BLIND_INDEX_KEY"])
    return index


def token(purpose: str, value: str) -> str:
    """A token for ``value`` under the running application's key."""
    return current_index().token(purpose, value)
