"""Errors in logs and job records without the values they quote.

SQLAlchemy's ``hide_parameters`` keeps a statement's values out of its errors, but the database
server's own message may quote them: PostgreSQL's ``DETAIL: Key (email)=(...) already exists``,
``Failing row contains (...)``, ``invalid input syntax for type integer: "..."``. A traceback
logged (an unexpected error, a failed job) or kept by the job queue would carry them. Such an
error is told by its kind, SQLSTATE and the constraint, table and column it names, never by
its message.

Any other error is logged by its kind and where it was raised, its message withheld: a
library's may quote what it was given (openpyxl a cell of an imported file, ``int()`` a typed
text, a ``KeyError`` its key). An error class of the app's own whose messages name only
tables, columns and rows says so (``message_is_safe = True``) and keeps its message.
"""

from __future__ import annotations

import logging
import traceback
from collections.abc import Iterator
from typing import Any

from sqlalchemy.exc import DBAPIError, StatementError

_installed = False


def _chain(exc: BaseException | None) -> Iterator[BaseException]:
    seen: set[int] = set()
    while exc is not None and id(exc) not in seen:
        seen.add(id(exc))
        yield exc
        exc = exc.__cause__ or exc.__context__


def _driver_error(exc: BaseException) -> bool:
    module = type(exc).__module__ or ""
    return isinstance(exc, StatementError) or module.split(".")[0] in ("psycopg", "sqlite3")


def involves_database(exc: BaseException | None) -> bool:
    """Is ``exc``, or an exception it was raised from or during, a database error?"""
    return any(_driver_error(e) for e in _chain(exc))


def describe(exc: BaseException) -> str:
    """A database error by its kind, what the server names and the statement (never values):
    ``IntegrityError: SQLSTATE 23505, constraint users_email_key, table users [SQL: ...]``.
    SQLite's messages name tables and columns, never values: they are kept."""
    original = exc.orig if isinstance(exc, DBAPIError) and exc.orig is not None else exc
    parts = []
    if type(original).__module__.split(".")[0] == "sqlite3":
        parts.append(str(original))
    sqlstate = getattr(original, "sqlstate", None)
    if sqlstate:
        parts.append(f"SQLSTATE {sqlstate}")
    diag = getattr(original, "diag", None)
    for label in ("constraint", "table", "column"):
        name = getattr(diag, f"{label}_name", None) if diag is not None else None
        if name:
            parts.append(f"{label} {name}")
    told = f"{type(exc).__name__}: {', '.join(parts) or 'details withheld'}"
    # The statement as the code wrote it: its values are bound parameters, never in it.
    statement = getattr(exc, "statement", None)
    return f"{told} [SQL: {statement}]" if statement else told


def _told(link: BaseException) -> str:
    if _driver_error(link):
        return describe(link) + "\n"
    if getattr(link, "message_is_safe", False):
        return "".join(traceback.format_exception_only(type(link), link))
    kind = type(link)
    name = (
        kind.__qualname__
        if kind.__module__ == "builtins"
        else f"{kind.__module__}.{kind.__qualname__}"
    )
    return f"{name} (message withheld: it may quote what a user typed or a file held)\n"


def scrubbed_traceback(exc: BaseException) -> str:
    """``exc``'s traceback, each error in its chain told by its kind only (a database error by
    ``describe``, one whose message is safe with it)."""
    lines: list[str] = []
    for link in reversed(list(_chain(exc))):
        if lines:
            lines.append("\nDuring the handling of the error above, another occurred:\n\n")
        lines += traceback.format_tb(link.__traceback__)
        lines.append(_told(link))
    return "Traceback (most recent call last):\n" + "".join(lines).rstrip("\n")


class DatabaseFailure(Exception):
    """A database error re-raised without its message (for the job queue, which keeps it)."""

    message_is_safe = True


def without_values(exc: BaseException) -> BaseException:
    """``exc``, or, if a database error is in it, a ``DatabaseFailure`` describing it only."""
    if not involves_database(exc):
        return exc
    database_error = next(e for e in _chain(exc) if _driver_error(e))
    return DatabaseFailure(describe(database_error))


def _scrub(record: logging.LogRecord) -> logging.LogRecord:
    exc = record.exc_info[1] if record.exc_info else None
    if exc is not None:
        record.exc_text = scrubbed_traceback(exc)
        record.exc_info = None
    return record


def install() -> None:
    """Every log record made from now on, by any logger (the app's, the web server's, the job
    queue's), has its error told without the message (``scrubbed_traceback``)."""
    global _installed
    if _installed:
        return
    make_record = logging.getLogRecordFactory()

    def factory(*args: Any, **kwargs: Any) -> logging.LogRecord:
        return _scrub(make_record(*args, **kwargs))

    logging.setLogRecordFactory(factory)
    _installed = True
