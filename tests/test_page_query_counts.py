"""Every main page runs as many queries with many rows as with few: no query per row (N+1), no
list that reads the whole archive. Each test measures a page, adds many more of what the page
shows (cases, people, events, legal links, actions, recommendations...), and measures again."""

from __future__ import annotations

import itertools
import re
from datetime import date, timedelta

import pytest

from casework.accounts import sessions
from casework.advocacy import services as advocacy
from casework.advocacy import upr
from casework.advocacy.models import UPRCycle
from casework.cases import services as cases
from casework.cases.events import add_event
from casework.cases.models import Case, CaseMember
from casework.core.db import db
from casework.core.vocab import (
    ActionStatus,
    ActionType,
    Assessment,
    CaseStatus,
    Role,
    TeamRole,
    Urgency,
)
from casework.legal import services as legal
from casework.legal.models import Instrument, Provision
from casework.people import services as people
from casework.people.services import NameInput
from tests.case_helpers import count_catalogue_reads
from tests.factories import log_in

_seq = itertools.count(1)


class Archive:
    """A coordinator, a monitor and a lawyer, and one case that grows: ``grow(k)`` adds ``k``
    of everything to it and to the archive around it."""

    def __init__(self, make_user) -> None:
        self.make_user = make_user
        self.monitor = make_user(Role.MONITOR)
        self.lawyer = make_user(Role.LAWYER)
        self.coordinator = make_user(Role.COORDINATOR)
        instrument = Instrument(
            code="QC", title="Query count", instrument_type="treaty", direction="protective"
        )
        db.session.add(instrument)
        db.session.flush()
        self.instrument = instrument
        self.provision = Provision(instrument_id=instrument.id, code="QC:1", title="Art 1")
        db.session.add(self.provision)
        self.cycle = UPRCycle(state_under_review="Kazakhstan", number=9)
        db.session.add(self.cycle)
        db.session.flush()
        self.case = self._case(Urgency.IMMINENT)
        self.person = self._person(self.case, "Alisher Xolmatov")
        db.session.commit()

    def _case(self, urgency: Urgency = Urgency.ROUTINE) -> Case:
        n = next(_seq)
        case = Case(
            reference=f"KZ-2011-{n:04d}",
            created_by_id=self.monitor.id,
            urgency=urgency,
            act_date=None if n % 3 else "2011-06",
            destination_country="UZ",
        )
        case.members.append(CaseMember(user_id=self.monitor.id, team_role=TeamRole.CREATOR))
        case.members.append(CaseMember(user_id=self.lawyer.id, team_role=TeamRole.LAWYER))
        db.session.add(case)
        db.session.flush()
        return case

    def _person(self, case: Case, name: str):
        person = people.create_person(self.monitor, [NameInput(name, None, "as_given")])
        cases.add_person_to_case(self.monitor, case, person, "at_risk")
        return person

    def grow(self, k: int) -> None:
        today = date.today()
        for i in range(k):
            n = next(_seq)
            # The archive: more cases, imminent ones, people of the same surname, citations.
            other = self._case(Urgency.IMMINENT if i % 2 else Urgency.ROUTINE)
            self._person(other, f"Rustam Xolmatov{n}")
            legal.add_link(
                self.lawyer, other, provision=self.provision, assessment=Assessment.VIOLATED
            )
            if i % 2 == 0:
                # Returned to the monitor who created it (the dashboard's panel), twice.
                for reason in (f"Question {n}", f"Another question {n}"):
                    cases.transition(self.monitor, other, "submitted", None)
                    cases.transition(self.lawyer, other, "returned", reason)
            # The growing case: its team, relatives (with family links), events, comments,
            # legal links.
            colleague = self.make_user(Role.LAWYER if i % 2 else Role.MONITOR)
            self.case.members.append(CaseMember(user_id=colleague.id, team_role=TeamRole.MEMBER))
            relative = self._person(self.case, f"Relative {n}")
            people.add_family_link(self.monitor, relative, self.person, "sibling", case=self.case)
            add_event(
                self.monitor, self.case, {"event_type": "arrest", "date": f"2012-0{i % 9 + 1}"}
            )
            cases.add_comment(self.monitor, self.case, f"Note {n}")
            provision = Provision(instrument_id=self.instrument.id, code=f"QC:{n + 1}", title="A")
            db.session.add(provision)
            db.session.flush()
            legal.add_link(
                self.lawyer, self.case, provision=provision, assessment=Assessment.AT_RISK
            )
            # Advocacy: actions on the case, overdue and upcoming, the coordinator's and others'.
            action = advocacy.create_action(
                self.coordinator,
                advocacy.ActionData(
                    action_type=ActionType.URGENT_APPEAL,
                    title=f"Appeal {n}",
                    status=ActionStatus.SUBMITTED,
                    followup_due=today + timedelta(days=-2 if i // 2 % 2 == 0 else 2),
                    responsible_id=self.coordinator.id if i % 2 else self.lawyer.id,
                    case_references=[self.case.reference, other.reference],
                ),
            )
            # UPR: recommendations with cases and actions.
            rec = upr.create_recommendation(
                self.coordinator,
                upr.RecommendationData(
                    cycle=self.cycle,
                    number=f"140.{n}",
                    recommending_state="Norway",
                    text="Respect non-refoulement.",
                ),
            )
            upr.link_case(self.coordinator, rec, other.reference)
            upr.link_action(self.coordinator, rec, action)
        db.session.commit()


@pytest.fixture
def archive(make_user, monkeypatch):
    # A session records its activity once a minute (one UPDATE): adding rows may take longer
    # than that, and the recording is not what these tests count.
    monkeypatch.setattr(sessions, "TOUCH_INTERVAL", timedelta(days=1))
    return Archive(make_user)


def _client(app, user):
    client = app.test_client()
    log_in(client, user)
    return client


def _count(client, count_queries, method: str, url: str, data=None) -> int:
    # The test shares the request's session: what the test loaded must not spare the page a
    # query (a request in production starts with nothing loaded).
    db.session.expire_all()
    with count_queries() as counter:
        response = client.open(url, method=method, data=data)
        assert response.status_code == 200, (url, response.status_code)
    return counter["n"]


def _next_page(client, url: str) -> str:
    html = client.get(url).get_data(as_text=True)
    path = re.escape(url.split("?")[0])
    match = re.search(rf'href="({path}\?[^"]*)" rel="next"', html)
    assert match, "no next page"
    return match.group(1).replace("&amp;", "&")


PAGES = [
    ("dashboard", "GET", "/", None),
    ("case list", "GET", "/cases", None),
    ("case list filtered", "GET", "/cases?urgency=imminent&destination=UZ&sort=act_date", None),
    ("case list by provision", "GET", "/cases?provision=QC:1&sort=reference", None),
    ("case file", "GET", "CASE", None),
    ("case team", "GET", "TEAM", None),
    ("person in a case", "GET", "PERSON", None),
    ("provision page", "GET", "/legal/provisions/QC:1", None),
    ("follow-ups", "GET", "/advocacy/followups", None),
    ("follow-up list", "GET", "/advocacy/followups?list=org_overdue", None),
    ("actions", "GET", "/advocacy/actions", None),
    ("actions filtered", "GET", "/advocacy/actions?status=submitted&type=urgent_appeal", None),
    ("UPR cycles", "GET", "/advocacy/upr", None),
    ("UPR cycle", "GET", "CYCLE", None),
    ("name search", "POST", "/cases/search", {"name": "Xolmatov"}),
    ("name search, no match", "POST", "/cases/search", {"name": "Qwzx Vbnm"}),
]


def _url(archive: Archive, url: str) -> str:
    if url == "CASE":
        return f"/cases/{archive.case.public_id}"
    if url == "PERSON":
        return f"/cases/{archive.case.public_id}/people/{archive.person.public_id}"
    if url == "TEAM":
        return f"/cases/{archive.case.public_id}/team"
    if url == "CYCLE":
        return f"/advocacy/upr/cycles/{archive.cycle.public_id}"
    return url


@pytest.mark.parametrize("who", ["coordinator", "monitor", "lawyer"])
def test_main_pages_cost_the_same_with_ten_times_the_rows(app, archive, count_queries, who):
    user = getattr(archive, who)
    client = _client(app, user)
    coordinator_only = ("UPR cycles", "UPR cycle", "case team")
    pages = [p for p in PAGES if who == "coordinator" or p[0] not in coordinator_only]
    if who == "monitor":
        pages = [p for p in pages if p[0] not in ("follow-ups", "follow-up list", "provision page")]
        pages = [p for p in pages if not p[0].startswith("actions")]
    archive.grow(4)  # every kind at least once (both people's, overdue and upcoming)
    few = {name: _count(client, count_queries, m, _url(archive, u), d) for name, m, u, d in pages}
    archive.grow(36)
    many = {name: _count(client, count_queries, m, _url(archive, u), d) for name, m, u, d in pages}
    assert many == few


def test_a_later_page_of_the_list_costs_what_the_first_does(app, archive, count_queries):
    from casework.cases import listing

    archive.grow(6)
    client = _client(app, archive.coordinator)
    with pytest.MonkeyPatch.context() as mp:
        mp.setattr(listing.list_cases, "__defaults__", (2,))
        for sort in listing.SORTS:
            first = f"/cases?sort={sort}"
            second = _next_page(client, first)
            third = _next_page(client, second)
            costs = {_count(client, count_queries, "GET", u) for u in (second, third)}
            # A cursor costs one query (its case's sort keys), at any depth.
            assert costs == {_count(client, count_queries, "GET", first) + 1}, sort


@pytest.mark.parametrize(
    ("first", "size"),
    [
        ("/advocacy/actions", "ACTIONS_PAGE_SIZE"),
        ("/advocacy/followups?list=org_overdue", "FOLLOWUP_PAGE_SIZE"),
    ],
)
def test_a_later_page_of_the_actions_costs_what_the_first_does(
    app, archive, count_queries, first, size
):
    archive.grow(12)
    client = _client(app, archive.coordinator)
    with pytest.MonkeyPatch.context() as mp:
        mp.setattr(advocacy, size, 2)
        second = _next_page(client, first)
        third = _next_page(client, second)
        costs = {_count(client, count_queries, "GET", u) for u in (second, third)}
        assert costs == {_count(client, count_queries, "GET", first) + 1}


def _verified_cases(archive: Archive, k: int, year: int) -> None:
    """``k`` verified cases of ``year``, each with a person (half of them with family at risk)
    who has a relative outside the case, an event, a legal link, a remedy."""
    for i in range(k):
        case = archive._case()
        case.status, case.act_date = CaseStatus.VERIFIED, f"{year}-03"
        person = archive._person(case, f"Bakhrom Toshev{next(_seq)}")
        person.family_at_risk = bool(i % 2)
        relative = people.create_person(
            archive.monitor, [NameInput(f"Sardor Toshev{next(_seq)}", None, "as_given")]
        )
        people.add_family_link(archive.monitor, relative, person, "sibling")
        add_event(archive.monitor, case, {"event_type": "arrest", "date": f"{year}-02"})
        legal.add_link(
            archive.lawyer, case, provision=archive.provision, assessment=Assessment.VIOLATED
        )
        legal.add_remedy(archive.lawyer, case, kind="extradition_appeal")
    db.session.commit()


def test_a_upr_document_costs_the_same_over_ten_times_the_cases(app, archive, count_queries):
    client = _client(app, archive.coordinator)
    form = {"period_from": "2015-01-01", "period_to": "2016-12-31", "title": "Query count"}

    def cost() -> int:
        client.post("/reports/upr", data=form)  # the first output gives new people a pseudonym
        db.session.expire_all()
        with count_queries() as counter:
            response = client.post("/reports/upr", data=form)
            assert response.status_code == 302, response.status_code
        return counter["n"]

    _verified_cases(archive, 3, 2015)
    few = cost()
    _verified_cases(archive, 30, 2016)
    _verified_cases(archive, 30, 2019)  # outside the period
    assert cost() == few


def test_a_upr_draft_s_word_document_costs_the_same_over_ten_times_the_cases(
    app, archive, count_queries
):
    """The Word document of a draft scrubs its text against every person of the period's cases
    and of the cases it was written from, with their relatives and protected sources: read a
    batch at a time, not a query per case or per person."""
    client = _client(app, archive.coordinator)
    form = {"period_from": "2015-01-01", "period_to": "2016-12-31", "title": "Query count"}

    def cost() -> int:
        draft = client.post("/reports/upr", data=form).headers["Location"]
        client.get(f"{draft}/docx")  # the first output gives new people a pseudonym
        db.session.expire_all()
        with count_queries() as counter:
            response = client.get(f"{draft}/docx")
            assert response.status_code == 200, response.status_code
            assert response.mimetype.endswith("wordprocessingml.document"), response.mimetype
        return counter["n"]

    _verified_cases(archive, 3, 2015)
    few = cost()
    _verified_cases(archive, 30, 2016)
    _verified_cases(archive, 30, 2019)  # outside the period
    assert cost() == few


def test_an_export_costs_the_same_over_ten_times_the_cases(app, archive, count_queries):
    """The export reads the cases a batch at a time, their people's relatives too (whose
    names its free text withholds): not a query per case or per person."""
    client = _client(app, archive.coordinator)

    def cost() -> int:
        client.post("/reports/export", data={"format": "csv"})  # pseudonyms given first
        db.session.expire_all()
        with count_queries() as counter:
            response = client.post("/reports/export", data={"format": "csv"})
            assert response.status_code == 200, response.status_code
        return counter["n"]

    _verified_cases(archive, 3, 2015)
    few = cost()
    _verified_cases(archive, 30, 2016)
    assert cost() == few


def test_adding_a_person_costs_the_same_with_ten_times_the_people(app, archive, count_queries):
    client = _client(app, archive.coordinator)
    url = f"/cases/{archive.case.public_id}/people/new"
    archive.grow(3)
    few = _count(client, count_queries, "GET", url)
    archive.grow(30)
    assert _count(client, count_queries, "GET", url) == few


def test_the_case_files_row_forms_read_their_words_and_token_once(app, archive, monkeypatch):
    """Each person, event, comment, source and document of a case file has a form to remove it
    (or restore it): the CSRF token and the form's words are read once per page, not per row."""
    from flask_wtf import csrf

    generate_csrf = csrf.generate_csrf

    read: list[str] = []

    def token() -> str:
        read.append("token")
        return generate_csrf()

    monkeypatch.setattr(csrf, "generate_csrf", token)
    count_catalogue_reads(monkeypatch, read)
    client = _client(app, archive.coordinator)
    words = ("token", "Remove", "Why", "Why (kept in the record)")

    def reads() -> dict[str, int]:
        read.clear()
        html = client.get(_url(archive, "CASE")).get_data(as_text=True)
        assert html.count('name="reason"') > 8
        return {w: read.count(w) for w in words}

    archive.grow(4)
    few = reads()
    archive.grow(12)
    assert reads() == few


def test_the_case_files_row_links_walk_the_url_rules_once(app, archive, monkeypatch):
    """Each person, event, comment, legal link and action of a case file has its links (edit,
    remove, open): the URL rules are walked once per page for each kind, not once per row."""
    from collections import Counter

    from werkzeug.routing import MapAdapter

    build = MapAdapter.build
    built: Counter[str] = Counter()

    def counted(self, endpoint, *args, **kwargs):
        built[endpoint] += 1
        return build(self, endpoint, *args, **kwargs)

    monkeypatch.setattr(MapAdapter, "build", counted)
    client = _client(app, archive.monitor)

    def walked() -> Counter[str]:
        built.clear()
        html = client.get(_url(archive, "CASE")).get_data(as_text=True)
        assert html.count('name="reason"') > 8
        return Counter(built)

    archive.grow(4)
    few = walked()
    archive.grow(12)
    assert walked() == few


@pytest.mark.parametrize("who", ["coordinator", "lawyer"])
def test_the_case_files_row_checks_ask_for_the_signed_in_account_once(
    app, archive, monkeypatch, who
):
    """Each person, event, legal link and action of a case file is checked against the policy
    (may this user read it, edit it, see who acted): the account is resolved once per page
    (Flask-Login's ``current_user`` looks it up again at each use), not once per row."""
    from flask_login import utils as login_utils

    get_user = login_utils._get_user
    asked: list[int] = []

    def counted():
        asked.append(1)
        return get_user()

    monkeypatch.setattr(login_utils, "_get_user", counted)
    client = _client(app, getattr(archive, who))

    def lookups() -> int:
        asked.clear()
        html = client.get(_url(archive, "CASE")).get_data(as_text=True)
        assert html.count('name="reason"') > 8
        return len(asked)

    archive.grow(4)
    few = lookups()
    archive.grow(12)
    assert lookups() == few


def test_the_case_files_dates_are_each_formatted_once(app, archive, monkeypatch):
    """A case file shows the same few days again and again (each comment's, action's and
    status change's day, the months of the events): each distinct date is written out in the
    reader's convention once, not once per row."""
    from babel import dates as babel_dates

    format_date = babel_dates.format_date
    formatted: list[object] = []

    def counted(day, *args, **kwargs):
        formatted.append(day)
        return format_date(day, *args, **kwargs)

    monkeypatch.setattr(babel_dates, "format_date", counted)
    client = _client(app, archive.coordinator)

    def formats() -> int:
        formatted.clear()
        html = client.get(_url(archive, "CASE")).get_data(as_text=True)
        assert html.count('name="reason"') > 8
        return len(formatted)

    archive.grow(9)  # every month of the events' dates (2012-01 to 2012-09) already there
    few = formats()
    archive.grow(9)
    assert formats() <= few
