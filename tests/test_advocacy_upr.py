"""UPR recommendations: CSV import (all or nothing), catalogue pages, implementation view."""

from __future__ import annotations

import io
from datetime import date, timedelta

import pytest
from sqlalchemy import func, select

from casework.advocacy import services, upr
from casework.advocacy.models import UPRRecommendation
from casework.advocacy.upr_import import import_recommendations, parse
from casework.core.db import db
from casework.core.errors import PermissionDenied
from casework.core.types import PartialDate
from casework.core.vocab import ActionType, Role, TeamRole, UPRResponse
from tests.case_helpers import decrypted_columns
from tests.factories import make_case, make_user

HEADER = "cycle,number,recommending_state,text,response,themes\n"
GOOD = (
    HEADER
    + "3,139.24,Germany,Respect the principle of non-refoulement,supported,refoulement; asylum\n"
    '3,139.25,Canada,"Ensure that extradition requests, including under the Minsk Convention, are '
    'reviewed",noted,"extradition, CIS"\n'
)


def _count() -> int:
    return db.session.scalar(select(func.count()).select_from(UPRRecommendation))


@pytest.fixture
def coordinator():
    return make_user(Role.COORDINATOR)


def _upload(client, content: bytes, name: str = "recs.csv"):
    return client.post(
        "/advocacy/upr/import",
        data={"file": (io.BytesIO(content), name)},
        content_type="multipart/form-data",
    )


def test_import_creates_then_upserts(client, login, coordinator):
    login(coordinator)
    response = _upload(client, GOOD.encode())
    assert response.status_code == 302, response.get_data(as_text=True)
    db.session.expire_all()
    assert _count() == 2
    rec = upr.find(3, "139.25")
    assert rec.response == UPRResponse.NOTED
    assert rec.themes == "extradition; CIS"
    assert "Minsk Convention" in rec.text
    changed = GOOD.replace("noted", "supported")
    assert _upload(client, changed.encode()).status_code == 302
    db.session.expire_all()
    assert _count() == 2
    assert upr.find(3, "139.25").response == UPRResponse.SUPPORTED


def test_bad_row_reports_row_and_column_and_imports_nothing(client, login, coordinator):
    login(coordinator)
    bad = GOOD + "3,139.26,France,,supported,\n" + "x,139.27,Spain,Text,maybe,\n"
    response = _upload(client, bad.encode())
    assert response.status_code == 422
    text = response.get_data(as_text=True)
    assert "Nothing was imported" in text
    assert "Row 4, column <code>text</code>" in text
    assert "Row 5, column <code>response</code>" in text
    assert "Row 5, column <code>cycle</code>" in text
    db.session.expire_all()
    assert _count() == 0


def test_bad_row_in_upsert_leaves_existing_rows_alone(coordinator):
    assert import_recommendations(coordinator, GOOD.encode()).ok
    db.session.commit()
    bad = GOOD.replace("Germany", "Germany (changed)") + "3,139.24,Italy,Duplicate,noted,\n"
    result = import_recommendations(coordinator, bad.encode())
    assert not result.ok
    assert result.errors[0].row == 4 and result.errors[0].column == "number"
    assert "repeats row 2" in result.errors[0].reason
    db.session.rollback()
    assert upr.find(3, "139.24").recommending_state == "Germany"


def test_bom_semicolons_and_multiline_cells():
    content = (
        "\ufeffCycle;Number;Recommending State;Text;Response;Themes;response_date\r\n"
        '4;12.3;Norway;"Two\nlines";Accepted;torture;2025-05-01\r\n'
        "\r\n"
        "4;12.4;Chile;Text;pending;;\r\n"
    ).encode()
    rows, errors = parse(content)
    assert errors == []
    assert [r for r, _ in rows] == [2, 4]
    assert rows[0][1]["response"] == UPRResponse.SUPPORTED
    assert rows[0][1]["response_date"] == date(2025, 5, 1)
    assert rows[0][1]["text"] == "Two\nlines"


@pytest.mark.parametrize(
    ("content", "row", "column"),
    [
        (b"\xff\xfe\x00c", 1, ""),
        (b"", 1, ""),
        (b"cycle,number,text\n", 1, "recommending_state, response"),
        (HEADER.encode() + b"3,abc,Germany,Text,supported,\n", 2, "number"),
        (HEADER.encode() + b"99,1.1,Germany,Text,supported,\n", 2, "cycle"),
        (HEADER.encode() + b"3,1.1,Germany,Text,supported,,extra\n", 2, ""),
    ],
)
def test_parse_errors(content, row, column):
    rows, errors = parse(content)
    assert errors, rows
    assert (errors[0].row, errors[0].column) == (row, column)


def test_import_refused_to_lawyers(client, login):
    lawyer = make_user(Role.LAWYER)
    with pytest.raises(PermissionDenied):
        import_recommendations(lawyer, GOOD.encode())
    login(lawyer)
    assert _upload(client, GOOD.encode()).status_code == 403
    assert client.get("/advocacy/upr").status_code == 200


def test_create_edit_link_and_cycle_view(client, login, coordinator):
    lawyer = make_user(Role.LAWYER)
    monitor = make_user(Role.MONITOR)
    after = make_case(
        monitor,
        team=((lawyer, TeamRole.LAWYER),),
        act_date=PartialDate(2021, 3),
        narrative="Detained in Almaty pending extradition.",
    )
    before = make_case(monitor, act_date=PartialDate(2019, 5, 2))
    year_only = make_case(monitor, act_date=PartialDate(2020))
    upr.seed_cycles()
    db.session.commit()
    third = upr.find_cycle(3)
    login(coordinator)
    response = client.post(
        "/advocacy/upr/recommendations/new",
        data={
            "cycle": third.public_id,
            "number": "139.24",
            "recommending_state": "Germany",
            "text": "Respect non-refoulement",
            "response": "supported",
            "response_date": "2020-03-12",
            "themes": "refoulement",
        },
    )
    assert response.status_code == 302, response.get_data(as_text=True)
    db.session.expire_all()
    rec = upr.find(3, "139.24")
    response = client.post(
        "/advocacy/upr/recommendations/new",
        data={
            "cycle": third.public_id,
            "number": "139.24",
            "recommending_state": "X",
            "text": "Y",
            "response": "noted",
        },
    )
    assert "already has a recommendation with this number" in response.get_data(as_text=True)

    for case in (after, before, year_only):
        r = client.post(
            f"/advocacy/upr/recommendations/{rec.public_id}/cases",
            data={"case-reference": case.reference.lower()},
        )
        assert r.status_code == 302
    r = client.post(
        f"/advocacy/upr/recommendations/{rec.public_id}/cases",
        data={"case-reference": "KZ-1900-0000"},
    )
    assert r.status_code == 400
    action = services.create_action(
        coordinator,
        services.ActionData(action_type=ActionType.UPR_SUBMISSION, title="Stakeholder report"),
    )
    db.session.commit()
    r = client.post(
        f"/advocacy/upr/recommendations/{rec.public_id}/actions",
        data={"act-action": action.public_id},
    )
    assert r.status_code == 302
    db.session.expire_all()
    rec = upr.find(3, "139.24")
    assert len(rec.cases) == 3 and len(rec.actions) == 1

    rows = upr.cycle_view(coordinator, upr.find_cycle(3))
    assert rows[0].after_support == 1  # 2019-05-02 is before, "2020" may be before: not counted
    assert rows[0].actions == 1
    # The page counts the cases: none of their texts is read, hence decrypted.
    with decrypted_columns() as opened:
        page = client.get(f"/advocacy/upr/cycles/{third.public_id}").get_data(as_text=True)
    assert "139.24" in page and "Kazakhstan, 3rd cycle (2019)" in page
    assert not [c for c in opened if c.startswith(("cases.", "advocacy_actions."))], opened
    assert client.get("/advocacy/upr/cycles/3").status_code == 404
    assert client.get("/advocacy/upr").status_code == 200
    assert client.get("/advocacy/upr/cycles/abc").status_code == 404

    # Lawyers see only the cases they may see, on the page and in the count.
    client.post("/logout")
    login(lawyer)
    page = client.get(f"/advocacy/upr/recommendations/{rec.public_id}").get_data(as_text=True)
    assert after.reference in page
    assert before.reference not in page and year_only.reference not in page
    assert upr.cycle_view(lawyer, upr.find_cycle(3))[0].cases == [after]
    assert client.get(f"/advocacy/upr/recommendations/{rec.public_id}/edit").status_code == 403


def test_recommendation_stale_edit(client, login, coordinator):
    rec = upr.create_recommendation(
        coordinator,
        upr.RecommendationData(
            cycle=3, number="139.1", recommending_state="Germany", text="Original"
        ),
    )
    db.session.commit()
    version = rec.version
    rec.text = "Changed elsewhere"
    db.session.commit()
    login(coordinator)
    response = client.post(
        f"/advocacy/upr/recommendations/{rec.public_id}/edit",
        data={
            "cycle": rec.cycle.public_id,
            "number": "139.1",
            "recommending_state": "Germany",
            "text": "My text",
            "response": "noted",
            "version": str(version),
        },
    )
    assert response.status_code == 409
    text = response.get_data(as_text=True)
    assert "Changed elsewhere" in text and "My text" in text


def test_cycle_response_date(client, login, coordinator):
    assert import_recommendations(coordinator, GOOD.encode()).ok
    db.session.commit()
    login(coordinator)
    cycle = upr.find_cycle(3)
    r = client.post(
        f"/advocacy/upr/cycles/{cycle.public_id}/response-date",
        data={"response_date": "2020-03-12"},
    )
    assert r.status_code == 302
    db.session.expire_all()
    assert upr.find(3, "139.24").response_date == date(2020, 3, 12)


def test_a_states_response_is_dated_neither_before_its_review_nor_in_the_future(
    client, login, coordinator
):
    """The State answers a recommendation at or after its review, and not next month: such a
    date was saved by the form, the import and the cycle's date alike, and the implementation
    view then counted cases against a response that cannot have been given."""
    upr.seed_cycles()  # the 3rd cycle: reviewed in November 2019
    db.session.commit()
    third = upr.find_cycle(3)
    later = date.today() + timedelta(days=30)
    login(coordinator)
    for when, words in (("2019-10-31", "before the review"), (later.isoformat(), "future")):
        response = client.post(
            "/advocacy/upr/recommendations/new",
            data={
                "cycle": third.public_id,
                "number": "139.24",
                "recommending_state": "Germany",
                "text": "Respect non-refoulement",
                "response": "supported",
                "response_date": when,
            },
        )
        assert response.status_code == 200, when
        assert words in response.get_data(as_text=True)
    db.session.expire_all()
    assert _count() == 0

    dated = HEADER.replace("themes", "themes,response_date")
    for when in ("2019-10-31", later.isoformat()):
        response = _upload(client, (dated + f"3,139.24,Germany,Text,supported,,{when}\n").encode())
        assert response.status_code == 422, when
        assert "Row 2, column <code>response_date</code>" in response.get_data(as_text=True)
    assert _count() == 0

    assert import_recommendations(coordinator, GOOD.encode()).ok
    db.session.commit()
    for when in ("2019-10-31", later.isoformat()):
        response = client.post(
            f"/advocacy/upr/cycles/{third.public_id}/response-date",
            data={"response_date": when},
            follow_redirects=True,
        )
        assert response.status_code == 200, when
    db.session.expire_all()
    assert upr.find(3, "139.24").response_date is None
    # A date in the month of the review (known to the month only) is taken.
    response = client.post(
        f"/advocacy/upr/cycles/{third.public_id}/response-date",
        data={"response_date": "2019-11-20"},
    )
    assert response.status_code == 302
    db.session.expire_all()
    assert upr.find(3, "139.24").response_date == date(2019, 11, 20)


def test_a_russian_coordinator_is_told_in_russian_what_is_wrong_with_upr_data(client, login):
    """The UPR checks (a cycle's date, a recommendation's number, every row of an import),
    the import's summary and the conflict notice spoke English to a Russian-speaking
    coordinator."""
    coordinator = make_user(Role.COORDINATOR, language="ru")
    upr.seed_cycles()
    db.session.commit()
    third = upr.find_cycle(3)
    login(coordinator)
    html = client.post(
        "/advocacy/upr/cycles/new",
        data={"state_under_review": "Kyrgyzstan", "number": "4", "review_date": "soon"},
    ).get_data(as_text=True)
    assert "is not a date" not in html
    html = client.post(
        "/advocacy/upr/recommendations/new",
        data={
            "cycle": third.public_id,
            "number": "one",
            "recommending_state": "Germany",
            "text": "Respect non-refoulement",
            "response": "supported",
        },
    ).get_data(as_text=True)
    assert "Write the number as in the report" not in html
    form = client.get("/advocacy/upr/recommendations/new").get_data(as_text=True)
    assert "e.g. 139.24" not in form

    bad = (
        HEADER.replace("themes", "themes,response_date")
        + "3,139.24,Germany,Text,maybe,,2020-03\n"
        + "3,139.24,Germany,,supported,,\n"
    )
    html = _upload(client, bad.encode()).get_data(as_text=True)
    for english in ("is not supported, noted or pending", "give the full date", "is required"):
        assert english not in html, english
    html = _upload(client, b"cycle,number\n").get_data(as_text=True)
    assert "missing column(s)" not in html
    html = _upload(client, HEADER.encode()).get_data(as_text=True)
    assert "no recommendations below the header row" not in html
    response = _upload(client, GOOD.encode())
    assert response.status_code == 302
    html = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "Imported:" not in html and "2" in html

    rec = upr.find(3, "139.24")
    html = client.post(
        f"/advocacy/upr/recommendations/{rec.public_id}/edit",
        data={
            "cycle": third.public_id,
            "number": "139.24",
            "recommending_state": "Germany",
            "text": "My text",
            "response": "noted",
            "version": "0",
        },
    ).get_data(as_text=True)
    assert "Someone else changed this recommendation" not in html
