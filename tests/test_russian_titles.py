"""Russian titles of the legal catalogue and of the seeded target bodies: shown on Russian pages,
found by the catalogue search, filled in on upgrade without overriding a lawyer's entry, and
never in the documents written for UN bodies (English) nor on English pages."""

from __future__ import annotations

import copy
import io
import re

import docx
import pytest
from sqlalchemy import select

from casework.advocacy import services as advocacy_services
from casework.advocacy.models import AdvocacyAction, TargetBody
from casework.core.db import db
from casework.core.i18n import in_language
from casework.core.vocab import Role
from casework.legal import seeding, services
from casework.legal.models import Instrument, Provision
from casework.reports.anonymise import Output
from casework.reports.views import case_document
from casework.search import services as search
from tests import report_world
from tests.clients import client_for
from tests.factories import make_user

CYRILLIC = re.compile("[а-яё]", re.IGNORECASE)


@pytest.fixture
def catalogue():
    seeding.seed_catalogue()
    advocacy_services.seed_target_bodies()
    db.session.commit()


def _without_russian(data: dict) -> dict:
    """The catalogue as an earlier release shipped it: English titles only."""
    data = copy.deepcopy(data)
    for item in data["instruments"]:
        item.pop("title_ru", None)
        for prov in item.get("provisions", []):
            prov.pop("title_ru", None)
    return data


def _reader(app, role: Role, language: str):
    user = make_user(role, language=language)
    return user, client_for(app, user)


def test_every_catalogue_entry_and_seeded_body_has_a_russian_title():
    data = seeding.load_data()
    for item in data["instruments"]:
        assert CYRILLIC.search(item["title_ru"]), item["code"]
        for prov in item.get("provisions", []):
            assert CYRILLIC.search(prov["title_ru"]), prov["code"]
    for name, _short, name_ru, short_ru in advocacy_services.SEED_BODIES:
        assert CYRILLIC.search(name_ru), name
        assert short_ru and len(short_ru) <= 40, name


def test_the_catalogue_pages_show_russian_titles_to_a_russian_reader(app, catalogue):
    _, client = _reader(app, Role.LAWYER, "ru")
    for path in ("/legal/", "/legal/instruments/CAT", "/legal/provisions/CAT:3"):
        page = client.get(path).get_data(as_text=True)
        assert "Статья 3 (1): невыдворение" in page, path
        assert "Article 3(1): non-refoulement" not in page, path
    page = client.get("/legal/provisions/CAT:3").get_data(as_text=True)
    assert "Конвенция против пыток и других жестоких" in page


def test_the_catalogue_pages_stay_english_for_an_english_reader(app, catalogue):
    _, client = _reader(app, Role.LAWYER, "en")
    for path in ("/legal/", "/legal/instruments/CAT", "/legal/provisions/CAT:3"):
        page = client.get(path).get_data(as_text=True)
        assert "Article 3(1): non-refoulement" in page, path
        assert "невыдворение" not in page, path


def test_a_russian_word_finds_the_catalogue_entry(app, catalogue):
    lawyer = make_user(Role.LAWYER)
    found = search.search_catalogue(lawyer, "невыдворение")
    assert {"CAT:3", "ICPPED:16", "EXCOM:6"} <= {p.code for p in found.provisions}
    found = search.search_catalogue(lawyer, "Пакт гражданских")
    assert "ICCPR" in {i.code for i in found.instruments}
    # The search page lists it under its Russian title for a Russian reader.
    _, client = _reader(app, Role.LAWYER, "ru")
    page = client.post("/search", data={"q": "невыдворение"}).get_data(as_text=True)
    assert "Статья 16: невыдворение" in page


def test_the_upgrade_gives_russian_titles_but_not_over_a_lawyers_entry(app):
    """A database seeded before the translations: the next seed fills them in, reports no entry
    as outdated for it, and leaves an entry whose English title a lawyer changed (the translation
    would not fit it) and a Russian title a lawyer wrote."""
    seeding.seed_catalogue(_without_russian(seeding.load_data()))
    lawyer = make_user(Role.LAWYER)
    edited = services.get_provision("ICCPR:14")
    services.update_provision(
        lawyer, edited, edited.version, title="Article 14: fair trial after return"
    )
    translated = services.get_provision("ICCPR:9")
    services.update_provision(
        lawyer,
        translated,
        translated.version,
        title=translated.title,
        title_ru="Статья 9: право на свободу",
        summary=translated.summary,
    )
    db.session.commit()
    assert db.session.scalar(select(Provision.title_ru).where(Provision.code == "CAT:3")) is None

    report = seeding.apply_catalogue()
    db.session.commit()

    assert not report.corrected
    assert not report.conflicts  # nothing but translations is new in the catalogue
    assert "entries given Russian texts" in str(report)
    assert services.get_provision("CAT:3").title_ru.startswith("Статья 3 (1)")
    assert services.get_instrument("CAT").title_ru.startswith("Конвенция против пыток")
    assert services.get_provision("ICCPR:14").title_ru is None
    assert services.get_provision("ICCPR:9").title_ru == "Статья 9: право на свободу"
    # Nothing left to do: a second run changes nothing.
    again = seeding.apply_catalogue()
    assert not again.translated and not again.corrected
    assert not seeding.pending_corrections()


def test_a_later_catalogue_corrects_a_russian_title_nobody_edited(app, catalogue):
    data = seeding.load_data()
    newer = copy.deepcopy(data)
    cat = next(i for i in newer["instruments"] if i["code"] == "CAT")
    cat["provisions"][0]["title_ru"] = "Статья 3 (1): принцип невыдворения"
    report = seeding.apply_catalogue(newer)
    assert report.translated == ["CAT:3"]
    assert services.get_provision("CAT:3").title_ru == "Статья 3 (1): принцип невыдворения"
    assert not seeding.pending_corrections(newer)


def test_a_lawyer_gives_a_russian_title_in_the_form(app, catalogue):
    lawyer, client = _reader(app, Role.LAWYER, "ru")
    provision = services.get_provision("HRC-RULES:94")
    page = client.get("/legal/provisions/edit/HRC-RULES:94").get_data(as_text=True)
    assert 'name="title_ru"' in page
    response = client.post(
        "/legal/provisions/edit/HRC-RULES:94",
        data={
            "title": provision.title,
            "title_ru": "Правило 94: временные меры защиты",
            "summary": provision.summary or "",
            "position": provision.position,
            "version": provision.version,
        },
    )
    assert response.status_code == 302
    db.session.expire_all()
    assert services.get_provision("HRC-RULES:94").title_ru == "Правило 94: временные меры защиты"


def test_seeded_bodies_get_russian_names_shown_on_russian_pages(app, catalogue):
    # Bodies seeded before the Russian names: given them by the next seed.
    for body in db.session.scalars(select(TargetBody)):
        body.name_ru = body.short_name_ru = None
    db.session.commit()
    assert "14 given a Russian name" in advocacy_services.seed_target_bodies()
    db.session.commit()
    cat = db.session.scalar(select(TargetBody).where(TargetBody.short_name == "CAT"))
    assert (cat.name_ru, cat.short_name_ru) == ("Комитет ООН против пыток", "КПП")

    coordinator, client = _reader(app, Role.COORDINATOR, "ru")
    page = client.get("/advocacy/bodies").get_data(as_text=True)
    assert "Комитет ООН против пыток" in page
    page = client.get("/advocacy/actions/new").get_data(as_text=True)
    assert ">Комитет ООН против пыток<" in page
    assert ">UN Committee against Torture<" not in page
    _, english = _reader(app, Role.COORDINATOR, "en")
    page = english.get("/advocacy/actions/new").get_data(as_text=True)
    assert ">UN Committee against Torture<" in page
    assert "Комитет ООН" not in page


def test_outputs_for_un_bodies_keep_the_english_titles(app):
    """A Russian reader's page shows the Russian title; the document for the Committee and the
    action's label in it stay English."""
    world = report_world.build()
    provision = db.session.scalar(select(Provision).where(Provision.code == "TSTR:3"))
    provision.title_ru = "Невыдворение"
    db.session.scalar(select(Instrument).where(Instrument.code == "TSTR")).title_ru = "Конвенция"
    body = db.session.scalar(select(AdvocacyAction)).target_body
    body.name_ru, body.short_name_ru = "Комитет против пыток", "КПП"
    world.coordinator.language = "ru"
    db.session.commit()
    client = client_for(app, world.coordinator)
    page = client.get(f"/cases/{world.case.public_id}").get_data(as_text=True)
    assert "Невыдворение" in page
    with app.test_request_context(), in_language("ru"):
        content = case_document(world.coordinator, world.case, Output.CAT, "docx", anonymise=False)
        db.session.commit()  # the document's audit entry
    text = "\n".join(p.text for p in docx.Document(io.BytesIO(content)).paragraphs)
    assert "Non-refoulement" in text
    assert "Невыдворение" not in text
