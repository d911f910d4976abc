"""Intake a new user can trust: an error summary, required fields, clear buttons, no empty or
double cases, honest references; drafts discarded, duplicates closed; verified facts kept
honest; the lawyer's reason for returning a case in sight."""

from __future__ import annotations

import re

from sqlalchemy import func, select

from casework.accounts.models import AccountNotice
from casework.audit.models import AuditEntry
from casework.cases import events as event_services
from casework.cases import services
from casework.cases.models import Case
from casework.core.db import db
from casework.core.vocab import CaseStatus, Role, TeamRole
from tests.case_helpers import INTAKE, intake, page
from tests.clients import client_for
from tests.factories import make_case, make_user


def _count() -> int:
    return db.session.scalar(select(func.count(Case.id))) or 0


def _key(html: str) -> str:
    return re.search(r'name="form_key" type="hidden" value="([^"]+)"', html).group(1)


# --- the intake form ------------------------------------------------------------------------


def test_errors_are_summarised_at_the_top_with_links_to_each_field(client, login):
    login(make_user(Role.MONITOR))
    response = client.post("/cases/new", data=dict(INTAKE, name="", act_type=""))
    html = response.get_data(as_text=True)
    summary = html.index('class="error-summary"')
    assert summary < html.index('<form method="post" class="intake"')
    assert '<a href="#name">' in html and '<a href="#act_type">' in html
    assert "2 problems to fix" in html
    assert 'id="name"' in html and 'aria-invalid="true"' in html
    assert _count() == 0


def test_required_fields_are_marked_and_the_buttons_say_what_they_do(client, login):
    login(make_user(Role.MONITOR))
    html = page(client, "/cases/new")
    name = re.search(r"<input[^>]*id=\"name\"[^>]*>", html).group(0)
    act = re.search(r"<select[^>]*id=\"act_type\"[^>]*>", html).group(0)
    for tag in (name, act):
        assert "required" in tag and 'aria-required="true"' in tag
    assert html.count('class="req"') >= 2
    assert "Save and continue" in html and "Save draft" in html
    assert "formnovalidate" in html  # a draft may be incomplete: the browser lets it through
    # The hint no longer speaks of a title the form does not have.
    assert "in the title" not in html
    assert "Save case" not in html and "Save draft (incomplete)" not in html


def test_save_and_save_draft_say_different_things(client, login):
    login(make_user(Role.MONITOR))
    response = client.post("/cases/new", data=INTAKE)
    html = page(client, response.headers["Location"])
    assert "saved. Continue with its people, events and sources" in html
    assert "saved as a draft" not in html
    draft = dict(INTAKE, name="", act_type="")
    draft.pop("save")
    draft["save_draft"] = "1"
    response = client.post("/cases/new", data=draft)
    html = page(client, response.headers["Location"])
    assert re.search(r"Draft KZ-2011-\d{4} saved", html)


def test_an_empty_draft_saves_nothing(client, login):
    login(make_user(Role.MONITOR))
    empty = {"name_kind": "as_given", "urgency": "routine", "current_situation": "unknown"}
    response = client.post("/cases/new", data=dict(empty, save_draft="1"))
    assert response.status_code == 200
    assert "The form is empty: nothing was saved" in response.get_data(as_text=True)
    assert _count() == 0
    # One fact is enough for a draft.
    response = client.post("/cases/new", data=dict(empty, save_draft="1", act_place="Almaty"))
    assert response.status_code == 302 and _count() == 1


def test_the_same_form_sent_twice_makes_one_case(client, login):
    login(make_user(Role.MONITOR))
    key = _key(page(client, "/cases/new"))
    assert key != _key(page(client, "/cases/new"))  # random per rendered form
    first = client.post("/cases/new", data=dict(INTAKE, form_key=key))
    second = client.post("/cases/new", data=dict(INTAKE, form_key=key))
    assert first.status_code == second.status_code == 302
    assert first.headers["Location"] == second.headers["Location"]
    assert _count() == 1
    assert "This form was already saved as KZ-2011-0001" in page(client, "/")
    # A new form is a new case.
    client.post("/cases/new", data=dict(INTAKE, form_key=_key(page(client, "/cases/new"))))
    assert _count() == 2


def test_another_user_with_the_same_key_gets_their_own_case(app):
    key = "the-same-key"
    one, two = make_user(Role.MONITOR), make_user(Role.MONITOR)
    for user in (one, two):
        response = client_for(app, user).post("/cases/new", data=dict(INTAKE, form_key=key))
        assert response.status_code == 302
    assert _count() == 2


def test_a_double_submission_racing_the_first_is_saved_once(app):
    """Even past the view's check (both sends at once), the key is claimed before the case is
    written and the unique constraint lets one through: the other gets the first case."""
    monitor = make_user(Role.MONITOR)
    data = services.IntakeInput(name="A", act_type="extradition", act_date="2011")
    case, _ = services.intake(monitor, data, idempotency_key="k1")
    db.session.commit()
    try:
        services.intake(monitor, data, idempotency_key="k1")
    except services.AlreadySaved as exc:
        assert exc.case.id == case.id
        db.session.rollback()
    else:  # pragma: no cover - the constraint must refuse it
        raise AssertionError("a second case was saved under the same key")
    assert _count() == 1


# --- references -----------------------------------------------------------------------------


def test_an_undated_case_gets_its_dated_reference_once_the_date_is_known(client, login):
    monitor = make_user(Role.MONITOR)
    login(monitor)
    case = intake(client, act_date="")
    assert case.reference == "KZ-XXXX-0001"
    response = client.post(
        f"/cases/{case.public_id}/edit",
        data={
            "act_type": "extradition",
            "act_date": "2011-06-09",
            "urgency": "routine",
            "current_situation": "detained",
            "version": case.version,
        },
    )
    assert response.status_code == 302
    db.session.expire_all()
    case = db.session.get(Case, case.id)
    assert case.reference == "KZ-2011-0001" and case.former_reference == "KZ-XXXX-0001"
    entry = db.session.scalar(select(AuditEntry).where(AuditEntry.action == "case.reference_dated"))
    assert entry.details == {"old": "KZ-XXXX-0001", "new": "KZ-2011-0001"}
    # The old reference still finds it.
    assert "KZ-2011-0001" in page(client, "/cases?reference=KZ-XXXX-0001")
    html = page(client, f"/cases/{case.public_id}")
    assert "got its dated reference KZ-2011-0001 (formerly KZ-XXXX-0001)" in html


# --- discarding a draft ---------------------------------------------------------------------


def _discard(client, case, reason="Entered by mistake"):
    return client.post(f"/cases/{case.public_id}/discard", data={"reason": reason})


def test_the_creator_discards_a_draft_and_a_coordinator_brings_it_back(app):
    monitor = make_user(Role.MONITOR)
    coordinator = make_user(Role.COORDINATOR)
    other = make_user(Role.MONITOR)
    case = make_case(monitor, team=((other, TeamRole.MEMBER),))
    # A team member who did not create it may not.
    assert _discard(client_for(app, other), case).status_code == 403
    creator = client_for(app, monitor)
    assert "Discard this draft" in page(creator, f"/cases/{case.public_id}")
    assert _discard(creator, case, reason="").status_code == 302
    db.session.expire_all()
    assert not db.session.get(Case, case.id).is_hidden  # a reason is needed
    assert _discard(creator, case).status_code == 302
    db.session.expire_all()
    case = db.session.get(Case, case.id)
    assert case.is_hidden and case.hidden_by_id == monitor.id
    assert case.hidden_reason == "Entered by mistake"
    assert db.session.scalar(select(AuditEntry).where(AuditEntry.action == "case.discarded"))
    # Gone from the lists, still on its page with who, when and why.
    page(creator, "/")  # (the flashed message names it)
    assert case.reference not in page(creator, "/cases")
    html = page(creator, f"/cases/{case.public_id}")
    assert "Discarded draft" in html and "Entered by mistake" in html
    coordinator_client = client_for(app, coordinator)
    assert case.reference not in page(coordinator_client, "/cases")
    response = coordinator_client.post(f"/cases/{case.public_id}/undiscard")
    assert response.status_code == 302
    db.session.expire_all()
    assert not db.session.get(Case, case.id).is_hidden
    assert case.reference in page(coordinator_client, "/cases")


def test_a_discarded_draft_is_changed_by_nobody_until_it_is_brought_back(app):
    """Discarded, a draft has left every list: submitted from its page it went to a review no
    lawyer's list shows, and edits changed a removed record. Its page still shows it, as it
    was; a coordinator brings it back, then its creator completes and submits it as before."""
    from tests.api_clients import ApiClient, token_for

    monitor = make_user(Role.MONITOR)
    coordinator = make_user(Role.COORDINATOR)
    lawyer = make_user(Role.LAWYER)
    case = make_case(monitor, title="Draft title", team=((lawyer, TeamRole.LAWYER),))
    creator = client_for(app, monitor)
    api = ApiClient(app, token_for(monitor))
    etag = api.get(f"cases/{case.public_id}").headers["ETag"]
    assert _discard(creator, case).status_code == 302
    # Sent twice (a double tap): told so, as before, not refused.
    again = _discard(creator, case)
    assert again.status_code == 302
    assert "already discarded" in page(creator, again.headers["Location"])

    html = page(creator, f"/cases/{case.public_id}")
    assert "Discarded draft" in html and "Draft title" in html
    assert f"/cases/{case.public_id}/edit" not in html
    assert f"/cases/{case.public_id}/status" not in html
    assert creator.get(f"/cases/{case.public_id}/edit").status_code == 403
    submit = creator.post(f"/cases/{case.public_id}/status", data={"to": "submitted"})
    assert submit.status_code == 403
    changed = api.patch(f"cases/{case.public_id}", json={"title": "Changed"},
                        headers={"If-Match": etag})  # fmt: skip
    assert changed.status_code == 403
    db.session.expire_all()
    stored = db.session.get(Case, case.id)
    assert (stored.status, stored.title, stored.is_hidden) == (
        CaseStatus.DRAFT,
        "Draft title",
        True,
    )

    assert (
        client_for(app, coordinator).post(f"/cases/{case.public_id}/undiscard").status_code == 302
    )
    assert f"/cases/{case.public_id}/edit" in page(creator, f"/cases/{case.public_id}")
    assert (
        creator.post(f"/cases/{case.public_id}/status", data={"to": "submitted"}).status_code == 302
    )
    db.session.expire_all()
    assert db.session.get(Case, case.id).status == CaseStatus.SUBMITTED


def test_a_coordinator_discards_someone_elses_draft_but_not_a_submitted_case(app):
    monitor = make_user(Role.MONITOR)
    coordinator = client_for(app, make_user(Role.COORDINATOR))
    draft = make_case(monitor)
    submitted = make_case(monitor, status=CaseStatus.SUBMITTED)
    assert _discard(coordinator, draft).status_code == 302
    assert _discard(coordinator, submitted).status_code == 302
    db.session.expire_all()
    assert db.session.get(Case, draft.id).is_hidden
    assert not db.session.get(Case, submitted.id).is_hidden
    assert "Only a draft can be discarded" in page(coordinator, "/")


# --- duplicates -----------------------------------------------------------------------------


def test_a_duplicate_is_closed_with_a_link_to_the_original_shown_on_both(app):
    monitor = make_user(Role.MONITOR)
    lawyer = make_user(Role.LAWYER)
    team = ((lawyer, TeamRole.LAWYER),)
    original = make_case(monitor, team=team, status=CaseStatus.SUBMITTED)
    duplicate = make_case(monitor, team=team, status=CaseStatus.SUBMITTED)
    # A monitor may not close a case.
    monitor_client = client_for(app, monitor)
    url = f"/cases/{duplicate.public_id}/duplicate"
    assert monitor_client.post(url, data={"original": original.reference}).status_code == 403
    lawyer_client = client_for(app, lawyer)
    # A reference the lawyer may not read is refused like an unknown one.
    stranger = make_case(make_user(Role.MONITOR))
    lawyer_client.post(url, data={"original": stranger.reference})
    assert "No case you may read has this reference" in page(lawyer_client, "/")
    response = lawyer_client.post(url, data={"original": original.reference.lower()})
    assert response.status_code == 302
    db.session.expire_all()
    dup = db.session.get(Case, duplicate.id)
    assert dup.duplicate_of_id == original.id and dup.status == CaseStatus.CLOSED
    actions = set(
        db.session.scalars(
            select(AuditEntry.action).where(AuditEntry.case_id.in_([original.id, duplicate.id]))
        )
    )
    assert {"case.marked_duplicate", "case.duplicate_recorded"} <= actions
    html = page(lawyer_client, f"/cases/{duplicate.public_id}")
    assert "closed as a duplicate of" in html and original.reference in html
    html = page(lawyer_client, f"/cases/{original.public_id}")
    assert "closed as duplicates of this case" in html and duplicate.reference in html
    assert f"marked {duplicate.reference} as a duplicate of this case" in html


def test_a_case_closed_as_a_duplicate_of_a_restricted_one_does_not_tell_which(app):
    """An ordinary case closed as a duplicate of a restricted one (by a coordinator on both
    teams) records the same person: its file and history named the restricted case to everyone
    who reads the ordinary one, telling who is in it. They now read "another case" (and the
    reference withheld in the history); the restricted case's team, its reference."""
    monitor, outsider_monitor = make_user(Role.MONITOR), make_user(Role.MONITOR)
    insider, outsider = make_user(Role.COORDINATOR), make_user(Role.COORDINATOR)
    restricted = make_case(
        monitor, team=((insider, TeamRole.MEMBER),), status=CaseStatus.SUBMITTED, restricted=True
    )
    ordinary = make_case(
        outsider_monitor, team=((insider, TeamRole.MEMBER),), status=CaseStatus.SUBMITTED
    )
    services.mark_duplicate(insider, ordinary, restricted, None)
    db.session.commit()
    url = f"/cases/{ordinary.public_id}"
    for user in (outsider, outsider_monitor):
        html = page(client_for(app, user), url)
        assert "closed as a duplicate of" in html and "another case" in html
        assert "as a duplicate of (reference withheld)" in html  # the history
        assert restricted.reference not in html
    html = page(client_for(app, insider), url)
    assert html.count(restricted.reference) >= 2  # the banner and the history


# --- workflow honesty -----------------------------------------------------------------------


def _verified_case():
    monitor = make_user(Role.MONITOR, display_name="Dana")
    lawyer = make_user(Role.LAWYER, display_name="Ruslan")
    case = make_case(
        monitor,
        team=((lawyer, TeamRole.LAWYER),),
        status=CaseStatus.VERIFIED,
        narrative="As verified.",
    )
    return monitor, lawyer, case


def test_a_monitor_changing_a_verified_case_sends_it_back_to_legal_review(app):
    monitor, lawyer, case = _verified_case()
    response = client_for(app, monitor).post(
        f"/cases/{case.public_id}/edit",
        data={
            "narrative": "Changed after verification.",
            "act_date": "2012",
            "urgency": "routine",
            "current_situation": "unknown",
            "version": case.version,
        },
    )
    assert response.status_code == 302
    db.session.expire_all()
    case = db.session.get(Case, case.id)
    assert case.status == CaseStatus.IN_REVIEW
    notice = db.session.scalar(select(AccountNotice).where(AccountNotice.user_id == lawyer.id))
    assert case.reference in notice.message and "back in legal review" in notice.message
    assert "Changed after verification" not in notice.message  # field names only
    html = page(client_for(app, lawyer), f"/cases/{case.public_id}")
    assert "back in legal review" in html  # the notice at the top of the lawyer's pages
    assert "Dana changed the facts of the verified case" in html
    # Before and after for what is not identifying; identifying text only "changed".
    assert "the date of the act from nothing to 2012" in html
    assert "the narrative" in html and "As verified." not in html.split('id="history"')[1]


def test_the_lawyer_editing_their_verified_case_keeps_it_verified(app):
    monitor, lawyer, case = _verified_case()
    services.update_case(lawyer, case, {"narrative": "Lawyer's correction."}, case.version)
    db.session.commit()
    assert case.status == CaseStatus.VERIFIED


def test_a_new_event_on_a_verified_case_sends_it_back_too(app):
    monitor, lawyer, case = _verified_case()
    event_services.add_event(monitor, case, {"event_type": "arrest", "date": "2011"})
    db.session.commit()
    assert case.status == CaseStatus.IN_REVIEW


def test_the_reason_for_returning_a_case_shows_at_the_top_until_resubmitted(app):
    monitor = make_user(Role.MONITOR)
    lawyer = make_user(Role.LAWYER, display_name="Ruslan")
    case = make_case(monitor, team=((lawyer, TeamRole.LAWYER),), status=CaseStatus.IN_REVIEW)
    services.transition(lawyer, case, "returned", "Add the court decision of 2011-06-20.")
    db.session.commit()
    monitor_client = client_for(app, monitor)
    html = page(monitor_client, f"/cases/{case.public_id}")
    returned = html.index('id="returned"')
    assert returned < html.index('id="summary"')
    assert "Add the court decision of 2011-06-20." in html[returned : returned + 600]
    assert "Returned to the monitor</strong> by Ruslan" in html
    services.transition(monitor, case, "submitted", None)
    db.session.commit()
    assert 'id="returned"' not in page(monitor_client, f"/cases/{case.public_id}")


def test_an_empty_intake_through_the_api_saves_nothing(app):
    from tests.api_clients import api_for

    api = api_for(app, make_user(Role.MONITOR))
    response = api.post("cases", json={"draft": True})
    assert response.status_code == 422
    assert _count() == 0


def test_discarded_drafts_and_duplicates_are_not_counted_or_exported(app):
    from casework.reports.services import readable_cases
    from casework.reports.statistics import Filters, case_filter

    coordinator = make_user(Role.COORDINATOR)
    original = make_case(coordinator, status=CaseStatus.VERIFIED)
    duplicate = make_case(coordinator, status=CaseStatus.VERIFIED)
    draft = make_case(coordinator)
    services.mark_duplicate(coordinator, duplicate, original, None)
    services.discard_draft(coordinator, draft, "Test entry")
    db.session.commit()
    assert [c.id for c in readable_cases(coordinator)] == [original.id]
    every = Filters(statuses=tuple(CaseStatus))
    counted = db.session.scalars(select(Case.id).where(case_filter(coordinator, every))).all()
    assert counted == [original.id]


def test_the_people_of_a_discarded_draft_are_not_offered_as_possible_duplicates(app):
    """A draft recorded by mistake and discarded has left the lists and the search, and its
    person with it: adding someone of the same name to another case no longer offers that
    record as possibly the same person (it did, with no case to tell it by). Brought back,
    the draft's person is offered again."""
    monitor = make_user(Role.MONITOR)
    client = client_for(app, monitor)
    mistaken = intake(client, name="Алишер Холматов")
    other = intake(client, name="Рустам Назаров")
    form = {"name": "Alisher Kholmatov", "name_kind": "as_given", "role": "family",
            "gender": "unknown", "legal_status": "unknown", "consent": "none",
            "government_contact": "not_asked"}  # fmt: skip
    url = f"/cases/{other.public_id}/people/new"

    def offered() -> bool:
        html = client.post(url, data=form).get_data(as_text=True)
        return "Алишер Холматов" in html

    assert offered()
    assert _discard(client, mistaken).status_code == 302
    assert not offered()
    coordinator = client_for(app, make_user(Role.COORDINATOR))
    assert coordinator.post(f"/cases/{mistaken.public_id}/undiscard").status_code == 302
    assert offered()
