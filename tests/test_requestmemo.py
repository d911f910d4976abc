"""Reads remembered for a request: asked once, and forgotten at the next write."""

from __future__ import annotations

from sqlalchemy import event

from casework.core.db import db, utcnow
from casework.core.vocab import RemedyKind, Role
from casework.legal.services import add_remedy, case_remedies
from tests.factories import make_case


def _remedy_queries(app, action) -> int:
    seen: list[str] = []

    def count(conn, cursor, statement, *args):
        if statement.lstrip().upper().startswith("SELECT") and "FROM remedies" in statement:
            seen.append(statement)

    engine = db.engine
    event.listen(engine, "before_cursor_execute", count)
    try:
        action()
    finally:
        event.remove(engine, "before_cursor_execute", count)
    return len(seen)


def test_a_read_is_asked_once_per_request_and_sees_a_later_write(app, make_user):
    lawyer = make_user(Role.LAWYER)
    case = make_case(make_user(Role.COORDINATOR))
    case.members[0].user_id = lawyer.id  # the lawyer created it: on the team
    db.session.commit()
    with app.test_request_context("/"):
        first = []
        n = _remedy_queries(app, lambda: first.extend(case_remedies(case)))
        assert first == [] and n == 1
        again: list = []
        assert _remedy_queries(app, lambda: again.extend(case_remedies(case))) == 0
        # Each caller gets its own list: changing one does not change what the next one gets.
        again.append("not a remedy")
        assert case_remedies(case) == []

        remedy = add_remedy(
            lawyer, case, kind=RemedyKind.EXTRADITION_APPEAL, body="Almaty city court"
        )
        db.session.flush()
        after: list = []
        assert _remedy_queries(app, lambda: after.extend(case_remedies(case))) == 1
        assert after == [remedy]
        # With or without the hidden rows: one read, the hidden ones handed only to who asks.
        remedy.hidden_at = utcnow()
        db.session.flush()
        shown: list = []
        both: list = []

        def read_both() -> None:
            shown.extend(case_remedies(case))
            both.extend(case_remedies(case, include_hidden=True))

        assert _remedy_queries(app, read_both) == 1
        assert shown == [] and both == [remedy]


def test_outside_a_request_nothing_is_remembered(app, make_user):
    case = make_case(make_user(Role.COORDINATOR))
    with app.app_context():
        assert _remedy_queries(app, lambda: (case_remedies(case), case_remedies(case))) == 2
