"""Which version of its rules each derived index was built with.

Keys derived from data (the name-matching keys) are computed by rules that change between
releases; a key built by older rules no longer finds what newer rules look for. Each index
records the version of the rules its stored keys were made with; ``flask seed`` (run by
``make migrate`` and ``make serve``) rebuilds an index whose version is behind its rules.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from casework.core.db import UTCDateTime, db, utcnow


class IndexVersion(db.Model):
    """The rules version an index's stored keys were built with."""

    __tablename__ = "index_versions"

    name: Mapped[str] = mapped_column(String(40), primary_key=True)
    version: Mapped[int] = mapped_column(Integer, nullable=False)
    updated_at: Mapped[datetime] = mapped_column(
        UTCDateTime, nullable=False, default=utcnow, onupdate=utcnow
    )


def built_with(name: str) -> int | None:
    """The rules version of the index ``name`` (None: never recorded)."""
    row = db.session.get(IndexVersion, name)
    return row.version if row is not None else None


def record(name: str, version: int) -> None:
    """The index ``name`` is now built with rules ``version``."""
    row = db.session.get(IndexVersion, name)
    if row is None:
        db.session.add(IndexVersion(name=name, version=version))
    else:
        row.version = version
    db.session.flush()
