"""Case-provision links: lawyers assess, monitors suggest, nothing is deleted."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from casework.audit.models import AuditEntry
from casework.cases.models import Case
from casework.core import hooks
from casework.core.db import db
from casework.core.vocab import Assessment, LinkState, Role, SourceKind, TeamRole, ViolationStatus
from casework.evidence.models import Source
from casework.legal import seeding, services
from casework.legal.models import CaseProvision
from tests.factories import log_in, make_case

ANALYSIS = "Substantial grounds: <b>earlier</b> torture.\n\nSecond paragraph\nwith a line break."


@pytest.fixture
def login(client, login):
    """Log in, first logging out whoever was logged in."""

    def _login(user):
        client.post("/logout")
        return login(user)

    return _login


@pytest.fixture
def catalogue():
    seeding.seed_catalogue()
    db.session.commit()


@pytest.fixture
def people(make_user):
    return {
        "monitor": make_user(Role.MONITOR),
        "lawyer": make_user(Role.LAWYER),
        "coordinator": make_user(Role.COORDINATOR),
        "other_lawyer": make_user(Role.LAWYER),
        "other_monitor": make_user(Role.MONITOR),
        "admin": make_user(Role.ADMIN),
    }


@pytest.fixture
def case(people, catalogue):
    return make_case(people["monitor"], team=((people["lawyer"], TeamRole.LAWYER),))


def _link(client, case, code, assessment, analysis="", status="unknown", sources=()):
    return client.post(
        f"/cases/{case.public_id}/legal/links/new",
        data={
            "provision": code,
            "assessment": assessment,
            "violation_status": status,
            "analysis": analysis,
            "sources": list(sources),
        },
    )


def _links(case) -> list[CaseProvision]:
    db.session.expire_all()
    return list(db.session.scalars(select(CaseProvision).where(CaseProvision.case_id == case.id)))


def test_lawyer_links_grounds_that_appear_in_panel_and_provision_pages(client, login, people, case):
    login(people["lawyer"])
    assert _link(client, case, "CAT:3", "violated", ANALYSIS, "confirmed").status_code == 302
    assert (
        _link(client, case, "MINSK93", "invoked", "Prosecutor relied on Art 56.").status_code == 302
    )
    db.session.expire_all()
    case = db.session.get(Case, case.id)

    panels = {p.name: ctx for p, ctx in hooks.case_panels(case, people["lawyer"])}
    legal = panels["legal"]
    grouped = {a: [lk.provision.code for lk in items] for a, items in legal["groups"]}
    assert grouped == {Assessment.VIOLATED: ["CAT:3"], Assessment.INVOKED: ["MINSK93"]}
    violated = legal["groups"][0][1][0]
    assert violated.analysis == ANALYSIS.replace("<b>", "<b>")
    assert violated.violation_status == ViolationStatus.CONFIRMED

    page = client.get(f"/cases/{case.public_id}/legal/").get_data(as_text=True)
    assert "&lt;b&gt;earlier&lt;/b&gt;" in page and "<b>earlier" not in page
    assert "Second paragraph<br>with a line break." in page

    for code, label in (("CAT:3", "Violated: 1"), ("MINSK93", "Invoked by the State: 1")):
        page = client.get(f"/legal/provisions/{code}").get_data(as_text=True)
        assert case.reference in page and label in page
    actions = list(db.session.scalars(select(AuditEntry.action)))
    assert actions.count("legal.link_created") == 2


def test_panel_renders_inside_a_page(app, client, login, people, case):
    from casework.core.rendering import render_fragment

    login(people["lawyer"])
    _link(client, case, "CAT:3", "violated", ANALYSIS)
    db.session.expire_all()
    case = db.session.get(Case, case.id)
    with app.test_request_context():
        from flask_login import login_user

        login_user(people["lawyer"])
        html = {
            panel.name: render_fragment(panel.template, ctx)
            for panel, ctx in hooks.case_panels(case, people["lawyer"])
            if panel.name in ("legal", "remedies")
        }
    assert "CAT:3" in html["legal"] and "Link a provision" in html["legal"]
    assert "Record a proceeding" in html["remedies"]


@pytest.mark.parametrize("who", ["monitor", "admin"])
def test_refused_roles_cannot_change_links(client, login, people, case, who):
    login(people["lawyer"])
    _link(client, case, "CAT:3", "violated")
    link = _links(case)[0]
    c = client.application.test_client()

    log_in(c, people[who])
    base = f"/cases/{case.public_id}/legal/links"
    expected = 403 if who == "monitor" else 404  # the admin is not on the team
    assert c.get(f"{base}/new").status_code == expected
    assert _link(c, case, "ICCPR:7", "at_risk").status_code == expected
    edit = {"assessment": "relevant", "violation_status": "unlikely", "version": link.version}
    assert c.post(f"{base}/{link.public_id}/edit", data=edit).status_code == expected
    assert c.post(f"{base}/{link.public_id}/hide", data={"reason": "x"}).status_code == expected
    links = _links(case)
    assert len(links) == 1 and links[0].assessment == Assessment.VIOLATED and not links[0].is_hidden


def test_lawyer_not_on_team_sees_nothing(client, login, people, case):
    login(people["lawyer"])
    _link(client, case, "CAT:3", "violated")
    login(people["other_lawyer"])
    assert client.get(f"/cases/{case.public_id}/legal/").status_code == 404
    assert _link(client, case, "CAT:22", "violated").status_code == 404
    page = client.get("/legal/provisions/CAT:3").get_data(as_text=True)
    assert case.reference not in page and "Violated: 0" in page
    assert hooks.case_panels(case, people["other_lawyer"]) == []
    assert hooks.timeline_items(case, people["other_lawyer"]) == []


def test_coordinator_may_link(client, login, people, case):
    login(people["coordinator"])
    assert _link(client, case, "ICCPR:7", "at_risk").status_code == 302


def test_bad_link_input_gives_field_errors(client, login, people, case):
    login(people["lawyer"])
    response = _link(client, case, "NOPE:1", "violated")
    assert response.status_code == 200 and "Not a valid choice" in response.get_data(as_text=True)
    response = _link(client, case, "CAT:3", "wrong")
    assert response.status_code == 200
    _link(client, case, "CAT:3", "violated")
    response = _link(client, case, "CAT:3", "violated")
    assert response.status_code == 200
    assert "already linked" in response.get_data(as_text=True)
    assert len(_links(case)) == 1


def test_sources_of_the_case_support_a_link(client, login, people, case):
    source = Source(case_id=case.id, kind=SourceKind.NGO, created_by_id=people["monitor"].id)
    other_case = make_case(people["monitor"])
    foreign = Source(case_id=other_case.id, kind=SourceKind.MEDIA)
    db.session.add_all([source, foreign])
    db.session.commit()
    login(people["lawyer"])
    response = _link(client, case, "CAT:3", "violated", sources=[foreign.public_id])
    assert response.status_code == 200  # not a choice of this case
    assert _link(client, case, "CAT:3", "violated", sources=[source.public_id]).status_code == 302
    link = _links(case)[0]
    assert [s.id for s in link.sources] == [source.id]
    page = client.get(f"/cases/{case.public_id}/legal/").get_data(as_text=True)
    assert "Supporting sources: NGO (F6)" in page


def test_edit_link_and_stale_edit(client, login, people, case):
    login(people["lawyer"])
    _link(client, case, "CAT:3", "at_risk", "First view.")
    link = _links(case)[0]
    url = f"/cases/{case.public_id}/legal/links/{link.public_id}/edit"
    assert client.get(url).status_code == 200
    data = {
        "assessment": "violated",
        "violation_status": "likely",
        "analysis": "Removed.",
        "version": link.version,
    }
    assert client.post(url, data=data).status_code == 302
    link = _links(case)[0]
    assert (link.assessment, link.violation_status, link.analysis) == (
        Assessment.VIOLATED,
        ViolationStatus.LIKELY,
        "Removed.",
    )
    data["analysis"] = "My stale text"
    response = client.post(url, data=data)  # the old version again
    assert response.status_code == 409
    page = response.get_data(as_text=True)
    assert "My stale text" in page and "Removed." in page
    assert _links(case)[0].analysis == "Removed."


def test_monitor_suggests_and_lawyer_accepts(client, login, people, case):
    login(people["monitor"])
    response = client.post(
        f"/cases/{case.public_id}/legal/suggest",
        data={"provision": "ICCPR:9", "assessment": "violated", "note": "Held 40 days."},
    )
    assert response.status_code == 302
    link = _links(case)[0]
    assert link.state == LinkState.SUGGESTED
    # A monitor cannot accept their own suggestion.
    accept = f"/cases/{case.public_id}/legal/links/{link.public_id}/accept"
    assert client.get(accept).status_code == 403
    ctx = {p.name: c for p, c in hooks.case_panels(case, people["monitor"])}["legal"]
    assert [s.provision.code for s in ctx["suggestions"]] == ["ICCPR:9"] and not ctx["groups"]
    # Suggestions are not counted as citations.
    assert case.reference not in client.get("/legal/provisions/ICCPR:9").get_data(as_text=True)

    login(people["lawyer"])
    assert client.get(accept).status_code == 200
    data = {
        "assessment": "violated",
        "violation_status": "likely",
        "analysis": "Detention beyond the Minsk time limit.",
        "version": link.version,
    }
    assert client.post(accept, data=data).status_code == 302
    link = _links(case)[0]
    assert link.state == LinkState.ASSESSED and link.violation_status == ViolationStatus.LIKELY
    assert "legal.suggestion_accepted" in list(db.session.scalars(select(AuditEntry.action)))
    assert client.get(accept).status_code == 404  # no longer a suggestion


def test_monitor_outside_team_cannot_suggest(client, login, people, case):
    login(people["other_monitor"])
    response = client.post(
        f"/cases/{case.public_id}/legal/suggest",
        data={"provision": "CAT:3", "assessment": "relevant"},
    )
    assert response.status_code == 404
    assert _links(case) == []


def test_lawyer_dismisses_suggestion_and_coordinator_restores(client, login, people, case):
    login(people["monitor"])
    client.post(
        f"/cases/{case.public_id}/legal/suggest",
        data={"provision": "SCO01", "assessment": "invoked"},
    )
    link = _links(case)[0]
    login(people["lawyer"])
    hide = f"/cases/{case.public_id}/legal/links/{link.public_id}/hide"
    response = client.post(hide, data={"reason": ""})
    assert response.status_code == 200 and "required" in response.get_data(as_text=True)
    assert client.post(hide, data={"reason": "Not invoked in this case."}).status_code == 302
    link = _links(case)[0]
    assert link.is_hidden and link.hidden_by_id == people["lawyer"].id
    assert link.hidden_reason == "Not invoked in this case."
    ctx = {p.name: c for p, c in hooks.case_panels(case, people["lawyer"])}["legal"]
    assert ctx["suggestions"] == [] and ctx["hidden_links"] == []
    # The same suggestion again explains why it cannot be added.
    login(people["monitor"])
    response = client.post(
        f"/cases/{case.public_id}/legal/suggest",
        data={"provision": "SCO01", "assessment": "invoked"},
    )
    assert response.status_code == 200 and "restore" in response.get_data(as_text=True)
    restore = f"/cases/{case.public_id}/legal/links/{link.public_id}/restore"
    assert client.post(restore).status_code == 403
    login(people["coordinator"])
    ctx = {p.name: c for p, c in hooks.case_panels(case, people["coordinator"])}["legal"]
    assert [lk.provision.code for lk in ctx["hidden_links"]] == ["SCO01"]
    assert client.post(restore).status_code == 302
    assert not _links(case)[0].is_hidden


def test_hidden_link_leaves_provision_page_and_filter(client, login, people, case):
    login(people["lawyer"])
    _link(client, case, "CAT:3", "violated")
    assert db.session.scalars(services.case_ids_citing("cat:3")).all() == [case.id]
    assert db.session.scalars(services.case_ids_citing("CAT:3", "at_risk")).all() == []
    link = _links(case)[0]
    client.post(
        f"/cases/{case.public_id}/legal/links/{link.public_id}/hide", data={"reason": "Error"}
    )
    assert db.session.scalars(services.case_ids_citing("CAT:3")).all() == []
    assert case.reference not in client.get("/legal/provisions/CAT:3").get_data(as_text=True)


def test_link_of_another_case_is_not_found(client, login, people, case):
    other = make_case(people["monitor"], team=((people["lawyer"], TeamRole.LAWYER),))
    login(people["lawyer"])
    _link(client, other, "CAT:3", "violated")
    link = _links(other)[0]
    url = f"/cases/{case.public_id}/legal/links/{link.public_id}/edit"
    assert client.get(url).status_code == 404


def test_retired_provision_cannot_be_linked(client, login, people, case):
    services.get_provision("SCO09").retired = True
    db.session.commit()
    login(people["lawyer"])
    response = _link(client, case, "SCO09", "invoked")
    assert response.status_code == 200
    assert _links(case) == []


def test_timeline_items_for_links(client, login, people, case):
    login(people["lawyer"])
    _link(client, case, "CAT:3", "violated")
    db.session.expire_all()
    items = [
        i
        for i in hooks.timeline_items(db.session.get(Case, case.id), people["monitor"])
        if i.kind == "legal"
    ]
    assert len(items) == 1 and "CAT:3" in items[0].title and "Violated" in items[0].title
    assert items[0].url.endswith("#panel-legal")


def test_links_from_import(people, case):
    provisions = services.resolve_provision_codes("CSR51:33; cat:3")
    assert services.add_links_from_import(people["lawyer"], case, provisions) == 2
    assert services.add_links_from_import(people["lawyer"], case, provisions) == 0
    db.session.commit()
    assert {lk.state for lk in _links(case)} == {LinkState.ASSESSED}
    other = make_case(people["monitor"])
    services.add_links_from_import(people["monitor"], other, provisions)
    db.session.commit()
    assert {lk.state for lk in _links(other)} == {LinkState.SUGGESTED}


def test_case_file_shows_legal_panels_and_timeline(app, client, login, people, case):
    if "cases.case_file" not in app.view_functions:
        pytest.skip("the case file page is not there yet")
    login(people["lawyer"])
    response = _link(client, case, "CAT:3", "violated", ANALYSIS)
    assert response.headers["Location"].endswith(f"/cases/{case.public_id}#panel-legal")
    client.post(
        f"/cases/{case.public_id}/legal/remedies/new",
        data={"kind": "asylum_claim", "outcome": "rejected", "filed_on": "2010-06-20"},
    )
    page = client.get(f"/cases/{case.public_id}").get_data(as_text=True)
    assert 'id="panel-legal"' in page and 'id="panel-remedies"' in page
    assert "Second paragraph<br>with a line break." in page
    assert "Asylum claim filed" in page


@pytest.mark.parametrize("who", ["lawyer", "coordinator"])
def test_every_legal_page_renders(client, login, people, case, who):
    login(people[who])
    _link(client, case, "CAT:3", "violated", ANALYSIS)
    client.post(
        f"/cases/{case.public_id}/legal/remedies/new",
        data={"kind": "asylum_claim", "outcome": "pending"},
    )
    link = _links(case)[0]
    remedy_id = services.case_remedies(case)[0].public_id
    base = f"/cases/{case.public_id}/legal"
    urls = [
        "/legal/",
        "/legal/instruments/new",
        "/legal/instruments/CAT",
        "/legal/instruments/edit/CAT",
        "/legal/instruments/add-provision/CAT",
        "/legal/provisions/CAT:3",
        "/legal/provisions/edit/CAT:3",
        "/legal/provisions/CAT-444/2010",
        f"{base}/",
        f"{base}/links/new?provision=CAT:22",
        f"{base}/suggest",
        f"{base}/links/{link.public_id}/edit",
        f"{base}/links/{link.public_id}/hide",
        f"{base}/remedies/new",
        f"{base}/remedies/{remedy_id}/edit",
        f"{base}/remedies/{remedy_id}/hide",
    ]
    for url in urls:
        response = client.get(url)
        assert response.status_code == 200, (url, response.status_code)


def test_the_provision_counts_follow_every_change(client, login, people, case):
    """The counts by assessment are kept until the data changes: each link made or hidden
    shows at the next visit, and another user counts only the cases they may read."""
    login(people["lawyer"])
    assert "Violated: 0" in client.get("/legal/provisions/CAT:3").get_data(as_text=True)
    _link(client, case, "CAT:3", "violated")
    assert "Violated: 1" in client.get("/legal/provisions/CAT:3").get_data(as_text=True)
    other = make_case(people["monitor"], team=((people["lawyer"], TeamRole.LAWYER),))
    _link(client, other, "CAT:3", "violated")
    assert "Violated: 2" in client.get("/legal/provisions/CAT:3").get_data(as_text=True)
    link = _links(case)[0]
    client.post(
        f"/cases/{case.public_id}/legal/links/{link.public_id}/hide", data={"reason": "Error"}
    )
    assert "Violated: 1" in client.get("/legal/provisions/CAT:3").get_data(as_text=True)
    login(people["other_lawyer"])  # on neither team
    assert "Violated: 0" in client.get("/legal/provisions/CAT:3").get_data(as_text=True)


def test_second_lawyer_accepting_the_same_suggestion_gets_a_conflict_not_a_404(
    client, login, people, case
):
    """Two lawyers accept one suggestion at once: the second sees the first's assessment beside
    their own unsaved analysis (409) and can save it as an edit; nothing is lost or overwritten."""
    login(people["monitor"])
    client.post(
        f"/cases/{case.public_id}/legal/suggest",
        data={"provision": "ICCPR:9", "assessment": "violated", "note": "Held 40 days."},
    )
    link = _links(case)[0]
    loaded = link.version
    accept = f"/cases/{case.public_id}/legal/links/{link.public_id}/accept"
    login(people["coordinator"])
    first = {
        "assessment": "violated",
        "violation_status": "likely",
        "analysis": "First analysis.",
        "version": loaded,
    }
    assert client.post(accept, data=first).status_code == 302

    login(people["lawyer"])
    second = dict(first, assessment="at_risk", analysis="Second analysis, unsaved.")
    response = client.post(accept, data=second)
    assert response.status_code == 409
    page = response.get_data(as_text=True)
    assert "Second analysis, unsaved." in page and "First analysis." in page
    # The form now edits the accepted assessment: it posts to the edit page, at its version.
    link = _links(case)[0]
    edit = f"/cases/{case.public_id}/legal/links/{link.public_id}/edit"
    assert f'action="{edit}"' in page
    assert (link.state, link.assessment, link.analysis) == (
        LinkState.ASSESSED,
        Assessment.VIOLATED,
        "First analysis.",
    )


def test_dismissing_a_suggestion_accepted_meanwhile_does_not_hide_the_assessment(
    client, login, people, case
):
    """A lawyer opens "Dismiss" on a suggestion; another accepts it with an analysis before the
    first sends the form: sending it must not hide the new assessment as a dismissal."""
    login(people["monitor"])
    client.post(
        f"/cases/{case.public_id}/legal/suggest",
        data={"provision": "ICCPR:9", "assessment": "violated", "note": "Held 40 days."},
    )
    link = _links(case)[0]
    hide = f"/cases/{case.public_id}/legal/links/{link.public_id}/hide"
    login(people["lawyer"])
    page = client.get(hide).get_data(as_text=True)
    assert 'name="state" type="hidden" value="suggested"' in page

    login(people["coordinator"])
    accept = f"/cases/{case.public_id}/legal/links/{link.public_id}/accept"
    data = {
        "assessment": "violated",
        "violation_status": "likely",
        "analysis": "Detention beyond the Minsk time limit.",
        "version": link.version,
    }
    assert client.post(accept, data=data).status_code == 302

    login(people["lawyer"])
    response = client.post(hide, data={"reason": "Not relevant.", "state": "suggested"})
    assert response.status_code == 409
    assert "accepted" in response.get_data(as_text=True)
    link = _links(case)[0]
    assert not link.is_hidden and link.state == LinkState.ASSESSED
    actions = list(db.session.scalars(select(AuditEntry.action)))
    assert "legal.link_hidden" not in actions and "legal.suggestion_dismissed" not in actions


def test_a_russian_speaking_lawyer_reads_the_link_pages_and_messages_in_russian(
    client, login, people, case
):
    lawyer = people["lawyer"]
    lawyer.language = "ru"
    db.session.commit()
    db.session.add(Source(case_id=case.id, kind=SourceKind.NGO, created_by_id=lawyer.id))
    db.session.commit()
    login(lawyer)
    _link(client, case, "CAT:3", "at_risk", "First view.")
    link = _links(case)[0]
    edit = f"/cases/{case.public_id}/legal/links/{link.public_id}/edit"
    page = client.get(edit).get_data(as_text=True)
    assert "Tick the sources" not in page
    data = {
        "assessment": "violated",
        "violation_status": "likely",
        "analysis": "Removed.",
        "version": link.version,
    }
    page = client.post(edit, data=data, follow_redirects=True).get_data(as_text=True)
    assert "Legal ground saved." not in page and "Правовое основание сохранено." in page
    hide = f"/cases/{case.public_id}/legal/links/{link.public_id}/hide"
    page = client.post(hide, data={"reason": "Error."}, follow_redirects=True).get_data(
        as_text=True
    )
    assert "Legal ground hidden." not in page and "Правовое основание скрыто." in page
