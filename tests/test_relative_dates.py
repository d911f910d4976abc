"""Dates typed as "today", "вчера", "позавчера" on a web form: the day itself, never the word.

A form is read the moment it is sent, so the day a relative word stands for is known: the app's
today (``date.today()``, as deadlines and the dashboard count days). An API call or an import
file was written some time before it is read: there the words are refused like any text that is
not a date (422 / a rejected row), or kept as a draft's note as such text is.
"""

from __future__ import annotations

import json
from datetime import UTC, date, datetime, timedelta

import pytest
import time_machine
from sqlalchemy import func, select

from casework.cases.models import Case, Event
from casework.core.db import db
from casework.core.errors import ValidationFailed
from casework.core.fields import FieldReader
from casework.core.types import PartialDate
from casework.core.vocab import Role, TeamRole
from casework.legal.models import Remedy
from casework.legal.seeding import seed_catalogue
from tests.api_clients import api_for
from tests.case_helpers import INTAKE, intake, page
from tests.factories import log_in, make_case, make_user
from tests.html_forms import form_fields

# Early on the first of March (UTC): "yesterday" is in February, "позавчера" the day before.
MORNING = datetime(2027, 3, 1, 9, 0, tzinfo=UTC)
TODAY = date(2027, 3, 1)


def _travel(when: datetime = MORNING):
    return time_machine.travel(when, tick=False)


def _typed(text: str, typed_on: date) -> PartialDate | None:
    r = FieldReader({"date": text, "date_approximate": False}, typed_on=typed_on)
    r.partial_date("date", approximate="date_approximate")
    return r.values()["date"]


@pytest.mark.parametrize(
    ("text", "days"),
    [
        ("today", 0), ("Today", 0), ("TODAY.", 0), (" сегодня ", 0), ("Сегодня!", 0),
        ("yesterday", 1), ("Yesterday,", 1), ("вчера", 1), ("ВЧЕРА.", 1),
        ("day before yesterday", 2), ("the day before  yesterday", 2), ("позавчера", 2),
        ("Позавчера...", 2),
        # Uzbek (Latin, with each apostrophe phones type, and Cyrillic) and Kazakh.
        ("bugun", 0), ("Бугун", 0), ("бүгін", 0), ("Kecha", 1), ("кеча", 1), ("КЕШЕ.", 1),
        ("o'tgan kuni", 2), ("O‘tgan kuni", 2), ("oʻtgan  kuni", 2), ("ўтган куни", 2),
        ("алдыңғы күні", 2),
    ],
)  # fmt: skip
def test_a_relative_word_is_the_day_it_names_never_after_the_day_of_typing(text, days):
    read = _typed(text, TODAY)
    assert read == PartialDate.from_date(TODAY - timedelta(days=days))
    assert read.precision == "day" and read.earliest() <= TODAY


@pytest.mark.parametrize("text", ["tomorrow", "завтра", "today 2011", "вчера вечером"])
def test_other_words_stay_unreadable(text):
    with pytest.raises(ValidationFailed) as refused:
        _typed(text, TODAY)
    assert "is not a date" in refused.value.errors["date"][0]


@pytest.mark.parametrize("text", ["today", "Вчера", "позавчера."])
def test_without_the_day_of_typing_a_relative_word_is_refused_saying_why(text):
    r = FieldReader({"date": text})
    r.partial_date("date")
    with pytest.raises(ValidationFailed) as refused:
        r.values()
    message = refused.value.errors["date"][0]
    assert text.strip() in message and "give the date itself" in message


# --- the web forms --------------------------------------------------------------------------


def test_a_monitor_logs_a_detention_today_and_sees_the_date(client):
    with _travel():
        monitor = make_user(Role.MONITOR)
        log_in(client, monitor)
        response = client.post("/cases/new", data=dict(INTAKE, act_date="сегодня"))
        assert response.status_code == 302, response.get_data(as_text=True)
        html = page(client, response.headers["Location"])
    case = db.session.scalar(select(Case))
    assert case.act_date == PartialDate(2027, 3, 1) and case.act_date_note is None
    assert case.reference == "KZ-2027-0001"
    # The page after saving shows the date it was read as: a slip ("вчера") shows at once.
    assert "“сегодня” was read as 2027-03-01" in html
    assert "<dd>2027-03-01</dd>" in html


def test_a_draft_takes_yesterday_as_a_date_not_as_a_note(client):
    with _travel():
        log_in(client, make_user(Role.MONITOR))
        data = dict(INTAKE, name="", act_type="", act_date="Вчера.")
        data.pop("save")
        data["save_draft"] = "1"
        assert client.post("/cases/new", data=data).status_code == 302
    case = db.session.scalar(select(Case))
    assert case.act_date == PartialDate(2027, 2, 28) and case.act_date_note is None


def test_the_event_form_reads_yesterday_and_shows_the_day(client):
    with _travel():
        monitor = make_user(Role.MONITOR)
        case = make_case(monitor)
        log_in(client, monitor)
        url = f"/cases/{case.public_id}/events/new"
        response = client.post(url, data={"event_type": "arrest", "date": "yesterday"})
        assert response.status_code == 302, response.get_data(as_text=True)
        html = page(client, response.headers["Location"])
    (event,) = db.session.scalars(select(Event))
    assert event.date == PartialDate(2027, 2, 28) and event.date_note is None
    assert "“yesterday” was read as 2027-02-28" in html
    assert "2027-02-28" in html.split('id="timeline"')[-1]


def test_in_russian_the_day_before_yesterday_is_said_and_shown_in_russian(client):
    with _travel():
        monitor = make_user(Role.MONITOR)
        monitor.language = "ru"
        db.session.commit()
        case = make_case(monitor)
        log_in(client, monitor)
        response = client.post(
            f"/cases/{case.public_id}/events/new",
            data={"event_type": "release", "date": "Позавчера"},
        )
        assert response.status_code == 302, response.get_data(as_text=True)
        html = page(client, response.headers["Location"])
        form = page(client, f"/cases/{case.public_id}/events/new")
    (event,) = db.session.scalars(select(Event))
    assert event.date == PartialDate(2027, 2, 27)
    assert "«Позавчера» записано как 27.02.2027." in html
    assert "«сегодня» или «вчера» дают эту дату" in form


def test_a_remedy_filed_today_is_dated(client):
    with _travel():
        monitor, lawyer = make_user(Role.MONITOR), make_user(Role.LAWYER)
        case = make_case(monitor, team=((lawyer, TeamRole.LAWYER),))
        log_in(client, lawyer)
        response = client.post(
            f"/cases/{case.public_id}/legal/remedies/new",
            data={"kind": "extradition_appeal", "filed_on": "today", "outcome": "pending"},
        )
        assert response.status_code == 302, response.get_data(as_text=True)
        html = page(client, response.headers["Location"])
    remedy = db.session.scalar(select(Remedy))
    assert remedy.filed_on == PartialDate(2027, 3, 1)
    assert "“today” was read as 2027-03-01" in html


def test_editing_a_case_days_later_keeps_the_day_today_gave(client):
    """The edit form shows the stored date, not the word: saving it again three days later
    changes nothing but what was edited."""
    with _travel():
        monitor = make_user(Role.MONITOR)
        log_in(client, monitor)
        case = intake(client, act_date="сегодня")
    with _travel(MORNING + timedelta(days=3)):
        log_in(client, monitor)
        url = f"/cases/{case.public_id}/edit"
        fields = form_fields(page(client, url), "")
        assert fields["act_date"] == "2027-03-01"
        fields["title"] = "Detained at the border"
        assert client.post(url, data=fields).status_code == 302
    db.session.expire_all()
    case = db.session.get(Case, case.id)
    assert case.title == "Detained at the border"
    assert case.act_date == PartialDate(2027, 3, 1)


def test_a_note_saying_today_is_never_turned_into_a_date_later(app, client):
    """A draft sent through the API keeps "today" as its note (the day it meant is not known);
    editing the case on a web form later does not read the note as that later day."""
    with _travel():
        monitor = make_user(Role.MONITOR)
        created = api_for(app, monitor).post("cases", json={"draft": True, "act_date": "today"})
        assert created.status_code == 201, created.get_json()
        assert created.get_json()["act_date"] is None
    case = db.session.scalar(select(Case))
    assert case.act_date is None and case.act_date_note == "today"
    with _travel(MORNING + timedelta(days=3)):
        log_in(client, monitor)
        url = f"/cases/{case.public_id}/edit"
        fields = form_fields(page(client, url), "")
        fields["narrative"] = "Detained at the border."
        assert client.post(url, data=fields).status_code == 302
    db.session.expire_all()
    case = db.session.get(Case, case.id)
    assert case.act_date is None and case.act_date_note == "today"
    assert case.reference.startswith("KZ-XXXX-")


# --- the API and the importer stay strict -----------------------------------------------------


def test_the_api_refuses_a_relative_date_and_takes_the_date_itself(app):
    with _travel():
        monitor = make_user(Role.MONITOR)
        api = api_for(app, monitor)
        intake_body = {"name": "Test Person", "act_type": "extradition", "act_date": "вчера"}
        refused = api.post("cases", json=intake_body)
        assert refused.status_code == 422, refused.get_json()
        message = refused.get_json()["error"]["fields"]["act_date"][0]
        assert "вчера" in message and "give the date itself" in message
        assert db.session.scalar(select(func.count(Case.id))) == 0
        # The same intake with the date itself is taken.
        created = api.post("cases", json=dict(intake_body, act_date="2027-02-28"))
        assert created.status_code == 201, created.get_json()
        case_id = created.get_json()["id"]
        event = api.post(f"cases/{case_id}/events", json={"event_type": "arrest", "date": "today"})
        assert event.status_code == 422 and "date" in event.get_json()["error"]["fields"]
        etag = created.headers["ETag"]
        change = api.patch(
            f"cases/{case_id}", json={"act_date": "today"}, headers={"If-Match": etag}
        )
        assert change.status_code == 422 and "act_date" in change.get_json()["error"]["fields"]
    case = db.session.scalar(select(Case))
    assert case.act_date == PartialDate(2027, 2, 28)
    assert db.session.scalar(select(func.count(Event.id)).where(Event.case_id == case.id)) == 1


def test_an_import_row_dated_yesterday_is_rejected_saying_why(app, tmp_path):
    with _travel():
        seed_catalogue()
        db.session.commit()
        coordinator = make_user(Role.COORDINATOR)
        path = tmp_path / "cases.csv"
        path.write_text(
            "person_name,act_type,act_date\n"
            "Алишер Холматов,extradition,вчера\n"
            "Gulnora Xolmatova,extradition,2027-02-28\n",
            "utf-8",
        )
        out = tmp_path / "report.json"
        result = app.test_cli_runner().invoke(
            args=["import", "cases", str(path), "--as", coordinator.email,
                  "--report-json", str(out)],
        )  # fmt: skip
    assert result.exit_code == 1, result.output
    report = json.loads(out.read_text("utf-8"))
    (problem,) = report["rejected"]
    assert (problem["row"], problem["column"]) == (2, "act_date")
    assert "give the date itself" in problem["message"]
    assert db.session.scalar(select(func.count(Case.id))) == 0
