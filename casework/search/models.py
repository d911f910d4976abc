"""The keyed token index of free text: one row per distinct search term of each record."""

from __future__ import annotations

from sqlalchemy import ForeignKey, Index, Integer, LargeBinary, String
from sqlalchemy.orm import Mapped, mapped_column

from casework.core.db import db

TOKEN_BYTES = 16


class SearchToken(db.Model):
    """A keyed HMAC of one stemmed word of a record (never the word): see casework.search.index."""

    __tablename__ = "search_tokens"
    __table_args__ = (
        # A search's window reads each token's newest records from this index alone.
        Index("ix_search_tokens_token_case_record", "token", "case_id", "record_kind", "record_id"),
        Index("ix_search_tokens_record", "record_kind", "record_id"),
        Index("ix_search_tokens_case", "case_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    token: Mapped[bytes] = mapped_column(LargeBinary(TOKEN_BYTES), nullable=False)
    # Which table the record is in ("case", "event", ...; see casework.search.index.KINDS).
    record_kind: Mapped[str] = mapped_column(String(16), nullable=False)
    record_id: Mapped[int] = mapped_column(Integer, nullable=False)
    case_id: Mapped[int] = mapped_column(ForeignKey("cases.id"), nullable=False)
