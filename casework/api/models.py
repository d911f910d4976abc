"""Personal access tokens and the idempotency keys of API creates."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, Integer, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from casework.core.db import PublicIdMixin, UTCDateTime, db, utcnow
from casework.core.types import VocabType
from casework.core.vocab import Vocab

TOKEN_NAME_MAX_LEN = 80


class TokenScope(Vocab):
    READ = "read", "Read: look up cases and records"
    WRITE = "write", "Read and write: also create and change records"


class ApiToken(PublicIdMixin, db.Model):
    """A personal access token: acts with its user's role and case access, within its scope.

    Only a SHA-256 of the secret is stored (the secret has 256 random bits, so a slow hash adds
    nothing); the secret is shown once, when the token is created.
    """

    __tablename__ = "api_tokens"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), nullable=False, index=True)
    name: Mapped[str] = mapped_column(String(TOKEN_NAME_MAX_LEN), nullable=False)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True, nullable=False)
    # The first characters of the secret, so that its owner can tell tokens apart.
    prefix: Mapped[str] = mapped_column(String(12), nullable=False)
    scope: Mapped[TokenScope] = mapped_column(VocabType(TokenScope), nullable=False)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, nullable=False, default=utcnow)
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime, nullable=False)
    revoked_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    last_used_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    user = relationship("User")

    def __repr__(self) -> str:  # never the secret or its hash
        return f"<ApiToken {self.public_id}>"


class IdempotencyKey(db.Model):
    """A create made with an ``Idempotency-Key``: the same key again answers with the same object.

    Only the object's public id is kept (never a copy of the response, which may hold identifying
    data); the answer is rebuilt from the object.
    """

    __tablename__ = "api_idempotency_keys"
    __table_args__ = (UniqueConstraint("user_id", "key"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), nullable=False)
    key: Mapped[str] = mapped_column(String(100), nullable=False)
    # Which operation and which request body (SHA-256) the key was first used with.
    operation: Mapped[str] = mapped_column(String(60), nullable=False)
    request_hash: Mapped[str] = mapped_column(String(64), nullable=False)
    status: Mapped[int] = mapped_column(Integer, nullable=False)
    object_id: Mapped[str] = mapped_column(String(40), nullable=False)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, nullable=False, default=utcnow)
