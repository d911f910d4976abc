"""The dashboard's case panels: the open urgent and imminent cases (imminent first), the
user's own cases a reviewer returned to them with the reason, and the user's own drafts to
complete with what each still lacks. Each shows what the policy lets its reader see, says how
many there are, and links to the case list filtered to exactly them."""

from __future__ import annotations

import itertools
import re
from datetime import timedelta
from html import unescape

import pytest
from sqlalchemy import select

from casework.cases import listing, services
from casework.cases.models import Case, CasePerson
from casework.core.db import db, utcnow
from casework.core.vocab import ActType, CaseRole, CaseStatus, Role, TeamRole, Urgency
from casework.people.services import NameInput, create_person
from tests.case_helpers import page
from tests.clients import client_for
from tests.factories import make_case

_REF = re.compile(r"KZ-(?:\d{4}|XXXX)-\d{4}")


def _section(html: str, marker: str) -> str:
    """The panel whose opening tag carries ``marker`` (its id), or "" when not on the page."""
    start = html.find(f'id="{marker}"')
    if start < 0:
        return ""
    end = min(i for i in (html.find("</article>", start), html.find("</section>", start)) if i > 0)
    return html[start:end]


def _refs(html: str) -> list[str]:
    return _REF.findall(html)


def _list_rows(client, url: str) -> list[str]:
    html = page(client, url)
    rows = html.split("<table", 1)[1] if "<table" in html else ""
    return _refs(rows)


def _link(panel: str, text: str) -> str:
    match = re.search(r'<a href="([^"]+)">' + re.escape(text), panel)
    assert match, panel
    return unescape(match.group(1))


class World:
    """A monitor's cases of every kind, another team's, and who else may look."""

    def __init__(self, make_user) -> None:
        self.monitor = make_user(Role.MONITOR)
        self.other = make_user(Role.MONITOR)
        self.lawyer = make_user(Role.LAWYER)
        self.coordinator = make_user(Role.COORDINATOR)
        self.admin = make_user(Role.ADMIN)
        now = utcnow()
        self._minutes = iter(range(100))

        def case(creator, reference, **kwargs):
            kwargs.setdefault("status", CaseStatus.SUBMITTED)
            return make_case(
                creator,
                reference=reference,
                updated_at=now - timedelta(minutes=next(self._minutes)),
                **kwargs,
            )

        team = ((self.lawyer, TeamRole.LAWYER),)
        # Newest first: the monitor's open urgent and imminent cases, mixed in time.
        self.urgent_new = case(self.monitor, "KZ-2011-0101", urgency=Urgency.URGENT, team=team)
        self.imminent_new = case(self.monitor, "KZ-2011-0102", urgency=Urgency.IMMINENT)
        self.urgent_old = case(self.monitor, "KZ-2011-0103", urgency=Urgency.URGENT)
        self.imminent_old = case(self.monitor, "KZ-2011-0104", urgency=Urgency.IMMINENT)
        # Not in the urgent panel: closed, routine, discarded.
        case(self.monitor, "KZ-2011-0105", urgency=Urgency.URGENT, status=CaseStatus.CLOSED)
        case(self.monitor, "KZ-2011-0106", urgency=Urgency.ROUTINE)
        # Another team's: one restricted, one open to the organisation.
        self.restricted = case(
            self.other, "KZ-2011-0201", urgency=Urgency.IMMINENT, restricted=True
        )
        self.others = case(self.other, "KZ-2011-0202", urgency=Urgency.URGENT)
        # The monitor's drafts: one bare, one with what a full save needs, one urgent.
        self.bare = case(self.monitor, "KZ-XXXX-0301", status=CaseStatus.DRAFT)
        self.complete = case(
            self.monitor,
            "KZ-2011-0302",
            status=CaseStatus.DRAFT,
            act_type=ActType.EXTRADITION,
            team=team,
        )
        person = create_person(self.monitor, [NameInput("Alisher Xolmatov", None, "as_given")])
        db.session.add(
            CasePerson(case_id=self.complete.id, person_id=person.id, role=CaseRole.AT_RISK)
        )
        self.urgent_draft = case(
            self.monitor, "KZ-2011-0303", status=CaseStatus.DRAFT, urgency=Urgency.URGENT
        )
        # Drafts not the monitor's to complete: discarded, someone else's on the monitor's
        # team, submitted already.
        self.discarded = case(self.monitor, "KZ-2011-0304", status=CaseStatus.DRAFT)
        services.discard_draft(self.monitor, self.discarded, "Recorded twice by mistake")
        case(
            self.other,
            "KZ-2011-0305",
            status=CaseStatus.DRAFT,
            team=((self.monitor, TeamRole.MEMBER),),
        )
        db.session.commit()

    def client(self, app, who: str):
        return client_for(app, getattr(self, who))


@pytest.fixture
def world(make_user):
    return World(make_user)


# --- the urgent panel -----------------------------------------------------------------------


def test_a_monitor_sees_imminent_then_urgent_open_cases_of_their_teams(app, world):
    panel = _section(page(world.client(app, "monitor"), "/"), "urgent-cases")
    assert _refs(panel) == [
        "KZ-2011-0102",  # imminent, the most recently updated first
        "KZ-2011-0104",
        "KZ-2011-0101",  # then urgent, the most recently updated first
        "KZ-2011-0103",
        "KZ-2011-0303",  # a draft marked urgent is urgent too
    ]
    # Said as a number, with each case's urgency.
    assert re.search(r"Urgent cases\s*<small>\(5\)</small>", panel), panel
    assert panel.count("urgency-imminent") == 2 and panel.count("urgency-urgent") == 3
    # Neither another team's restricted case nor its open one, closed, routine or discarded.
    for absent in ("KZ-2011-0201", "KZ-2011-0202", "KZ-2011-0105", "KZ-2011-0106"):
        assert absent not in panel


@pytest.mark.parametrize(
    ("who", "expected"),
    [
        # On the team of one urgent case and of one draft (not urgent).
        ("lawyer", ["KZ-2011-0101"]),
        # Every case exists for a coordinator, a restricted one by its reference and listed
        # facts alone.
        (
            "coordinator",
            [
                "KZ-2011-0102",
                "KZ-2011-0104",
                "KZ-2011-0201",
                "KZ-2011-0101",
                "KZ-2011-0103",
                "KZ-2011-0202",
                "KZ-2011-0303",
            ],
        ),
        ("other", ["KZ-2011-0201", "KZ-2011-0202"]),
        ("admin", []),  # on no team
    ],
)
def test_each_role_sees_the_urgent_cases_the_policy_shows_them(app, world, who, expected):
    html = page(world.client(app, who), "/")
    panel = _section(html, "urgent-cases")
    assert _refs(panel) == expected
    if not expected:
        assert "Urgent cases" not in html


def test_details_of_a_restricted_case_stay_with_its_team(app, world):
    """A coordinator off the team sees that the restricted case is imminent, not for how long
    its person is detained."""
    from casework.cases.events import add_event

    add_event(
        world.other,
        world.restricted,
        {"event_type": "detention_pending_extradition", "date": "2011-05-02"},
    )
    db.session.commit()
    seen = _section(page(world.client(app, "coordinator"), "/"), "urgent-cases")
    row = seen.split("KZ-2011-0201", 1)[1].split("</li>", 1)[0]
    assert "Detained since" not in row
    own = _section(page(world.client(app, "other"), "/"), "urgent-cases")
    assert "Detained since" in own.split("KZ-2011-0201", 1)[1].split("</li>", 1)[0]


def test_the_urgent_panel_links_to_exactly_its_cases_in_its_order(app, world, monkeypatch):
    monkeypatch.setattr(listing, "URGENT_LIMIT", 2)
    client = world.client(app, "monitor")
    panel = _section(page(client, "/"), "urgent-cases")
    assert _refs(panel) == ["KZ-2011-0102", "KZ-2011-0104"]
    assert "(5)" in panel and "The 2 most urgent are shown." in panel
    target = _link(panel, "Every open urgent or imminent case")
    assert _list_rows(client, target) == [
        "KZ-2011-0102",
        "KZ-2011-0104",
        "KZ-2011-0101",
        "KZ-2011-0103",
        "KZ-2011-0303",
    ]
    # The list's own count says the same, and its form shows the filter chosen.
    listed = page(client, target)
    assert re.search(r"<h1>Cases <small>\(5\)</small>", listed)
    assert '<option value="urgent_or_imminent" selected>' in listed
    assert '<option value="open" selected>' in listed


def test_the_case_list_offers_the_panels_filters(app, world):
    html = page(world.client(app, "monitor"), "/cases")
    assert '<option value="urgent_or_imminent"' in html and '<option value="open"' in html
    assert 'name="created_by_me"' in html


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("?urgency=urgent_or_imminent", {"0101", "0102", "0103", "0104", "0105", "0303"}),
        ("?status=open&urgency=urgent", {"0101", "0103", "0303"}),
        ("?status=open", {"0101", "0102", "0103", "0104", "0106", "0301", "0302", "0303", "0305"}),
        ("?created_by_me=1&status=draft", {"0301", "0302", "0303"}),
        ("?created_by_me=1&urgency=imminent", {"0102", "0104"}),
    ],
)
def test_the_new_filters_narrow_the_list(app, world, query, expected):
    rows = _list_rows(world.client(app, "monitor"), "/cases" + query)
    assert {ref.rsplit("-", 1)[1] for ref in rows} == expected


def test_an_unknown_filter_value_is_still_dropped_with_a_message(app, world):
    response = world.client(app, "monitor").get("/cases?status=opened&urgency=very")
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    assert "Unknown status" in html and "Unknown urgency" in html
    assert len(_list_rows(world.client(app, "monitor"), "/cases?status=opened")) == 10


def test_the_urgent_panel_reads_in_russian(app, world):
    world.monitor.language = "ru"
    db.session.commit()
    html = page(world.client(app, "monitor"), "/")
    urgent = _section(html, "urgent-cases")
    for english in ("Urgent cases", "Every open urgent or imminent case"):
        assert english not in html
    assert "Срочные дела" in urgent


# --- the drafts panel -----------------------------------------------------------------------


def test_a_monitor_sees_their_drafts_with_what_each_lacks(app, world):
    panel = _section(page(world.client(app, "monitor"), "/"), "own-drafts")
    assert "Your drafts to complete" in panel
    # The most recently changed first; not the discarded one, not a colleague's, not a
    # submitted case.
    assert _refs(panel) == ["KZ-XXXX-0301", "KZ-2011-0302", "KZ-2011-0303"]
    assert "(3)" in panel

    def row(reference: str) -> str:
        return panel.split(reference, 1)[1].split("</li>", 1)[0]

    # What is missing is what the intake's full save asks for, and nothing else.
    assert "Missing: the person's name or an alias, what happened" in row("KZ-XXXX-0301")
    assert "Missing:" not in row("KZ-2011-0302")
    assert "Nothing missing: ready to submit for review." in row("KZ-2011-0302")
    assert "Missing: the person's name or an alias, what happened" in row("KZ-2011-0303")


def test_what_a_draft_lacks_is_the_rule_the_intake_refuses_a_full_save_by(app, world):
    """One rule: the fields a full save refuses without are those the dashboard names."""
    assert set(services.MISSING_FACTS) == {"name", "act_type"}
    with pytest.raises(services.ValidationFailed) as refused:
        services.intake(world.monitor, services.IntakeInput(narrative="Only a story."))
    assert set(refused.value.errors) == set(services.MISSING_FACTS)


def test_the_drafts_panel_links_to_exactly_the_monitor_s_drafts(app, world, monkeypatch):
    monkeypatch.setattr(listing, "DRAFTS_LIMIT", 2)
    client = world.client(app, "monitor")
    panel = _section(page(client, "/"), "own-drafts")
    assert _refs(panel) == ["KZ-XXXX-0301", "KZ-2011-0302"]
    assert "(3)" in panel and "The 2 most recently changed are shown." in panel
    target = _link(panel, "All your drafts")
    assert _list_rows(client, target) == ["KZ-XXXX-0301", "KZ-2011-0302", "KZ-2011-0303"]
    assert 'name="created_by_me" value="1" checked' in page(client, target)


def test_a_discarded_draft_leaves_the_panel_and_a_submitted_one_too(app, world):
    client = world.client(app, "monitor")
    services.discard_draft(world.monitor, world.bare, "Recorded twice")
    services.transition(world.monitor, world.complete, "submitted", None)
    db.session.commit()
    panel = _section(page(client, "/"), "own-drafts")
    assert _refs(panel) == ["KZ-2011-0303"]


@pytest.mark.parametrize(
    ("who", "shown"),
    [
        ("other", ["KZ-2011-0305"]),  # their own draft, on whatever team
        ("lawyer", None),  # on the team of the monitor's draft, but it is not theirs
        ("coordinator", None),  # sees every case, creates none here
        ("admin", None),  # creates no cases
    ],
)
def test_each_role_sees_only_drafts_they_created(app, world, who, shown):
    html = page(world.client(app, who), "/")
    panel = _section(html, "own-drafts")
    if shown is None:
        assert not panel and "Your drafts to complete" not in html
    else:
        assert _refs(panel) == shown


def test_the_drafts_panel_reads_in_russian(app, world):
    world.monitor.language = "ru"
    db.session.commit()
    html = page(world.client(app, "monitor"), "/")
    drafts = _section(html, "own-drafts")
    for english in ("Your drafts to complete", "Missing:", "All your drafts", "what happened"):
        assert english not in html
    assert "Ваши черновики" in drafts


def test_the_panels_come_before_the_monitor_s_cases(app, world):
    html = page(world.client(app, "monitor"), "/")
    assert html.index('id="urgent-cases"') < html.index('id="own-drafts"')
    assert html.index('id="own-drafts"') < html.index("Your cases")


def test_a_draft_with_only_a_witness_still_lacks_the_person_at_risk(app, world):
    person = create_person(world.monitor, [NameInput("Witness One", None, "as_given")])
    db.session.add(CasePerson(case_id=world.bare.id, person_id=person.id, role=CaseRole.WITNESS))
    db.session.commit()
    panel = _section(page(world.client(app, "monitor"), "/"), "own-drafts")
    row = panel.split("KZ-XXXX-0301", 1)[1].split("</li>", 1)[0]
    assert "the person's name or an alias" in row


def test_the_cases_created_by_the_world_are_as_the_tests_expect(world):
    # Guard: the world above is what the assertions read.
    statuses = dict(db.session.execute(select(Case.reference, Case.status)).all())
    assert statuses["KZ-2011-0304"] == CaseStatus.DRAFT
    assert db.session.scalar(select(Case.hidden_at).where(Case.reference == "KZ-2011-0304"))


# --- the cases returned to their creator ---------------------------------------------------


class Returned:
    """On top of the world: cases a lawyer sent back, the monitor's (one twice), one sent back
    and submitted again since, another monitor's, and one a coordinator created that became
    restricted to a team they are not on."""

    def __init__(self, world: World) -> None:
        self.world = world
        lawyer = world.lawyer
        team = ((lawyer, TeamRole.LAWYER),)
        now = utcnow()

        def returned(creator, reference, *reasons, **kwargs):
            case = make_case(creator, reference=reference, team=team, **kwargs)
            for reason in reasons:
                services.transition(creator, case, "submitted", None)
                services.transition(lawyer, case, "returned", reason)
            return case

        self.twice = returned(
            world.monitor,
            "KZ-2011-0401",
            "Which court signed the detention order?",
            "Add the date of the hearing in Almaty.",
        )
        self.once = returned(world.monitor, "KZ-2011-0402", "Name the border post.")
        self.resubmitted = returned(world.monitor, "KZ-2011-0403", "Add the source.")
        services.transition(world.monitor, self.resubmitted, "submitted", None)
        self.others = returned(world.other, "KZ-2011-0404", "Check the spelling.")
        self.restricted = make_case(
            world.coordinator,
            reference="KZ-2011-0405",
            restricted=True,
            status=CaseStatus.SUBMITTED,
            team=team,
        )
        services.transition(lawyer, self.restricted, "returned", "Ask Dilnoza at the shelter.")
        db.session.delete(
            next(m for m in self.restricted.members if m.user_id == world.coordinator.id)
        )
        # The order of the panel: the most recently changed first.
        for seconds, case in enumerate((self.once, self.twice, self.resubmitted, self.others)):
            case.updated_at = now - timedelta(seconds=seconds)
        db.session.commit()


@pytest.fixture
def returned(world):
    return Returned(world)


def test_a_monitor_sees_the_cases_returned_to_them_with_the_latest_reason(app, returned):
    html = page(returned.world.client(app, "monitor"), "/")
    panel = _section(html, "returned-to-me")
    assert "Returned to you" in panel
    # The most recently changed first; not one submitted again, not another monitor's.
    assert _refs(panel) == ["KZ-2011-0402", "KZ-2011-0401"]
    assert re.search(r"Returned to you\s*<small>\(2\)</small>", panel), panel
    row = panel.split("KZ-2011-0401", 1)[1].split("</li>", 1)[0]
    # The step that returned it this time, by whom, and not the earlier one's reason.
    assert "Add the date of the hearing in Almaty." in row
    assert "Which court signed" not in row
    assert returned.world.lawyer.display_name in row
    assert "Name the border post." in panel.split("KZ-2011-0402", 1)[1].split("</li>", 1)[0]
    # Above the drafts: a reviewer is waiting for these.
    assert html.index('id="urgent-cases"') < html.index('id="returned-to-me"')
    assert html.index('id="returned-to-me"') < html.index('id="own-drafts"')


def test_the_returned_panel_links_to_exactly_its_cases(app, returned, monkeypatch):
    monkeypatch.setattr(listing, "RETURNED_LIMIT", 1)
    client = returned.world.client(app, "monitor")
    panel = _section(page(client, "/"), "returned-to-me")
    assert _refs(panel) == ["KZ-2011-0402"]
    assert "(2)" in panel and "The most recently changed is shown." in panel
    target = _link(panel, "All the cases returned to you")
    assert _list_rows(client, target) == ["KZ-2011-0402", "KZ-2011-0401"]
    listed = page(client, target)
    assert '<option value="returned" selected>' in listed
    assert 'name="created_by_me" value="1" checked' in listed
    # The API, which reads the list's filters by the same code, lists exactly them too.
    from tests.api_clients import api_for

    response = api_for(app, returned.world.monitor).get("cases?status=returned&created_by_me=1")
    assert response.status_code == 200, response.get_data(as_text=True)
    ids = [c["id"] for c in response.get_json()["items"]]
    assert ids == [returned.once.public_id, returned.twice.public_id]


def test_a_reason_is_shown_only_to_who_may_read_the_case(app, returned):
    """A coordinator who created a case later restricted to a team they are not on still
    sees that it was returned (its listed facts), not what the lawyer wrote."""
    html = page(returned.world.client(app, "coordinator"), "/")
    panel = _section(html, "returned-to-me")
    assert _refs(panel) == ["KZ-2011-0405"]
    assert "Dilnoza" not in html and returned.world.lawyer.display_name not in panel


@pytest.mark.parametrize(
    ("who", "shown"),
    [
        ("other", ["KZ-2011-0404"]),  # their own case, returned
        ("lawyer", None),  # the reviewer who returned them, not their creator
        ("admin", None),  # creates no cases
    ],
)
def test_each_role_sees_only_the_cases_returned_to_them(app, returned, who, shown):
    html = page(returned.world.client(app, who), "/")
    panel = _section(html, "returned-to-me")
    if shown is None:
        assert not panel and "Returned to you" not in html
    else:
        assert _refs(panel) == shown


def test_a_case_submitted_again_leaves_the_returned_panel(app, returned):
    services.transition(returned.world.monitor, returned.once, "submitted", None)
    db.session.commit()
    panel = _section(page(returned.world.client(app, "monitor"), "/"), "returned-to-me")
    assert _refs(panel) == ["KZ-2011-0401"]


def test_the_returned_panel_reads_in_russian(app, returned):
    returned.world.monitor.language = "ru"
    db.session.commit()
    html = page(returned.world.client(app, "monitor"), "/")
    panel = _section(html, "returned-to-me")
    for english in ("Returned to you", "All the cases returned to you", "Returned by"):
        assert english not in html
    assert "Возвращены вам" in panel


def test_the_returned_panel_costs_the_same_with_ten_times_the_cases(app, returned, count_queries):
    """No query per case: the reasons of the panel's cases are read at once."""
    world = returned.world
    client = world.client(app, "monitor")

    def cost() -> int:
        db.session.expire_all()
        with count_queries() as counter:
            assert "returned-to-me" in page(client, "/")
        return counter["n"]

    numbers = itertools.count(1)

    def more(n: int) -> None:
        for _ in range(n):
            case = make_case(
                world.monitor,
                reference=f"KZ-2012-{next(numbers):04d}",
                team=((world.lawyer, TeamRole.LAWYER),),
            )
            for reason in ("First reason.", "Second reason."):
                services.transition(world.monitor, case, "submitted", None)
                services.transition(world.lawyer, case, "returned", reason)
        db.session.commit()

    more(1)
    few = cost()
    more(10)
    assert cost() == few
