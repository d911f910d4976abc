"""Sealing every ``SecretText`` column of every mapped table, bound to its row.

A column type does not see its row, so the ORM does the work (no code per column or table):

- **insert**: the primary key is only known once the row exists, so ``before_insert`` writes a
  placeholder and ``after_insert`` seals the values under the new key in one UPDATE of that
  row, inside the same flush and transaction: plaintext never reaches the database;
- **update**: ``before_update`` seals the changed values in place of the plaintext;
- after either, the object gets its plaintext back (``set_committed_value``) so the request
  goes on with readable values and no pending change;
- **load / refresh**: sealed values are opened as soon as a row becomes an object.

Any failure raises (``casework.core.crypto.CryptoError``): the flush and its transaction fail,
a page shows the generic error page. SQL that filters, sorts or groups on an encrypted column is
refused before it runs, since over ciphertext it would quietly give wrong answers.

Helpers at the end seal or open existing rows and upload files for migrations, which work on
tables, not ORM classes. Marking an existing column ``SecretText`` takes a migration that makes
it TEXT (ciphertext is longer than the text) and calls ``seal_columns`` on it, with
``open_columns`` in its downgrade (see the encryption-at-rest revision).
"""

from __future__ import annotations

import os
import tempfile
from collections.abc import Collection, Iterable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from sqlalchemy import (
    Column,
    Connection,
    Delete,
    Select,
    Text,
    Update,
    bindparam,
    column,
    event,
    inspect,
    select,
    table,
)
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.orm import Mapper, Session, configure_mappers, object_session
from sqlalchemy.orm.attributes import instance_state, set_committed_value
from sqlalchemy.sql import operators
from sqlalchemy.sql.elements import BinaryExpression

from casework.core import sealedfiles
from casework.core.crypto import (
    CryptoError,
    DecryptionFailed,
    EncryptedColumnInSQL,
    PlaintextRefused,
    Sealed,
    is_sealed_text,
    open_sealed,
    seal,
    value_context,
)
from casework.core.db import db
from casework.core.keyring import Keyring, keyring
from casework.core.types import SecretText

_PENDING = Sealed("cw1:pending")  # only ever seen inside the inserting transaction
_PLAIN = "casework.plaintext"
_SEALED_EARLY = "casework.sealed_early"
_FLUSH_KEY = "casework.data_key"
_UNOPENED = "casework.unopened"
_secret_attrs: dict[Mapper, tuple[tuple[str, str], ...]] = {}


def secret_attributes(mapper: Mapper) -> tuple[tuple[str, str], ...]:
    """(attribute, column name) of each SecretText column of ``mapper``'s table."""
    found = _secret_attrs.get(mapper)
    if found is None:
        found = tuple(
            (prop.key, col.name)
            for prop in mapper.column_attrs
            for col in prop.columns
            if isinstance(col, Column)
            and isinstance(col.type, SecretText)
            and col.table is mapper.local_table
        )
        _secret_attrs[mapper] = found
    return found


def _row_id(mapper: Mapper, target: Any) -> Any:
    state = inspect(target)
    pk_attr = mapper.get_property_by_column(mapper.primary_key[0]).key
    row_id = state.dict.get(pk_attr)
    if row_id is None and state.identity is not None:
        # A persistent row expired by a commit: its identity keeps the key (no load in a flush).
        row_id = state.identity[0]
    if row_id is None:
        raise CryptoError("an encrypted value needs its row's primary key")
    return row_id


def _context(mapper: Mapper, column_name: str, row_id: Any, key_id: str) -> bytes:
    return value_context(mapper.local_table.name, column_name, row_id, key_id)


def _flush_key(session: Session | None, conn: Connection) -> tuple[str, bytes]:
    if session is None:
        return keyring().active_key(conn)
    key = session.info.get(_FLUSH_KEY)
    if key is None:
        key = session.info[_FLUSH_KEY] = keyring().active_key(conn)
    return key


def _secret_type(mapper: Mapper, column_name: str) -> SecretText:
    return mapper.local_table.c[column_name].type


def _sealed(value: Any, mapper: Mapper, column_name: str, row_id: Any, key: tuple[str, bytes]):
    try:
        plaintext = _secret_type(mapper, column_name).plaintext(value)
    except PlaintextRefused as exc:
        raise PlaintextRefused(f"{mapper.local_table.name}.{column_name}: {exc}") from None
    key_id, data_key = key
    return seal(
        plaintext,
        key_id=key_id,
        data_key=data_key,
        context=_context(mapper, column_name, row_id, key_id),
    )


@event.listens_for(Session, "before_flush")
def _fresh_key_per_flush(session: Session, flush_context: Any, instances: Any) -> None:
    session.info.pop(_FLUSH_KEY, None)


@event.listens_for(Mapper, "before_insert")
def _hold_back_plaintext(mapper: Mapper, conn: Connection, target: Any) -> None:
    attrs = secret_attributes(mapper)
    if not attrs:
        return
    state = inspect(target)
    pk_attr = mapper.get_property_by_column(mapper.primary_key[0]).key
    if state.dict.get(pk_attr) is not None:
        # The row id is known already (reserved by a bulk writer): seal now, in the INSERT
        # itself, instead of a placeholder and an UPDATE after it.
        _seal_before_write(mapper, conn, target, state)
        return
    pending = {}
    for attr, _col in attrs:
        value = state.dict.get(attr)
        if value is not None:
            pending[attr] = value
            setattr(target, attr, _PENDING)
    if pending:
        state.info[_PLAIN] = pending


def _seal_before_write(mapper: Mapper, conn: Connection, target: Any, state: Any) -> None:
    pending = {}
    for attr, _col in secret_attributes(mapper):
        value = state.dict.get(attr)
        if value is not None and not isinstance(value, Sealed):
            pending[attr] = value
    if not pending:
        return
    row_id = _row_id(mapper, target)
    key = _flush_key(state.session, conn)
    for attr, col in secret_attributes(mapper):
        if attr in pending:
            setattr(target, attr, _sealed(pending[attr], mapper, col, row_id, key))
    state.info[_SEALED_EARLY] = pending  # restored as the committed values after the write


@event.listens_for(Mapper, "after_insert")
def _seal_inserted(mapper: Mapper, conn: Connection, target: Any) -> None:
    state = inspect(target)
    for attr, plain in state.info.pop(_SEALED_EARLY, {}).items():
        set_committed_value(target, attr, plain)
    pending = state.info.pop(_PLAIN, None)
    if not pending:
        return
    row_id = _row_id(mapper, target)
    key = _flush_key(state.session, conn)
    local = mapper.local_table
    values: dict[str, Any] = {}
    for attr, col in secret_attributes(mapper):
        if attr in pending:
            values[col] = _sealed(pending[attr], mapper, col, row_id, key)
    # Keep timestamps such as updated_at as inserted: this UPDATE is part of the insert.
    for col in local.columns:
        if col.onupdate is not None:
            values[col.name] = state.dict.get(mapper.get_property_by_column(col).key)
    conn.execute(local.update().where(mapper.primary_key[0] == row_id).values(values))
    for attr, plain in pending.items():
        set_committed_value(target, attr, plain)


@event.listens_for(Mapper, "before_update")
def _seal_updated(mapper: Mapper, conn: Connection, target: Any) -> None:
    attrs = secret_attributes(mapper)
    if not attrs:
        return
    state = inspect(target)
    pending = {}
    for attr, _col in attrs:
        value = state.dict.get(attr)
        if value is not None and state.attrs[attr].history.has_changes():
            pending[attr] = value
    if not pending:
        return
    row_id = _row_id(mapper, target)
    key = _flush_key(state.session, conn)
    for attr, col in attrs:
        if attr in pending:
            setattr(target, attr, _sealed(pending[attr], mapper, col, row_id, key))
    state.info[_PLAIN] = pending


@event.listens_for(Mapper, "after_update")
def _restore_updated(mapper: Mapper, conn: Connection, target: Any) -> None:
    pending = inspect(target).info.pop(_PLAIN, None)
    for attr, plain in (pending or {}).items():
        set_committed_value(target, attr, plain)


def _open_loaded(target: Any, session: Session, only: Collection[str] | None = None) -> None:
    # Runs for every row loaded: rows of tables without an encrypted column leave at once.
    # ``only``: the attributes a refresh loaded. Others are left as they are: a value being
    # written is sealed in place during the flush, and must not be taken for a loaded one.
    state = instance_state(target)
    mapper = state.mapper
    attrs = secret_attributes(mapper)
    if not attrs:
        return
    # The values loaded, looked at only where there is one: a list that reads a few plain
    # columns (references) pays nothing for each sealed column it left unread.
    loaded = state.dict
    sealed = [
        (attr, col, loaded[attr])
        for attr, col in attrs
        if attr in loaded and (only is None or attr in only) and isinstance(loaded[attr], Sealed)
    ]
    if not sealed:
        return
    ring = keyring()
    row_id = state.identity[0] if state.identity else _row_id(mapper, target)
    table_name = mapper.local_table.name
    for attr, col, value in sealed:
        plaintext = _open(ring, session, table_name, col, row_id, value)
        set_committed_value(target, attr, _secret_type(mapper, col).from_plaintext(plaintext))


def _open(
    ring: Keyring, session: Session, table_name: str, col: str, row_id: Any, value: Sealed
) -> str:
    try:
        key_id = value.key_id
        # The session's connection only for a key not yet unwrapped: asking for it costs as
        # much as decrypting, for every row of a list.
        key = ring.known(key_id) or ring.data_key(session.connection(), key_id)
        return open_sealed(
            value, data_key=key, context=value_context(table_name, col, row_id, key_id)
        )
    except DecryptionFailed as exc:
        # Where, never what: table, column and row id are not identifying.
        raise DecryptionFailed(f"{table_name}.{col} of row {row_id}: {exc}") from exc


def open_selected(session: Session, attribute: Any, row_id: Any, value: Sealed | None) -> Any:
    """The plaintext of ``value``, selected as a bare column (``attribute``, an encrypted
    mapped column) of the row ``row_id`` rather than loaded into an object.

    For long lists that only read a value or two of each row (the candidates of a name
    search): no object is built per row, and the value is bound to its table, column and row
    as every sealed value is. Any failure raises, as on load.
    """
    return open_selected_all(session, attribute, [(row_id, value)])[0]


def open_selected_all(
    session: Session, attribute: Any, values: Iterable[tuple[Any, Sealed | None]]
) -> list[Any]:
    """``open_selected`` of many values of one column, each with its row id (the names of a
    search's candidates): the column and the keyring are looked up once, not for each value."""
    col = attribute.property.columns[0]
    secret = col.type if isinstance(col.type, SecretText) else None
    ring = keyring()
    table_name, column_name = col.table.name, col.name
    opened = []
    for row_id, value in values:
        if value is None:
            opened.append(None)
            continue
        if secret is None or not isinstance(value, Sealed):
            raise CryptoError(f"{table_name}.{column_name} is not a sealed value")
        plaintext = _open(ring, session, table_name, column_name, row_id, value)
        opened.append(secret.from_plaintext(plaintext))
    return opened


@event.listens_for(Mapper, "load")
def _open_on_load(target: Any, context: Any) -> None:
    unopened = context.session.info.get(_UNOPENED)
    if unopened is not None:
        unopened.append(target)
        return
    _open_loaded(target, context.session)


@contextmanager
def left_sealed(session: Session) -> Iterator[list[Any]]:
    """Objects loaded inside the block keep their values sealed; the list yielded collects them.

    For a load that is checked before it is used (the loader: may this user see this row?): a
    row the user may not see is never decrypted. Once the check passes, ``open_objects`` opens
    them; on a refusal, ``session.expunge`` them, so no query of the request meets them sealed.
    Blocks do not nest (the loader runs one at a time).
    """
    if _UNOPENED in session.info:
        raise RuntimeError("left_sealed blocks do not nest")
    unopened: list[Any] = []
    session.info[_UNOPENED] = unopened
    try:
        yield unopened
    finally:
        del session.info[_UNOPENED]


def open_objects(session: Session, objects: Iterable[Any]) -> None:
    """Open the sealed values of objects loaded inside ``left_sealed``."""
    for target in objects:
        _open_loaded(target, session)


def expire_sealed(session: Session, objects: Iterable[Any]) -> None:
    """Forget the sealed values of objects loaded inside ``left_sealed`` instead of opening
    them: one that is read later is loaded again (one SELECT of its encrypted columns) and
    opened then, and one that is not is never decrypted."""
    for target in objects:
        state = instance_state(target)
        sealed = [
            attr
            for attr, _col in secret_attributes(state.mapper)
            if isinstance(state.dict.get(attr), Sealed)
        ]
        if sealed:
            session.expire(target, sealed)


@event.listens_for(Mapper, "refresh")
def _open_on_refresh(target: Any, context: Any, attrs: Any) -> None:
    # A refresh after a flush (the version counter, server defaults) comes without a context.
    session = context.session if context is not None else object_session(target)
    if session is not None:
        _open_loaded(target, session, attrs)


# --- no SQL over encrypted columns ---------------------------------------------------------


def _secret_columns_in(clause: Any) -> Iterable[Column]:
    stack = [clause]
    while stack:
        element = stack.pop()
        if element is None:
            continue
        # IS NULL / IS NOT NULL work on ciphertext and reveal no more than the row does.
        if isinstance(element, BinaryExpression) and element.operator in (
            operators.is_,
            operators.is_not,
        ):
            continue
        if isinstance(element, Column) and isinstance(element.type, SecretText):
            yield element
        stack.extend(element.get_children())


def _refuse_sql_over_secrets(statement: Select | Update | Delete) -> None:
    """Comparing, sorting or grouping on ciphertext gives wrong answers silently: refuse it.

    Writing plain text is refused by the type itself; this catches ORDER BY, GROUP BY and
    comparisons through SQL functions (``lower(name) = ...``), which never bind a value.
    """
    if isinstance(statement, Select):
        clauses = (
            statement.whereclause,
            *statement._order_by_clauses,
            *statement._group_by_clauses,
            *statement._having_criteria,
        )
    else:
        clauses = (statement.whereclause,)
    for clause in clauses:
        for col in _secret_columns_in(clause):
            raise EncryptedColumnInSQL(
                f"{col.table.name}.{col.name} is encrypted: filter, sort or group it in "
                "Python over the rows already loaded, not in SQL"
            )


# Checked as a statement is compiled, before any value is bound: SQLAlchemy compiles a
# statement once per shape and reuses the SQL whatever the values, so each shape is looked
# over once rather than at every execution of every query of every page.
@compiles(Select)
def _compile_select(element: Select, compiler: Any, **kw: Any) -> str:
    _refuse_sql_over_secrets(element)
    return compiler.visit_select(element, **kw)


@compiles(Update)
def _compile_update(element: Update, compiler: Any, **kw: Any) -> str:
    _refuse_sql_over_secrets(element)
    return compiler.visit_update(element, **kw)


@compiles(Delete)
def _compile_delete(element: Delete, compiler: Any, **kw: Any) -> str:
    _refuse_sql_over_secrets(element)
    return compiler.visit_delete(element, **kw)


def check_secret_tables() -> None:
    """Every table with a SecretText column is mapped with a one-column primary key."""
    configure_mappers()
    mapped = {}
    for mapper in db.Model.registry.mappers:
        if secret_attributes(mapper):
            if len(mapper.primary_key) != 1:
                raise CryptoError(
                    f"{mapper.local_table.name} has encrypted columns and a composite primary key"
                )
            mapped[mapper.local_table.name] = mapper
    for name, tbl in db.metadata.tables.items():
        if name not in mapped and any(isinstance(c.type, SecretText) for c in tbl.columns):
            raise CryptoError(f"{name} has encrypted columns but no mapped class")


# --- existing rows and files (migrations and CLI) -------------------------------------------


def seal_columns(conn: Connection, ring: Keyring, columns: Iterable[tuple[str, str, str]]) -> int:
    """Seal the plaintext values of ``(table, primary key, column)`` in place; returns how many.

    Values already sealed are left alone, so an interrupted run can be started again.
    """
    key = ring.active_key(conn)
    count = 0
    for table_name, pk_name, col_name in columns:
        t = table(table_name, column(pk_name), column(col_name, Text))
        rows = conn.execute(select(t.c[pk_name], t.c[col_name]).where(t.c[col_name].is_not(None)))
        params = [
            {"_pk": pk, "_value": ring.seal_value(key, table_name, col_name, pk, text).text}
            for pk, text in rows.all()
            if not is_sealed_text(text)
        ]
        if params:
            conn.execute(
                t.update()
                .where(t.c[pk_name] == bindparam("_pk"))
                .values({col_name: bindparam("_value")}),
                params,
            )
        count += len(params)
    return count


def open_columns(conn: Connection, ring: Keyring, columns: Iterable[tuple[str, str, str]]) -> int:
    """Decrypt sealed values of ``(table, primary key, column)`` back to plaintext in place."""
    count = 0
    for table_name, pk_name, col_name in columns:
        t = table(table_name, column(pk_name), column(col_name, Text))
        rows = conn.execute(select(t.c[pk_name], t.c[col_name]).where(t.c[col_name].is_not(None)))
        params = [
            {"_pk": pk, "_value": ring.open_value(conn, Sealed(text), table_name, col_name, pk)}
            for pk, text in rows.all()
            if is_sealed_text(text)
        ]
        if params:
            conn.execute(
                t.update()
                .where(t.c[pk_name] == bindparam("_pk"))
                .values({col_name: bindparam("_value")}),
                params,
            )
        count += len(params)
    return count


def _replace_atomically(path: Path, write: Any) -> None:
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=".rewrite-")
    try:
        with os.fdopen(fd, "wb") as out:
            write(out)
            out.flush()
            os.fsync(out.fileno())
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def seal_file_in_place(path: Path, key: tuple[str, bytes], binding: str) -> bool:
    """Encrypt a plaintext file where it lies (atomically); False if it was already sealed."""
    if sealedfiles.is_sealed_file(path):
        return False
    key_id, data_key = key

    def write(out: Any) -> None:
        with open(path, "rb") as source:
            sealedfiles.seal_file(source, out, key_id=key_id, data_key=data_key, binding=binding)

    _replace_atomically(path, write)
    return True


def open_file_in_place(path: Path, conn: Connection, ring: Keyring, binding: str) -> bool:
    """Decrypt a sealed file where it lies (atomically); False if it was plaintext already."""
    if not sealedfiles.is_sealed_file(path):
        return False

    def lookup(key_id: str) -> bytes:
        return ring.data_key(conn, key_id)

    sealedfiles.verify(path, lookup, binding)

    def write(out: Any) -> None:
        for chunk in sealedfiles.iter_plaintext(path, lookup, binding):
            out.write(chunk)

    _replace_atomically(path, write)
    return True
