"""Places are encrypted at rest and found again by a blind-index key of their name."""

from __future__ import annotations

from sqlalchemy import func, select, text

from casework.cases.events import get_or_create_place
from casework.cases.models import Place
from casework.core.blindindex import current_index
from casework.core.db import db


def _count() -> int:
    return db.session.scalar(select(func.count()).select_from(Place)) or 0


def test_a_place_typed_again_in_any_case_or_spacing_is_the_same_place(app):
    almaty = get_or_create_place("Almaty")
    assert get_or_create_place("  ALMATY ").id == almaty.id
    assert get_or_create_place("Almaty", country="KZ").id != almaty.id  # another country
    db.session.commit()
    raw = db.session.execute(text("SELECT name FROM places")).scalars().all()
    assert raw and all(value.startswith("cw1:") for value in raw)  # no name in clear


def test_places_are_found_again_after_the_blind_index_key_changes(app, monkeypatch):
    almaty = get_or_create_place("Almaty")
    db.session.commit()
    # Both put back after the test: the application is the whole session's.
    current_index()  # the index in use now, which the test's end puts back
    monkeypatch.setitem(app.config, "BLIND_INDEX_KEY", "a-new-blind-index-key-of-32-chars-xx")
    monkeypatch.delitem(app.extensions, "casework.blindindex", raising=False)
    runner = app.test_cli_runner()
    assert runner.invoke(args=["people", "reindex"]).exit_code == 0
    result = runner.invoke(args=["search", "reindex"])
    assert result.exit_code == 0 and "1 places" in result.output
    assert get_or_create_place("almaty").id == almaty.id
    db.session.commit()
    assert _count() == 1
