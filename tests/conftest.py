"""Fixtures: one database per run (built by the migrations), emptied after every test."""

from __future__ import annotations

import contextvars
import os
import tempfile
from pathlib import Path
from typing import Any

import pytest
from flask.testing import FlaskClient
from flask_migrate import upgrade
from sqlalchemy import MetaData, inspect, text

from casework import create_app
from casework.accounts.throttle import throttle
from casework.core import datacache
from casework.core.db import db
from tests import factories, workers

_TMP = Path(tempfile.mkdtemp(prefix="casework-tests-"))

# The browser tests need Chromium and their own servers: `make e2e` runs them, `make test` not.
collect_ignore = [] if os.environ.get("CASEWORK_E2E") == "1" else ["e2e"]


def _database_url() -> str:
    url = os.environ.get("CASEWORK_TEST_DATABASE_URL")
    return workers.database_url(url) if url else f"sqlite:///{_TMP / 'test.db'}"


def drop_everything(engine) -> None:
    """Remove every table (and Alembic's version table) whatever built them."""
    meta = MetaData()
    meta.reflect(bind=engine)
    meta.drop_all(bind=engine)


class IsolatedClient(FlaskClient):
    """Runs each request in a fresh context, as a server would: its own app context, ``g`` and
    database session, not the test's. Read results in the test after ``db.session.expire_all()``.
    """

    def open(self, *args, **kwargs):
        return contextvars.Context().run(super().open, *args, **kwargs)


@pytest.fixture(scope="session")
def app():
    url = os.environ["CASEWORK_TEST_DATABASE_URL"] = _database_url()
    app = create_app(
        {
            "TESTING": True,
            "ENV_NAME": "testing",
            "SQLALCHEMY_DATABASE_URI": url,
            "UPLOAD_DIR": str(_TMP / "uploads"),
        }
    )
    app.test_client_class = IsolatedClient
    with app.app_context():
        drop_everything(db.engine)
        upgrade()
    yield app
    with app.app_context():
        db.session.remove()
        db.engine.dispose()


def forget_table_statistics() -> None:
    """On PostgreSQL, TRUNCATE every table: the planner forgets the sizes earlier tests' rows
    left (DELETE keeps them), for a test of query plans to start from what it builds."""
    if db.engine.dialect.name == "postgresql":
        names = ", ".join(f'"{t.name}"' for t in db.metadata.sorted_tables)
        db.session.execute(text(f"TRUNCATE {names} RESTART IDENTITY CASCADE"))
        db.session.commit()


def _truncate() -> None:
    # DELETE, children first, on both databases: on PostgreSQL a TRUNCATE of every table costs
    # far more than deleting the few rows a test leaves (it replaces each table's files). There
    # the deletes go in one round trip (no parameters: one simple query of many statements).
    tables = list(reversed(db.metadata.sorted_tables))
    if db.engine.dialect.name == "postgresql":
        deletes = "; ".join(f'DELETE FROM "{t.name}"' for t in tables)  # noqa: S608  # our tables
        db.session.connection().exec_driver_sql(deletes)
    else:
        for table in tables:
            db.session.execute(table.delete())
    db.session.commit()


def lose_everything(uploads: Path) -> None:
    """A disaster: every row (Alembic's version excepted) and every uploaded file is gone."""
    db.session.remove()
    _truncate()
    _empty(uploads)


@pytest.fixture(autouse=True)
def _app_context(app):
    """Every test runs inside an app context and leaves an empty database behind."""
    with app.app_context():
        yield
        db.session.rollback()
        db.session.remove()
        _truncate()
        throttle().reset()
        datacache.clear()  # kept results belong to the emptied database
        _empty(Path(app.config["UPLOAD_DIR"]))  # files (staged imports too) of emptied rows


def _empty(folder: Path) -> None:
    for path in folder.rglob("*") if folder.is_dir() else ():
        if path.is_file():
            path.unlink()


@pytest.fixture
def client(app):
    return app.test_client()


@pytest.fixture
def make_user():
    return factories.make_user


@pytest.fixture
def login(client):
    """``login(user)``: the test client logged in through password and TOTP code (asserted)."""

    def _login(user, password: str = factories.PASSWORD):
        return factories.log_in(client, user, password)

    return _login


@pytest.fixture
def table_names(app) -> list[str]:
    return sorted(inspect(db.engine).get_table_names())


@pytest.fixture
def count_queries(app):
    """``with count_queries() as counter:`` counts the SQL statements run inside the block
    (``counter["n"]``) and keeps them (``counter["statements"]``)."""
    from contextlib import contextmanager

    from sqlalchemy import event

    @contextmanager
    def _count():
        counter: dict[str, Any] = {"n": 0, "statements": []}

        def before(conn, cursor, statement, *args, **kwargs):
            counter["n"] += 1
            counter["statements"].append(statement)

        event.listen(db.engine, "before_cursor_execute", before)
        try:
            yield counter
        finally:
            event.remove(db.engine, "before_cursor_execute", before)

    return _count
