"""Database object, declarative base, naming convention and common column mixins."""

from __future__ import annotations

import os
import secrets
from collections.abc import Iterable, Iterator, Sequence
from datetime import UTC, datetime
from typing import Any, TypeVar

from flask_sqlalchemy import SQLAlchemy
from sqlalchemy import (
    ARRAY,
    ColumnElement,
    DateTime,
    ForeignKey,
    Integer,
    MetaData,
    String,
    TypeDecorator,
    any_,
    event,
    func,
    inspect,
    literal,
    select,
)
from sqlalchemy.engine import Connection, Engine, make_url
from sqlalchemy.orm import DeclarativeBase, Mapped, Session, declared_attr, mapped_column
from sqlalchemy.orm.attributes import get_history

from casework.core.types import SecretText

NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


T = TypeVar("T")

# Values in one IN (...) list of a look-up by id or key: well under every database's limit on
# bound parameters (SQLite's was 999; PostgreSQL's driver takes at most 65,535).
IN_CHUNK = 500


def in_chunks(items: Sequence[T], size: int | None = None) -> Iterator[Sequence[T]]:
    """``items`` ``size`` (``IN_CHUNK``) at a time: each slice fits one IN (...) list."""
    size = size or IN_CHUNK
    for start in range(0, len(items), size):
        yield items[start : start + size]


def among(column: Any, ids: Iterable[int]) -> ColumnElement[bool]:
    """``column IN (ids)`` for integer ids. On PostgreSQL, ``column = ANY(array)``: one
    parameter, not one per id, which halves what a list of hundreds costs to bind and plan."""
    ids = list(ids)
    if db.session.get_bind().dialect.name == "postgresql":
        return column == any_(literal(ids, ARRAY(Integer)))
    return column.in_(ids)


# Indexes the migrations create only where the database offers them (PostgreSQL's trigram
# index of references, when pg_trgm can be installed): the models leave them out, and
# comparing the models with the database ignores them.
OPTIONAL_INDEXES = frozenset({"ix_cases_reference_trgm"})
# PostgreSQL's alone, made by their migration and not declared by the models: GIN indexes over
# the full-text expressions the catalogue and UPR recommendations are searched by.
POSTGRESQL_INDEXES = frozenset(
    {"ix_provisions_fulltext", "ix_instruments_fulltext", "ix_upr_recommendations_fulltext"}
)

# SQLite's alone: the FTS5 tables (and their shadow tables, named after them) that the same
# texts are searched by there, made and kept in step by their migration's triggers.
SQLITE_SEARCH_TABLES = ("provisions_fts", "instruments_fts", "upr_recommendations_fts")


def compared_with_models(
    obj: Any, name: str | None, type_: str, reflected: bool, compare_to: Any
) -> bool:
    """Alembic's ``include_object``: everything but the optional and PostgreSQL-only indexes
    and SQLite's search tables."""
    if type_ == "table" and name and name.startswith(SQLITE_SEARCH_TABLES):
        return False
    return not (type_ == "index" and name in OPTIONAL_INDEXES | POSTGRESQL_INDEXES)


def distinct_values(column: Any) -> list[Any]:
    """The distinct values (not NULL) of an indexed column, in order, found by hopping through
    its index from one value to the next: one look-up per value, however many rows hold each.
    A plain DISTINCT reads every row, and neither SQLite nor PostgreSQL skips through an index
    by itself."""
    hops = select(func.min(column).label("value")).cte("hops", recursive=True)
    following = select(func.min(column)).where(column > hops.c.value).scalar_subquery()
    hops = hops.union_all(select(following).where(hops.c.value.is_not(None)))
    return list(db.session.scalars(select(hops.c.value).where(hops.c.value.is_not(None))))


def utcnow() -> datetime:
    """Current time, timezone-aware, in UTC."""
    return datetime.now(UTC)


def new_public_id() -> str:
    """An opaque, unguessable identifier for URLs (never a sequential id)."""
    return secrets.token_urlsafe(12)


def prepare_sqlite_file(uri: str) -> None:
    """Create a SQLite database file readable by its owner only (0600, folder 0700).

    SQLite gives its journal files the database file's mode, so they stay private too.
    """
    url = make_url(uri)
    if url.get_backend_name() != "sqlite" or url.database in (None, "", ":memory:"):
        return
    path = url.database
    folder = os.path.dirname(os.path.abspath(path))
    if not os.path.isdir(folder):
        os.makedirs(folder, mode=0o700)
    if not os.path.exists(path):
        os.close(os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600))
    elif os.stat(path).st_mode & 0o077:
        os.chmod(path, 0o600)


@event.listens_for(Engine, "connect")
def _sqlite_write_ahead_log(dbapi_connection: Any, record: Any) -> None:
    """On a SQLite file, the write-ahead log (kept in the file once set).

    Every case file and search writes its audit entry: with the rollback journal each of those
    commits synced twice and held readers off the file while it wrote; with the log a commit
    appends and syncs once (``synchronous`` stays FULL: a committed entry survives a power
    cut), and readers go on beside the one writer. The log lives beside the file
    (``-wal``, ``-shm``, with its mode); backups copy through SQLite's backup API, which
    includes it.
    """
    if type(dbapi_connection).__module__ != "sqlite3":
        return
    cursor = dbapi_connection.cursor()
    try:
        _seq, _name, file = cursor.execute("PRAGMA database_list").fetchone()
        if file:  # not an in-memory database
            cursor.execute("PRAGMA journal_mode=WAL")
    finally:
        cursor.close()


@event.listens_for(Engine, "connect")
def _sqlite_foreign_keys(dbapi_connection: Any, record: Any) -> None:
    """On SQLite, foreign keys enforced as PostgreSQL enforces them (SQLite's default is off,
    per connection): a row never points at one that does not exist. The migrations switch
    them off while they rebuild tables and check every key before they end (``migrations``)."""
    if type(dbapi_connection).__module__ != "sqlite3":
        return
    dbapi_connection.execute("PRAGMA foreign_keys=ON")


@event.listens_for(Engine, "savepoint")
def _sqlite_savepoint_inside_a_transaction(conn: Connection, name: str) -> None:
    """On SQLite, open the transaction before a SAVEPOINT.

    Python's sqlite3 driver sends BEGIN only before the first INSERT/UPDATE/DELETE. A SAVEPOINT
    sent before that starts a transaction of its own, and its RELEASE commits it: the work of
    the request up to there would be saved even if the request then failed (a case without
    its people and audit entries). BEGIN first, and the savepoint nests in the request's
    transaction, which commits or rolls back as a whole.
    """
    if conn.dialect.name != "sqlite":
        return
    raw = conn.connection.dbapi_connection
    if raw is not None and not raw.in_transaction:
        raw.execute("BEGIN")


class UTCDateTime(TypeDecorator[datetime]):
    """A timestamp stored in UTC and always read back timezone-aware (SQLite drops the zone)."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: Any, dialect: Any) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given to a UTC column")
        return value.astimezone(UTC)

    def process_result_value(self, value: Any, dialect: Any) -> datetime | None:
        if value is None:
            return None
        return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING_CONVENTION)


db = SQLAlchemy(model_class=Base)


class PublicIdMixin:
    """An opaque identifier used in URLs instead of the primary key."""

    public_id: Mapped[str] = mapped_column(
        String(24), unique=True, default=new_public_id, nullable=False
    )


class TimestampMixin:
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, nullable=False)
    updated_at: Mapped[datetime] = mapped_column(
        UTCDateTime, default=utcnow, onupdate=utcnow, nullable=False
    )


class VersionedMixin:
    """Optimistic locking: a stale UPDATE fails instead of overwriting someone else's edit."""

    version: Mapped[int] = mapped_column(Integer, nullable=False, default=1)

    @declared_attr.directive
    def __mapper_args__(cls) -> dict[str, Any]:  # noqa: N805
        return {"version_id_col": cls.version}


@event.listens_for(Session, "before_flush")
def _links_changed_are_changes(session: Session, flush_context: Any, instances: Any) -> None:
    """A record whose links alone changed (many-to-many: an event's agencies or sources, a
    legal link's sources, an action's cases, each edited in the record's own form) is a
    changed record: it is touched, so its row is updated and its version moves. Optimistic
    locking counts only the row's own UPDATE: without this, a form loaded before such a change
    saved over it, undoing it without a conflict. Child rows (a case's people, its team) are
    records of their own and leave their parent's version alone."""
    for obj in session.dirty:
        if not (isinstance(obj, VersionedMixin) and isinstance(obj, TimestampMixin)):
            continue
        if session.is_modified(obj, include_collections=False):
            continue  # its row is updated anyway
        mapper = inspect(obj).mapper
        if any(
            rel.secondary is not None and get_history(obj, rel.key).has_changes()
            for rel in mapper.relationships
        ):
            obj.updated_at = utcnow()


class HiddenMixin:
    """Nothing is deleted: a record is hidden with who, when and why, and can be restored."""

    hidden_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    hidden_reason: Mapped[str | None] = mapped_column(SecretText)

    @declared_attr
    def hidden_by_id(cls) -> Mapped[int | None]:  # noqa: N805
        return mapped_column(ForeignKey("users.id"))

    @property
    def is_hidden(self) -> bool:
        return self.hidden_at is not None
