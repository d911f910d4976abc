"""What each statistic counts, on the smallest case that tells the wrong count from the right one
(``test_statistics_recount`` checks every statistic against a recount of a varied archive)."""

from __future__ import annotations

from datetime import date

from casework.advocacy import services as advocacy
from casework.cases.models import Event
from casework.core.db import db
from casework.core.types import PartialDate
from casework.core.vocab import (
    ActionOutcome,
    ActionStatus,
    ActionType,
    ActType,
    CaseStatus,
    EventType,
    Role,
    Situation,
)
from casework.reports.statistics import Filters, statistics
from tests.factories import make_case, make_user


def _table(user, key):
    return {t.key: t for t in statistics(user, Filters())}[key].rows


def _verified_case(coordinator):
    return make_case(coordinator, status=CaseStatus.VERIFIED, act_date=PartialDate(2011, 6))


def _action(coordinator, case, action_type, status, outcome=ActionOutcome.PENDING, **dates):
    advocacy.create_action(
        coordinator,
        advocacy.ActionData(
            action_type=action_type,
            title="Action",
            status=status,
            outcome=outcome,
            case_references=[case.reference],
            **dates,
        ),
    )


def test_a_response_rate_counts_only_the_actions_sent(app):
    """An appeal still being drafted was not sent: no one could answer it, so it is not among the
    actions whose answers the rate counts (as an interim-measures request being drafted is no
    request)."""
    coordinator = make_user(Role.COORDINATOR)
    case = _verified_case(coordinator)
    _action(coordinator, case, ActionType.URGENT_APPEAL, ActionStatus.PLANNED)
    _action(coordinator, case, ActionType.URGENT_APPEAL, ActionStatus.DRAFTING)
    _action(coordinator, case, ActionType.URGENT_APPEAL, ActionStatus.SUBMITTED,
            submitted_on=date(2011, 6, 20))  # fmt: skip
    _action(coordinator, case, ActionType.URGENT_APPEAL, ActionStatus.RESPONSE_RECEIVED,
            ActionOutcome.STATE_REPLIED, submitted_on=date(2011, 6, 20),
            response_on=date(2011, 7, 20))  # fmt: skip
    _action(coordinator, case, ActionType.NATIONAL_LETTER, ActionStatus.DRAFTING)
    db.session.commit()
    assert _table(coordinator, "advocacy") == [["Urgent appeal", 2, 1, "50%"]]


def test_an_action_closed_without_a_reply_is_not_answered(app):
    """Closing an action says nothing of a reply: closed with "No reply" it went unanswered. A
    reply is its date, the status "response received" or an outcome only a reply gives (interim
    measures granted, the State replied), dated or not."""
    coordinator = make_user(Role.COORDINATOR)
    case = _verified_case(coordinator)
    sent = {"submitted_on": date(2011, 6, 20)}
    _action(coordinator, case, ActionType.URGENT_APPEAL, ActionStatus.CLOSED,
            ActionOutcome.NO_REPLY, **sent)  # fmt: skip
    _action(coordinator, case, ActionType.URGENT_APPEAL, ActionStatus.CLOSED, **sent)
    _action(coordinator, case, ActionType.URGENT_APPEAL, ActionStatus.CLOSED,
            ActionOutcome.STATE_REPLIED, **sent)  # fmt: skip
    _action(coordinator, case, ActionType.URGENT_APPEAL, ActionStatus.CLOSED,
            response_on=date(2011, 8, 1), **sent)  # fmt: skip
    _action(coordinator, case, ActionType.CED_URGENT_ACTION, ActionStatus.ACKNOWLEDGED,
            ActionOutcome.INTERIM_MEASURES_GRANTED, **sent)  # fmt: skip
    _action(coordinator, case, ActionType.NATIONAL_LETTER, ActionStatus.SUBMITTED,
            ActionOutcome.NO_REPLY, **sent)  # fmt: skip
    db.session.commit()
    assert sorted(_table(coordinator, "advocacy")) == [
        ["CED urgent action", 1, 1, "100%"],
        ["Letter to national authorities", 1, 0, "0%"],
        ["Urgent appeal", 4, 2, "50%"],
    ]


def test_interim_measures_granted_were_requested(app):
    """Measures granted were requested, whoever recorded the request: a grant recorded as an
    event counts among the requests, as a grant an action obtained does. Otherwise a table for a
    UN body could show more grants than requests."""
    coordinator = make_user(Role.COORDINATOR)
    case = _verified_case(coordinator)
    case.current_situation = Situation.REMOVED
    db.session.add(
        Event(case_id=case.id, event_type=EventType.INTERIM_MEASURES_GRANTED,
              date=PartialDate(2011, 5, 2))
    )  # fmt: skip
    db.session.commit()
    assert _table(coordinator, "interim_measures") == [
        ["Requested", 1],
        ["Granted", 1],
        ["Granted, yet the person was removed", 1],
    ]


def test_ethnicity_typed_in_another_case_or_spacing_is_one_group(app):
    """Ethnicity is free text: "Uzbek", "uzbek" and " Uzbek " are one people, counted in one row
    under the spelling most of them have."""
    from casework.cases.models import CasePerson
    from casework.core.vocab import CaseRole
    from casework.people import services as people
    from casework.people.services import NameInput

    coordinator = make_user(Role.COORDINATOR)
    case = _verified_case(coordinator)
    for name, ethnicity in (("A", "Uzbek"), ("B", "uzbek"), ("C", " Uzbek "), ("D", "Uyghur")):
        person = people.create_person(
            coordinator, [NameInput(name, None, "as_given")], ethnicity=ethnicity
        )
        db.session.add(CasePerson(case_id=case.id, person_id=person.id, role=CaseRole.AT_RISK))
    db.session.commit()
    assert _table(coordinator, "ethnicity") == [["Uzbek", 3], ["Uyghur", 1]]


def test_an_action_closed_without_being_sent_is_not_counted_as_sent(app):
    """Closing is allowed from any step: an action closed straight from planning or drafting
    (abandoned) was never sent, and neither was one taken back from "submitted" to drafting
    before it was closed (the step back takes the submission's date back, kept on the audit
    trail). None of them is among the actions sent, nor an interim-measures request closed
    unsent among the requests. An action closed after its submission, or with a reply
    recorded, was sent."""
    coordinator = make_user(Role.COORDINATOR)
    case = _verified_case(coordinator)
    other = _verified_case(coordinator)

    def closed_from(status, action_type=ActionType.URGENT_APPEAL, on=case, **values):
        action = advocacy.create_action(
            coordinator,
            advocacy.ActionData(
                action_type=action_type,
                title="Action",
                status=status,
                case_references=[on.reference],
                **values,
            ),
        )
        advocacy.change_status(coordinator, action, ActionStatus.CLOSED, action.version)
        return action

    closed_from(ActionStatus.PLANNED)
    closed_from(ActionStatus.DRAFTING)
    closed_from(ActionStatus.PLANNED, ActionType.INTERIM_MEASURES_REQUEST, on=other)
    taken_back = advocacy.create_action(
        coordinator,
        advocacy.ActionData(
            action_type=ActionType.URGENT_APPEAL,
            title="Sent by mistake",
            status=ActionStatus.SUBMITTED,
            submitted_on=date(2011, 6, 20),
            case_references=[case.reference],
        ),
    )
    advocacy.change_status(coordinator, taken_back, ActionStatus.DRAFTING, taken_back.version)
    assert taken_back.submitted_on is None
    assert advocacy.status_history(taken_back)[-1].details["submission_cleared"] == "2011-06-20"
    advocacy.change_status(coordinator, taken_back, ActionStatus.CLOSED, taken_back.version)
    # Sent, then closed: counted, answered or not.
    closed_from(ActionStatus.SUBMITTED, submitted_on=date(2011, 6, 20))
    closed_from(ActionStatus.RESPONSE_RECEIVED, outcome=ActionOutcome.STATE_REPLIED,
                response_on=date(2011, 7, 1))  # fmt: skip
    _action(coordinator, case, ActionType.NATIONAL_LETTER, ActionStatus.CLOSED,
            ActionOutcome.NO_REPLY, submitted_on=date(2011, 6, 20))  # fmt: skip
    _action(coordinator, case, ActionType.NATIONAL_LETTER, ActionStatus.CLOSED)  # never sent
    db.session.commit()
    assert sorted(_table(coordinator, "advocacy")) == [
        ["Letter to national authorities", 1, 0, "0%"],
        ["Urgent appeal", 2, 1, "50%"],
    ]
    assert _table(coordinator, "interim_measures")[0] == ["Requested", 0]


# --- publication: small counts ------------------------------------------------------------------

OTHER = "Other (small groups combined)"


def _published(user, key):
    from casework.reports.statistics import published_statistics

    return {t.key: t for t in published_statistics(user, Filters())}[key].rows


def _shown(rows):
    return [[str(cell) for cell in row] for row in rows]


def _archive(coordinator):
    """Fifteen verified cases: 2011, six extraditions and one expulsion to Uzbekistan; 2012,
    seven deportations to China and one abduction to Tajikistan (a death after return)."""
    for act_type, year, country, n in (
        (ActType.EXTRADITION, 2011, "UZ", 6),
        (ActType.EXPULSION, 2011, "UZ", 1),
        (ActType.DEPORTATION, 2012, "CN", 7),
        (ActType.ABDUCTION, 2012, "TJ", 1),
    ):
        for _ in range(n):
            case = make_case(coordinator, status=CaseStatus.VERIFIED, act_type=act_type,
                             act_date=PartialDate(year, 3), destination_country=country)  # fmt: skip
    db.session.add(Event(case_id=case.id, event_type=EventType.DEATH))
    db.session.commit()


def test_published_statistics_hide_counts_under_the_threshold(app):
    """ "1 case to Tajikistan in 2012, an abduction, the person dead since" points at one
    family. What leaves the organisation shows no count from 1 to 4: in a table whose rows add
    up to the cases counted (a total other tables and the UPR text give), the small rows are
    combined into "Other", with the next smallest while they are fewer than 5 together, so that
    no small row can be worked out as the total less the rest; a breakdown within a year does
    so within the year (a year's total is published). A row that stands alone (outcomes,
    interim measures) shows "<5". The working view keeps the exact counts."""
    coordinator = make_user(Role.COORDINATOR)
    _archive(coordinator)
    assert _table(coordinator, "destination") == [["China", 7], ["Uzbekistan", 7],
                                                  ["Tajikistan", 1]]  # fmt: skip
    assert _shown(_published(coordinator, "destination")) == [["China", "7"], [OTHER, "8"]]
    assert _shown(_published(coordinator, "year")) == [["2011", "7"], ["2012", "8"]]
    # Within 2012 the abduction (1) is combined with the deportations: 2012 less 7 is not 1.
    assert _shown(_published(coordinator, "year_act")) == [
        ["2011 · other (small groups combined)", "7"],
        ["2012 · other (small groups combined)", "8"],
    ]
    assert _shown(_published(coordinator, "after_return")) == [["Death", "<5"]]
    assert _shown(_published(coordinator, "interim_measures")) == [
        ["Requested", "0"],
        ["Granted", "0"],
        ["Granted, yet the person was removed", "0"],
    ]


def test_a_small_year_is_not_given_away_by_its_breakdown(app):
    """Six extraditions in 2011, two in 2012, all to Uzbekistan. The destination table says 8;
    the year table combines 2012 with 2011. The breakdown by year and act combined 2012 within
    2012 alone ("<5") beside "2011 · Extradition: 6": 8 less 6 gave 2012's two cases. A year
    too small to publish is combined with other years, as the year table combines it."""
    coordinator = make_user(Role.COORDINATOR)
    for year, n in ((2011, 6), (2012, 2)):
        for _ in range(n):
            make_case(coordinator, status=CaseStatus.VERIFIED, act_type=ActType.EXTRADITION,
                      act_date=PartialDate(year, 3), destination_country="UZ")  # fmt: skip
    assert _shown(_published(coordinator, "destination")) == [["Uzbekistan", "8"]]
    assert _shown(_published(coordinator, "year")) == [[OTHER, "8"]]
    assert _shown(_published(coordinator, "year_act")) == [[OTHER, "8"]]
    # A year large enough keeps its breakdown; the small ones go as in the year table.
    for act_type, year, n in ((ActType.EXPULSION, 2011, 1), (ActType.DEPORTATION, 2013, 7)):
        for _ in range(n):
            make_case(coordinator, status=CaseStatus.VERIFIED, act_type=act_type,
                      act_date=PartialDate(year, 3), destination_country="UZ")  # fmt: skip
    assert _shown(_published(coordinator, "year")) == [["2011", "7"], [OTHER, "9"]]
    assert _shown(_published(coordinator, "year_act")) == [
        ["2011 · other (small groups combined)", "7"],
        [OTHER, "9"],
    ]
    # The working view keeps every count.
    assert _table(coordinator, "year_act")[-1] == ["2013 · Deportation", 7]


def test_the_threshold_is_a_setting(app, monkeypatch):
    coordinator = make_user(Role.COORDINATOR)
    _archive(coordinator)
    monkeypatch.setitem(app.config, "STATISTICS_SUPPRESS_BELOW", 8)
    assert _shown(_published(coordinator, "destination")) == [[OTHER, "15"]]
    assert _shown(_published(coordinator, "year")) == [[OTHER, "15"]]
    monkeypatch.setitem(app.config, "STATISTICS_SUPPRESS_BELOW", 2)
    assert _shown(_published(coordinator, "after_return")) == [["Death", "<2"]]
    monkeypatch.setitem(app.config, "STATISTICS_SUPPRESS_BELOW", 1)  # nothing withheld
    assert _published(coordinator, "destination") == _table(coordinator, "destination")


def test_a_response_rate_does_not_give_a_hidden_count_away(app):
    coordinator = make_user(Role.COORDINATOR)
    case = _verified_case(coordinator)
    sent = {"submitted_on": date(2011, 6, 20)}
    for _ in range(6):
        _action(coordinator, case, ActionType.URGENT_APPEAL, ActionStatus.SUBMITTED, **sent)
    _action(coordinator, case, ActionType.URGENT_APPEAL, ActionStatus.RESPONSE_RECEIVED,
            ActionOutcome.STATE_REPLIED, response_on=date(2011, 7, 1), **sent)  # fmt: skip
    db.session.commit()
    assert _table(coordinator, "advocacy") == [["Urgent appeal", 7, 1, "14%"]]
    assert _shown(_published(coordinator, "advocacy")) == [["Urgent appeal", "7", "<5", "–"]]


def test_a_small_difference_between_published_counts_is_not_given_away(app):
    """Interim measures requested for seven cases, granted for six: "Requested: 7, Granted: 6"
    told of the one case where they were refused (or are awaited), a count as small as those
    hidden. Seven urgent appeals sent, six answered, said which one went unanswered. A count
    that would give such a difference is withheld ("–"), with the rate worked out from it."""
    coordinator = make_user(Role.COORDINATOR)
    for n in range(7):
        case = _verified_case(coordinator)
        kinds = [EventType.INTERIM_MEASURES_REQUEST]
        kinds += [EventType.INTERIM_MEASURES_GRANTED] if n else []
        for kind in kinds:
            db.session.add(Event(case_id=case.id, event_type=kind, date=PartialDate(2011, 5, 2)))
    sent = {"submitted_on": date(2011, 6, 20)}
    _action(coordinator, case, ActionType.URGENT_APPEAL, ActionStatus.SUBMITTED, **sent)
    for _ in range(6):
        _action(coordinator, case, ActionType.URGENT_APPEAL, ActionStatus.RESPONSE_RECEIVED,
                ActionOutcome.STATE_REPLIED, response_on=date(2011, 7, 1), **sent)  # fmt: skip
    db.session.commit()
    assert _table(coordinator, "interim_measures") == [
        ["Requested", 7], ["Granted", 6], ["Granted, yet the person was removed", 0]
    ]  # fmt: skip
    assert _shown(_published(coordinator, "interim_measures")) == [
        ["Requested", "7"], ["Granted", "–"], ["Granted, yet the person was removed", "0"]
    ]  # fmt: skip
    assert _table(coordinator, "advocacy") == [["Urgent appeal", 7, 6, "86%"]]
    assert _shown(_published(coordinator, "advocacy")) == [["Urgent appeal", "7", "–", "–"]]


def test_the_csv_is_for_publication_and_the_page_says_it_is_internal(app):
    """The page is the coordinators' working view: exact counts, marked as internal, with a view
    for publication beside it. A download leaves the organisation: the CSV is the published
    table, whoever downloads it."""
    import csv
    import io

    from tests.clients import client_for

    coordinator = make_user(Role.COORDINATOR)
    _archive(coordinator)
    client = client_for(app, coordinator)
    page = client.get("/reports/statistics").get_data(as_text=True)
    assert "do not publish" in page and "<td>Tajikistan</td>" in page
    assert "published=1" in page
    published = client.get("/reports/statistics?published=1").get_data(as_text=True)
    assert "Tajikistan" not in published and f"<td>{OTHER}</td>" in published
    assert "For publication:" in published and "do not publish" not in published
    body = client.get("/reports/statistics/destination.csv").get_data().decode("utf-8-sig")
    assert list(csv.reader(io.StringIO(body))) == [
        ["Destination", "Cases"], ["China", "7"], [OTHER, "8"]
    ]  # fmt: skip
    body = client.get("/reports/statistics/after_return.csv").get_data().decode("utf-8-sig")
    assert list(csv.reader(io.StringIO(body)))[1:] == [["Death", "<5"]]


def test_any_query_gives_the_page_with_its_filters_kept_in_its_links(app):
    """The links between the working view and the view for publication keep the filters as
    they came; a parameter that is no filter ("endpoint", "_anchor", "_scheme"...) is carried
    along as text, never read as how to build the link (it was: a 500)."""
    from html import unescape

    from tests.clients import client_for

    coordinator = make_user(Role.COORDINATOR)
    _archive(coordinator)
    client = client_for(app, coordinator)
    query = "status=verified&from=2011&endpoint=x&_anchor=y&_scheme=javascript&_external=1"
    response = client.get(f"/reports/statistics?{query}")
    assert response.status_code == 200
    html = unescape(response.get_data(as_text=True))
    assert f'href="/reports/statistics?{query}&published=1"' in html
    published = client.get(f"/reports/statistics?{query}&published=1")
    assert published.status_code == 200
    assert f'href="/reports/statistics?{query}"' in unescape(published.get_data(as_text=True))


def test_people_whose_relatives_are_at_risk_are_not_published_by_ethnicity(app, monkeypatch):
    """A person flagged "family at risk" never appears by ethnicity in an output, and a count
    is one: "Kazakh: 1" among the people at risk names the one Kazakh, whose relatives are then
    at risk. Published, they are counted in a row of their own, not by ethnicity (an Uyghur
    flagged is not among the Uyghurs); the nationality table and the working view count them as
    any other person."""
    from casework.cases.models import CasePerson
    from casework.core.vocab import CaseRole
    from casework.people import services as people
    from casework.people.services import NameInput

    coordinator = make_user(Role.COORDINATOR)
    case = _verified_case(coordinator)
    people_at_risk = [("Uzbek", False)] * 6 + [("Uyghur", False)] * 5 + [("Uyghur", True)] * 4
    for n, (ethnicity, flagged) in enumerate([*people_at_risk, ("Kazakh", True)]):
        person = people.create_person(
            coordinator,
            [NameInput(f"Person {n}", None, "as_given")],
            ethnicity=ethnicity,
            nationality="CN",
            family_at_risk=flagged,
        )
        db.session.add(CasePerson(case_id=case.id, person_id=person.id, role=CaseRole.AT_RISK))
    db.session.commit()
    assert _table(coordinator, "ethnicity") == [["Uyghur", 9], ["Uzbek", 6], ["Kazakh", 1]]
    withheld = "Not published (relatives at risk)"
    assert _published(coordinator, "ethnicity") == [["Uzbek", 6], ["Uyghur", 5], [withheld, 5]]
    assert _published(coordinator, "nationality") == [["China", 16]]
    # Whatever the threshold: the rule is not one of small counts.
    monkeypatch.setitem(app.config, "STATISTICS_SUPPRESS_BELOW", 1)
    assert _published(coordinator, "ethnicity") == [["Uzbek", 6], ["Uyghur", 5], [withheld, 5]]
