"""What a Russian-speaking monitor reads while recording people: the family links, the form
that adds one, why a record found may be the same person, and the limits of a name."""

from __future__ import annotations

import pytest

from casework.cases import services as case_services
from casework.core.db import db
from casework.core.errors import ValidationFailed
from casework.core.hiding import hide
from casework.core.i18n import force_locale
from casework.core.vocab import Role
from casework.people import services as people_services
from casework.people.services import NameInput
from tests.case_helpers import intake, page
from tests.clients import client_for

NEW_PERSON = {
    "name": "Alisher Xolmatov",
    "name_kind": "as_given",
    "role": "family",
    "birth_date": "1985",
    "gender": "unknown",
    "legal_status": "unknown",
    "consent": "none",
    "government_contact": "not_asked",
}


@pytest.fixture
def russian_monitor(app, make_user):
    monitor = make_user(Role.MONITOR, language="ru")
    client = client_for(app, monitor)
    case = intake(client, name="Алишер Холматов")
    person = case_services.primary_person(case)
    wife = people_services.create_person(monitor, [NameInput("Гулнора Холматова")])
    case_services.add_person_to_case(monitor, case, wife, "family")
    people_services.add_family_link(monitor, wife, person, "spouse")
    db.session.commit()
    return monitor, client, case, person, wife


def test_family_links_and_their_form_read_in_russian(russian_monitor):
    _monitor, client, case, person, wife = russian_monitor
    html = page(client, f"/cases/{case.public_id}/people/{person.public_id}")
    assert "is their" not in html and "has as" not in html
    assert "Кем приходится" in html
    assert "Супруг(а):" in html
    html = page(client, f"/cases/{case.public_id}/people/{wife.public_id}")
    assert "Spouse of" not in html and "Приходится супругом (супругой):" in html
    case_file = page(client, f"/cases/{case.public_id}")
    assert "has as" not in case_file and "Spouse of" not in case_file
    assert "Супруг(а):" in case_file and "Приходится супругом (супругой):" in case_file


def test_why_a_record_may_be_the_same_person_reads_in_russian(app, russian_monitor, make_user):
    _monitor, client, case, person, _wife = russian_monitor
    people_services.update_person(_monitor, person, {"birth_date": "1985"}, person.version)
    db.session.commit()
    other = intake(client, name="Рустам Назаров")
    response = client.post(f"/cases/{other.public_id}/people/new", data=NEW_PERSON)
    html = response.get_data(as_text=True)
    assert "Алишер Холматов" in html  # offered as possibly the same person
    assert "matches" not in html and "same birth year" not in html
    assert "совпадает с" in html and "тот же год рождения" in html


def test_a_name_too_long_is_refused_in_the_readers_language(app):
    with force_locale("ru"), pytest.raises(ValidationFailed) as refused:
        people_services.create_person(None, [NameInput("Холматов " * 30)])
    message = refused.value.errors["names"][0]
    assert "characters" not in message and "символ" in message


def test_a_reason_too_long_to_remove_a_person_is_refused_in_the_readers_language(
    russian_monitor,
):
    monitor, _client, case, _person, wife = russian_monitor
    link = next(cp for cp in case.people if cp.person_id == wife.id)
    with force_locale("ru"), pytest.raises(ValidationFailed) as refused:
        hide(link, monitor, "Ошибка " * 100, case=case)
    message = refused.value.errors["reason"][0]
    assert "characters" not in message and "символ" in message


def test_a_change_of_consent_reads_in_russian_in_the_case_history(russian_monitor):
    """The case's history says which of a person's details changed, and from what to what for
    consent: in Russian, not the column's English name and code ("the consent from none to
    named")."""
    _monitor, client, case, person, _wife = russian_monitor
    url = f"/cases/{case.public_id}/people/{person.public_id}"
    form = {"gender": "male", "legal_status": "asylum_seeker", "consent": "named",
            "consent_date": "2024-03-01", "government_contact": "refuses", "family_at_risk": "y", "contacts": "+7 701 000",
            "version": person.version}  # fmt: skip
    assert client.post(url, data=form).status_code == 302
    html = page(client, f"/cases/{case.public_id}")
    history = html[html.index("Согласие") :]
    for english in ("consent", "government contact", "family at risk", "legal status", "gender"):
        assert english not in history, english
    assert "согласие: с «Нет" in history and "контакты" in history
