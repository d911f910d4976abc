"""Names as typed: a name of invisible characters only is no name, and the characters that turn
text around are not kept in a name (wherever it is printed, the text after it would read
backwards); Uyghur in Arabic script and mixed scripts are kept as typed."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from casework.cases import services as case_services
from casework.core.db import db
from casework.core.vocab import Role
from casework.people.models import Person, PersonName
from tests.case_helpers import INTAKE, intake, page
from tests.clients import client_for

INVISIBLE = ["\u200b", "\u200b\u200c\u200d", "\ufeff", "\u202e", " \u2066\u2069 \u00a0"]


@pytest.fixture
def monitor(app, make_user):
    client = client_for(app, make_user(Role.MONITOR))
    case = intake(client, name="Алишер Холматов")
    return client, case, case_services.primary_person(case)


def _people() -> int:
    return db.session.scalar(select(func.count(Person.id)))


def _new(client, case, name):
    data = {"name": name, "name_kind": "as_given", "role": "family", "gender": "unknown",
            "legal_status": "unknown", "consent": "none", "government_contact": "not_asked",
            "confirm_new": "1"}  # fmt: skip
    return client.post(f"/cases/{case.public_id}/people/new", data=data)


@pytest.mark.parametrize("name", INVISIBLE, ids=repr)
def test_a_name_of_invisible_characters_is_no_name(monitor, name):
    client, case, person = monitor
    before = _people()
    response = _new(client, case, name)
    assert response.status_code == 200
    assert "Give at least one name or alias." in response.get_data(as_text=True)
    assert _people() == before
    url = f"/cases/{case.public_id}/people/{person.public_id}/names"
    html = client.post(
        url, data={"name-name": name, "name-kind": "alias"}, follow_redirects=True
    ).get_data(as_text=True)
    assert "The name is empty." in html
    db.session.expire_all()
    assert [n.name for n in person.names] == ["Алишер Холматов"]


def test_an_intake_with_an_invisible_name_records_nobody(app, make_user):
    """A draft keeps what was typed, and nothing visible was typed as the name: the case is
    saved, with nobody in it; a case sent for review still needs a name."""
    client = client_for(app, make_user(Role.MONITOR))
    data = dict(INTAKE, name="\u200b")
    data.pop("save")
    response = client.post("/cases/new", data=dict(data, save_draft="1"))
    assert response.status_code == 302
    assert _people() == 0
    response = client.post("/cases/new", data=dict(data, save="1"))
    assert response.status_code == 200
    assert _people() == 0


def test_characters_that_turn_text_around_are_not_kept_in_a_name(monitor):
    client, case, person = monitor
    typed = "\u202eАбдурехим\u202c \u2067ئابدۇرېھىم ئابدۇللا\u2069"
    url = f"/cases/{case.public_id}/people/{person.public_id}/names"
    client.post(url, data={"name-name": typed, "name-kind": "alias"})
    db.session.expire_all()
    names = [n.name for n in person.names]
    assert names == ["Алишер Холматов", "Абдурехим ئابدۇرېھىم ئابدۇللا"]
    assert _new(client, case, "Холматов\u202e Alisher").status_code == 302
    stored = [n.name for n in db.session.scalars(select(PersonName))]
    assert "Холматов Alisher" in stored
    assert not any(c in name for name in stored for c in "\u202a\u202b\u202c\u202d\u202e")
    html = page(client, f"/cases/{case.public_id}/people/{person.public_id}")
    assert "ئابدۇرېھىم ئابدۇللا" in html


def _import(app, coordinator, tmp_path, row: str) -> str:
    path = tmp_path / "cases.csv"
    path.write_text("case_key,person_name,other_names,act_type,act_date\n" + row + "\n", "utf-8")
    out = tmp_path / "report.json"
    app.test_cli_runner().invoke(
        args=["import", "cases", str(path), "--as", coordinator.email, "--report-json", str(out)]
    )
    return out.read_text("utf-8")


def test_an_import_keeps_names_by_the_same_rule(app, make_user, tmp_path):
    coordinator = make_user(Role.COORDINATOR)
    report = _import(app, coordinator, tmp_path, "K-1,\u200b\u200b,,extradition,2011-06")
    assert "The name is required (any script)." in report
    assert _people() == 0
    row = "K-2,\u202eХолматов\u202c Alisher,\u2067ئابدۇرېھىم\u2069;\u200b,extradition,2011-06"
    _import(app, coordinator, tmp_path, row)
    db.session.expire_all()
    stored = sorted(n.name for n in db.session.scalars(select(PersonName)))
    assert stored == sorted(["Холматов Alisher", "ئابدۇرېھىم"])
