"""What the busiest pages cost in Python, not only in SQL: the work done for each row of a
list (loading it, deciding what it shows, writing it out) stays small and does not repeat
what is the same for every row. Counted in function calls, never timed."""

from __future__ import annotations

import re
import sys
from collections import Counter
from collections.abc import Callable
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import pytest
from flask import url_for
from sqlalchemy import select, update
from sqlalchemy.orm import load_only

from casework import permissions
from casework.accounts.models import User
from casework.advocacy import services as advocacy
from casework.cases import listing
from casework.cases import services as case_services
from casework.cases.events import add_event
from casework.cases.models import Case, CaseMember
from casework.core import i18n, navigation, pipeline, rowurls, sealing, vocab
from casework.core.db import db, utcnow
from casework.core.rowurls import row_url
from casework.core.types import PartialDate
from casework.core.vocab import (
    ActionStatus,
    ActionType,
    Assessment,
    CaseRole,
    CaseStatus,
    Role,
    TeamRole,
    Urgency,
)
from casework.evidence import services as evidence_services
from casework.legal import services as legal_services
from casework.legal.models import Instrument, Provision
from casework.people import services as people_services
from tests.case_helpers import record_opened
from tests.factories import log_in, make_case
from tests.test_page_query_counts import Archive


def _profiled(counts: Callable[[Any, str], bool], run: Callable[[], Any]) -> tuple[int, Any]:
    """How many profiler events ``counts(frame, event)`` accepts while ``run`` runs, and what
    it returned."""
    counted = 0

    def profile(frame, event, arg) -> None:
        nonlocal counted
        if counts(frame, event):
            counted += 1

    sys.setprofile(profile)
    try:
        result = run()
    finally:
        sys.setprofile(None)
    return counted, result


def calls_within(files: set[str], run: Callable[[], Any]) -> tuple[int, Any]:
    """How many function calls (Python's and built-in ones) ``run`` makes while a function of
    one of ``files`` is on the stack, and what it returned."""

    def within(frame, event) -> bool:
        if event not in ("call", "c_call"):
            return False
        while frame is not None:
            if frame.f_code.co_filename in files:
                return True
            frame = frame.f_back
        return False

    return _profiled(within, run)


def test_rows_read_without_their_sealed_values_pay_nothing_per_sealed_column(app, make_user):
    """A list of references (a dashboard panel) loads cases without any of their sealed texts:
    loading them must not look at each of the table's ten sealed columns of every row. Rows
    read with their title still have it opened."""
    monitor = make_user(Role.MONITOR)
    for n in range(30):
        make_case(monitor, title=f"Case title {n}")
    db.session.commit()
    db.session.expunge_all()
    seal_file = {str(Path(sealing.__file__))}

    def references() -> list[Case]:
        return list(db.session.scalars(select(Case).options(load_only(Case.reference))))

    references()  # the statement compiled once (checked for sealed columns in SQL then)
    db.session.expunge_all()
    calls, cases = calls_within(seal_file, references)
    assert len(cases) == 30
    assert calls <= 30 * 10, calls  # not ten sealed columns of each row looked at one by one
    db.session.expunge_all()
    titled = db.session.scalars(select(Case).options(load_only(Case.reference, Case.title)))
    assert sorted(c.title for c in titled) == sorted(f"Case title {n}" for n in range(30))


def test_the_dashboard_opens_the_case_titles_it_shows_and_no_other(
    app, make_user, login, client, monkeypatch
):
    """The urgent panel shows a case's urgency, reference, act and destination, never its
    title: the titles opened are those of the table of the user's cases, which shows them."""
    coordinator, monitor = make_user(Role.COORDINATOR), make_user(Role.MONITOR)
    urgent = [
        make_case(
            monitor,
            title=f"Urgent title {n}",
            urgency=Urgency.IMMINENT,
            status=CaseStatus.SUBMITTED,
        )
        for n in range(5)
    ]
    db.session.flush()
    # Older than the table's twenty: in the urgent panel only.
    db.session.execute(
        update(Case)
        .where(Case.id.in_([c.id for c in urgent]))
        .values(updated_at=utcnow() - timedelta(days=30))
    )
    recent = [make_case(monitor, title=f"Recent title {n}") for n in range(20)]
    db.session.commit()
    references = [c.reference for c in urgent + recent]
    recent_ids = {c.id for c in recent}
    login(coordinator)
    opened = record_opened(monkeypatch)
    html = client.get("/").get_data(as_text=True)
    assert all(reference in html for reference in references)
    assert "Urgent title" not in html
    assert all(f"Recent title {n}<" in html for n in range(20))
    titles = {row_id for table, column, row_id in opened if (table, column) == ("cases", "title")}
    assert titles == recent_ids


def test_a_request_builds_each_policy_clause_once_until_its_next_write(app, make_user):
    """The dashboard's lists and panels each ask the policy which cases and actions the user
    sees and reads: each clause is built once per request, and built afresh after a write (a
    lawyer put on a team reads the case at once)."""
    monitor, lawyer = make_user(Role.MONITOR), make_user(Role.LAWYER)
    case = make_case(monitor)
    db.session.commit()
    with app.test_request_context():
        readable = permissions.readable_cases_clause(lawyer)
        assert permissions.readable_cases_clause(lawyer) is readable
        assert permissions.visible_cases_clause(lawyer) is permissions.visible_cases_clause(lawyer)
        actions = permissions.visible_actions_clause(lawyer)
        assert permissions.visible_actions_clause(lawyer) is actions
        assert permissions.visible_actions_parts(lawyer) == permissions.visible_actions_parts(
            lawyer
        )
        read = select(Case.id).where(Case.id == case.id)
        assert db.session.scalar(read.where(readable)) is None
        case.members.append(CaseMember(user_id=lawyer.id, team_role=TeamRole.LAWYER))
        db.session.flush()
        again = permissions.readable_cases_clause(lawyer)
        assert again is not readable
        assert db.session.scalar(read.where(again)) == case.id
        # Another user's clause is their own.
        assert permissions.readable_cases_clause(monitor) is not again


@pytest.mark.parametrize("language", ["en", "ru"])
def test_a_list_writes_out_each_day_once_not_once_per_row(app, make_user, monkeypatch, language):
    """The follow-up lists show the same days row after row: each is written out in the
    reader's convention once, and shown on every row that has it."""
    archive = Archive(make_user)
    archive.grow(4)  # two follow-ups overdue by two days, two due in two days
    coordinator = archive.coordinator
    coordinator.language = language
    db.session.commit()
    client = app.test_client()
    log_in(client, coordinator)
    written: Counter[tuple[date, str]] = Counter()
    real = i18n.babel_dates.format_date

    def counted(day, pattern, *args, **kwargs):
        written[(day, pattern)] += 1
        return real(day, pattern, *args, **kwargs)

    monkeypatch.setattr(i18n.babel_dates, "format_date", counted)
    html = client.get("/advocacy/followups").get_data(as_text=True)
    overdue = date.today() - timedelta(days=2)
    shown = overdue.isoformat() if language == "en" else overdue.strftime("%d.%m.%Y")
    assert html.count(shown) >= 2  # the same day on several rows
    assert all(times == 1 for times in written.values()), written


def test_a_case_reference_is_written_out_escaped_at_a_small_cost(app):
    """Every list writes its rows' references through ``case_ref`` (the follow-ups page some
    two hundred): each stays escaped, and costs a few calls, not a string formatter's forty."""
    case_ref = app.jinja_env.filters["case_ref"]
    assert case_ref("KZ-2011-0001") == '<span class="case-ref">KZ-2011-0001</span>'
    assert case_ref('<b>"&') == '<span class="case-ref">&lt;b&gt;&#34;&amp;</span>'
    assert case_ref(None) == ""
    pipeline_file = {str(Path(pipeline.__file__))}
    references = [f"KZ-2011-{n:04d}" for n in range(50)]
    calls, written = calls_within(pipeline_file, lambda: [case_ref(r) for r in references])
    assert [str(w) for w in written] == [f'<span class="case-ref">{r}</span>' for r in references]
    assert calls <= 50 * 12, calls


@pytest.mark.parametrize("who", ["coordinator", "lawyer"])
def test_the_follow_up_overview_builds_its_rows_query_once(app, make_user, monkeypatch, who):
    """The overview reads the ids of each list's soonest actions, then every one of them in one
    query: the query of the rows is built once, not once more for each list, and the lists
    are the same."""
    archive = Archive(make_user)
    archive.grow(4)
    client = app.test_client()
    log_in(client, getattr(archive, who))
    html_before = client.get("/advocacy/followups").get_data(as_text=True)
    built = []
    real = advocacy._followup_rows

    def counted(*args, **kwargs):
        built.append(kwargs)
        return real(*args, **kwargs)

    monkeypatch.setattr(advocacy, "_followup_rows", counted)
    html = client.get("/advocacy/followups").get_data(as_text=True)
    assert html.count("<tr>") == html_before.count("<tr>") > 4
    assert len(built) == 1, built


MACROS = "templates/advocacy/_macros.html"
ROW_CALLS = 300  # a row's reading, deciding and writing out (its dates, links, case references)


def _follow_up_calls(app, archive: Archive, who: str, path: str) -> tuple[int, int]:
    """The calls made reading and writing out the follow-up rows of ``path``, and the rows."""
    client = app.test_client()
    log_in(client, getattr(archive, who))
    client.get(path)  # statements compiled, catalogues read
    files = {str(Path(advocacy.__file__)), str(Path(app.root_path).parent / MACROS)}
    calls, response = calls_within(files, lambda: client.get(path))
    assert response.status_code == 200
    return calls, response.get_data(as_text=True).count('<span class="nowrap">')


@pytest.mark.parametrize("who", ["coordinator", "lawyer"])
def test_a_follow_up_row_costs_few_calls(app, make_user, who):
    """A follow-up row is read as a few columns (not an object with its cases, body and
    person responsible), decided by the policy with the whole list, and written out in one
    piece (not by Jinja cell by cell): a row costs a few hundred calls at most,
    calls, its case references and links included."""
    archive = Archive(make_user)
    archive.grow(4)
    path = "/advocacy/followups"
    few, rows_few = _follow_up_calls(app, archive, who, path)
    archive.grow(8)
    many, rows_many = _follow_up_calls(app, archive, who, path)
    assert rows_many - rows_few >= 4, (rows_few, rows_many)
    assert (many - few) / (rows_many - rows_few) <= ROW_CALLS, (few, many, rows_few, rows_many)


def test_a_follow_up_row_opens_no_words_it_withholds(app, make_user, monkeypatch):
    """A row whose action also concerns a case the reader may not read shows neither its title
    nor its reference number: neither is decrypted for them. The rows they read show both, and
    the references of the cases they read."""
    archive = Archive(make_user)
    archive.grow(2)
    lawyer, monitor = archive.lawyer, archive.monitor
    off_team = make_case(
        monitor,
        reference="KZ-2011-9001",
        restricted=True,
        team=((archive.coordinator, TeamRole.MEMBER),),
    )
    shared = advocacy.create_action(
        archive.coordinator,
        advocacy.ActionData(
            action_type=ActionType.URGENT_APPEAL,
            title="Shared appeal",
            reference_number="UA 9/2026",
            status=ActionStatus.SUBMITTED,
            followup_due=date.today() - timedelta(days=3),
            responsible_id=lawyer.id,
            case_references=[archive.case.reference, off_team.reference],
        ),
    )
    db.session.commit()
    client = app.test_client()
    log_in(client, lawyer)
    opened = record_opened(monkeypatch)
    for path in ("/", "/advocacy/followups", "/advocacy/followups?list=mine_overdue"):
        opened.clear()
        html = client.get(path).get_data(as_text=True)
        assert "Withheld: this action also concerns a case you may not read." in html
        assert "Shared appeal" not in html and "UA 9/2026" not in html
        assert "KZ-2011-9001" not in html and archive.case.reference in html
        assert '<span dir="auto">Appeal ' in html  # the lawyer's other rows keep their titles
        actions = {row_id for table, _column, row_id in opened if table == "advocacy_actions"}
        if "list=" not in path:  # a page of one list still loads its rows as objects
            assert shared.id not in actions, opened
            assert actions


@pytest.mark.parametrize("path", ["/", "/advocacy/followups"])
def test_a_follow_up_list_translates_each_label_once(app, make_user, monkeypatch, path):
    """Every row shows its action's type and status: each label is translated once for the
    page, not once for every row that shows it."""
    archive = Archive(make_user)
    archive.grow(8)
    client = app.test_client()
    log_in(client, archive.coordinator)
    translated: Counter[str] = Counter()
    real = vocab.word

    def counted(message):
        translated[message] += 1
        return real(message)

    monkeypatch.setattr(vocab, "word", counted)
    html = client.get(path).get_data(as_text=True)
    shown = html.count(ActionStatus.SUBMITTED.label_en)
    assert shown >= 4
    assert translated[ActionStatus.SUBMITTED.label_en] == 1, translated
    assert translated[ActionType.URGENT_APPEAL.label_en] == 1, translated


def test_the_dashboard_builds_its_panels_loader_options_once(app, make_user, monkeypatch):
    """The panels' loader options (what a deadline or a panel's row reads of each record) are
    the same for every request: built once, not again on every dashboard."""
    archive = Archive(make_user)
    archive.grow(4)
    client = app.test_client()
    log_in(client, archive.coordinator)
    first = client.get("/").get_data(as_text=True)
    built = []

    def counted(*columns):
        built.append(columns)
        return load_only(*columns)

    for module in (advocacy, legal_services, listing):
        monkeypatch.setattr(module, "load_only", counted)
    html = client.get("/").get_data(as_text=True)
    assert "Follow-up: " in html and 'id="urgent-cases"' in html
    assert html.count("<tr>") == first.count("<tr>")
    assert built == []


def test_a_response_gets_its_security_headers_in_one_pass(app):
    """Every response (the health check's too) gets the same security headers: added in one
    pass over what it already has, not looked up one by one in its header list. A header the
    view set itself (a download's sandbox policy) is kept."""
    hook = next(f for f in app.after_request_funcs[None] if f.__name__ == "security_headers")
    expected = {
        "Content-Security-Policy": pipeline._CSP,
        "X-Content-Type-Options": "nosniff",
        "X-Frame-Options": "DENY",
        "Referrer-Policy": "no-referrer",
        "Permissions-Policy": "camera=(), microphone=(), geolocation=()",
        "Cross-Origin-Opener-Policy": "same-origin",
        "Cross-Origin-Resource-Policy": "same-origin",
    }
    with app.test_request_context("/healthz"):
        hook(app.make_response("ok"))  # warmed up
        response = app.make_response("ok")
        response.headers["Server"] = "werkzeug"
        calls, answered = calls_within({pipeline.__file__}, lambda: hook(response))
    assert {name: answered.headers.get(name) for name in expected} == expected
    assert "Server" not in answered.headers and "Cache-Control" not in answered.headers
    assert calls <= 100, calls  # 239 when each header was looked up by itself
    with app.test_request_context("/healthz"):
        own = app.make_response("ok")
        own.headers["content-security-policy"] = "sandbox; default-src 'none'"
        assert hook(own).headers.getlist("Content-Security-Policy") == [
            "sandbox; default-src 'none'"
        ]


def _menu(html: str) -> list[str]:
    """The labels of the navigation menu of a page."""
    menu = html.split('id="site-menu-list"', 1)[1].split("</ul>", 1)[0]
    return [label.strip() for label in re.findall(r'<li><a href="[^"]+">([^<]+)</a></li>', menu)]


def test_the_menu_is_written_from_entries_prepared_once_per_language(app, make_user):
    """Every page shows the menu: its addresses and labels, the same for everyone reading a
    language, are prepared once, not built and translated again on each page; which entries
    show is still asked of the access policy for each user, and each reader gets their own
    language."""
    navigation_file = {navigation.__file__}
    coordinator = make_user(Role.COORDINATOR)
    monitor = make_user(Role.MONITOR)
    monitor.language = "ru"
    db.session.commit()
    manager = log_in(app.test_client(), coordinator)
    field = log_in(app.test_client(), monitor)
    first = _menu(manager.get("/jobs").get_data(as_text=True))
    assert "Cases" in first and "Statistics" in first and "Audit" not in first
    russian = _menu(field.get("/cases").get_data(as_text=True))
    assert "Дела" in russian and "Новое дело" in russian and "Статистика" not in russian
    calls, response = calls_within(navigation_file, lambda: manager.get("/jobs"))
    assert _menu(response.get_data(as_text=True)) == first
    assert calls <= 120, calls
    # A change of role shows at once: the rights are the user's, not remembered with the menu.
    db.session.execute(update(User).where(User.id == coordinator.id).values(role=Role.MONITOR))
    db.session.commit()
    assert "Statistics" not in _menu(manager.get("/cases").get_data(as_text=True))


@pytest.mark.parametrize("language", ["en", "ru"])
def test_a_day_and_a_country_on_a_list_row_cost_a_few_calls(app, language):
    """Each row of the case list writes a day or two and a country: in the reader's convention
    and language (English inside a document rendered in English), each at a few calls, not the
    locale looked up and named again for every value."""
    day, moment = date(2011, 6, 12), utcnow()
    filters = app.jinja_env.filters
    files = {str(Path(i18n.__file__)), str(Path(pipeline.__file__))}
    with app.test_request_context("/", headers={"Accept-Language": language}):
        first = filters["day"](day), filters["pdate"](day), filters["country"]("UZ")
        assert first == (
            ("2011-06-12", "2011-06-12", "Uzbekistan")
            if language == "en"
            else ("12.06.2011", "12.06.2011", "Узбекистан")
        )
        calls, _written = calls_within(
            files,
            lambda: [
                (filters["day"](moment), filters["pdate"](day), filters["country"]("UZ"))
                for _ in range(20)
            ],
        )
        assert calls <= 20 * 40, calls  # 20 * 63 when each value named its locale anew
        with i18n.english():
            assert (filters["day"](day), filters["country"]("UZ")) == ("2011-06-12", "Uzbekistan")
        assert (filters["day"](day), filters["country"]("UZ")) == first[::2]


def test_the_case_list_writes_its_name_search_token_without_building_a_form(app, make_user):
    """The case list offers the name search (a form posted with the page's CSRF token): the
    token is written as every form writes it, without building a form object for each list
    page; the search sent from the list is accepted with it and refused without it."""
    import flask_wtf.form
    import wtforms.form

    form_files = {str(Path(flask_wtf.form.__file__)), str(Path(wtforms.form.__file__))}
    coordinator = make_user(Role.COORDINATOR)
    client = log_in(app.test_client(), coordinator)
    app.config["WTF_CSRF_ENABLED"] = True
    try:
        calls, response = calls_within(form_files, lambda: client.get("/cases"))
        assert calls == 0, calls
        search = response.get_data(as_text=True).split('action="/cases/search"', 1)[1]
        token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', search).group(1)
        found = client.post("/cases/search", data={"name": "Kholmatov", "csrf_token": token})
        assert found.status_code == 200
        assert client.post("/cases/search", data={"name": "Kholmatov"}).status_code == 400
    finally:
        app.config["WTF_CSRF_ENABLED"] = False


def _case_table_calls(app, client) -> tuple[int, int]:
    """The calls made writing out the case list's table, and its rows."""
    files = {
        str(Path(app.root_path).parent / "templates/cases/_table.html"),
        str(Path(app.root_path) / "cases/rows.py"),
    }
    client.get("/cases")  # statements compiled, catalogues read
    calls, response = calls_within(files, lambda: client.get("/cases"))
    assert response.status_code == 200
    return calls, response.get_data(as_text=True).count('<td data-label="Updated">')


@pytest.mark.parametrize("language", ["en", "ru"])
def test_a_case_table_row_costs_few_calls(app, make_user, language):
    """The case list and the dashboard write each case's row in one piece, its labels, days
    and countries once for every row that shows them: about a hundred calls a row, not the three
    hundred Jinja spends writing it cell by cell. Titles show where the reader may read them."""
    coordinator, monitor = make_user(Role.COORDINATOR), make_user(Role.MONITOR)
    coordinator.language = language
    for n in range(5):
        make_case(monitor, title=f"Case title {n}", destination_country="UZ")
    db.session.commit()
    client = app.test_client()
    log_in(client, coordinator)
    few, rows_few = _case_table_calls(app, client)
    for n in range(20):
        make_case(monitor, title=f"Case title {n + 5}", destination_country="UZ", restricted=n == 0)
    db.session.commit()
    many, rows_many = _case_table_calls(app, client)
    if language == "en":
        assert rows_many - rows_few == 20, (rows_few, rows_many)
    assert (many - few) / 20 <= 150, (few, many)
    html = client.get("/").get_data(as_text=True)
    assert "Case title 24<" in html
    assert "Case title 5<" not in html  # restricted, off the coordinator's team


def _urgent_panel_calls(app, client) -> tuple[int, int]:
    """The calls made writing out the dashboard's urgent panel, and its items."""
    files = {
        str(Path(app.root_path).parent / "templates/cases/_urgent_panel.html"),
        str(Path(app.root_path) / "cases/rows.py"),
    }
    client.get("/")  # statements compiled, catalogues read
    calls, response = calls_within(files, lambda: client.get("/"))
    html = response.get_data(as_text=True)
    return calls, html.split('id="urgent-cases"')[1].split("</ul>")[0].count("<li>")


def test_an_urgent_panel_item_costs_few_calls(app, make_user):
    """The dashboard's urgent panel writes each case in one piece, its labels and countries once
    for every item that shows them, not cell by cell through Jinja."""
    coordinator, monitor = make_user(Role.COORDINATOR), make_user(Role.MONITOR)

    def urgent(n: int) -> None:
        for _ in range(n):
            make_case(
                monitor,
                urgency=Urgency.IMMINENT,
                status=CaseStatus.SUBMITTED,
                destination_country="UZ",
            )
        db.session.commit()

    urgent(3)
    client = app.test_client()
    log_in(client, coordinator)
    few, items_few = _urgent_panel_calls(app, client)
    urgent(10)
    many, items_many = _urgent_panel_calls(app, client)
    assert items_many - items_few == 10, (items_few, items_many)
    assert (many - few) / 10 <= 250, (few, many)  # Jinja: some three hundred


def test_the_dashboard_reads_its_cases_as_columns_and_opens_only_titles_it_shows(
    app, make_user, login, client, monkeypatch
):
    """The table of the user's cases reads a few columns of each case, not an object, and
    opens the title of a case the user may read only: a restricted case off their team is
    listed by its reference, its title never decrypted for them."""
    coordinator, monitor = make_user(Role.COORDINATOR), make_user(Role.MONITOR)
    shown = [make_case(monitor, title=f"Shown title {n}") for n in range(3)]
    withheld = make_case(monitor, title="Withheld title", restricted=True)
    db.session.commit()
    reference, shown_ids = withheld.reference, {case.id for case in shown}
    login(coordinator)
    opened = record_opened(monkeypatch)
    html = client.get("/").get_data(as_text=True)
    assert reference in html and "Withheld title" not in html
    assert all(f"Shown title {n}<" in html for n in range(3))
    titles = {row_id for table, column, row_id in opened if (table, column) == ("cases", "title")}
    assert titles == shown_ids


def _resumes_of(template: str, app, run: Callable[[], Any]) -> tuple[int, Any]:
    """How often the code of ``template`` (a page's layout) is entered or resumed while ``run``
    runs: once per piece of the page handed through it."""
    filename = app.jinja_env.get_template(template).filename
    return _profiled(
        lambda frame, event: event == "call" and frame.f_code.co_filename == filename, run
    )


def test_the_case_file_hands_its_rows_to_the_layout_in_one_piece(app, make_user):
    """The case file's rows (people, events, sources, changes) are written into one string the
    layout takes whole, not handed through the layout and the page one piece at a time: what
    the layout does stays the same however many rows the case has, and the page is the same."""
    archive = Archive(make_user)
    archive.grow(2)
    client = app.test_client()
    log_in(client, archive.coordinator)
    url = f"/cases/{archive.case.public_id}"

    def page() -> str:
        return client.get(url).get_data(as_text=True)

    few, html = _resumes_of("base.html", app, page)
    archive.grow(8)
    many, more_html = _resumes_of("base.html", app, page)
    assert more_html.count('class="inline-details"') > html.count('class="inline-details"') + 20
    assert 'id="people"' in more_html and "Relative " in more_html and "</html>" in more_html
    assert many == few, (few, many)


def test_a_label_shown_on_every_row_is_looked_up_once_and_in_the_language_in_force(app):
    """A case file shows the same labels row after row (a role, a kind, a button): each is
    looked up in the catalogue once per request and costs a few calls after that, in the
    language in force where it is read (English inside a Russian page's ``english()`` block)."""
    i18n_file = {str(Path(i18n.__file__))}
    words = app.jinja_env.from_string("{% for n in range(50) %}{{ _('Edit') }} {% endfor %}")
    with app.app_context(), app.test_request_context(headers={"Accept-Language": "ru"}):
        assert i18n.gettext("Edit") == "Изменить"  # the catalogue found for the request
        calls, labels = calls_within(i18n_file, lambda: [CaseRole.FAMILY.label for n in range(50)])
        assert labels == ["Член семьи"] * 50
        assert calls <= 50 * 8, calls
        calls, html = calls_within(i18n_file, words.render)
        assert html == "Изменить " * 50
        assert calls <= 50 * 8, calls
        with i18n.english():
            assert CaseRole.FAMILY.label == "Family member"
            assert words.render() == "Edit " * 50
            assert i18n.gettext("Edit") == "Edit"
        assert CaseRole.FAMILY.label == "Член семьи"
        assert i18n.gettext("Edit") == "Изменить"
    # A request of its own (the locale is kept in the application context's globals).
    with app.app_context(), app.test_request_context(headers={"Accept-Language": "en"}):
        assert CaseRole.FAMILY.label == "Family member"
        assert words.render() == "Edit " * 50


def test_a_row_s_link_is_built_at_a_small_cost_and_as_url_for_builds_it(app):
    """Each row of a case file has its links (edit, remove, restore): after the first of a kind,
    each costs a few calls, and is what ``url_for`` builds; a value ``url_for`` would quote
    is built by it."""
    rowurls_file = {str(Path(rowurls.__file__))}
    ids = [f"Rec{n:04d}x_y" for n in range(50)]
    with app.test_request_context():
        row_url("cases.hide_record", public_id="C1", kind="people", record_id="first")

        def links() -> list[str]:
            return [
                row_url("cases.hide_record", public_id="C1", kind="people", record_id=i)
                for i in ids
            ]

        calls, built = calls_within(rowurls_file, links)
        assert built == [
            url_for("cases.hide_record", public_id="C1", kind="people", record_id=i) for i in ids
        ]
        assert calls <= 50 * 12, calls
        assert row_url("cases.hide_record", public_id="C1", kind="events", record_id=7) == (
            url_for("cases.hide_record", public_id="C1", kind="events", record_id=7)
        )
        odd = {"public_id": "C 1/é", "person_id": "a?b"}
        assert row_url("people.edit_person", **odd) == url_for("people.edit_person", **odd)
        assert row_url("people.edit_person", public_id=True, person_id="x") == url_for(
            "people.edit_person", public_id=True, person_id="x"
        )


def test_the_case_file_renders_its_row_forms_once_not_once_per_row(app, make_user):
    """Every person, event and comment of a case file has its Remove form, the same on each
    row but for its action: the form is rendered once per page, each row's action put in it
    (escaped), and each row's form is the one the form's template writes."""
    archive = Archive(make_user)
    archive.grow(2)
    client = app.test_client()
    log_in(client, archive.coordinator)
    url = f"/cases/{archive.case.public_id}"
    forms_file = {app.jinja_env.get_template("cases/_record_forms.html").filename}

    def page() -> str:
        return client.get(url).get_data(as_text=True)

    page()  # what a first page pays once per process (caches filled) is not a row's cost
    few, html = calls_within(forms_file, page)
    archive.grow(8)
    many, more_html = calls_within(forms_file, page)
    forms = re.findall(r'<details class="inline-details">.*?</details>', more_html, re.S)
    assert len(forms) > html.count('<details class="inline-details">') + 20
    person = f"/cases/{archive.case.public_id}/people/{archive.person.public_id}/hide"
    assert sum(f'action="{person}"' in form for form in forms) == 1
    token = re.search(r'name="csrf_token" value="([^"]+)"', forms[0])
    assert token and all(f'value="{token[1]}"' in form for form in forms)
    assert all(form.count("Remove") == 2 and 'placeholder="Why (kept' in form for form in forms)
    # Rendered once per page: 20 more rows would cost 20 more renders (each over 100 calls)
    # if each row had its own. Not equality: a page may pay a few calls once that the other
    # did not (a cache filled while the suite runs: 278 against 290 once, in one order).
    assert many <= few + 50, (few, many)


@pytest.mark.parametrize("panel", ["legal/_case_panel.html", "advocacy/_case_panel.html"])
def test_the_case_file_s_panels_are_written_in_one_piece(app, make_user, panel):
    """The legal links' and the actions' panels of a case file are written into one string
    each, not handed out a piece of a row at a time: how often the panel's code is resumed
    does not grow with its rows."""
    archive = Archive(make_user)
    archive.grow(2)
    client = app.test_client()
    log_in(client, archive.coordinator)
    url = f"/cases/{archive.case.public_id}"

    def page() -> str:
        return client.get(url).get_data(as_text=True)

    few, html = _resumes_of(panel, app, page)
    archive.grow(8)
    many, more_html = _resumes_of(panel, app, page)
    assert more_html.count('data-label="Action"') > html.count('data-label="Action"') + 5
    assert more_html.count('class="legal-link"') > html.count('class="legal-link"') + 5
    assert many == few, (few, many)


def test_the_case_file_leaves_people_s_contacts_address_and_notes_sealed(
    app, make_user, login, client, monkeypatch, count_queries
):
    """The case file shows no one's contacts, address or notes: they are not opened for it.
    The team's print, which replaces those of a person who gave no consent wherever the case's
    text repeats them, still reads them (with no query for each person)."""
    coordinator, monitor = make_user(Role.COORDINATOR), make_user(Role.MONITOR)
    case = make_case(monitor, narrative="Seen at 12 Abai Street, called on +7 701 555 1234.")
    db.session.flush()
    for n in range(3):
        person = people_services.create_person(
            monitor,
            [people_services.NameInput(f"Aigerim Bekova{n}", None, "as_given")],
            contacts="+7 701 555 1234",
            address="12 Abai Street",
            notes=f"Met in secret {n}.",
        )
        case_services.add_person_to_case(monitor, case, person, "at_risk")
    db.session.commit()
    url = f"/cases/{case.public_id}"
    login(coordinator)
    opened = record_opened(monkeypatch)
    db.session.expunge_all()
    html = client.get(url).get_data(as_text=True)
    assert "Aigerim Bekova2" in html and "12 Abai Street" in html  # the narrative
    assert "Met in secret" not in html
    people_columns = {column for table, column, _row in opened if table == "people"}
    assert people_columns.isdisjoint({"contacts", "address", "notes"}), people_columns
    db.session.expunge_all()
    with count_queries() as counter:
        printed = client.get(f"{url}/print").get_data(as_text=True)
    assert "Seen at" in printed and "12 Abai Street" not in printed
    assert "555 1234" not in printed
    one_by_one = [s for s in counter["statements"] if re.search(r"WHERE people\.id = ", s)]
    assert one_by_one == []


def test_a_day_is_written_in_the_reader_s_convention_at_a_few_calls(app):
    """A case file writes a day on most rows (an event's, a comment's, a link's): each costs a
    few calls once the request's language is known, in the convention in force where it is
    written (an English document inside a Russian page writes ISO days)."""
    i18n_file = {str(Path(i18n.__file__))}
    days = [date(2011, 6, 1) + timedelta(days=n) for n in range(50)]
    with app.app_context(), app.test_request_context(headers={"Accept-Language": "ru"}):
        assert i18n.gettext("Edit") == "Изменить"  # the request's catalogue found
        [i18n.format_day(d) for d in days]  # each day's text remembered (per process)
        calls, written = calls_within(i18n_file, lambda: [i18n.format_day(d) for d in days])
        assert written == [d.strftime("%d.%m.%Y") for d in days]
        assert calls <= 50 * 9, calls
        with i18n.english():
            assert i18n.format_day(days[0]) == "2011-06-01"
            assert i18n.format_partial_date(PartialDate(2011, 6)) == "2011-06"
        assert i18n.format_partial_date(PartialDate(2011, 6)) == "06.2011"


def test_the_case_file_reads_the_cited_sources_once_for_events_and_links(
    app, make_user, login, client, count_queries
):
    """The sources that the case's events and legal links cite are read in one statement for
    both (beside the case's list of sources), not once for the events and again for the
    links; each event and link still shows its own."""
    coordinator, monitor = make_user(Role.COORDINATOR), make_user(Role.MONITOR)
    lawyer = make_user(Role.LAWYER)
    case = make_case(monitor, team=((lawyer, TeamRole.LAWYER),))
    db.session.flush()
    sources = [
        evidence_services.add_source(
            monitor, case, {"kind": kind, "reliability": "b", "credibility": "2"}
        )
        for kind in ("victim", "relative", "lawyer")
    ]
    add_event(
        monitor,
        case,
        {"event_type": "arrest", "source_ids": [sources[0].public_id, sources[2].public_id]},
    )
    add_event(monitor, case, {"event_type": "unhcr_registration"})
    instrument = Instrument(code="QS", title="Q", instrument_type="treaty", direction="protective")
    db.session.add(instrument)
    db.session.flush()
    provision = Provision(instrument_id=instrument.id, code="QS:1", title="Art 1")
    db.session.add(provision)
    db.session.flush()
    legal_services.add_link(
        lawyer,
        case,
        provision=provision,
        assessment=Assessment.VIOLATED,
        source_ids=[sources[2].public_id, sources[1].public_id],
    )
    db.session.commit()
    url = f"/cases/{case.public_id}"
    login(coordinator)
    db.session.expire_all()
    with count_queries() as counter:
        html = client.get(url).get_data(as_text=True)
    reading = [s for s in counter["statements"] if re.search(r"\b(FROM|JOIN) sources\b", s)]
    assert len(reading) == 2, reading
    labels = [legal_services.source_label(s) for s in (sources[1], sources[2])]
    assert f"Supporting sources: {labels[0]}; {labels[1]}</small>" in html
    assert html.count("2 source(s)") == 1


def _case_file_rows_calls(app, client, url: str) -> tuple[int, str]:
    """The calls made writing out a case file's body (its sections, their rows)."""
    files = {
        str(Path(app.root_path).parent / "templates/cases/_file_body.html"),
        str(Path(app.root_path) / "cases/rows.py"),
    }
    client.get(url)  # statements compiled, catalogues read
    calls, response = calls_within(files, lambda: client.get(url))
    return calls, response.get_data(as_text=True)


def test_a_case_file_s_timeline_entry_and_source_row_cost_few_calls(app, make_user):
    """The case file writes each item of its timeline (an event, a comment, a status change)
    and each source's row in one piece, each kind's name and each day once for every item
    that shows it: about a hundred and twenty calls an item (its body's paragraphs, its links
    and forms among them), not the near three hundred Jinja spends writing it cell by cell."""
    monitor = make_user(Role.MONITOR)
    case = make_case(monitor)

    def grow(n: int) -> None:
        for i in range(n):
            source = evidence_services.add_source(
                monitor,
                case,
                {"kind": "witness", "identity": f"Witness {i}", "how_they_know": "Saw it"},
            )
            add_event(
                monitor,
                case,
                {
                    "event_type": "court_decision",
                    "date": f"2012-0{i % 9 + 1}",
                    "place": "Almaty",
                    "agencies": "City court",
                    "legal_basis": "Article 5",
                    "source_ids": [source.public_id],
                },
            )
            case_services.add_comment(monitor, case, f"Note {i}")
        db.session.commit()

    grow(2)
    client = app.test_client()
    log_in(client, monitor)
    url = f"/cases/{case.public_id}"
    few, html = _case_file_rows_calls(app, client, url)
    grow(10)
    many, more_html = _case_file_rows_calls(app, client, url)
    assert more_html.count('<li class="kind-') - html.count('<li class="kind-') == 20
    assert more_html.count("Witness ") - html.count("Witness ") == 10
    assert (many - few) / 30 <= 150, (few, many)


def test_the_case_file_asks_the_policy_once_per_source(app, make_user, monkeypatch):
    """Whether a source's identity may be shown decides both its Who and its Edit link: the
    policy is asked once for each source, and a protected identity still shows only to the
    case's team."""
    monitor, coordinator = make_user(Role.MONITOR), make_user(Role.COORDINATOR)
    case = make_case(monitor)
    for i in range(4):
        evidence_services.add_source(
            monitor,
            case,
            {"kind": "witness", "identity": f"Witness {i}", "identity_protected": i % 2 == 0},
        )
    db.session.commit()
    asked: list[object] = []
    decide = permissions.can_see_source_identity

    def counted(user, case, source) -> bool:
        asked.append(source)
        return decide(user, case, source)

    monkeypatch.setattr(permissions, "can_see_source_identity", counted)
    for user, shown in ((monitor, {0, 1, 2, 3}), (coordinator, {1, 3})):
        client = log_in(app.test_client(), user)
        asked.clear()
        html = client.get(f"/cases/{case.public_id}").get_data(as_text=True)
        assert len(asked) == 4, asked
        assert {i for i in range(4) if f"Witness {i}<" in html} == shown
        assert html.count("<em>protected</em>") == 4 - len(shown)


def test_a_case_file_s_person_costs_few_calls(app, make_user):
    """The case file writes each of its people in one piece (name, role, other names, facts,
    family, Edit and Remove), each label once for every person that shows it: under two
    hundred and fifty calls a person, not the near seven hundred Jinja spends writing one fact
    at a time."""
    monitor = make_user(Role.MONITOR)
    case = make_case(monitor)

    def grow(n: int) -> None:
        start = len(case.people)
        for i in range(start, start + n):
            person = people_services.create_person(
                monitor,
                [
                    people_services.NameInput(f"Relative{i} Karimova", None, "as_given"),
                    people_services.NameInput(f"Карімова{i}", None, "alias"),
                ],
                nationality="UZ",
                ethnicity="Uzbek",
                unhcr_number=f"UN-{i}",
                consent="named",
                consent_date=date(2020, 1, 2),
            )
            case_services.add_person_to_case(monitor, case, person, "family")
        db.session.commit()

    grow(2)
    client = app.test_client()
    log_in(client, monitor)
    url = f"/cases/{case.public_id}"
    few, html = _case_file_rows_calls(app, client, url)
    grow(10)
    many, more_html = _case_file_rows_calls(app, client, url)
    assert more_html.count("Karimova</strong>") - html.count("Karimova</strong>") == 10
    assert more_html.count("UN-") - html.count("UN-") == 10
    assert (many - few) / 10 <= 250, (few, many)


def test_a_case_file_s_legal_link_costs_few_calls(app, make_user):
    """The legal panel writes each link of an assessment in one piece (its provision, title,
    status, analysis, sources, author and day, Edit and Hide), each label once for every link
    that shows it: under two hundred and fifty calls a link, not the near five hundred Jinja spends
    writing it piece by piece; what the lawyer wrote stays escaped."""
    lawyer = make_user(Role.LAWYER)
    case = make_case(make_user(Role.MONITOR), team=((lawyer, TeamRole.LAWYER),))
    instrument = Instrument(code="QS", title="Q", instrument_type="treaty", direction="protective")
    db.session.add(instrument)
    db.session.flush()
    source = evidence_services.add_source(lawyer, case, {"kind": "victim"})

    def grow(n: int) -> None:
        for i in range(n):
            provision = Provision(instrument_id=instrument.id, code=f"QS:{i}x{n}", title="Art")
            db.session.add(provision)
            db.session.flush()
            legal_services.add_link(
                lawyer,
                case,
                provision=provision,
                assessment=Assessment.VIOLATED,
                analysis="Returned <at once>\n\nNo review",
                source_ids=[source.public_id],
            )
        db.session.commit()

    grow(2)
    client = app.test_client()
    log_in(client, lawyer)
    url = f"/cases/{case.public_id}"
    files = {
        app.jinja_env.get_template("legal/_case_panel.html").filename,
        str(Path(app.root_path) / "legal/rows.py"),
    }
    client.get(url)  # statements compiled, catalogues read
    few, html = calls_within(files, lambda: client.get(url).get_data(as_text=True))
    grow(10)
    many, more_html = calls_within(files, lambda: client.get(url).get_data(as_text=True))
    assert more_html.count('class="legal-link"') - html.count('class="legal-link"') == 10
    assert more_html.count("Returned &lt;at once&gt;</p>") == 12
    assert more_html.count("/edit") - html.count("/edit") >= 10
    assert (many - few) / 10 <= 250, (few, many)


def test_a_case_file_s_advocacy_action_row_costs_few_calls(app, make_user):
    """The advocacy panel writes each action's row in one piece (its type, linked, the body
    addressed, status, days and outcome), each label and day once for every row that shows it:
    under a hundred calls a row, not the two hundred Jinja spends writing it cell by cell."""
    archive = Archive(make_user)
    archive.grow(2)
    client = app.test_client()
    log_in(client, archive.coordinator)
    url = f"/cases/{archive.case.public_id}"
    files = {
        app.jinja_env.get_template("advocacy/_case_panel.html").filename,
        str(Path(app.root_path) / "advocacy/rows.py"),
    }
    client.get(url)  # statements compiled, catalogues read
    few, html = calls_within(files, lambda: client.get(url).get_data(as_text=True))
    archive.grow(8)
    many, more_html = calls_within(files, lambda: client.get(url).get_data(as_text=True))
    rows = more_html.count('data-label="Action"') - html.count('data-label="Action"')
    assert rows >= 5, rows
    assert more_html.count('href="/advocacy/actions/') >= more_html.count('data-label="Action"')
    assert (many - few) / rows <= 100, (few, many, rows)
