"""Domestic remedies: recorded by the case team, deadlines on the case and the dashboard."""

from __future__ import annotations

import re
from datetime import date, timedelta

import pytest
from sqlalchemy import select

from casework.cases.models import Case
from casework.core import hooks
from casework.core.db import db
from casework.core.types import PartialDate
from casework.core.vocab import RemedyKind, RemedyOutcome, Role, TeamRole
from casework.legal import services
from casework.legal.models import Remedy
from casework.legal.views import dashboard_context
from tests.factories import make_case

TODAY = date.today()


@pytest.fixture
def login(client, login):
    def _login(user):
        client.post("/logout")
        return login(user)

    return _login


@pytest.fixture
def people(make_user):
    return {
        "monitor": make_user(Role.MONITOR),
        "lawyer": make_user(Role.LAWYER),
        "coordinator": make_user(Role.COORDINATOR),
        "other_lawyer": make_user(Role.LAWYER),
        "admin": make_user(Role.ADMIN),
    }


@pytest.fixture
def case(people):
    return make_case(people["monitor"], team=((people["lawyer"], TeamRole.LAWYER),))


def _data(**overrides):
    data = {
        "kind": "extradition_appeal",
        "body": "Almaty City Court",
        "filed_on": "2011-03-01",
        "decided_on": "2011-04-15",
        "outcome": "rejected",
        "appeal_deadline": (TODAY + timedelta(days=5)).isoformat(),
        "notes": "Hearing in <closed> session.",
    }
    data.update(overrides)
    return data


def _remedies(case) -> list[Remedy]:
    db.session.expire_all()
    return list(db.session.scalars(select(Remedy).where(Remedy.case_id == case.id)))


def _add(case, **values) -> Remedy:
    remedy = Remedy(case_id=case.id, kind=RemedyKind.ASYLUM_APPEAL, **values)
    db.session.add(remedy)
    db.session.commit()
    return remedy


@pytest.mark.parametrize("who", ["lawyer", "coordinator"])
def test_team_records_a_remedy(client, login, people, case, who):
    login(people[who])
    url = f"/cases/{case.public_id}/legal/remedies/new"
    assert client.get(url).status_code == 200
    assert client.post(url, data=_data()).status_code == 302
    (remedy,) = _remedies(case)
    assert remedy.kind == RemedyKind.EXTRADITION_APPEAL
    assert remedy.outcome == RemedyOutcome.REJECTED
    assert remedy.decided_on == PartialDate(2011, 4, 15) and not remedy.decided_on_approximate
    page = client.get(f"/cases/{case.public_id}/legal/").get_data(as_text=True)
    assert "Almaty City Court" in page and "&lt;closed&gt;" in page


def test_a_monitor_on_the_team_may_not_record_remedies(client, login, people, case):
    """The README's roles table gives domestic remedies to lawyers (and coordinators, as for
    legal grounds): a monitor on the team reads them but records none."""
    remedy = _add(case)
    login(people["monitor"])
    base = f"/cases/{case.public_id}/legal/remedies"
    assert client.get(f"{base}/new").status_code == 403
    assert client.post(f"{base}/new", data=_data()).status_code == 403
    edit = _data(version=remedy.version)
    assert client.post(f"{base}/{remedy.public_id}/edit", data=edit).status_code == 403
    assert client.post(f"{base}/{remedy.public_id}/hide", data={"reason": "x"}).status_code == 403
    assert len(_remedies(case)) == 1 and not _remedies(case)[0].is_hidden
    page = client.get(f"/cases/{case.public_id}/legal/").get_data(as_text=True)
    assert "Record a proceeding" not in page


@pytest.mark.parametrize("who", ["other_lawyer", "admin"])
def test_outsiders_cannot_record_remedies(client, login, people, case, who):
    remedy = _add(case)
    login(people[who])
    base = f"/cases/{case.public_id}/legal/remedies"
    assert client.post(f"{base}/new", data=_data()).status_code == 404
    edit = _data(version=remedy.version)
    assert client.post(f"{base}/{remedy.public_id}/edit", data=edit).status_code == 404
    assert client.post(f"{base}/{remedy.public_id}/hide", data={"reason": "x"}).status_code == 404
    assert len(_remedies(case)) == 1 and not _remedies(case)[0].is_hidden


def test_restricted_case_refuses_coordinator_off_team(client, login, people, case):
    case.restricted = True
    db.session.commit()
    login(people["coordinator"])
    url = f"/cases/{case.public_id}/legal/remedies/new"
    assert client.post(url, data=_data()).status_code == 403
    # The legal page holds analyses and remedy details: only for those who may read the case.
    assert client.get(f"/cases/{case.public_id}/legal/").status_code == 403
    assert client.get(f"/cases/{case.public_id}").status_code == 200
    client.post("/logout")
    login(people["lawyer"])
    assert client.get(f"/cases/{case.public_id}/legal/").status_code == 200


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        ({"decided_on": "2011-01-01"}, "cannot come before the filing"),
        ({"appeal_deadline": "2011-04-01"}, "cannot come before the decision"),
        ({"filed_on": "not a date"}, "is not a date: use YYYY"),
        ({"decided_on": "2011-13"}, "month 13 does not exist"),
        ({"filed_on": "2011-05", "decided_on": "2011-04"}, "cannot come before the filing"),
        ({"decided_on": "2011-05", "appeal_deadline": "2011-04-30"}, "before the decision"),
        ({"kind": "bogus"}, "Not a valid choice"),
    ],
)
def test_bad_remedy_input_shows_errors(client, login, people, case, overrides, message):
    login(people["lawyer"])
    response = client.post(f"/cases/{case.public_id}/legal/remedies/new", data=_data(**overrides))
    assert response.status_code == 200
    assert message in response.get_data(as_text=True)
    assert _remedies(case) == []


def test_edit_remedy_and_stale_edit(client, login, people, case):
    remedy = _add(case, body="District court")
    login(people["lawyer"])
    url = f"/cases/{case.public_id}/legal/remedies/{remedy.public_id}/edit"
    assert "District court" in client.get(url).get_data(as_text=True)
    old_version = remedy.version
    assert client.post(url, data=_data(version=old_version, exhausted="y")).status_code == 302
    (remedy,) = _remedies(case)
    assert remedy.exhausted and remedy.body == "Almaty City Court"
    response = client.post(url, data=_data(version=old_version, body="Supreme Court"))
    assert response.status_code == 409
    page = response.get_data(as_text=True)
    assert "Supreme Court" in page and "Almaty City Court" in page
    assert _remedies(case)[0].body == "Almaty City Court"


def test_hide_and_restore_remedy(client, login, people, case):
    remedy = _add(case)
    login(people["lawyer"])
    hide = f"/cases/{case.public_id}/legal/remedies/{remedy.public_id}/hide"
    assert client.post(hide, data={"reason": "Duplicate"}).status_code == 302
    assert _remedies(case)[0].is_hidden
    restore = f"/cases/{case.public_id}/legal/remedies/{remedy.public_id}/restore"
    assert client.post(restore).status_code == 403
    login(people["coordinator"])
    assert client.post(restore).status_code == 302
    assert not _remedies(case)[0].is_hidden


def test_deadline_provider_and_panel(people, case):
    _add(case, appeal_deadline=TODAY + timedelta(days=3))
    _add(case, appeal_deadline=TODAY - timedelta(days=2))
    _add(case, appeal_deadline=TODAY + timedelta(days=1), exhausted=True)
    _add(case, appeal_deadline=TODAY + timedelta(days=1), outcome=RemedyOutcome.MOOT)
    _add(case)
    deadlines = [d for d in hooks.case_deadlines(case) if d.kind == "appeal_deadline"]
    assert [d.due for d in deadlines] == [TODAY - timedelta(days=2), TODAY + timedelta(days=3)]
    assert deadlines[0].url == f"/cases/{case.public_id}#panel-remedies"
    ctx = {p.name: c for p, c in hooks.case_panels(case, people["lawyer"])}["remedies"]
    assert ctx["next_deadline"].due == TODAY - timedelta(days=2)
    assert len(ctx["remedies"]) == 5


def test_dashboard_lists_deadlines_of_visible_cases(client, login, people, case):
    _add(case, appeal_deadline=TODAY + timedelta(days=3))
    _add(case, appeal_deadline=TODAY - timedelta(days=1))
    _add(case, appeal_deadline=TODAY + timedelta(days=30))  # beyond the window
    hidden = make_case(people["other_lawyer"])
    _add(hidden, appeal_deadline=TODAY + timedelta(days=2))

    ctx = dashboard_context(people["lawyer"])
    items = ctx["deadlines"]
    assert [d.reference for d in items] == [case.reference, case.reference]
    assert [d.overdue for d in items] == [True, False]
    assert dashboard_context(people["admin"]) is None
    assert len(dashboard_context(people["coordinator"])["deadlines"]) == 3

    login(people["lawyer"])
    page = client.get("/").get_data(as_text=True)
    assert "Appeal deadlines" in page and "Overdue" in page and hidden.reference not in page


def test_dashboard_shows_the_most_urgent_deadlines_and_the_page_shows_them_all(
    client, login, people, case
):
    for days in range(-12, 0):  # twelve overdue deadlines: they pile up over the years
        _add(case, appeal_deadline=TODAY + timedelta(days=days))
    hidden = make_case(people["other_lawyer"])
    _add(hidden, appeal_deadline=TODAY - timedelta(days=20))

    ctx = dashboard_context(people["lawyer"])
    assert ctx["more"] and len(ctx["deadlines"]) == services.DASHBOARD_DEADLINES
    assert ctx["deadlines"][0].due == TODAY - timedelta(days=12)  # the oldest first

    login(people["lawyer"])
    home = client.get("/").get_data(as_text=True)
    assert 'href="/legal/deadlines"' in home
    page = client.get("/legal/deadlines").get_data(as_text=True)
    assert page.count('#panel-remedies"') == 12 and hidden.reference not in page
    login(people["other_lawyer"])  # the other case's team sees its own deadline only
    page = client.get("/legal/deadlines").get_data(as_text=True)
    assert page.count('#panel-remedies"') == 1 and hidden.reference in page


def test_timeline_items_for_remedies(people, case):
    _add(
        case,
        filed_on=date(2010, 8, 1),
        decided_on=date(2010, 9, 1),
        outcome=RemedyOutcome.REJECTED,
        body="Migration police",
    )
    _add(case, filed_on=date(2010, 9, 5), hidden_reason="x", hidden_at=None)
    db.session.expire_all()
    case = db.session.get(Case, case.id)
    items = [i for i in hooks.timeline_items(case, people["monitor"]) if i.kind == "remedy"]
    assert [i.when for i in items] == [
        PartialDate(2010, 8, 1),
        PartialDate(2010, 9, 1),
        PartialDate(2010, 9, 5),
    ]
    assert "Rejected" in items[1].title


def test_a_remedy_shown_to_be_ineffective_keeps_why_sealed(client, login, people, case):
    """UN complaints need remedies exhausted or shown to be ineffective: the lawyer records why
    an appeal is not effective; it is sealed at rest and shown to the case team."""
    from sqlalchemy import text

    login(people["lawyer"])
    url = f"/cases/{case.public_id}/legal/remedies/new"
    assert 'name="ineffective_because"' in client.get(url).get_data(as_text=True)
    reason = "No suspensive effect: the extradition may proceed while the appeal is pending."
    assert client.post(url, data=_data(ineffective_because=reason)).status_code == 302
    (remedy,) = _remedies(case)
    assert remedy.ineffective_because == reason and not remedy.exhausted
    raw = db.session.execute(text("SELECT ineffective_because FROM remedies")).scalar_one()
    assert raw.startswith("cw1:") and "suspensive" not in raw
    page = client.get(f"/cases/{case.public_id}/legal/").get_data(as_text=True)
    assert "argued not effective" in page and "No suspensive effect" in page
    # Too long: the form says so and keeps what was saved.
    edit = f"/cases/{case.public_id}/legal/remedies/{remedy.public_id}/edit"
    long = _data(
        ineffective_because="x" * (services.INEFFECTIVE_MAX_LEN + 1), version=remedy.version
    )
    response = client.post(edit, data=long)
    assert response.status_code == 200 and "2000" in response.get_data(as_text=True)
    assert _remedies(case)[0].ineffective_because == reason


# --- partial and approximate dates, as on the timeline -----------------------------------------


def test_a_proceeding_known_only_to_the_year_or_month_is_recorded_and_shown(
    client, login, people, case
):
    """ "Filed c. 2009", "rejected in August 2010": the form takes what the monitor knows,
    the panel shows it at its precision, the edit form gives it back as typed."""
    login(people["lawyer"])
    url = f"/cases/{case.public_id}/legal/remedies/new"
    page = client.get(url).get_data(as_text=True)
    assert 'name="filed_on_approximate"' in page and 'name="decided_on_approximate"' in page
    data = _data(filed_on="c. 2009", decided_on="August 2010", appeal_deadline="2010-08-20")
    assert client.post(url, data=data).status_code == 302
    (remedy,) = _remedies(case)
    assert remedy.filed_on == PartialDate(2009) and remedy.filed_on_approximate
    assert remedy.decided_on == PartialDate(2010, 8) and not remedy.decided_on_approximate
    assert remedy.appeal_deadline == date(2010, 8, 20)  # a deadline stays a day
    panel = client.get(f"/cases/{case.public_id}/legal/").get_data(as_text=True)
    assert ">c. 2009</td>" in panel and ">2010-08</td>" in panel and ">2010-08-20" in panel

    edit = f"/cases/{case.public_id}/legal/remedies/{remedy.public_id}/edit"
    form = client.get(edit).get_data(as_text=True)
    assert 'value="2009"' in form and 'value="2010-08"' in form
    assert re.search(r'<input checked id="filed_on_approximate"', form)
    assert re.search(r'<input id="decided_on_approximate"', form)
    # The box marks a date approximate as "c. " does; a day may be approximate too.
    changed = _data(
        version=remedy.version,
        filed_on="2009-03",
        filed_on_approximate="y",
        decided_on="12.08.2010",
        decided_on_approximate="y",
        appeal_deadline="2010-08-20",
    )
    assert client.post(edit, data=changed).status_code == 302
    (remedy,) = _remedies(case)
    assert (remedy.filed_on, remedy.filed_on_approximate) == (PartialDate(2009, 3), True)
    assert (remedy.decided_on, remedy.decided_on_approximate) == (PartialDate(2010, 8, 12), True)
    panel = client.get(f"/cases/{case.public_id}/legal/").get_data(as_text=True)
    assert ">c. 2009-03</td>" in panel and ">c. 2010-08-12</td>" in panel


def test_a_bad_partial_date_is_refused_with_a_message_and_nothing_is_lost(
    client, login, people, case
):
    remedy = _add(case, filed_on=PartialDate(2009), filed_on_approximate=True, body="Court")
    login(people["lawyer"])
    edit = f"/cases/{case.public_id}/legal/remedies/{remedy.public_id}/edit"
    bad = _data(version=remedy.version, filed_on="spring 2009", decided_on="2010-08")
    response = client.post(edit, data=bad)
    page = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "“spring 2009” is not a date" in page
    # What the user typed is still in the form, to be corrected.
    assert 'value="spring 2009"' in page and 'value="2010-08"' in page
    (saved,) = _remedies(case)
    assert saved.filed_on == PartialDate(2009) and saved.filed_on_approximate
    assert saved.decided_on is None and saved.body == "Court"
    assert saved.version == remedy.version


def test_partial_dates_are_checked_against_every_day_they_may_stand_for(people, case):
    """A decision in August 2010 may follow a filing on 5 August 2010, and a deadline on
    3 August may follow it: only what must come before is refused."""
    lawyer = people["lawyer"]
    remedy = services.add_remedy(
        lawyer,
        case,
        kind="asylum_claim",
        filed_on="2010-08-05",
        decided_on="2010-08",
        appeal_deadline=date(2010, 8, 3),
    )
    assert remedy.decided_on == PartialDate(2010, 8)
    assert services.add_remedy(
        lawyer, case, kind="asylum_appeal", filed_on="2010", decided_on="2010-01-01"
    )


def test_proceedings_sort_by_partial_dates_as_the_timeline_does(people, case):
    _add(case, body="day", filed_on=PartialDate(2010, 8, 12))
    _add(case, body="none")
    _add(case, body="month", filed_on=PartialDate(2010, 8))
    _add(case, body="decided only", decided_on=PartialDate(2009, 5))
    _add(case, body="year", filed_on=PartialDate(2010), filed_on_approximate=True)
    bodies = [r.body for r in services.case_remedies(case)]
    assert bodies == ["decided only", "year", "month", "day", "none"]
    db.session.expire_all()
    items = [
        i
        for i in hooks.timeline_items(db.session.get(Case, case.id), people["lawyer"])
        if i.kind == "remedy"
    ]
    assert [i.when_label for i in items] == ["2009-05", "c. 2010", "2010-08", "2010-08-12"]


def test_an_exact_date_recorded_before_keeps_its_meaning(client, login, people, case):
    remedy = _add(case, filed_on=date(2011, 6, 20), decided_on=date(2011, 7, 1))
    db.session.expire_all()
    remedy = db.session.get(Remedy, remedy.id)
    assert remedy.filed_on == PartialDate(2011, 6, 20) and not remedy.filed_on_approximate
    login(people["lawyer"])
    panel = client.get(f"/cases/{case.public_id}/legal/").get_data(as_text=True)
    assert ">2011-06-20</td>" in panel and ">2011-07-01</td>" in panel
