"""Small defects a new user met: each test shows the fixed behaviour."""

from __future__ import annotations

import re
from datetime import date, timedelta

from sqlalchemy import func, select

from casework.advocacy import services as advocacy
from casework.advocacy import upr
from casework.advocacy.models import UPRCycle, ordinal
from casework.core.db import db
from casework.core.types import PartialDate
from casework.core.vocab import ActionStatus, ActionType, Role, TeamRole
from casework.evidence import services as evidence
from casework.legal.models import CaseProvision
from casework.legal.services import usable_provisions
from tests.case_helpers import intake, page
from tests.clients import client_for
from tests.factories import make_case, make_user

UYGHUR = "ئابدۇرېھىم ھەيت"


def _lawyer_case():
    monitor = make_user(Role.MONITOR)
    lawyer = make_user(Role.LAWYER)
    case = make_case(monitor, team=((lawyer, TeamRole.LAWYER),))
    return monitor, lawyer, case


def test_the_link_form_has_no_preselected_assessment(app):
    from casework.core.cli import run_seeders

    run_seeders()
    db.session.commit()
    monitor, lawyer, case = _lawyer_case()
    client = client_for(app, lawyer)
    url = f"/cases/{case.public_id}/legal/links/new"
    html = page(client, url)
    select_html = re.search(r'<select[^>]*id="assessment".*?</select>', html, re.S).group(0)
    assert '<option selected value="">— choose —</option>' in select_html
    assert 'selected value="violated"' not in select_html
    code = usable_provisions()[0].code
    response = client.post(url, data={"provision": code, "violation_status": "unknown"})
    assert response.status_code == 200
    assert "Choose an assessment." in response.get_data(as_text=True)
    assert db.session.scalar(select(func.count(CaseProvision.id))) == 0


def test_sources_are_picked_from_a_list_of_checkboxes(app):
    monitor, lawyer, case = _lawyer_case()
    evidence.add_source(monitor, case, {"kind": "witness", "reliability": "B", "credibility": "2"})
    db.session.commit()
    html = page(client_for(app, monitor), f"/cases/{case.public_id}/events/new")
    assert "<select multiple" not in html and 'multiple id="source_ids"' not in html
    assert re.search(r'<input[^>]*name="source_ids"[^>]*type="checkbox"', html)
    assert "<legend>Sources</legend>" in html


def test_approximate_dates_are_read_and_shown_as_approximate(client, login):
    login(make_user(Role.MONITOR))
    case = intake(client, act_date="c. 2010")
    assert case.act_date == PartialDate(2010) and case.act_date_approximate
    assert case.reference == "KZ-2010-0001"
    html = page(client, f"/cases/{case.public_id}")
    assert "c. 2010" in html
    listing = page(client, "/cases")
    assert "c. 2010" in listing


def test_typed_text_takes_its_own_direction(client, login):
    login(make_user(Role.MONITOR))
    case = intake(client, name=UYGHUR, narrative="ئۇ تۇتۇلدى.")
    html = page(client, f"/cases/{case.public_id}")
    assert f'<strong dir="auto">{UYGHUR}</strong>' in html
    assert '<p dir="auto">ئۇ تۇتۇلدى.</p>' in html
    form = page(client, "/cases/new")
    assert re.search(r'<input[^>]*dir="auto"[^>]*id="name"', form)
    assert re.search(r'<textarea[^>]*dir="auto"[^>]*id="narrative"', form)


def test_follow_up_lists_show_the_action_title(app):
    monitor, lawyer, case = _lawyer_case()
    advocacy.create_action(
        lawyer,
        advocacy.ActionData(
            action_type=ActionType.URGENT_APPEAL,
            title="Appeal for the Almaty detainee",
            status=ActionStatus.SUBMITTED,
            followup_due=date.today() - timedelta(days=1),
            responsible_id=lawyer.id,
            case_references=[case.reference],
        ),
    )
    db.session.commit()
    html = page(client_for(app, lawyer), "/advocacy/followups")
    mine = html.split('id="mine-overdue"')[1].split('id="mine-upcoming"')[0]
    assert "Appeal for the Almaty detainee</span></a>" in mine


def test_the_team_page_offers_only_people_not_on_the_team(app):
    coordinator = make_user(Role.COORDINATOR, display_name="Coordinator Aigerim")
    monitor = make_user(Role.MONITOR, display_name="Monitor Bakhyt")
    outsider = make_user(Role.LAWYER, display_name="Lawyer Daniyar")
    case = make_case(monitor, team=((coordinator, TeamRole.MEMBER),))
    client = client_for(app, coordinator)
    html = page(client, f"/cases/{case.public_id}/team")
    picker = re.search(r'<select[^>]*id="user".*?</select>', html, re.S).group(0)
    assert "Lawyer Daniyar" in picker
    assert "Monitor Bakhyt" not in picker and "Coordinator Aigerim" not in picker
    assert "— choose a person —" in picker
    response = client.post(
        f"/cases/{case.public_id}/team", data={"user": outsider.public_id, "as_lawyer": "y"}
    )
    assert response.status_code == 302
    # Everyone is on the team now: a sentence, not an empty picker.
    html = page(client, f"/cases/{case.public_id}/team")
    assert 'id="user"' not in html
    assert "Everyone who can be on a team is already on this one." in html


def test_a_upr_cycle_names_its_state_ordinal_and_year(app):
    assert [ordinal(n) for n in (1, 2, 3, 4, 11, 12, 13, 21, 22)] == [
        "1st", "2nd", "3rd", "4th", "11th", "12th", "13th", "21st", "22nd",
    ]  # fmt: skip
    cycle = UPRCycle(state_under_review="Kazakhstan", number=3, review_date=PartialDate(2019))
    assert cycle.label == "Kazakhstan, 3rd cycle (2019)"
    coordinator = make_user(Role.COORDINATOR)
    stored = upr.ensure_cycle(coordinator, 3)
    stored.review_date = PartialDate(2019, 11, 7)
    db.session.commit()
    html = page(client_for(app, coordinator), f"/advocacy/upr/cycles/{stored.public_id}")
    assert "<dt>Cycle</dt><dd>Kazakhstan, 3rd cycle (2019)</dd>" in html
