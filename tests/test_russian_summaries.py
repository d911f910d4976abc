"""Russian summaries and Kazakhstan-status notes of the legal catalogue: shown on Russian pages,
edited by lawyers beside the English ones, found by the catalogue search, filled in and corrected
by the seed without overriding a lawyer's text, and never on English pages."""

from __future__ import annotations

import copy
import re

import pytest
from sqlalchemy import select

from casework.audit.wording import field_name
from casework.core.db import db
from casework.core.errors import ValidationFailed
from casework.core.i18n import in_language
from casework.core.vocab import Role
from casework.legal import seeding, services
from casework.legal.models import Provision
from casework.search import services as search
from tests.clients import client_for
from tests.factories import make_user

CYRILLIC = re.compile("[а-яё]", re.IGNORECASE)
# CAT:3's summary: the official Russian text of the Convention's Article 3(1).
CAT3_RU = "Ни одно Государство-участник не должно высылать, возвращать"
CAT3_EN = "No State party shall expel, return (refouler) or extradite"


@pytest.fixture
def catalogue():
    seeding.seed_catalogue()
    db.session.commit()


def _edit_provision(lawyer, code: str, **changes) -> None:
    """A lawyer's edit of provision ``code`` through the service, other texts as they were."""
    provision = services.get_provision(code)
    values = {"title": provision.title, "title_ru": provision.title_ru}
    values["summary"] = provision.summary
    services.update_provision(lawyer, provision, provision.version, **{**values, **changes})


def _without_summaries(data: dict) -> dict:
    """The catalogue as the previous release shipped it: Russian titles, English texts only."""
    data = copy.deepcopy(data)
    for item in data["instruments"]:
        item.pop("summary_ru", None)
        item.pop("kz_status_ru", None)
        for prov in item.get("provisions", []):
            prov.pop("summary_ru", None)
    return data


def _reader(app, role: Role, language: str):
    user = make_user(role, language=language)
    return user, client_for(app, user)


def test_every_summary_and_status_note_of_the_catalogue_has_a_russian_version():
    for item in seeding.load_data()["instruments"]:
        for field in ("summary", "kz_status"):
            if item.get(field):
                assert CYRILLIC.search(item[f"{field}_ru"]), (item["code"], field)
                assert len(item[f"{field}_ru"]) <= (300 if field == "kz_status" else 10_000)
        for prov in item.get("provisions", []):
            if prov.get("summary"):
                assert CYRILLIC.search(prov["summary_ru"]), prov["code"]


def test_a_russian_reader_sees_the_russian_summary_and_status(app, catalogue):
    _, client = _reader(app, Role.MONITOR, "ru")
    page = client.get("/legal/provisions/CAT:3").get_data(as_text=True)
    assert CAT3_RU in page
    assert CAT3_EN not in page
    assert "Участник с 1998 года; заявление по статье 22 сделано в 2008 году" in page
    assert "Party since 1998" not in page
    page = client.get("/legal/instruments/CAT").get_data(as_text=True)
    assert "Абсолютно запрещает пытки" in page
    assert "Prohibits torture absolutely" not in page
    assert "Участник с 1998 года" in page
    page = client.get("/legal/").get_data(as_text=True)
    assert "Присоединился (закон от 15 декабря 1998 года)" in page
    assert "Acceded (law of 15 December 1998)" not in page


def test_an_english_reader_sees_the_english_summary_and_status(app, catalogue):
    _, client = _reader(app, Role.MONITOR, "en")
    page = client.get("/legal/provisions/CAT:3").get_data(as_text=True)
    assert CAT3_EN in page
    assert "Party since 1998; Article 22 declaration made in 2008" in page
    assert not CYRILLIC.search(page.split("<main", 1)[-1].split("</main>", 1)[0])
    page = client.get("/legal/").get_data(as_text=True)
    assert "Acceded (law of 15 December 1998)" in page
    assert "Присоединился" not in page


def test_an_entry_without_a_russian_summary_shows_the_english_one_to_a_russian_reader(
    app, catalogue
):
    provision = services.get_provision("CAT:3")
    provision.summary_ru = None
    db.session.commit()
    _, client = _reader(app, Role.MONITOR, "ru")
    page = client.get("/legal/provisions/CAT:3").get_data(as_text=True)
    assert CAT3_EN in page


def test_a_russian_word_of_a_summary_finds_the_entry(app, catalogue):
    lawyer = make_user(Role.LAWYER)
    # Only CAT:3(2)'s Russian summary holds the word (neither a title nor an English text).
    found = search.search_catalogue(lawyer, "вопиющих")
    assert "CAT:3.2" in {p.code for p in found.provisions}
    found = search.search_catalogue(lawyer, "Абсолютно запрещает")
    assert "CAT" in {i.code for i in found.instruments}
    # A lawyer's new Russian summary is found as soon as it is saved.
    _edit_provision(
        lawyer,
        "SCO09",
        summary_ru="Сотрудничество и выдача между государствами ШОС (проверено юристом).",
    )
    db.session.commit()
    assert "SCO09" in {p.code for p in search.search_catalogue(lawyer, "проверено").provisions}
    assert not search.search_catalogue(lawyer, "государствами членами ШОС").provisions
    _, client = _reader(app, Role.LAWYER, "ru")
    page = client.post("/search", data={"q": "вопиющих"}).get_data(as_text=True)
    assert "Статья 3 (2): оценка опасности" in page


def test_a_lawyer_edits_the_russian_summary_and_status_in_the_forms(app, catalogue):
    _, client = _reader(app, Role.LAWYER, "ru")
    provision = services.get_provision("HRC-RULES:94")
    page = client.get("/legal/provisions/edit/HRC-RULES:94").get_data(as_text=True)
    assert 'name="summary_ru"' in page
    assert "Комитет может просить государство-участник" in page  # the current one, to edit
    data = {
        "title": provision.title,
        "title_ru": provision.title_ru,
        "summary": provision.summary,
        "summary_ru": "Временные меры: Комитет может просить не высылать автора.",
        "position": provision.position,
        "version": provision.version,
    }
    # A monitor may read the catalogue, not edit it.
    _, monitor = _reader(app, Role.MONITOR, "ru")
    assert monitor.post("/legal/provisions/edit/HRC-RULES:94", data=data).status_code == 403
    # Too long: refused with the field's message, nothing saved.
    refused = client.post(
        "/legal/provisions/edit/HRC-RULES:94", data={**data, "summary_ru": "я" * 10_001}
    )
    assert refused.status_code == 200
    assert 'name="summary_ru"' in refused.get_data(as_text=True)
    db.session.expire_all()
    assert services.get_provision("HRC-RULES:94").summary_ru.startswith("Комитет может")
    response = client.post("/legal/provisions/edit/HRC-RULES:94", data=data)
    assert response.status_code == 302
    db.session.expire_all()
    assert services.get_provision("HRC-RULES:94").summary_ru == data["summary_ru"]

    instrument = services.get_instrument("CAT")
    page = client.get("/legal/instruments/edit/CAT").get_data(as_text=True)
    assert 'name="summary_ru"' in page and 'name="kz_status_ru"' in page
    response = client.post(
        "/legal/instruments/edit/CAT",
        data={
            "title": instrument.title,
            "title_ru": instrument.title_ru,
            "instrument_type": instrument.instrument_type.value,
            "direction": instrument.direction.value,
            "adopted_on": instrument.adopted_on or "",
            "kz_status": instrument.kz_status,
            "kz_status_ru": "Участник с 1998 года",
            "kz_date": instrument.kz_date or "",
            "summary": instrument.summary,
            "summary_ru": "Запрещает пытки.",
            "version": instrument.version,
        },
    )
    assert response.status_code == 302
    db.session.expire_all()
    instrument = services.get_instrument("CAT")
    assert (instrument.kz_status_ru, instrument.summary_ru) == (
        "Участник с 1998 года",
        "Запрещает пытки.",
    )


def test_the_services_refuse_a_russian_summary_longer_than_the_english_may_be(app, catalogue):
    lawyer = make_user(Role.LAWYER)
    provision = services.get_provision("CAT:3")
    with pytest.raises(ValidationFailed) as refused:
        services.update_provision(
            lawyer,
            provision,
            provision.version,
            title=provision.title,
            summary=provision.summary,
            summary_ru="я" * 10_001,
        )
    assert "summary_ru" in refused.value.errors


def test_the_upgrade_fills_the_russian_texts_but_keeps_a_lawyers(app):
    """A database seeded before the Russian summaries: the next seed fills them in, reports no
    entry as outdated for it, and leaves a Russian summary a lawyer wrote and an entry whose
    English summary a lawyer changed (the translation would not fit it)."""
    seeding.seed_catalogue(_without_summaries(seeding.load_data()))
    lawyer = make_user(Role.LAWYER)
    _edit_provision(
        lawyer, "ICCPR:9", summary_ru="Запрет произвольного задержания (перевод юриста)."
    )
    _edit_provision(lawyer, "ICCPR:14", summary="Fair trial; see the lawyer's note.")
    db.session.commit()
    assert services.get_provision("CAT:3").summary_ru is None

    report = seeding.apply_catalogue()
    db.session.commit()

    assert not report.corrected and not report.conflicts
    assert "entries given Russian texts" in str(report)
    assert services.get_provision("CAT:3").summary_ru.startswith(CAT3_RU)
    assert services.get_instrument("CAT").kz_status_ru.startswith("Участник с 1998 года")
    assert services.get_provision("ICCPR:9").summary_ru.endswith("(перевод юриста).")
    assert services.get_provision("ICCPR:14").summary_ru is None
    again = seeding.apply_catalogue()
    assert not again.translated and not again.corrected and not again.conflicts
    assert not seeding.pending_corrections()


def test_a_lawyers_russian_summary_survives_a_reseed_and_a_newer_catalogue(app, catalogue):
    lawyer = make_user(Role.LAWYER)
    _edit_provision(lawyer, "CAT:3.2", summary_ru="Оценка опасности (редакция юриста).")
    db.session.commit()
    newer = copy.deepcopy(seeding.load_data())
    cat = next(i for i in newer["instruments"] if i["code"] == "CAT")
    cat["provisions"][1]["summary_ru"] = "Новая редакция каталога."
    for data in (seeding.load_data(), newer):
        report = seeding.apply_catalogue(data)
        db.session.commit()
        assert "CAT:3.2" not in report.translated
        assert services.get_provision("CAT:3.2").summary_ru == "Оценка опасности (редакция юриста)."


def test_a_later_catalogue_corrects_a_russian_text_nobody_edited(app, catalogue):
    newer = copy.deepcopy(seeding.load_data())
    cat = next(i for i in newer["instruments"] if i["code"] == "CAT")
    cat["kz_status_ru"] = "Участник с 1998 года; заявление по статье 22 — 2008 год"
    cat["provisions"][0]["summary_ru"] = "Новая редакция: " + cat["provisions"][0]["summary_ru"]
    report = seeding.apply_catalogue(newer)
    db.session.commit()
    assert report.translated == ["CAT", "CAT:3"]
    assert services.get_instrument("CAT").kz_status_ru.endswith("— 2008 год")
    assert services.get_provision("CAT:3").summary_ru.startswith("Новая редакция: ")
    assert not report.conflicts and not seeding.pending_corrections(newer)
    # Seeded again with the same catalogue: nothing left to do.
    assert not seeding.apply_catalogue(newer).translated


def test_the_history_names_an_edit_of_a_russian_summary_in_words(app):
    with app.test_request_context(), in_language("ru"):
        assert CYRILLIC.search(field_name("summary_ru"))
        assert CYRILLIC.search(field_name("kz_status_ru"))
    with app.test_request_context(), in_language("en"):
        assert field_name("summary_ru") == "summary in Russian"


def test_every_catalogue_provision_keeps_its_english_summary_for_documents(app, catalogue):
    """The English texts (documents for UN bodies read them) are untouched by the Russian."""
    data = {p["code"]: p for i in seeding.load_data()["instruments"] for p in i["provisions"]}
    for provision in db.session.scalars(select(Provision)):
        assert provision.summary == data[provision.code].get("summary")
