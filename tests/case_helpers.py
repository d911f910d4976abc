"""Helpers for case tests: intake through the UI and reading pages."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from sqlalchemy import select

from casework.cases.models import Case
from casework.core.db import db

INTAKE = {
    "name": "Алишер Холматов",
    "name_kind": "as_given",
    "act_type": "extradition",
    "act_date": "2011-06",
    "act_place": "Almaty",
    "destination_country": "UZ",
    "urgency": "routine",
    "current_situation": "detained",
    "narrative": "Arrested at home by the KNB.",
    "save": "1",
}


def intake(client: Any, **changes: Any) -> Case:
    """Create a case through the intake form; return it (fresh from the database)."""
    data = dict(INTAKE, **changes)
    response = client.post("/cases/new", data=data)
    assert response.status_code == 302, response.get_data(as_text=True)
    public_id = response.headers["Location"].rsplit("/", 1)[1]
    client.get(response.headers["Location"])  # show the flashed messages, as a browser would
    db.session.expire_all()
    return db.session.scalar(select(Case).where(Case.public_id == public_id))


def page(client: Any, url: str, status: int = 200) -> str:
    response = client.get(url)
    assert response.status_code == status, (url, response.status_code)
    return response.get_data(as_text=True)


@contextmanager
def decrypted_columns() -> Iterator[list[str]]:
    """Every ``table.column`` decrypted inside the block, in order (what a page read of the
    encrypted values, whether it shows them or not)."""
    from casework.core import sealing

    opened: list[str] = []
    real = sealing._open

    def spy(ring: Any, session: Any, table: str, column: str, *rest: Any) -> str:
        opened.append(f"{table}.{column}")
        return real(ring, session, table, column, *rest)

    sealing._open = spy
    try:
        yield opened
    finally:
        sealing._open = real


def record_opened(monkeypatch: Any) -> list[tuple[str, str, Any]]:
    """A list to which every sealed value decrypted from now on in the test is added, as
    (table, column, row id): which rows' texts a page opened."""
    from casework.core import sealing

    opened: list[tuple[str, str, Any]] = []
    real = sealing._open

    def counted(ring: Any, session: Any, table: str, column: str, row_id: Any, value: Any) -> Any:
        opened.append((table, column, row_id))
        return real(ring, session, table, column, row_id, value)

    monkeypatch.setattr(sealing, "_open", counted)
    return opened


def count_catalogue_reads(monkeypatch: Any, read: list[str]) -> None:
    """Append to ``read`` every message the interface's catalogue is asked for (``ugettext``)
    from now on in the test: what a page translates, and how often."""
    from casework.core import i18n

    class Counted:
        def __init__(self, catalogue: Any) -> None:
            self.catalogue = catalogue

        def ugettext(self, message: str) -> str:
            read.append(message)
            return self.catalogue.ugettext(message)

        def __getattr__(self, name: str) -> Any:
            return getattr(self.catalogue, name)

    catalogue = i18n.current_translations
    monkeypatch.setattr(i18n, "current_translations", lambda: Counted(catalogue()))
