"""Keyset pagination: "the rows after this one" instead of OFFSET, so that a deep page costs what
the first one does.

A list is sorted by ``keys``: (SQL expression, descending?) pairs whose last one is unique (the
primary key). A page after (or before) a row is the rows whose keys come after (before) that
row's keys, found with the index of the leading key. The cursor a page hands out is opaque and
signed: it names the sort, the direction and the row's primary key only; the row's key values are
read again from the database when the cursor comes back, so a cursor carries no data at all.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any, TypeVar

from itsdangerous import BadSignature, URLSafeSerializer
from sqlalchemy import ColumnElement, CompoundSelect, Select, and_, or_, select, union

from casework.core.db import db
from casework.core.i18n import N_

Key = tuple[Any, bool]  # (SQL expression, descending?)
T = TypeVar("T")

# Shown when a list starts again from the top instead of at its cursor.
STALE_CURSOR = N_(
    "That page of the list is no longer available (the list changed, or the link was altered): "
    "here is the list from the top."
)


class BadCursor(Exception):
    """A cursor that was not made by this list (tampered with, or for another sort)."""


def _serializer(secret: str | bytes, salt: str) -> URLSafeSerializer:
    return URLSafeSerializer(secret, salt=salt)


def make_cursor(secret: str | bytes, salt: str, sort: str, row_id: int, *, before: bool) -> str:
    """An opaque, signed cursor: the page after (or ``before``) the row ``row_id``."""
    return _serializer(secret, salt).dumps([sort, int(row_id), "b" if before else "a"])


def read_cursor(secret: str | bytes, salt: str, cursor: str) -> tuple[str, int, bool]:
    """(sort, row id, before?) of a cursor made by :func:`make_cursor`, or BadCursor."""
    try:
        sort, row_id, way = _serializer(secret, salt).loads(cursor)
    except (BadSignature, TypeError, ValueError) as exc:
        raise BadCursor("not a cursor of this list") from exc
    if not isinstance(sort, str) or not isinstance(row_id, int) or way not in ("a", "b"):
        raise BadCursor("not a cursor of this list")
    return sort, row_id, way == "b"


def order_by(keys: Sequence[Key], *, reverse: bool = False) -> list[Any]:
    """The ORDER BY of ``keys`` (``reverse``: the other way round, to walk backwards)."""
    return [expr.asc() if desc == reverse else expr.desc() for expr, desc in keys]


def after(keys: Sequence[Key], values: Sequence[Any], *, reverse: bool = False) -> ColumnElement:
    """A WHERE clause keeping the rows that come after ``values`` in the order of ``keys``
    (``reverse``: before them). Keys must not be NULL (sort on a COALESCE otherwise)."""
    parts = []
    for i, (expr, desc) in enumerate(keys):
        later = expr < values[i] if desc != reverse else expr > values[i]
        parts.append(and_(*[keys[j][0] == values[j] for j in range(i)], later))
    lead, desc = keys[0]
    # The leading key's bound, stated alone, lets the database seek its index to the page.
    bound = lead <= values[0] if desc != reverse else lead >= values[0]
    return and_(bound, or_(*parts))


def firsts_of_parts(
    parts: Sequence[Select],
    keys: Sequence[Key],
    limit: int,
    *,
    beyond: ColumnElement[bool] | None = None,
    reverse: bool = False,
    whole: Sequence[Select] = (),
) -> Select | CompoundSelect:
    """The ids of the first ``limit`` rows of each of ``parts`` (selects of the primary key
    alone, each with its own conditions) in the order of ``keys`` (``reverse``: the other way
    round), and every row of ``whole`` (parts small whatever the table holds, such as a user's
    own teams' rows: read from their own list, not in the list's order), after ``beyond`` when
    given. For a list whose rows are the union of parts that no one index serves in the list's
    order: each part walks its own and stops at ``limit``, so the list reads no more than its
    page of each, however many rows the parts hold."""
    firsts = []
    for part, walked in [(p, True) for p in parts] + [(p, False) for p in whole]:
        if beyond is not None:
            part = part.where(beyond)
        if walked:
            part = part.order_by(*order_by(keys, reverse=reverse)).limit(limit)
        first = part.subquery()
        firsts.append(select(*first.c))
    return firsts[0] if len(firsts) == 1 else union(*firsts)


def page(
    query: Select,
    *,
    id_column: Any,
    keys: Sequence[Key],
    sort: str,
    cursor: str,
    secret: str | bytes,
    salt: str,
    size: int,
    visible: ColumnElement[bool],
    parts: Sequence[Select] = (),
    whole: Sequence[Select] = (),
) -> tuple[list[Any], str | None, str | None]:
    """One page of ``query`` (which selects one entity) in the order of ``keys``, after (or
    before) the cursor's row: (rows, cursor of the previous page, cursor of the next page).
    With ``parts`` or ``whole`` (``firsts_of_parts``), ``query`` reads only the page's rows of
    each part, by id: the list's conditions are the parts' (``query`` needs none of them).

    The cursor's row is read again under ``visible`` (the policy's clause of the list), so a
    cursor names nothing the user may not see. Raises BadCursor for a cursor of another list or
    sort, or one whose row has gone.
    """
    before = False
    beyond = None
    if cursor:
        cursor_sort, row_id, before = read_cursor(secret, salt, cursor)
        if cursor_sort != sort:
            raise BadCursor("a cursor of another sort")
        anchor = db.session.execute(
            select(*[expr for expr, _ in keys]).where(id_column == row_id, visible)
        ).first()
        if anchor is None:
            raise BadCursor("the cursor's row is not in the list")
        beyond = after(keys, list(anchor), reverse=before)
    if parts or whole:
        # Only the first rows of each part, read by id (the parts are past the cursor already).
        firsts = firsts_of_parts(parts, keys, size + 1, beyond=beyond, reverse=before, whole=whole)
        query = query.where(id_column.in_(firsts))
    elif beyond is not None:
        query = query.where(beyond)
    rows = list(db.session.scalars(query.order_by(*order_by(keys, reverse=before)).limit(size + 1)))
    more = len(rows) > size
    rows = rows[:size]
    if before:
        rows.reverse()
    if not rows:
        if cursor:
            raise BadCursor("nothing left after the cursor's row")
        return rows, None, None

    def link(row: Any, *, back: bool) -> str:
        return make_cursor(secret, salt, sort, row.id, before=back)

    has_prev = more if before else bool(cursor)
    has_next = True if before else more
    return (
        rows,
        link(rows[0], back=True) if has_prev else None,
        link(rows[-1], back=False) if has_next else None,
    )


def or_from_top(fetch: Callable[[str], T], cursor: str) -> tuple[T, str | None]:
    """``fetch(cursor)``, or, for a cursor that is not usable (altered, of another list or
    sort, its row gone), ``fetch("")`` with STALE_CURSOR as the notice to show: a page of a list
    starts again from the top rather than fail."""
    try:
        return fetch(cursor), None
    except BadCursor:
        return fetch(""), STALE_CURSOR
