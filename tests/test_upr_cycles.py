"""UPR cycles as data: Kazakhstan's reviews seeded, pages naming State, number and year, and the
migration that turned bare cycle numbers into cycles."""

from __future__ import annotations

from datetime import UTC, datetime

from flask_migrate import downgrade, upgrade
from sqlalchemy import select, text

from casework.advocacy import services, upr
from casework.advocacy.models import UPRCycle
from casework.advocacy.upr_import import import_recommendations
from casework.core.db import db
from casework.core.types import PartialDate
from casework.core.vocab import ActionType, Role
from tests.html_forms import form_fields

BEFORE = "0d5a7e80d3b3"  # the revision before cycles became a table


def test_kazakhstan_cycles_are_seeded_and_completed_not_overwritten(app):
    # A cycle the migration created from a bare number, with a fact a coordinator corrected.
    db.session.add(UPRCycle(state_under_review="Kazakhstan", number=2, wg_session="20th"))
    db.session.commit()
    result = app.test_cli_runner().invoke(args=["seed"])
    assert "UPR cycles: 3 added, 1 completed" in result.output
    db.session.expire_all()
    cycles = {c.number: c for c in upr.list_cycles()}
    assert sorted(cycles) == [1, 2, 3, 4]
    assert cycles[1].review_date == PartialDate(2010, 2, 12)
    assert cycles[1].report_symbol == "A/HRC/14/10"
    assert cycles[2].review_date == PartialDate(2014, 10, 30)
    assert cycles[2].report_symbol == "A/HRC/28/10"
    assert cycles[2].wg_session == "20th"  # kept
    assert cycles[3].review_date == PartialDate(2019, 11)
    assert cycles[4].review_date == PartialDate(2025, 1, 23)
    assert [c.label for c in upr.list_cycles()][-1] == "Kazakhstan, 1st cycle (2010)"
    assert upr.seed_cycles() == "0 added, 0 completed"


def test_pages_show_state_number_and_year(client, login, make_user):
    coordinator = make_user(Role.COORDINATOR)
    upr.seed_cycles()
    rec = upr.create_recommendation(
        coordinator,
        upr.RecommendationData(cycle=2, number="121.5", recommending_state="Canada", text="T"),
    )
    action = services.create_action(
        coordinator, services.ActionData(action_type=ActionType.UPR_SUBMISSION, title="Report")
    )
    action.recommendations.append(rec)
    db.session.commit()
    login(coordinator)
    listing = client.get("/advocacy/upr").get_data(as_text=True)
    assert "Kazakhstan, 1st cycle (2010)" in listing and "2010-02-12" in listing
    assert "A/HRC/14/10" in listing and "7th session" in listing
    page = client.get(f"/advocacy/upr/recommendations/{rec.public_id}").get_data(as_text=True)
    assert "Kazakhstan, 2nd cycle (2014)" in page and "A/HRC/28/10" in page
    detail = client.get(f"/advocacy/actions/{action.public_id}").get_data(as_text=True)
    assert "Kazakhstan, 2nd cycle (2014), 121.5" in detail
    form = client.get("/advocacy/upr/recommendations/new").get_data(as_text=True)
    assert "Kazakhstan, 4th cycle (2025)" in form


def test_coordinator_adds_and_corrects_a_cycle(client, login, make_user):
    login(make_user(Role.COORDINATOR))
    data = {
        "state_under_review": "Kyrgyzstan",
        "number": "4",
        "wg_session": "48th session",
        "review_date": "2025-01",
        "report_symbol": "",
    }
    assert client.post("/advocacy/upr/cycles/new", data=data).status_code == 302
    again = client.post("/advocacy/upr/cycles/new", data=data)
    assert "already has a cycle with this number" in again.get_data(as_text=True)
    bad = client.post("/advocacy/upr/cycles/new", data=dict(data, review_date="soon", number="5"))
    assert "is not a date" in bad.get_data(as_text=True)
    db.session.expire_all()
    cycle = upr.find_cycle(4, "Kyrgyzstan")
    response = client.post(
        f"/advocacy/upr/cycles/{cycle.public_id}/edit",
        data=dict(data, report_symbol="A/HRC/59/4", version=cycle.version),
    )
    assert response.status_code == 302
    stale = client.post(
        f"/advocacy/upr/cycles/{cycle.public_id}/edit", data=dict(data, version=cycle.version)
    )
    assert stale.status_code == 409
    db.session.expire_all()
    assert upr.find_cycle(4, "Kyrgyzstan").report_symbol == "A/HRC/59/4"


def test_cycle_edit_conflict_keeps_what_the_user_typed(client, login, make_user):
    login(make_user(Role.COORDINATOR))
    upr.seed_cycles()
    db.session.commit()
    cycle = upr.find_cycle(3)
    url = f"/advocacy/upr/cycles/{cycle.public_id}/edit"
    form = form_fields(client.get(url).get_data(as_text=True), "")
    # Someone else corrects the cycle while the form is open.
    upr.save_cycle(
        make_user(Role.COORDINATOR),
        cycle,
        upr.CycleData("Kazakhstan", 3, "34th session", "2019-11-07", "A/HRC/43/10"),
        cycle.version,
    )
    db.session.commit()
    response = client.post(url, data=dict(form, wg_session="Typed meanwhile, 34th"))
    page = response.get_data(as_text=True)
    assert response.status_code == 409
    assert "Typed meanwhile, 34th" in page  # what the user typed is not lost...
    assert "2019-11-07" in page  # ...and the saved version is shown beside it
    db.session.expire_all()
    assert upr.find_cycle(3).wg_session == "34th session"
    # Sent again from the conflict page, the form saves on the version now saved.
    again = form_fields(page, "")
    assert client.post(url, data=again).status_code == 302
    db.session.expire_all()
    assert upr.find_cycle(3).wg_session == "Typed meanwhile, 34th"


def test_import_names_the_state_under_review(make_user):
    coordinator = make_user(Role.COORDINATOR)
    content = (
        "cycle,number,recommending_state,text,response,themes,state_under_review\n"
        "3,139.24,Germany,Respect non-refoulement,supported,refoulement,\n"
        "3,139.24,Norway,Other State's review,noted,,Uzbekistan\n"
    )
    result = import_recommendations(coordinator, content.encode())
    assert result.ok and result.created == 2, result.errors
    db.session.commit()
    assert upr.find(3, "139.24").recommending_state == "Germany"
    assert upr.find(3, "139.24", "Uzbekistan").recommending_state == "Norway"
    assert upr.find_cycle(3, "Uzbekistan").label == "Uzbekistan, 3rd cycle"


def test_migration_moves_cycle_numbers_into_cycles_and_back(app):
    db.session.remove()
    downgrade(revision=BEFORE)
    now = datetime.now(UTC)
    with db.engine.begin() as conn:
        for i, (cycle, number) in enumerate([(2, "121.1"), (3, "139.24"), (3, "139.25")]):
            conn.execute(
                text(
                    "INSERT INTO upr_recommendations (public_id, cycle, number, "
                    "recommending_state, text, response, created_at, updated_at, version) "
                    "VALUES (:p, :c, :n, 'Germany', 'T', 'supported', :t, :t, 1)"
                ),
                {"p": f"rec{i}", "c": cycle, "n": number, "t": now},
            )
    upgrade()
    cycles = {c.number: c for c in db.session.scalars(select(UPRCycle))}
    assert sorted(cycles) == [2, 3]
    assert {c.state_under_review for c in cycles.values()} == {"Kazakhstan"}
    assert upr.find(3, "139.25") is not None and upr.find(2, "121.1") is not None
    assert upr.find(2, "139.24") is None
    db.session.remove()
    downgrade(revision=BEFORE)
    with db.engine.connect() as conn:
        rows = conn.execute(
            text("SELECT cycle, number FROM upr_recommendations ORDER BY number")
        ).all()
    assert [tuple(r) for r in rows] == [(2, "121.1"), (3, "139.24"), (3, "139.25")]
    upgrade()
