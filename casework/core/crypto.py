"""AES-256-GCM envelope encryption: master keys, wrapped data keys and sealed values.

Three layers of keys:

- the **master key** (32 bytes) lives outside the database (``CASEWORK_MASTER_KEY`` or a key
  file readable by its owner only). It only wraps data keys. Its *id* is a fingerprint
  (HMAC-SHA-256 of a fixed label, 16 hex characters) that names the key without revealing it;
- **data keys** (32 random bytes each) are stored in the ``data_keys`` table wrapped by the
  master key: ``nonce(12) || AES-256-GCM(master key, data key, AD = "casework/data-key/v1" 0x00
  key id)``. Re-wrapping them under a new master key (``flask keys rotate``) leaves every value
  as it is;
- every sealed value or file has its **own key**, derived from a data key with HKDF-SHA-256 over
  the value's context, so no two records share an AES key.

Format of a sealed value (text, stored in a ``SecretText`` column)::

    cw1:<key id>:<base64url(nonce(12) || ciphertext || tag(16)), unpadded>

- ``cw1`` is the format version: a later format gets a new prefix and both stay readable;
- ``key id`` names the data key in ``data_keys`` (12 hex characters);
- the context is ``"casework/v1" 0x00 table 0x00 column 0x00 row id 0x00 key id``; it is both the
  HKDF ``info`` and the GCM associated data, so a value copied to another row, column or table,
  or relabelled with another key id, fails authentication.

Nothing here falls back to plaintext: a malformed value, an unknown key, a wrong master key or a
failed tag raises a ``CryptoError``.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import os
import re
from dataclasses import dataclass
from functools import lru_cache

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.hkdf import HKDF, HKDFExpand

KEY_BYTES = 32
NONCE_BYTES = 12
VALUE_PREFIX = "cw1"
_VALUE_RE = re.compile(r"^cw1:([0-9a-f]{12}):([A-Za-z0-9_-]+)$")
_WRAP_LABEL = b"casework/data-key/v1\x00"
_CONTEXT_LABEL = b"casework/v1\x00"


class CryptoError(Exception):
    """Encryption or decryption failed; nothing is returned in its place."""

    message_is_safe = True  # names a table, a column and a row, or a key id: never a value


class KeyFormatError(CryptoError, ValueError):
    """A master key that is not 32 bytes written as hex or base64."""


class MasterKeyMismatch(CryptoError):
    """A data key is wrapped by a master key that was not given."""


class DecryptionFailed(CryptoError):
    """A sealed value or file is malformed, was moved, or was tampered with."""


class PlaintextRefused(CryptoError):
    """Plain text reached an encrypted column without being sealed first."""


class EncryptedColumnInSQL(CryptoError):
    """A query filters, sorts or groups on an encrypted column, which would silently misfire."""


def _b64encode(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


_FROM_URLSAFE = str.maketrans("-_", "+/")


def _b64decode(text: str) -> bytes:
    # ``base64.urlsafe_b64decode`` in one call: every sealed value read goes through here.
    return binascii.a2b_base64((text + "=" * (-len(text) % 4)).translate(_FROM_URLSAFE))


def new_key_text() -> str:
    """A fresh master key, as written into a key file or ``CASEWORK_MASTER_KEY``."""
    return _b64encode(os.urandom(KEY_BYTES))


@dataclass(frozen=True, repr=False)
class MasterKey:
    """The key-encryption key. ``repr`` shows its id, never the key."""

    key: bytes

    @classmethod
    def parse(cls, text: str) -> MasterKey:
        """32 bytes written as 64 hex characters or as (URL-safe or standard) base64."""
        text = (text or "").strip()
        raw: bytes | None = None
        if re.fullmatch(r"[0-9a-fA-F]{64}", text):
            raw = bytes.fromhex(text)
        elif re.fullmatch(r"[A-Za-z0-9_\-+/]{43}=?", text):
            try:
                raw = _b64decode(text.rstrip("=").replace("+", "-").replace("/", "_"))
            except (binascii.Error, ValueError):
                raw = None
        if raw is None or len(raw) != KEY_BYTES:
            raise KeyFormatError(
                "a master key is 32 random bytes written as 64 hex characters or 43 base64 "
                "characters (generate one with `flask --app casework keys generate`)"
            )
        return cls(raw)

    @property
    def id(self) -> str:
        return hmac.new(self.key, b"casework master key id", hashlib.sha256).hexdigest()[:16]

    def __repr__(self) -> str:
        return f"<MasterKey {self.id}>"

    def wrap(self, key_id: str, data_key: bytes) -> bytes:
        nonce = os.urandom(NONCE_BYTES)
        return nonce + AESGCM(self.key).encrypt(nonce, data_key, _WRAP_LABEL + key_id.encode())

    def unwrap(self, key_id: str, wrapped: bytes) -> bytes:
        try:
            data_key = AESGCM(self.key).decrypt(
                wrapped[:NONCE_BYTES], wrapped[NONCE_BYTES:], _WRAP_LABEL + key_id.encode()
            )
        except (InvalidTag, ValueError) as exc:
            raise MasterKeyMismatch(
                f"data key {key_id} does not unwrap with master key {self.id}: "
                "the master key is wrong or the key row was altered"
            ) from exc
        if len(data_key) != KEY_BYTES:
            raise MasterKeyMismatch(f"data key {key_id} has the wrong length")
        return data_key


def new_data_key() -> tuple[str, bytes]:
    """A fresh data key and its id."""
    return os.urandom(6).hex(), os.urandom(KEY_BYTES)


def value_context(table: str, column: str, row_id: object, key_id: str) -> bytes:
    """What a sealed value is bound to (HKDF info and GCM associated data)."""
    parts = (table, column, str(row_id), key_id)
    if "\x00" in "".join(parts):
        raise CryptoError("a context part contains a NUL character")
    return _CONTEXT_LABEL + "\x00".join(parts).encode()


# Data keys whose HKDF extract step is kept: a process meets a few (one active, the retired
# ones of older values), and a list or a document opens hundreds of values with each.
DATA_KEYS_KEPT = 64


@lru_cache(maxsize=DATA_KEYS_KEPT)
def _pseudorandom_key(data_key: bytes) -> bytes:
    """HKDF's extract step (no salt) of a data key: the same for every value of that key."""
    return HKDF.extract(hashes.SHA256(), None, data_key)


def derive_key(data_key: bytes, context: bytes) -> bytes:
    """The per-record key for ``context`` (HKDF-SHA-256, RFC 5869): the data key's extract step
    once (``_pseudorandom_key``), then the expand step over the context for each value."""
    return HKDFExpand(algorithm=hashes.SHA256(), length=KEY_BYTES, info=context).derive(
        _pseudorandom_key(data_key)
    )


class Sealed:
    """A value as read from an encrypted column, not yet opened.

    Deliberately not a ``str``: rendering or concatenating one before it was decrypted raises
    instead of showing ciphertext.
    """

    __slots__ = ("text",)

    def __init__(self, text: str) -> None:
        self.text = text

    def __str__(self) -> str:
        raise DecryptionFailed("an encrypted value was used before it was decrypted")

    def __repr__(self) -> str:
        return "<Sealed>"

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Sealed) and other.text == self.text

    def __hash__(self) -> int:
        return hash(self.text)

    @property
    def key_id(self) -> str:
        match = _VALUE_RE.match(self.text)
        if not match:
            raise DecryptionFailed("not a sealed value")
        return match.group(1)


def is_sealed_text(text: str) -> bool:
    """Whether ``text`` has the shape of a sealed value (it is not decrypted here)."""
    return bool(_VALUE_RE.match(text))


def seal(plaintext: str, *, key_id: str, data_key: bytes, context: bytes) -> Sealed:
    """Encrypt ``plaintext`` bound to ``context`` (which must end with ``key_id``)."""
    if not isinstance(plaintext, str):
        raise PlaintextRefused(f"only text can be sealed, not {type(plaintext).__name__}")
    nonce = os.urandom(NONCE_BYTES)
    body = AESGCM(derive_key(data_key, context)).encrypt(nonce, plaintext.encode(), context)
    return Sealed(f"{VALUE_PREFIX}:{key_id}:{_b64encode(nonce + body)}")


def open_sealed(value: Sealed, *, data_key: bytes, context: bytes) -> str:
    """Decrypt ``value``; any failure raises DecryptionFailed."""
    match = _VALUE_RE.match(value.text)
    if not match:
        raise DecryptionFailed("not a sealed value")
    try:
        raw = _b64decode(match.group(2))
        if len(raw) < NONCE_BYTES + 16:
            raise ValueError("too short")
        plain = AESGCM(derive_key(data_key, context)).decrypt(
            raw[:NONCE_BYTES], raw[NONCE_BYTES:], context
        )
        return plain.decode()
    except (InvalidTag, ValueError, binascii.Error) as exc:
        raise DecryptionFailed("a sealed value failed authentication") from exc
