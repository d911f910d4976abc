"""A Russian text of the legal catalogue left as it was when its English text changed: the lawyer
who saved is warned, and Russian pages mark it as possibly outdated with the English beside it,
until its Russian text is changed too. English pages never show the mark."""

from __future__ import annotations

import copy

import pytest

from casework.core.db import db
from casework.core.vocab import Role
from casework.legal import seeding, services
from tests.clients import client_for
from tests.factories import make_user

MARK = 'class="translation-outdated"'
NEW_SUMMARY = "No State party shall expel a person at risk of torture (lawyer's wording)."
NEW_STATUS = "Party since 1998; individual complaints accepted since 2008."
NEW_TITLE = "Convention against Torture (as amended by a lawyer)"


@pytest.fixture
def catalogue():
    seeding.seed_catalogue()
    db.session.commit()


def _reader(app, role: Role, language: str):
    return client_for(app, make_user(role, language=language))


def _provision_data(code: str, **changes) -> dict:
    provision = services.get_provision(code)
    data = {
        "title": provision.title,
        "title_ru": provision.title_ru or "",
        "summary": provision.summary or "",
        "summary_ru": provision.summary_ru or "",
        "position": provision.position,
        "version": provision.version,
    }
    return {**data, **changes}


def _instrument_data(code: str, **changes) -> dict:
    instrument = services.get_instrument(code)
    data = {
        "title": instrument.title,
        "title_ru": instrument.title_ru or "",
        "instrument_type": instrument.instrument_type.value,
        "direction": instrument.direction.value,
        "adopted_on": instrument.adopted_on or "",
        "kz_status": instrument.kz_status or "",
        "kz_status_ru": instrument.kz_status_ru or "",
        "kz_date": instrument.kz_date or "",
        "summary": instrument.summary or "",
        "summary_ru": instrument.summary_ru or "",
        "url": instrument.url or "",
        "version": instrument.version,
    }
    return {**data, **changes}


def test_a_changed_english_summary_warns_the_lawyer_and_marks_the_russian_one(app, catalogue):
    lawyer = _reader(app, Role.LAWYER, "en")
    saved = lawyer.post(
        "/legal/provisions/edit/CAT:3",
        data=_provision_data("CAT:3", summary=NEW_SUMMARY),
        follow_redirects=True,
    )
    page = saved.get_data(as_text=True)
    assert "Provision saved." in page
    assert 'class="flash flash-warning"' in page
    assert "summary in Russian" in page
    assert "title in Russian" not in page  # its English title did not change

    reader = _reader(app, Role.MONITOR, "ru")
    page = reader.get("/legal/provisions/CAT:3").get_data(as_text=True)
    assert "Ни одно Государство-участник не должно высылать" in page  # the Russian summary
    assert page.count(MARK) == 1
    assert NEW_SUMMARY.replace("'", "&#39;") in page  # the English beside it
    # An English reader reads the English text, with no mark.
    english = _reader(app, Role.MONITOR, "en").get("/legal/provisions/CAT:3")
    assert MARK not in english.get_data(as_text=True)


def test_the_mark_goes_once_the_russian_text_is_changed(app, catalogue):
    lawyer = _reader(app, Role.LAWYER, "en")
    lawyer.post(
        "/legal/provisions/edit/CAT:3",
        data=_provision_data("CAT:3", summary=NEW_SUMMARY),
        follow_redirects=True,
    )
    saved = lawyer.post(
        "/legal/provisions/edit/CAT:3",
        data=_provision_data("CAT:3", summary_ru="Никакое государство не высылает (юрист)."),
        follow_redirects=True,
    )
    assert 'class="flash flash-warning"' not in saved.get_data(as_text=True)
    page = _reader(app, Role.MONITOR, "ru").get("/legal/provisions/CAT:3").get_data(as_text=True)
    assert "Никакое государство не высылает (юрист)." in page
    assert MARK not in page


def test_english_and_russian_changed_in_one_edit_give_no_warning_nor_mark(app, catalogue):
    lawyer = _reader(app, Role.LAWYER, "en")
    saved = lawyer.post(
        "/legal/provisions/edit/CAT:3",
        data=_provision_data(
            "CAT:3", summary=NEW_SUMMARY, summary_ru="Никакое государство не высылает (юрист)."
        ),
        follow_redirects=True,
    )
    assert "Provision saved." in saved.get_data(as_text=True)
    assert 'class="flash flash-warning"' not in saved.get_data(as_text=True)
    # Nor does an edit of another field (the English text did not change).
    saved = lawyer.post(
        "/legal/instruments/edit/CAT",
        data=_instrument_data("CAT", url="https://www.ohchr.org/en/cat"),
        follow_redirects=True,
    )
    assert "Instrument saved." in saved.get_data(as_text=True)
    assert 'class="flash flash-warning"' not in saved.get_data(as_text=True)
    reader = _reader(app, Role.MONITOR, "ru")
    for url in ("/legal/provisions/CAT:3", "/legal/instruments/CAT", "/legal/"):
        assert MARK not in reader.get(url).get_data(as_text=True), url


def test_a_changed_english_title_and_status_mark_the_russian_ones_on_every_catalogue_page(
    app, catalogue
):
    lawyer = _reader(app, Role.LAWYER, "en")
    saved = lawyer.post(
        "/legal/instruments/edit/CAT",
        data=_instrument_data("CAT", title=NEW_TITLE, kz_status=NEW_STATUS),
        follow_redirects=True,
    )
    page = saved.get_data(as_text=True)
    assert "Instrument saved." in page
    assert "title in Russian" in page and "Kazakhstan&#39;s status in Russian" in page

    reader = _reader(app, Role.MONITOR, "ru")
    page = reader.get("/legal/instruments/CAT").get_data(as_text=True)
    assert page.count(MARK) == 2
    assert NEW_TITLE in page and NEW_STATUS in page
    page = reader.get("/legal/provisions/CAT:3").get_data(as_text=True)
    assert page.count(MARK) == 2  # the instrument's title and status beside the provision
    page = reader.get("/legal/").get_data(as_text=True)
    assert page.count(MARK) == 2
    assert MARK not in _reader(app, Role.MONITOR, "en").get("/legal/").get_data(as_text=True)


def test_a_seed_correction_of_an_english_text_without_its_russian_marks_it(app, catalogue):
    newer = copy.deepcopy(seeding.load_data())
    cat = next(i for i in newer["instruments"] if i["code"] == "CAT")
    cat["provisions"][0]["summary"] = NEW_SUMMARY  # the Russian one as it was
    seeding.apply_catalogue(newer)
    db.session.commit()
    page = _reader(app, Role.MONITOR, "ru").get("/legal/provisions/CAT:3").get_data(as_text=True)
    assert page.count(MARK) == 1


def test_a_monitor_may_not_edit_the_catalogue(app, catalogue):
    monitor = _reader(app, Role.MONITOR, "en")
    refused = monitor.post(
        "/legal/provisions/edit/CAT:3", data=_provision_data("CAT:3", summary=NEW_SUMMARY)
    )
    assert refused.status_code == 403
    db.session.expire_all()
    assert services.get_provision("CAT:3").summary != NEW_SUMMARY
