"""Pages do not run one query per row (N+1): the count stays flat as the data grows."""

from __future__ import annotations

import re

import pytest
from sqlalchemy import select

from casework.cases.models import Case
from casework.core.db import db
from casework.core.vocab import Role
from tests.case_helpers import intake, page
from tests.factories import log_in


def _titled() -> None:
    # A case with a title makes its row ask the policy (the title is shown only to readers).
    for case in db.session.scalars(select(Case)):
        case.title = "Extradition from Almaty"
    db.session.commit()


def _queries(client, count_queries, url: str) -> int:
    # The test shares the request's session: what the intake loaded (each case's team) must not
    # spare the page a query; a request in production starts with nothing loaded.
    db.session.expire_all()
    with count_queries() as counter:
        response = client.get(url)
        assert response.status_code == 200
    return counter["n"]


def _grown_as_few(client, count_queries, pages: list[str], add, few: int, many: int) -> None:
    """Each page's statements after ``add(few)`` and again after ``add(many)``: the same."""
    add(few)
    before = {url: _queries(client, count_queries, url) for url in pages}
    add(many)
    assert {url: _queries(client, count_queries, url) for url in pages} == before


def test_case_list_and_dashboard_do_not_grow_with_cases(app, make_user, count_queries):
    client = app.test_client()
    log_in(client, make_user(Role.MONITOR))
    intake(client)
    intake(client, urgency="imminent")
    intake(client, urgency="urgent")
    _titled()
    few = {url: _queries(client, count_queries, url) for url in ("/cases", "/")}
    for i in range(9):
        intake(client, urgency=("routine", "imminent", "urgent")[i % 3])
    _titled()
    many = {url: _queries(client, count_queries, url) for url in ("/cases", "/")}
    assert many["/cases"] <= few["/cases"] + 1
    # Neither the recent cases, the urgent and imminent ones nor the monitor's drafts (every
    # case made here) cost a query per case on the dashboard (teams, detention, deadlines and
    # what the drafts lack batched; each panel's cases counted in one query). The policy is
    # asked once per case for the page: with three cases, every panel's are among the recent
    # ones (one question for all); with twelve, some are not (one more, whatever their number).
    assert many["/"] <= few["/"] + 1, (few, many)


def test_case_file_does_not_grow_with_events(app, make_user, count_queries):
    client = app.test_client()
    log_in(client, make_user(Role.MONITOR))
    case = intake(client)
    url = f"/cases/{case.public_id}"
    for i in range(2):
        client.post(
            f"{url}/events/new",
            data={
                "event_type": "arrest",
                "date": f"201{i}",
                "place": f"Town {i}",
                "agencies": f"Agency {i}",
            },
        )
    few = _queries(client, count_queries, url)
    for i in range(10):
        client.post(
            f"{url}/events/new",
            data={
                "event_type": "court_decision",
                "date": f"2012-0{i % 9 + 1}",
                "place": f"City {i}",
                "agencies": f"Court {i}; Police {i}",
            },
        )
        client.post(f"{url}/comments", data={"body": f"note {i}"})
    many = _queries(client, count_queries, url)
    assert many <= few + 3, (few, many)


def test_admin_lists_read_their_people_in_the_same_queries_however_many(
    app, make_user, count_queries
):
    from flask import url_for

    from casework.accounts.models import SecondFactorReset
    from casework.jobs.models import Job, JobState

    admin = make_user(Role.ADMIN)
    client = app.test_client()
    log_in(client, admin)
    with app.test_request_context():
        pages = [url_for("jobs.job_list"), url_for("accounts.second_factor_resets")]

    def add(k: int) -> None:
        # Each job started by someone else, each reset asked for someone else and approved by
        # yet another coordinator: any query per person shows.
        for _ in range(k):
            starter, asking, approving = (
                make_user(r) for r in (Role.COORDINATOR, Role.MONITOR, Role.COORDINATOR)
            )
            db.session.add(Job(kind="statistics", state=JobState.DONE, created_by_id=starter.id))
            db.session.add(SecondFactorReset(user_id=asking.id, coordinator_id=approving.id))
        db.session.commit()

    _grown_as_few(client, count_queries, pages, add, 1, 6)
    # And they are listed, with the people's names.
    assert client.get(pages[0]).get_data(as_text=True).count("<tr>") >= 8
    assert client.get(pages[1]).get_data(as_text=True).count("<tr>") >= 8


def test_a_case_print_and_its_outputs_read_its_people_in_the_same_queries_however_many(
    app, make_user, count_queries
):
    from casework.cases import services as cases
    from casework.core.hiding import hide
    from casework.core.vocab import TeamRole
    from casework.people import services as people
    from casework.people.services import NameInput
    from tests.factories import make_case

    monitor, coordinator = make_user(Role.MONITOR), make_user(Role.COORDINATOR)
    case = make_case(monitor, team=((coordinator, TeamRole.MEMBER),))
    pages = [f"/cases/{case.public_id}/print", f"/cases/{case.public_id}/outputs/cat"]
    client = app.test_client()
    log_in(client, coordinator)

    def add(k: int) -> None:
        # People who gave no consent (their names are scrubbed from the print), half of them
        # then removed from the case (their names are still scrubbed).
        for i in range(k):
            person = people.create_person(
                monitor, [NameInput(f"Dilshod Tursunov{i}{k}", None, "as_given")]
            )
            link = cases.add_person_to_case(monitor, case, person, "witness")
            if i % 2:
                hide(link, coordinator, "Not a witness after all", case=case)
        db.session.commit()

    _grown_as_few(client, count_queries, pages, add, 2, 8)
    # The print still withholds the names of people who gave no consent, hidden or not.
    printed = client.get(pages[0]).get_data(as_text=True)
    assert "Tursunov1" not in printed and "Tursunov0" not in printed


def _reads_of(statements: list[str], table: str) -> int:
    """How many of ``statements`` are reads from ``table``."""
    reads = [" ".join(s.split()) for s in statements if s.lstrip().upper().startswith("SELECT")]
    return sum(1 for s in reads if re.search(rf"\bFROM {table}\b", s))


def _statements(client, count_queries, url: str) -> list[str]:
    db.session.expire_all()
    with count_queries() as counter:
        response = client.get(url)
        assert response.status_code == 200
    return counter["statements"]


def test_the_case_file_reads_its_documents_once(app, make_user, count_queries):
    """The documents table and the timeline's "Document added" items come from one read."""
    client = app.test_client()
    log_in(client, make_user(Role.MONITOR))
    case = intake(client)
    statements = _statements(client, count_queries, f"/cases/{case.public_id}")
    assert _reads_of(statements, "documents") == 1, statements


def test_the_case_file_reads_its_people_with_their_place_in_the_case(app, make_user, count_queries):
    """The case's people come with their links to it (one read), then their names (one more),
    however many they are."""
    from casework.cases import services as cases
    from casework.people import services as people
    from casework.people.services import NameInput

    monitor = make_user(Role.MONITOR)
    client = app.test_client()
    log_in(client, monitor)
    case = intake(client)
    for i in range(3):
        person = people.create_person(monitor, [NameInput(f"Nodira Saidova{i}", None, "as_given")])
        cases.add_person_to_case(monitor, case, person, "witness")
    db.session.commit()
    statements = _statements(client, count_queries, f"/cases/{case.public_id}")
    assert _reads_of(statements, "case_people") == 1, statements
    assert _reads_of(statements, "people") == 0, statements
    assert _reads_of(statements, "person_names") == 1, statements
    html = client.get(f"/cases/{case.public_id}").get_data(as_text=True)
    assert all(f"Nodira Saidova{i}" in html for i in range(3))


def test_the_case_file_reads_its_people_once_for_their_families(app, make_user, count_queries):
    """A case's people related to one another are not read again (with their names) for their
    family lines: only a relative outside the case is, with their names, in one read."""
    from casework.cases import services as cases
    from casework.people import services as people
    from casework.people.services import NameInput

    monitor = make_user(Role.MONITOR)
    client = app.test_client()
    log_in(client, monitor)
    case, other = intake(client), intake(client)
    persons = []
    for i in range(3):
        person = people.create_person(monitor, [NameInput(f"Nodira Saidova{i}", None, "as_given")])
        cases.add_person_to_case(monitor, case, person, "witness")
        persons.append(person)
    # A relative in another case of the monitor's (whom they may see).
    outside = people.create_person(monitor, [NameInput("Gulnora Outside", None, "as_given")])
    cases.add_person_to_case(monitor, other, outside, "witness")
    people.add_family_link(monitor, persons[1], persons[0], "sibling", case=case)
    people.add_family_link(monitor, outside, persons[2], "spouse", case=case)
    db.session.commit()
    statements = _statements(client, count_queries, f"/cases/{case.public_id}")
    # Rows of people (not the question of which of them the reader may see).
    rows = [s for s in statements if re.search(r"\bFROM people\b", s) and "people.gender" in s]
    assert len(rows) == 1, rows
    assert _reads_of(statements, "person_names") == 2, statements
    html = page(client, f"/cases/{case.public_id}")
    assert "Sibling of <span" in html and "has as sibling <span" in html
    assert '<span dir="auto">Nodira Saidova0</span>' in html
    assert '<span dir="auto">Gulnora Outside</span>' in html


def _policy_reads(statements: list[str]) -> int:
    """The statements that ask which of a list of cases the user may read."""
    reads = [" ".join(s.split()) for s in statements]
    # IN (...) on SQLite, = ANY (...) on PostgreSQL.
    return sum(1 for s in reads if re.match(r"SELECT cases\.id FROM cases WHERE cases\.id\b", s))


def test_the_dashboard_asks_the_policy_once_for_a_case_shown_twice(app, make_user, count_queries):
    """A case among the recent ones and the imminent ones is decided once for the page; a
    restricted case off the monitor's team still shows no title in either panel."""
    from casework.core.vocab import Urgency
    from tests.factories import make_case

    monitor, other = make_user(Role.MONITOR), make_user(Role.MONITOR)
    client = app.test_client()
    log_in(client, monitor)
    for _ in range(3):
        intake(client, urgency="imminent")
    _titled()
    make_case(
        other,
        reference="KZ-2011-9999",
        urgency=Urgency.IMMINENT,
        restricted=True,
        title="Secret title",
    )
    statements = _statements(client, count_queries, "/")
    assert _policy_reads(statements) == 1, statements
    html = client.get("/").get_data(as_text=True)
    assert html.count("Extradition from Almaty") >= 6  # each case in both panels
    assert "Secret title" not in html


def test_the_case_file_tells_the_detention_from_the_events_it_read(app, make_user, count_queries):
    """The case file's "Detained since" comes from its timeline's events (not a second read of
    them): the latest arrest, not a removed one, and nothing once a release follows it."""
    from casework.cases.events import add_event
    from casework.core.hiding import hide

    monitor, coordinator = make_user(Role.MONITOR), make_user(Role.COORDINATOR)
    client = app.test_client()
    log_in(client, monitor)
    case = intake(client)
    url = f"/cases/{case.public_id}"
    add_event(monitor, case, {"event_type": "arrest", "date": "2012-03-04"})
    later = add_event(
        monitor, case, {"event_type": "detention_pending_extradition", "date": "2013"}
    )
    db.session.commit()
    statements = _statements(client, count_queries, url)
    assert _reads_of(statements, "events") == 1, statements
    assert "Detained since</dt><dd>2013</dd>" in page(client, url)
    hide(later, coordinator, "Entered twice", case=case)
    db.session.commit()
    assert "Detained since</dt><dd>2012-03-04</dd>" in page(client, url)
    add_event(monitor, case, {"event_type": "release", "date": "2012-05"})
    db.session.commit()
    assert "Detained since" not in page(client, url)


@pytest.mark.parametrize("who", ["coordinator", "lawyer"])
def test_the_dashboard_reads_its_follow_up_lists_at_once(app, make_user, count_queries, who):
    """The dashboard's follow-up lists (the user's overdue and upcoming ones, and the
    organisation's overdue ones for a coordinator) come from one read of the actions, each list
    soonest first: for a lawyer on few teams, with the thematic actions among them."""
    from datetime import date, timedelta

    from casework.advocacy import services as advocacy
    from casework.core.vocab import ActionStatus, ActionType, TeamRole
    from tests.factories import make_case

    coordinator, lawyer = make_user(Role.COORDINATOR), make_user(Role.LAWYER)
    user = coordinator if who == "coordinator" else lawyer
    case = make_case(make_user(Role.MONITOR), team=((lawyer, TeamRole.LAWYER),))
    for days, responsible, references, title in [
        (-3, user, [case.reference], "Mine late"),
        (-1, user, [], "Mine thematic late"),
        (4, user, [case.reference], "Mine soon"),
        (-2, make_user(Role.LAWYER), [case.reference], "Theirs late"),
    ]:
        advocacy.create_action(
            coordinator,
            advocacy.ActionData(
                action_type=ActionType.URGENT_APPEAL,
                title=title,
                status=ActionStatus.SUBMITTED,
                followup_due=date.today() + timedelta(days=days),
                responsible_id=responsible.id,
                case_references=references,
            ),
        )
    db.session.commit()
    client = app.test_client()
    log_in(client, user)
    statements = _statements(client, count_queries, "/")
    lists = [s for s in statements if re.search(r"\bFROM advocacy_actions\b", s)]
    assert len(lists) == 1, lists
    html = page(client, "/")
    assert html.index("Mine late") < html.index("Mine thematic late") < html.index("Mine soon")
    assert ("Theirs late" in html) == (who == "coordinator")


def _reads_from(statements: list[str], table: str) -> int:
    """How many of ``statements`` read ``table``, on its own or joined to another."""
    reads = [" ".join(s.split()) for s in statements if s.lstrip().upper().startswith("SELECT")]
    # The statement's own FROM: not a subquery's (whether someone is on a case's team...).
    own_from = re.compile(rf"[^()]* FROM (\w+ JOIN )?{table}\b")
    return sum(1 for s in reads if own_from.match(s))


def test_the_case_file_reads_its_team_remedies_and_actions_once(app, make_user, count_queries):
    """The case's team (whether the reader is on it, and the team shown), its remedies (their
    panel and the deadlines) and its actions (their panel, the timeline and the deadlines) are
    each read once for the page; the deadlines and the team still show."""
    from datetime import date, timedelta

    from casework.advocacy import services as advocacy
    from casework.core.vocab import ActionStatus, ActionType, TeamRole
    from casework.legal import services as legal
    from tests.factories import make_case

    monitor, lawyer = make_user(Role.MONITOR), make_user(Role.LAWYER)
    lawyer.display_name = "Aigerim Lawyer"
    case = make_case(monitor, team=((lawyer, TeamRole.LAWYER),))
    legal.add_remedy(
        lawyer,
        case,
        kind="asylum_appeal",
        filed_on="2024-01-10",
        appeal_deadline=date.today() + timedelta(days=9),
    )
    advocacy.create_action(
        make_user(Role.COORDINATOR),
        advocacy.ActionData(
            action_type=ActionType.URGENT_APPEAL,
            title="Appeal on extradition",
            status=ActionStatus.SUBMITTED,
            followup_due=date.today() - timedelta(days=2),
            case_references=[case.reference],
        ),
    )
    db.session.commit()
    client = app.test_client()
    log_in(client, lawyer)
    url = f"/cases/{case.public_id}"
    statements = _statements(client, count_queries, url)
    tables = ("case_members", "remedies", "advocacy_actions")
    assert [_reads_from(statements, table) for table in tables] == [1, 1, 1], statements
    html = page(client, url)
    assert "Aigerim Lawyer" in html
    assert "Appeal deadline" in html and "Follow-up: Urgent appeal" in html


def _action_on(coordinator, case, *others):
    """An urgent appeal on ``case`` and ``others``, with a reference number (the action's own
    words, shown only to who may read every one of its cases)."""
    from casework.advocacy import services as advocacy
    from casework.core.vocab import ActionStatus, ActionType

    action = advocacy.create_action(
        coordinator,
        advocacy.ActionData(
            action_type=ActionType.URGENT_APPEAL,
            title="Appeal on extradition",
            status=ActionStatus.SUBMITTED,
            case_references=[c.reference for c in (case, *others)],
        ),
    )
    action.reference_number = "UA-77/2024"
    db.session.commit()
    return action


def test_the_case_file_asks_no_policy_of_actions_on_this_case_alone(app, make_user, count_queries):
    """An action whose only case is the open one is worded (its reference number shown) by
    the answer the page already has for that case: no query for the actions' other cases."""
    from casework.core.vocab import TeamRole
    from tests.factories import make_case

    monitor = make_user(Role.MONITOR)
    case = make_case(monitor, team=((make_user(Role.LAWYER), TeamRole.LAWYER),))
    _action_on(make_user(Role.COORDINATOR), case)
    client = app.test_client()
    log_in(client, monitor)
    url = f"/cases/{case.public_id}"
    assert _policy_reads(_statements(client, count_queries, url)) == 0
    assert "UA-77/2024" in page(client, url)


@pytest.mark.parametrize("on_other_team", [False, True])
def test_an_action_shared_with_a_case_the_reader_may_not_read_keeps_its_words(
    app, make_user, count_queries, on_other_team
):
    """On the case file, an action also on a restricted case off the reader's team shows no
    reference number (asked of the policy, once); on that case's team too, the reader sees it."""
    from casework.core.vocab import TeamRole
    from tests.factories import make_case

    coordinator = make_user(Role.COORDINATOR)
    monitor, other_monitor = make_user(Role.MONITOR), make_user(Role.MONITOR)
    case = make_case(monitor)
    team = ((coordinator, TeamRole.MEMBER),) + (
        ((monitor, TeamRole.MEMBER),) if on_other_team else ()
    )
    other = make_case(other_monitor, restricted=True, team=team)
    _action_on(coordinator, case, other)
    client = app.test_client()
    log_in(client, monitor)
    url = f"/cases/{case.public_id}"
    assert _policy_reads(_statements(client, count_queries, url)) == 1
    html = page(client, url)
    assert "Urgent appeal" in html
    assert ("UA-77/2024" in html) == on_other_team


def test_the_case_file_reads_its_team_with_their_accounts(app, make_user, count_queries):
    """The team the access check reads comes with its members' accounts: the team shown on
    the file costs no query of its own."""
    from casework.core.vocab import TeamRole
    from tests.factories import make_case

    monitor, lawyer = make_user(Role.MONITOR), make_user(Role.LAWYER)
    lawyer.display_name = "Aigerim Lawyer"
    case = make_case(monitor, team=((lawyer, TeamRole.LAWYER),))
    client = app.test_client()
    log_in(client, lawyer)
    url = f"/cases/{case.public_id}"
    statements = _statements(client, count_queries, url)
    assert _reads_of(statements, "case_members") == 1, statements
    assert _reads_from(statements, "users") == 0, statements
    assert "Aigerim Lawyer" in page(client, url)
