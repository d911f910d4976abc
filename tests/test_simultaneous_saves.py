"""Two saves of one case in the same instant: the later one gets a clear refusal (409), not a
server error, and nothing of it is written. (Found by the load test: adding a person or a
document while someone else saves the case touches the case's version.)"""

from __future__ import annotations

from sqlalchemy import event, func, select, update

from casework.cases.models import Case, CasePerson
from casework.core.db import db
from casework.core.vocab import Role
from tests.case_helpers import intake
from tests.factories import log_in

PERSON = {
    "name": "Айгуль Кодирова",
    "name_kind": "as_given",
    "role": "family",
    "gender": "female",
    "legal_status": "unknown",
    "consent": "none",
    "confirm_new": "1",
}


def _someone_saves_first(case_id: int) -> None:
    """Just before this request's flush, another writer saves the case (its version moves)."""

    @event.listens_for(db.session, "before_flush", once=True)
    def bump(session, flush_context, instances):
        session.execute(
            update(Case).where(Case.id == case_id).values(version=Case.version + 1),
            execution_options={"synchronize_session": False},
        )


def _people(case_id: int) -> int:
    return db.session.scalar(select(func.count(CasePerson.id)).where(CasePerson.case_id == case_id))


def test_a_simultaneous_save_is_refused_clearly_and_writes_nothing(app, make_user):
    client = log_in(app.test_client(), make_user(Role.MONITOR))
    case = intake(client)
    before = _people(case.id)
    url = f"/cases/{case.public_id}/people/new"
    _someone_saves_first(case.id)
    response = client.post(url, data=PERSON)
    assert response.status_code == 409
    assert "Someone else saved this record at the same moment" in response.get_data(as_text=True)
    assert _people(case.id) == before
    # Without the other writer the same person is added.
    assert client.post(url, data=PERSON).status_code == 302
    assert _people(case.id) == before + 1
