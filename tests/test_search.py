"""Full-text search: a keyed token index of encrypted free text, searched through the policy."""

from __future__ import annotations

import logging

import pytest
from sqlalchemy import delete, func, select, text

from casework.audit.models import AuditEntry
from casework.cases import services as case_services
from casework.cases.events import add_event
from casework.cases.models import Event
from casework.core.db import db
from casework.core.hiding import hide, restore
from casework.core.vocab import Role
from casework.search import index
from casework.search.models import SearchToken
from casework.search.text import (
    query_spelling_keys,
    query_terms,
    snippet,
    spelling_key,
    term_of,
    terms,
)
from tests.case_helpers import count_catalogue_reads, decrypted_columns, intake
from tests.clients import client_for
from tests.factories import log_in
from tests.world import ROLES, build_world

# --- words and terms ------------------------------------------------------------------------


@pytest.mark.parametrize(
    "a, b",
    [
        ("депортирован", "депортированы"),
        ("депортирована", "Депортированы"),
        ("задержан", "задержанный"),
        ("deported", "deporting"),
        ("Deportation", "deported"),
        ("Ёлкин", "елкин"),
        ("Café", "cafe"),
        ("oʻzbek", "o'zbek"),
        ("Қазақстан", "қазақстан"),
    ],
)
def test_inflections_and_spellings_give_one_term(a, b):
    assert term_of(a) is not None and term_of(a) == term_of(b)


@pytest.mark.parametrize(
    "noun, verb_forms",
    [
        # The act and the verb that does it: "задержание" finds "был задержан".
        ("задержание", "задержан задержали задержать задержанный задержания"),
        ("выдворение", "выдворен выдворили выдворить"),
        ("преследование", "преследовали преследуют"),
        ("наказание", "наказан наказали"),
        # -ция and -ировать: "экстрадиция" finds "экстрадировать", "экстрадирован".
        ("экстрадиция", "экстрадиции экстрадировать экстрадирован экстрадировали экстрадируют"),
        ("депортация", "депортирован депортировали депортируют депортирование"),
        ("регистрация", "регистрировали"),
        ("экстрадиционный", "экстрадиция"),
        ("арест", "арестован арестовали"),
    ],
)
def test_a_russian_noun_finds_the_verb_of_the_same_act(noun, verb_forms):
    for form in verb_forms.split():
        assert term_of(noun) == term_of(form), (noun, form)


@pytest.mark.parametrize(
    "a, b",
    [
        ("полиция", "пол"),  # too little is left of a short word: kept whole
        ("милиция", "милый"),
        ("командиру", "команда"),  # "-ир-" of a noun is not the verb's "-ировать"
        ("здание", "здать"),
        ("граница", "грань"),
    ],
)
def test_short_or_unrelated_russian_words_stay_apart(a, b):
    assert term_of(a) != term_of(b)


def test_stop_words_short_words_and_long_numbers_are_not_terms():
    assert terms("the and и в a 1") == set()
    assert terms("+77015551234, passport 123456789") == {term_of("passport")}
    assert term_of("2011") == "2011"  # years and article numbers are
    found, ignored = query_terms("the deported and депортирован")
    assert found == [term_of("deported"), term_of("депортирован")]
    assert ignored == ["the", "and"]


def test_kazakh_and_uzbek_words_are_normalised_not_stemmed():
    assert term_of("Қамалды") == "қамалды"  # Kazakh letters: no Russian stemming
    assert term_of("ҚАМАЛДЫ") == "қамалды"


def test_snippet_escapes_html_and_marks_the_matches():
    html, count = snippet("<b>x</b> & he was deported <script>alert(1)</script>", {"deport"})
    assert count == 1
    assert "<mark>deported</mark>" in html
    assert "<script>" not in html and "&lt;script&gt;" in html and "&lt;b&gt;" in html
    assert snippet("nothing here", {"deport"}) is None


# --- the search page ------------------------------------------------------------------------


def _search(client, q: str) -> str:
    response = client.post("/search", data={"q": q})
    assert response.status_code == 200
    return response.get_data(as_text=True)


@pytest.fixture
def monitor(app, make_user):
    user = make_user(Role.MONITOR)
    client = app.test_client()
    log_in(client, user)
    client.user = user
    return client


def test_finds_a_narrative_word_in_another_inflection(monitor):
    ru = intake(monitor, narrative="Его депортировали; позже депортированы и родные.")
    en = intake(monitor, narrative="He was deported to Tashkent in 2011.")
    page = _search(monitor, "депортированный")
    assert ru.reference in page and en.reference not in page
    assert "<mark>депортированы</mark>" in page
    page = _search(monitor, "deporting")
    assert en.reference in page and ru.reference not in page
    assert "<mark>deported</mark>" in page


def test_a_snippet_decrypts_only_the_fields_it_is_cut_from(monitor):
    """A source found by what it saw is shown by that text: its identity, and the rest of the
    case, are not read (hence not decrypted) for the result."""
    from casework.evidence.services import add_source

    case = intake(monitor, narrative="Detained pending extradition.")
    add_source(
        monitor.user,
        case,
        {
            "kind": "witness",
            "identity": "Neighbour Saltanat",
            "how_they_know": "Saw the convoy leave Almaty.",
        },
    )
    db.session.commit()
    reference = case.reference
    db.session.expire_all()
    with decrypted_columns() as opened:
        page = _search(monitor, "convoy")
    assert reference in page and "<mark>convoy</mark>" in page
    assert "sources.how_they_know" in opened
    assert "sources.identity" not in opened and "cases.narrative" not in opened


def test_a_snippet_leaves_the_fields_after_the_one_it_is_cut_from_unread(monitor):
    """A record's excerpt comes from the first of its fields holding a word: a case found by
    its title shows the title, and its narrative (which holds the word too) is not decrypted."""
    case = intake(monitor, narrative="The convoy left at night; the convoy was seen again.")
    case.title = "A convoy to the border"
    db.session.commit()
    reference = case.reference
    db.session.expire_all()
    with decrypted_columns() as opened:
        page = _search(monitor, "convoy")
    assert reference in page and "Case, title" in page
    assert "A <mark>convoy</mark> to the border" in page
    assert opened.count("cases.title") == 1 and "cases.narrative" not in opened


def test_the_records_found_are_read_in_one_statement_whatever_their_kinds(monitor, count_queries):
    """The excerpts of a case found in its narrative, an event, a comment and a source are
    read together: a search costs as many statements as one finding narratives only, and the
    excerpts are the same."""
    from casework.evidence.services import add_source

    case = intake(monitor, narrative="The convoy left at night near the border.")
    add_event(monitor.user, case, {"event_type": "arrest", "description": "A convoy stopped."})
    case_services.add_comment(monitor.user, case, "The convoy was filmed.")
    add_source(monitor.user, case, {"kind": "witness", "how_they_know": "Saw the convoy."})
    db.session.commit()

    def statements(q: str) -> tuple[int, str]:
        with count_queries() as counter:
            page = _search(monitor, q)
        return counter["n"], page

    statements("border")  # what is read once per change of the data (the user's teams)
    narrative_only, page = statements("border")
    assert "Case, narrative" in page and "Event, description" not in page
    every_kind, page = statements("convoy")
    for label, excerpt in (
        ("Case, narrative", "The <mark>convoy</mark> left at night"),
        ("Event, description", "A <mark>convoy</mark> stopped."),
        ("Source, how they know", "Saw the <mark>convoy</mark>."),
    ):
        assert label in page and excerpt in page
    assert "and 1 more record in this case" in page  # the comment: three excerpts at most
    assert every_kind == narrative_only


def test_a_case_found_by_another_record_is_listed_without_decrypting_its_own_text(monitor):
    """A case found is listed by its reference, its status and the excerpts that matched: a
    case found by one of its events shows that event's words, and its own title and narrative
    are not read (hence not decrypted) for it."""
    cases = []
    for i in range(3):
        case = intake(monitor, narrative="Deported at night.")
        case.title = "Extradition of an asylum seeker"
        add_event(monitor.user, case, {"event_type": "arrest", "description": f"A convoy {i}."})
        db.session.commit()
        cases.append(case)
    db.session.expire_all()
    with decrypted_columns() as opened:
        page = _search(monitor, "convoy")
    assert all(case.reference in page for case in cases)
    assert page.count("<mark>convoy</mark>") == 3
    assert opened.count("events.description") == 3
    assert "cases.title" not in opened and "cases.narrative" not in opened


def test_every_word_must_match_somewhere_in_the_case(monitor):
    both = intake(monitor, narrative="Detained in Almaty.")
    add_event(monitor.user, both, {"event_type": "arrest", "description": "Beaten in custody."})
    db.session.commit()
    one = intake(monitor, narrative="Detained in Shymkent.")
    page = _search(monitor, "detained beaten")
    assert both.reference in page and one.reference not in page
    assert "Event, description" in page and "Case, narrative" in page
    page = _search(monitor, "detained")
    assert both.reference in page and one.reference in page
    assert "No case you may read" in _search(monitor, "detained tortured")


def test_cases_with_more_matching_records_come_first_then_the_newest(monitor):
    older_twice = intake(monitor, narrative="Detained in Almaty.")
    add_event(monitor.user, older_twice, {"event_type": "arrest", "description": "Almaty again."})
    db.session.commit()
    old_once = intake(monitor, narrative="Detained in Almaty.")
    new_once = intake(monitor, narrative="Detained in Almaty.")
    intake(monitor, narrative="Detained in Shymkent.")
    # A later edit does not move a case up: the order is the index's, not the last change's.
    case_services.update_case(monitor.user, old_once, {"title": "Edited last"}, old_once.version)
    db.session.commit()
    page = _search(monitor, "almaty")
    positions = [page.index(c.reference) for c in (older_twice, new_once, old_once)]
    assert positions == sorted(positions)


def test_a_search_reads_only_the_newest_records_of_its_rarest_word(monitor, monkeypatch):
    """Whatever the archive holds, a search reads at most SEARCH_WINDOW records: those of the
    query's rarest word, newest first; the other words are checked on those cases only."""
    from casework.search import services

    monkeypatch.setattr(services, "SEARCH_WINDOW", 2)
    oldest = intake(monitor, narrative="Detained in Almaty; a rare marker Quokka.")
    middle = intake(monitor, narrative="Detained in Almaty.")
    newer = intake(monitor, narrative="Detained in Almaty.")
    newest = intake(monitor, narrative="Detained in Almaty.")
    page = _search(monitor, "almaty")  # four cases hold it: the newest two are read
    assert newest.reference in page and newer.reference in page
    assert middle.reference not in page and oldest.reference not in page
    page = _search(monitor, "almaty quokka")  # the rarest word leads: the oldest case is found
    assert oldest.reference in page and newest.reference not in page


def test_search_terms_stay_out_of_urls_logs_and_the_audit_trail(app, monitor, caplog):
    intake(monitor, narrative="Marker word Zyxwvutsrq here.")
    assert monitor.get("/search?q=Zyxwvutsrq").get_data(as_text=True).count("Zyxwvutsrq") == 0
    with caplog.at_level(logging.DEBUG):
        page = _search(monitor, "Zyxwvutsrq")
    assert "<mark>Zyxwvutsrq</mark>" in page
    assert "zyxwvutsrq" not in caplog.text.casefold()
    entries = db.session.scalars(select(AuditEntry).where(AuditEntry.action == "search.run")).all()
    assert entries and all("zyxwvutsrq" not in str(e.details).casefold() for e in entries)
    form = page.split('<form method="post" action="/search"', 1)[1].split("</form>", 1)[0]
    assert "Zyxwvutsrq" in form  # the box keeps what was typed, in the POSTed page only


def test_html_in_the_text_is_escaped_in_snippets(monitor):
    intake(monitor, narrative='<img src=x onerror="alert(1)"> deported <b>now</b>')
    page = _search(monitor, "deported")
    assert "<img src=x" not in page and "&lt;img src=x" in page
    assert "<b>now</b>" not in page


def test_hidden_records_are_not_found_until_restored(app, monitor, make_user):
    case = intake(monitor, narrative="Nothing.")
    event = add_event(monitor.user, case, {"event_type": "arrest", "description": "Tortured."})
    db.session.commit()
    assert case.reference in _search(monitor, "tortured")
    hide(event, monitor.user, "entered twice", case=case)
    db.session.commit()
    assert case.reference not in _search(monitor, "tortured")
    coordinator = make_user(Role.COORDINATOR)
    restore(db.session.get(Event, event.id), coordinator, case=case)
    db.session.commit()
    assert case.reference in _search(monitor, "tortured")


def test_a_discarded_draft_is_not_found_by_its_records_or_its_people(monitor):
    """A discarded draft leaves the lists: its events, comments and people do not bring it
    back into the search (its own narrative already had no tokens)."""
    case = intake(monitor, narrative="Quokkaword in the narrative.")  # Алишер Холматов
    add_event(monitor.user, case, {"event_type": "arrest", "description": "Wombatword beaten."})
    case_services.add_comment(monitor.user, case, "Numbatword seen.")
    db.session.commit()
    assert case.reference in _search(monitor, "wombatword")
    case_services.discard_draft(monitor.user, case, "Entered by mistake")
    db.session.commit()
    for q in ("quokkaword", "wombatword", "numbatword", "Kholmatov", "Kholmatov wombatword"):
        assert case.reference not in _search(monitor, q), q
    restore(db.session.get(type(case), case.id), monitor.user, case=case)
    db.session.commit()
    assert case.reference in _search(monitor, "Kholmatov wombatword")


def test_a_russian_noun_finds_the_verb_in_a_narrative(monitor):
    case = intake(monitor, narrative="Был задержан 5 июня; его решили экстрадировать в Узбекистан.")
    page = _search(monitor, "задержание экстрадиция")
    assert case.reference in page and "<mark>задержан</mark>" in page
    assert "<mark>экстрадировать</mark>" in page


def test_editing_replaces_the_words(monitor):
    case = intake(monitor, narrative="Arrested in Almaty.")
    case.narrative = "Released in Shymkent."
    db.session.commit()
    assert case.reference not in _search(monitor, "arrested")
    assert case.reference in _search(monitor, "released")


def test_the_token_table_holds_no_plaintext_word(app, monitor):
    word = "Pleonasticword"
    intake(monitor, narrative=f"{word} депортирован", title="Kazakhtitle")
    raw = db.session.execute(
        text("SELECT token, record_kind, record_id, case_id FROM search_tokens")
    ).all()
    assert raw
    dump = b"".join(bytes(r[0]) + str(r[1:]).encode() for r in raw)
    for plain in (word, word.lower(), term_of(word), "депортирова", "kazakhtitl"):
        assert plain.encode() not in dump
        assert plain.encode("utf-16-le") not in dump
    assert all(len(bytes(r[0])) == 16 for r in raw)
    if db.engine.dialect.name == "sqlite":
        db.session.commit()
        path = db.engine.url.database
        if path and path != ":memory:":
            with open(path, "rb") as fh:
                assert word.lower().encode() not in fh.read()


def test_reindex_rebuilds_the_index(app, monitor):
    case = intake(monitor, narrative="Extradited despite the interim measures.")
    count = db.session.scalar(select(func.count()).select_from(SearchToken))
    db.session.execute(delete(SearchToken))
    db.session.commit()
    assert case.reference not in _search(monitor, "extradited")
    result = app.test_cli_runner().invoke(args=["search", "reindex"])
    assert result.exit_code == 0, result.output
    assert "Indexed" in result.output
    assert db.session.scalar(select(func.count()).select_from(SearchToken)) == count
    assert case.reference in _search(monitor, "extradited")


def test_seed_rebuilds_an_index_built_by_older_word_rules(app, monitor):
    """Tokens stored by older rules would not find what newer rules bring together: the rules
    carry a version, and ``flask seed`` (run on every upgrade) rebuilds the index once."""
    from casework.core import indexversions

    case = intake(monitor, narrative="Решили экстрадировать из Алматы.")
    # As an installation upgraded from the first rules holds it: the verb under its old term.
    db.session.execute(delete(SearchToken))
    db.session.execute(
        SearchToken.__table__.insert(),
        [
            {"token": index.term_token(t), "record_kind": "case", "record_id": case.id}
            | {"case_id": case.id}
            for t in ("экстрадирова", "алмат")
        ],
    )
    indexversions.record(index.INDEX_NAME, 1)
    db.session.commit()
    assert case.reference not in _search(monitor, "экстрадиция")
    runner = app.test_cli_runner()
    result = runner.invoke(args=["seed"])
    assert result.exit_code == 0, result.output
    assert f"rules 1 -> {index.RULES_VERSION}" in result.output
    assert case.reference in _search(monitor, "экстрадиция")
    assert indexversions.built_with(index.INDEX_NAME) == index.RULES_VERSION
    assert "up to date" in runner.invoke(args=["seed"]).output
    # A rebuild by hand records the rules it used too.
    indexversions.record(index.INDEX_NAME, 1)
    db.session.commit()
    assert runner.invoke(args=["search", "reindex"]).exit_code == 0
    assert indexversions.built_with(index.INDEX_NAME) == index.RULES_VERSION


def test_the_authorisation_and_other_procedures_texts_are_found(monitor):
    """Why the victim's authorisation cannot be obtained and the other procedure's details are
    sealed free text of the case, found as its narrative is, with the field named; an edit
    replaces their words. Who authorised (a name) is not indexed."""
    case = intake(monitor, narrative="Arrested at home by the KNB.")
    case_services.update_case(
        monitor.user,
        case,
        {
            "authorisation": "cannot_be_obtained",
            "authorised_by": "Brother Zhandoszhan",
            "authorisation_note": "Held incommunicado in the remand centre.",
            "other_procedures": "pending",
            "other_procedures_details": "Working Group on Arbitrary Detention, opinion awaited.",
        },
        case.version,
    )
    db.session.commit()
    page = _search(monitor, "incommunicado")
    assert case.reference in page and "<mark>incommunicado</mark>" in page
    assert "authorisation to act before a UN body" in page
    page = _search(monitor, "arbitrary detention")
    assert case.reference in page and "<mark>Arbitrary</mark>" in page
    assert "details of the other procedures" in page
    assert case.reference not in _search(monitor, "zhandoszhan")
    case.authorisation_note = "Disappeared after the removal."
    db.session.commit()
    assert case.reference not in _search(monitor, "incommunicado")
    assert case.reference in _search(monitor, "disappeared")


def test_an_upgrade_indexes_the_authorisation_texts_stored_before(app, monitor):
    """An installation whose index was built before these texts were indexed finds them once
    ``flask seed`` has run after the upgrade."""
    from casework.core import indexversions

    case = intake(monitor, narrative="Arrested at home by the KNB.")
    case.other_procedures_details = "Working Group on Enforced Disappearances, case pending."
    db.session.flush()
    # As the index stood before the upgrade: nothing of these texts in it.
    db.session.execute(delete(SearchToken).where(SearchToken.case_id == case.id))
    indexversions.record(index.INDEX_NAME, 4)
    db.session.commit()
    assert case.reference not in _search(monitor, "enforced")
    result = app.test_cli_runner().invoke(args=["seed"])
    assert result.exit_code == 0, result.output
    assert case.reference in _search(monitor, "enforced")


def test_a_capitalised_word_also_finds_people_by_name(monitor):
    case = intake(monitor, narrative="Arrested at home by the KNB.")  # Алишер Холматов
    page = _search(monitor, "Kholmatov arrested")
    assert case.reference in page and "Алишер Холматов" in page
    assert case.reference not in _search(monitor, "Kholmatov released")


def test_query_count_does_not_grow_with_matches(monitor, count_queries):
    for i in range(2):  # both kinds of record from the start: one query per kind found
        case = intake(monitor, narrative="Deported at night.")
        case_services.add_comment(monitor.user, case, f"Deported first {i}.")
        db.session.commit()

    def queries() -> int:
        with count_queries() as counter:
            _search(monitor, "deported")
        return counter["n"]

    few = queries()
    for i in range(8):
        case = intake(monitor, narrative="Deported at night.")
        case_services.add_comment(monitor.user, case, f"Deported again {i}.")
        db.session.commit()
    assert queries() <= few


def test_a_search_of_many_words_runs_as_many_queries_as_one_of_two(monitor, count_queries):
    """Which word of the query is the rarest is asked of the index in one query, not one per
    word: six words cost what two do, and find the same case."""
    case = intake(monitor, narrative="Detained, beaten and deported at night near the border.")
    intake(monitor, narrative="Detained at night.")

    def queries(q: str) -> int:
        with count_queries() as counter:
            page = _search(monitor, q)
        assert case.reference in page
        return counter["n"]

    queries("detained")  # what is read once per change of the data (the user's teams)
    assert queries("detained beaten deported night near border") == queries("detained beaten")


def test_a_name_in_a_search_costs_as_many_queries_however_many_bear_it(monitor, count_queries):
    """A capitalised word is also looked up as a name: the people bearing it are scored and
    their cases listed in as many statements for ten of them as for two."""

    def bearers(k: int) -> None:
        for _ in range(k):
            intake(monitor, name="Алишер Холматов", narrative="Deported at night.")

    def queries() -> int:
        with count_queries() as counter:
            page = _search(monitor, "Kholmatov deported")
        assert "Алишер Холматов" in page
        return counter["n"]

    bearers(2)
    queries()  # what is read once per change of the data (the user's teams)
    few = queries()
    bearers(8)
    queries()
    assert queries() == few


def test_a_search_builds_the_policys_clause_once_however_many_words_it_looks_up(
    app, monitor, make_user, monkeypatch
):
    """Each word (its own token and its spellings in other scripts, a capitalised one as a name
    too) is looked up among the cases the user may read: the policy's clause saying which is
    built once for the search, not once per word and spelling. It still keeps out what the
    user may not read."""
    from casework import permissions

    built: list[str] = []
    build = permissions._build_case_clause

    def counted(user, action):
        built.append(action)
        return build(user, action)

    monkeypatch.setattr(permissions, "_build_case_clause", counted)
    mine = intake(monitor, narrative="Deported from Almaty at night near the border.")
    other = make_user(Role.MONITOR)
    theirs_client = app.test_client()
    log_in(theirs_client, other)
    theirs = intake(theirs_client, narrative="Deported from Almaty at night near the border.")

    def clauses(q: str) -> int:
        built.clear()
        page = _search(monitor, q)
        assert mine.reference in page and theirs.reference not in page
        return len(built)

    clauses("deported")  # what is read once per change of the data (the user's teams)
    assert clauses("deported almaty Kholmatov night border") <= 1


def test_a_search_of_a_shape_run_before_builds_nothing_and_finds_each_reader_their_cases(
    app, monitor, make_user, monkeypatch
):
    """A search's statements are built once for each shape (how many words, how many tokens
    the rarest is looked up by) and reader, then run with the new words' tokens: searching
    again, or another word of the shape, builds neither the policy's clause nor a statement.
    Each reader still finds only what they may read: another monitor's search of the same
    shape finds their own case, and a reader given another role finds what it reads."""
    from casework import permissions
    from casework.search import services

    built: list[str] = []
    for module, name in ((permissions, "_build_case_clause"), (services, "_matching_statement")):
        real = getattr(module, name)
        monkeypatch.setattr(
            module, name, lambda *a, real=real, name=name: built.append(name) or real(*a)
        )
    mine = intake(monitor, narrative="Deported at night, then beaten.")
    other = make_user(Role.MONITOR)
    theirs_client = app.test_client()
    log_in(theirs_client, other)
    theirs = intake(theirs_client, narrative="Deported at night, then beaten.")

    def found(client, q: str) -> set[str]:
        built.clear()
        page = _search(client, q)
        return {c.reference for c in (mine, theirs) if c.reference in page}

    assert found(monitor, "deported") == {mine.reference}
    assert found(monitor, "deported") == {mine.reference} and built == []
    assert found(monitor, "beaten") == {mine.reference} and built == []
    assert found(theirs_client, "deported") == {theirs.reference}
    assert found(monitor, "deported") == {mine.reference} and built == []
    monitor.user.role = Role.COORDINATOR
    db.session.commit()
    assert found(monitor, "deported") == {mine.reference, theirs.reference}


def test_the_labels_of_the_records_found_are_translated_once_per_search(monitor, monkeypatch):
    """Each case found says in which kinds of record the words are, and labels each excerpt
    ("Case, narrative"): the labels are read from the catalogue once per search, not once per
    record found."""

    read: list[str] = []

    count_catalogue_reads(monkeypatch, read)

    def reads(found: int) -> dict[str, int]:
        read.clear()
        page = _search(monitor, "deported")
        assert page.count("Case, narrative") == found
        return {w: read.count(w) for w in ("Case", "narrative")}

    for _ in range(2):
        intake(monitor, narrative="Deported at night.")
    few = reads(2)
    for _ in range(6):
        intake(monitor, narrative="Deported at night.")
    assert reads(8) == few


def test_bad_input_is_a_message_not_an_error(monitor):
    assert "Type at least one word" in _search(monitor, "   ")
    assert "under 300 characters" in _search(monitor, "x" * 400)
    assert "No word to search for" in _search(monitor, "the и ' % _ \\ <>")


def test_a_query_of_more_words_than_are_searched_says_so(monitor):
    """Every word must match: words past the MAX_TERMS searched are not silently dropped (a
    case lacking one of them would be found)."""
    from casework.search.services import MAX_TERMS

    words = [f"word{chr(97 + i)}" for i in range(MAX_TERMS)]
    case = intake(monitor, narrative=" ".join(words))
    assert case.reference in _search(monitor, " ".join(words))
    page = _search(monitor, " ".join([*words, "absentword"]))
    assert case.reference not in page
    assert f"Search at most {MAX_TERMS} words" in page


def test_a_query_with_no_word_to_search_says_so(monitor):
    for q in ("!!! ... ,,,", "\x00", "\x07\x1b", "и в the", "\u200b"):
        page = _search(monitor, q)
        assert "No word to search for" in page, q
        assert "No case you may read" not in page, q


# --- the access policy ----------------------------------------------------------------------


@pytest.mark.parametrize("role", ROLES, ids=lambda r: r.value)
def test_a_restricted_case_is_never_found_off_its_team(app, role):
    world = build_world()
    cw = world.restricted
    labels = (
        "narrative",
        "event_description",
        "comment",
        "how_they_know",
        "status_comment",
        "authorisation_note",
        "other_procedures_details",
    )
    for label in labels:
        word = cw.canaries[label]
        off = client_for(app, world.off[role]).post("/search", data={"q": word})
        page = off.get_data(as_text=True)
        assert cw.case.reference not in page and word not in page.replace(f'value="{word}"', "")
        assert "No case you may read" in page
    for label in ("comment", "authorisation_note", "other_procedures_details"):
        word = cw.canaries[label]
        on = client_for(app, world.on[Role.LAWYER]).post("/search", data={"q": word})
        page = on.get_data(as_text=True)
        assert cw.case.reference in page and f"<mark>{word}</mark>" in page, label


def test_the_catalogue_is_searched_apart(app):
    world = build_world()
    page = client_for(app, world.on[Role.LAWYER]).post("/search", data={"q": "test conv"})
    assert world.instrument.code in page.get_data(as_text=True)
    rec = world.recommendation
    word = rec.text.split()[-1].strip(".")
    page = client_for(app, world.on[Role.LAWYER]).post("/search", data={"q": word})
    assert rec.number in page.get_data(as_text=True)
    # UPR recommendations only for those who see the UPR pages.
    page = client_for(app, world.on[Role.MONITOR]).post("/search", data={"q": word})
    assert rec.number not in page.get_data(as_text=True)


def test_the_catalogue_search_folds_case_in_any_script_and_follows_every_change(app):
    """Word prefixes in any case, Cyrillic included (SQLite's LIKE folded ASCII letters
    only), and what a search finds follows each edit and deletion of a recommendation."""
    world = build_world()
    rec = world.recommendation
    rec.text = "Обеспечить соблюдение принципа невысылки"
    db.session.commit()
    lawyer = client_for(app, world.on[Role.LAWYER])

    def found(q: str) -> bool:
        page = lawyer.post("/search", data={"q": q}).get_data(as_text=True)
        return f"{rec.number}</" in page or f">{rec.number}" in page

    assert found("обеспечить") and found("НЕВЫСЫЛ") and found("соблюдение принципа")
    assert not found("Обеспечить похищения")
    rec.text = "Расследовать похищения беженцев"
    db.session.commit()
    assert found("похищен") and not found("невысылки")
    number = rec.number
    db.session.delete(rec)
    db.session.commit()
    page = lawyer.post("/search", data={"q": "похищен"}).get_data(as_text=True)
    assert number not in page


def test_query_syntax_typed_into_the_search_is_taken_as_words(app):
    """FTS5's and tsquery's operators in what is typed reach neither: only its words do."""
    world = build_world()
    rec = world.recommendation
    rec.text = "Обеспечить соблюдение принципа невысылки"
    db.session.commit()
    lawyer = client_for(app, world.on[Role.LAWYER])
    for q in ('"невысыл*"', "невысыл:* | !x", "{text} : невысыл", "(невысыл) AND NOT"):
        response = lawyer.post("/search", data={"q": q})
        assert response.status_code == 200, q
    assert rec.number in lawyer.post("/search", data={"q": '"невысыл*"'}).get_data(as_text=True)
    for q in ('"', "*", "NEAR(a b)", "^ -", "' & | ! :*", "{number} :"):
        assert lawyer.post("/search", data={"q": q}).status_code == 200, q


def test_index_maintenance_is_in_one_place():
    assert {k.name for k in index.KINDS} == {
        "case",
        "event",
        "source",
        "comment",
        "status",
        "document",
    }


# --- the API --------------------------------------------------------------------------------


def test_api_search_gives_what_the_page_gives(app):
    from tests.api_clients import api_for

    world = build_world()
    cw = world.restricted
    word = cw.canaries["narrative"]
    on = api_for(app, world.on[Role.LAWYER]).post("search", json={"q": word})
    assert on.status_code == 200, on.get_data(as_text=True)
    [hit] = on.get_json()["cases"]
    assert hit["reference"] == cw.case.reference
    assert f"<mark>{word}</mark>" in hit["hits"][0]["excerpt_html"]
    off = api_for(app, world.off[Role.COORDINATOR]).post("search", json={"q": word})
    assert off.status_code == 200 and off.get_json()["cases"] == []
    bad = api_for(app, world.on[Role.LAWYER]).post("search", json={"q": ""})
    assert bad.status_code == 422
    # Thirteen words that no normalisation brings together (a random canary with letters
    # added could stem to fewer).
    many = "alpha bravo charlie delta echo foxtrot golf hotel india juliet kilo lima mike"
    bad = api_for(app, world.on[Role.LAWYER]).post("search", json={"q": many})
    assert bad.status_code == 422 and "at most 12 words" in bad.get_data(as_text=True)


def test_a_rebuild_leaves_the_records_its_caller_holds_in_the_session(app, monitor):
    """``flask seed`` runs the seeders in the caller's session (tests and setup scripts too):
    the rebuild lets go of the records it read, not of those its caller already held."""
    from casework.cases.models import Case

    case = db.session.get(Case, intake(monitor, narrative="Задержан в Алматы.").id)
    index.reindex_all(batch=1)
    assert case in db.session
    assert case.members  # loads: the case is still bound to the session


def test_a_word_with_an_invisible_character_in_it_is_found_and_highlighted():
    """A narrative pasted from a document can carry a soft hyphen or a zero-width space inside
    a word: the word is found as typed without it, and highlighted whole."""
    text = "Задержан сотрудниками КН\u00adБ, выдан по запросу Узбеки\u200bстана."
    assert terms(text) >= terms("Задержан сотрудниками КНБ, выдан по запросу Узбекистана.")
    excerpt, count = snippet(text, set(terms("Узбекистан")))
    assert count == 1 and "<mark>Узбекистана</mark>" in excerpt


def test_a_word_with_look_alike_letters_of_another_script_is_found():
    """Text pasted or typed on the other keyboard layout mixes look-alike Latin and Cyrillic
    letters in a word (Cyrillic а in "Sаrsenbaev", Latin a in "Нурлaнов"): it was found by
    neither spelling. Such a word is its majority script's, in the text and in the query."""
    assert term_of("Sаrsenbaev") == term_of("Sarsenbaev")
    assert term_of("Нурлaнов") == term_of("Нурланов")
    assert term_of("Ташкент") != term_of("Tashkent")  # a script is not a look-alike


def test_a_narrative_word_with_look_alike_letters_is_found(monitor):
    case = intake(monitor, narrative="Нурлaнов and Sаrsenbaev were beaten.")
    for query in ("Нурланов", "Sarsenbaev", "Нурлaнов", "SАRSENBAEV"):
        assert case.reference in _search(monitor, query), query


# --- across scripts -------------------------------------------------------------------------


@pytest.mark.parametrize(
    "a, b",
    [
        ("Ташкенте", "Tashkent"),  # a Russian case ending
        ("Ташкентом", "Tashkent"),
        ("Караганды", "Karaganda"),
        ("Қарағанды", "Qaraghandy"),  # Kazakh Cyrillic, Kazakh Latin
        ("Қарағанды", "Караганда"),  # Kazakh and Russian Cyrillic
        ("Алматы", "Almaty"),
        ("Узбекистана", "Uzbekistan"),
        ("Хоразм", "Xorazm"),  # Uzbek Cyrillic and Latin: х is x
        ("Ғулом", "G'ulom"),  # ғ is gʻ
        ("Ўзбекистон", "Oʻzbekiston"),
        ("Қаршы", "Qarshi"),
        ("Шымкент", "Shymkent"),
        ("Ош", "Osh"),
        ("КНБ", "KNB"),
        # A last syllable like a Turkic case ending, where one script's dictionary knows the
        # word and the other's does not.
        ("Никита", "Nikita"),
        ("Воркута", "Vorkuta"),
        ("Шахида", "Shakhida"),
        ("Канада", "Kanada"),
    ],
)
def test_a_word_is_keyed_alike_in_another_script(a, b):
    assert term_of(a) != term_of(b)
    assert spelling_key(a) is not None
    assert spelling_key(a) in query_spelling_keys(b)
    assert spelling_key(b) in query_spelling_keys(a)


def test_a_word_is_not_keyed_for_its_own_script_nor_for_an_unrelated_word():
    # A common word's own script's spellings are found by its term: no key adds namesakes there.
    assert spelling_key("Rat") not in query_spelling_keys("rate")
    assert spelling_key("стал") not in query_spelling_keys("Стол")
    # A place or a name is looked up in its own script too.
    assert spelling_key("Karshi") in query_spelling_keys("Qarshi")
    # A short word in lower case is no name of a place or person: "лет" is not "let".
    assert spelling_key("let") is None and spelling_key("лет") is None
    assert spelling_key("Ош") is not None  # a short name, written with a capital, is
    assert spelling_key("2011") is None


def test_a_place_is_found_in_the_other_script_below_its_own(monitor):
    """A narrative in Russian says "в Ташкенте", one in English "to Tashkent": each is found
    by either spelling, the one in the query's own script first (even when older)."""
    en = intake(monitor, narrative="He was deported to Tashkent in 2011.")
    ru = intake(monitor, narrative="Его задержали в Ташкенте и избили.")
    kk = intake(monitor, narrative="Қарағанды облысында ұсталды.")
    uz = intake(monitor, narrative="Xorazm viloyatida qamaldi.")
    page = _search(monitor, "Tashkent")
    assert en.reference in page and ru.reference in page
    assert page.index(en.reference) < page.index(ru.reference)
    assert "<mark>Ташкенте</mark>" in page and "<mark>Tashkent</mark>" in page
    page = _search(monitor, "Ташкент")
    assert page.index(ru.reference) < page.index(en.reference)
    assert ru.reference in _search(monitor, "Tashkent избили")  # every word, any script
    assert ru.reference not in _search(monitor, "Tashkent released")
    for query in ("Караганда", "Karaganda", "караганды"):
        assert kk.reference in _search(monitor, query), query
    for query in ("Хоразм", "хоразм"):
        assert uz.reference in _search(monitor, query), query


def test_an_unrelated_common_word_of_another_script_is_not_found(monitor):
    case = intake(monitor, narrative="They let him go after a week.")
    intake(monitor, narrative="Прошло пять лет с тех пор.")
    assert case.reference not in _search(monitor, "лет")
    assert "No case you may read" in _search(monitor, "Almaty")


@pytest.mark.parametrize(
    "query, written",
    [
        ("Qarshi", "Karshi"),  # Uzbek Latin q, English k
        ("Xiva", "Khiva"),  # Uzbek Latin x, English kh
        ("Samarqand", "Samarkand"),
        ("samarkand", "Samarqand"),  # a place in lower case too
        ("Ташкент", "Ташкентте"),  # a Kazakh case ending on a Russian spelling
    ],
)
def test_a_place_is_found_in_another_spelling_of_its_own_script(monitor, query, written):
    """A place spelt another way in the query's own script ("Qarshi", "Karshi") was found by
    neither: it is, below the cases that spell it as the query does (even when older)."""
    same = intake(monitor, narrative=f"He was held in {query} for a week.")
    other = intake(monitor, narrative=f"He was held in {written} for a week.")
    page = _search(monitor, query)
    assert other.reference in page and f"<mark>{written}</mark>" in page
    assert page.index(same.reference) < page.index(other.reference)


def test_a_common_word_does_not_find_a_word_of_its_own_script_spelt_alike(monitor):
    """Common words keep to their own term: "rate" and "rating" do not find "Rat" (one key),
    "стол" does not find "стал"; the words themselves are found."""
    rat = intake(monitor, narrative="Rat was the name the guards gave him.")
    stal = intake(monitor, narrative="Он стал свидетелем задержания.")
    for query in ("rate", "rating", "Rating"):
        assert rat.reference not in _search(monitor, query), query
    for query in ("стол", "Стол"):
        assert stal.reference not in _search(monitor, query), query
    assert rat.reference in _search(monitor, "Rat")
    assert stal.reference in _search(monitor, "стал")


@pytest.mark.parametrize(
    "query, written",
    [
        ("Tashkent", "Toshkent"),  # Uzbek o is Russian а
        ("Toshkent", "Tashkent"),
        ("Toshkent", "Ташкенте"),
        ("ташкент", "Тошкент"),
        ("Tashkent", "Toshkentda"),  # Uzbek and Kazakh case endings
        ("Tashkent", "Toshkentdan"),
        ("Ташкент", "Ташкенттен"),
        ("Kazakhstan", "Қазақстан"),  # Russian х, Kazakh қ
        ("Қазақстан", "Казахстане"),
        ("Urumqi", "Урумчи"),  # Chinese q is ч
    ],
)
def test_a_place_is_found_across_uzbek_kazakh_and_chinese_spellings(monitor, query, written):
    case = intake(monitor, narrative=f"He was held in {written} for a week.")
    page = _search(monitor, query)
    assert case.reference in page and f"<mark>{written}</mark>" in page


def test_folded_spellings_do_not_join_common_words(monitor):
    """Uzbek o read as а joins "post" and "past", "стол" and "стал" in one key: a common word
    still keeps to its term, and a case ending does not come off a common word ("Rwanda",
    "decade" are not cut)."""
    past = intake(monitor, narrative="They drove past the checkpoint at night.")
    stal = intake(monitor, narrative="Он стал свидетелем задержания.")
    assert past.reference not in _search(monitor, "post")
    assert stal.reference not in _search(monitor, "стол")
    assert past.reference in _search(monitor, "past")
    assert spelling_key("Rwanda") != spelling_key("Rwan")


@pytest.mark.parametrize(
    "query, written",
    [
        ("Farrukh", "Фарруха"),  # a Russian case ending after a final х
        ("Farrukh", "Фаррухом"),
        ("Farrux", "Фарруху"),
        ("Фаррух", "Farrukhning"),
        ("Karimov", "Каримову"),
        ("Karimova", "Каримовой"),
        ("Dilnoza", "Дилнозой"),
        ("Ulugbek", "Улугбека"),
    ],
)
def test_a_name_in_another_script_is_found_in_its_case_forms(monitor, query, written):
    """The folding drops a final х after a vowel ("Фаррух", "Farrukh": "far"), but not before a
    case ending ("Фарруха": "faruh"), so "Farrukh" did not find "у Фарруха"."""
    case = intake(monitor, narrative=f"Soldiers came for {written} at night.")
    page = _search(monitor, query)
    assert case.reference in page and f"<mark>{written}</mark>" in page


@pytest.mark.parametrize(
    "query, written",
    [
        ("Shukhrat", "Шухрата"),
        ("Murat", "Мурата"),
        ("Davlat", "Давлата"),
        ("Ahmed", "Ахмеда"),
        ("Ahmed", "Ахмеде"),
    ],
)
def test_a_russian_case_ending_after_t_or_d_is_not_taken_for_a_turkic_one(monitor, query, written):
    """A name ending in т or д takes Russian -а, -е after it ("Мурата", "Ахмеде"), which the
    key took for the Kazakh and Uzbek -та, -да, -те, -де ("Ташкентте") and cut off
    ("Мурата": "mur"), so "Murat" did not find "Мурата"; such a word is indexed both ways."""
    case = intake(monitor, narrative=f"Soldiers came for {written} at night.")
    page = _search(monitor, query)
    assert case.reference in page and f"<mark>{written}</mark>" in page


@pytest.mark.parametrize(
    "query, written",
    [("Ulugbek", "Ulugbekni"), ("Улугбек", "Ulugbekni"), ("Karimov", "Каримовни")],
)
def test_an_uzbek_accusative_comes_off_a_name(monitor, query, written):
    """The Uzbek accusative -ni, -ни was no case ending to the key ("Ulugbekni": "ulugbekn"),
    so "Улугбек" did not find "Ulugbekni"."""
    case = intake(monitor, narrative=f"Soldiers came for {written} at night.")
    page = _search(monitor, query)
    assert case.reference in page and f"<mark>{written}</mark>" in page


def test_an_ordinary_word_ending_in_ni_keeps_it(monitor):
    """A word the dictionaries know keeps its -ni: "Bikini" is not "Бик"."""
    bikini = intake(monitor, narrative="Bikini was the name of the boat.")
    assert bikini.reference not in _search(monitor, "Бик")
    assert bikini.reference in _search(monitor, "Бикини")


@pytest.mark.parametrize(
    "query, written",
    [
        ("Ulugbek", "Ўлуғбек"),
        ("Ўлуғбек", "Ulugbek"),
        ("Улугбек", "Oʻlugʻbek"),
        ("Oʻlugʻbek", "Улугбеком"),
        ("Utkir", "Ўткирни"),
        ("Yuldash", "Йўлдош"),
        ("Йўлдош", "Yuldash"),
    ],
)
def test_an_uzbek_o_with_an_apostrophe_is_found_as_u(monitor, query, written):
    """Uzbek ў, oʻ is у in Russian and u in English ("Ўлуғбек", "Oʻlugʻbek"; "Улугбек",
    "Ulugbek"), but the key read it as o, so neither spelling found the other."""
    case = intake(monitor, narrative=f"Soldiers came for {written} at night.")
    page = _search(monitor, query)
    assert case.reference in page and f"<mark>{written}</mark>" in page


def test_common_words_of_two_languages_spelt_alike_but_for_o_stay_apart(monitor):
    """Uzbek o read as Russian а gave "past" and "пост" one key, so an English common word found
    a Russian one of another meaning ("past" the checkpoint found "на посту"). A common word is
    keyed with its o as written: "post" still finds "посту", "London" "Лондоне", and a word
    no dictionary knows as common still reads o as а ("Bozor" finds "базаре")."""
    past = intake(monitor, narrative="They drove past the checkpoint at night.")
    post = intake(monitor, narrative="Его задержали на посту у границы.")
    bazar = intake(monitor, narrative="Его задержали на базаре в Лондоне.")
    assert post.reference not in _search(monitor, "past")
    assert past.reference not in _search(monitor, "пост")
    assert past.reference not in _search(monitor, "Пост")
    assert post.reference in _search(monitor, "post")
    assert past.reference in _search(monitor, "past")
    assert bazar.reference in _search(monitor, "Bozor")
    assert bazar.reference in _search(monitor, "London")


@pytest.mark.parametrize(
    "query, written",
    [
        ("Andijan", "Андижане"),  # Uzbek and English j is ж, дж
        ("Андижан", "Andijan"),
        ("Andijon", "Андижан"),
        ("Андижон", "Andijonda"),
        ("Juliya", "Юлия"),  # and й, ю, я in a name from Russian
        ("Юлия", "Julija"),
    ],
)
def test_a_latin_j_is_found_as_dzh_and_as_y(monitor, query, written):
    """A Latin j is дж in Uzbek Latin and in English spellings of the region's places
    ("Andijan", "Андижан") and й in a name from Russian ("Juliya", "Юлия"): a place or a name
    spelt with one is found in the other script either way."""
    case = intake(monitor, narrative=f"He was held in {written} for a week.")
    page = _search(monitor, query)
    assert case.reference in page and f"<mark>{written}</mark>" in page


def test_a_common_word_with_j_is_not_read_as_y(monitor):
    """Only a word that is no common English word is read both ways: "July" is not Юлия, "Jam"
    not "Yam"; each is found as written."""
    july = intake(monitor, narrative="July was when the guards came.")
    yulia = intake(monitor, narrative="Юлия видела задержание.")
    yam = intake(monitor, narrative="Yam was the only food they gave him.")
    assert yulia.reference not in _search(monitor, "July")
    assert july.reference not in _search(monitor, "Юлия")
    assert yam.reference not in _search(monitor, "Jam")
    assert july.reference in _search(monitor, "July")
    assert yulia.reference in _search(monitor, "Юлия")
    assert yam.reference in _search(monitor, "Yam")


@pytest.mark.parametrize(
    "query, written",
    [("Julia", "Юлия"), ("Юлия", "Julia"), ("Юлиан", "Julian"), ("Julia", "Юлией")],
)
def test_julia_a_name_and_a_common_word_is_found_in_the_other_script(monitor, query, written):
    """The name "Julia" is a common English word to the dictionary: its j kept the reading of a
    common word (ж) and neither "Julia" nor "Юлия" found the other. The j of Juli- is й
    whatever the dictionary says, as the people matcher reads it; "July" stays apart."""
    case = intake(monitor, narrative=f"Their neighbour {written} saw the arrest.")
    july = intake(monitor, narrative="In July the guards came at night.")
    page = _search(monitor, query)
    assert case.reference in page and f"<mark>{written}</mark>" in page
    assert july.reference not in page


@pytest.mark.parametrize(
    "query, written",
    [
        ("Canada", "Канаде"),  # an English c is к before a, o, u and a consonant
        ("Канада", "Canada"),
        ("Victor", "Виктором"),
        ("Cairo", "Каире"),
        ("Каир", "Cairo"),
        ("Caracas", "Каракасе"),  # in a word the dictionaries do not know as common too
        ("Cecilia", "Сесилия"),  # and с before e, i, y
        ("Cengiz", "Дженгиз"),  # a Turkish c is still дж in such a word
    ],
)
def test_an_english_c_is_found_as_k_or_s(monitor, query, written):
    """The spelling key read every Latin c as the Turkish c (дж) the people matcher folds it
    to, so "Canada" had the key of "Джанада" and did not find "Канаде", nor "Victor"
    "Виктор": an English word's c is к or с; a word no dictionary knows as common is keyed
    both ways."""
    case = intake(monitor, narrative=f"He was held in {written} for a week.")
    page = _search(monitor, query)
    assert case.reference in page and f"<mark>{written}</mark>" in page


def test_an_english_c_is_not_read_as_dzh(monitor):
    """A common English word is English: "Court" is not the Kazakh "жұрт" (people)."""
    zhurt = intake(monitor, narrative="Бүкіл жұрт білді.")
    court = intake(monitor, narrative="The Court refused the appeal.")
    assert zhurt.reference not in _search(monitor, "Court")
    assert court.reference not in _search(monitor, "Жұрт")
    assert court.reference in _search(monitor, "Court")
    assert zhurt.reference in _search(monitor, "Жұрт")


@pytest.mark.parametrize(
    "query, written",
    [
        ("Jizzakh", "Джизаке"),  # a final kh is Russian к
        ("Джизак", "Jizzakh"),
        ("Jizzax", "Джизак"),  # Uzbek Latin x
        ("Джизак", "Жиззах"),  # Uzbek Cyrillic х
        ("Жиззах", "Jizzakh"),
        ("Джизак", "Jizzakhda"),  # with an Uzbek case ending
    ],
)
def test_a_final_kh_of_a_place_is_found_as_k(monitor, query, written):
    """Uzbek and English spellings end a place in kh, x or х where Russian ends it in к
    ("Jizzakh", "Jizzax", "Жиззах", "Джизак"): each is found by the others."""
    case = intake(monitor, narrative=f"He was held in {written} for a week.")
    page = _search(monitor, query)
    assert case.reference in page and f"<mark>{written}</mark>" in page


def test_a_common_word_ending_in_x_is_not_read_as_k(monitor):
    """A word the dictionaries know keeps its one key: "Max" does not find "Мак", nor "Мах"
    "Mak", nor "Kazakh" "Казаки" (Cossacks); each is found as written."""
    mak = intake(monitor, narrative="Мак рос у дороги.")
    mak_lat = intake(monitor, narrative="Mak was the name of the cell.")
    cossacks = intake(monitor, narrative="Казаки стояли у ворот.")
    assert mak.reference not in _search(monitor, "Max")
    assert mak_lat.reference not in _search(monitor, "Мах")
    assert cossacks.reference not in _search(monitor, "Kazakh")
    assert cossacks.reference in _search(monitor, "Казаки")
    assert mak.reference in _search(monitor, "Мак")
    assert mak_lat.reference in _search(monitor, "Mak")


@pytest.mark.parametrize(
    "query, written",
    [
        ("Rwanda", "Руанде"),  # a Latin w after a consonant is у
        ("Руанда", "Rwanda"),
    ],
)
def test_a_latin_w_after_a_consonant_is_found_as_u(monitor, query, written):
    case = intake(monitor, narrative=f"He was sent to {written} in 2012.")
    page = _search(monitor, query)
    assert case.reference in page and f"<mark>{written}</mark>" in page


def test_a_common_word_with_w_is_not_read_as_u(monitor):
    """A common word keeps its one key: "dwell" does not find "Дуэль"; each is found as
    written, and a w is still в ("Kwame", "Кваме")."""
    duel = intake(monitor, narrative="Дуэль была назначена на утро.")
    kwame = intake(monitor, narrative="Кваме видел задержание.")
    assert duel.reference not in _search(monitor, "dwell")
    assert duel.reference not in _search(monitor, "Dwell")
    assert duel.reference in _search(monitor, "дуэль")
    assert kwame.reference in _search(monitor, "Kwame")


@pytest.mark.parametrize(
    "path, data",
    [("/search", {"q": "deported"}), ("/cases/search", {"name": "Kholmatov"})],
)
def test_the_link_of_each_case_found_is_built_without_walking_the_rule_per_case(
    app, monitor, monkeypatch, path, data
):
    """Each case found links to its file: the full-text and the name search pages build that
    link as the case list does (``row_url``), the rule walked for the page, not for each case.
    The links are those url_for gives."""
    from flask import url_for
    from werkzeug.routing import MapAdapter

    cases = [intake(monitor, narrative="Deported at night.") for _ in range(5)]
    walked: list[str] = []
    real = MapAdapter.build

    def counted(self, endpoint, *args, **kwargs):
        walked.append(endpoint)
        return real(self, endpoint, *args, **kwargs)

    monkeypatch.setattr(MapAdapter, "build", counted)
    response = monitor.post(path, data=data)
    page = response.get_data(as_text=True)
    assert response.status_code == 200
    # row_url walks the rule with stand-ins (twice at most), whatever the number of cases.
    assert walked.count("cases.case_file") <= 2, walked
    monkeypatch.undo()
    with app.test_request_context("/"):
        links = [url_for("cases.case_file", public_id=c.public_id) for c in cases]
    assert all(f'href="{link}"' in page for link in links)


@pytest.mark.parametrize(
    "path, data", [("/cases/search", {"name": "Kholmatov"}), ("/search", {"q": "Kholmatov"})]
)
def test_a_case_found_by_a_name_is_listed_without_decrypting_its_title(monitor, path, data):
    """A case found by one of its people's names is listed by its link, its reference, its
    status and the name matched (the name search page, the full-text search, the API alike):
    its title is not read, hence not decrypted, for it."""
    case = intake(monitor, narrative="Deported at night.")  # Алишер Холматов
    case.title = "Extradition to Uzbekistan"
    db.session.commit()
    reference = case.reference
    db.session.expire_all()
    with decrypted_columns() as opened:
        response = monitor.post(path, data=data)
    page = response.get_data(as_text=True)
    assert response.status_code == 200
    assert reference in page and "Алишер Холматов" in page
    assert "Extradition to Uzbekistan" not in page
    assert "cases.title" not in opened and "person_names.name" in opened


def test_the_words_of_the_excerpts_are_matched_once_per_search(monitor, monkeypatch):
    """Each excerpt is cut around the words that match: a word met in many records found
    (the same words in every narrative) is matched against the query once for the search, not
    once for each record. The excerpts are the same."""
    from casework.search import text as search_text

    for _ in range(6):
        intake(monitor, narrative="Deported at night from Almaty to Tashkent by the police.")
    asked: list[str] = []
    real = search_text.term_of

    def counted(word: str):
        asked.append(word)
        return real(word)

    monkeypatch.setattr(search_text, "term_of", counted)
    page = _search(monitor, "deported")
    assert page.count("<mark>Deported</mark> at night from Almaty to Tashkent") == 6
    # The query's own words, then each word of the narratives once.
    assert asked.count("Tashkent") == 1 and asked.count("night") == 1, asked


def test_the_statements_kept_for_searches_stay_within_a_few_megabytes(app, make_user):
    """Each reader's statements are kept for the next search (``services._built``): however many
    accounts search, what a worker keeps of them stays a few megabytes (each one holds its
    subqueries, their columns and its cache key), the oldest let go first."""
    import gc
    import tracemalloc

    from casework.search import services

    readers = [make_user(Role.MONITOR) for _ in range(48)]
    services._BUILT.clear()
    gc.collect()
    tracemalloc.start()
    try:
        for reader in readers:
            services.search_cases(reader, "Almaty")  # a word and its spellings: 11 tokens
        gc.collect()
        kept = tracemalloc.get_traced_memory()[0]
        services._BUILT.clear()
        gc.collect()
        freed = kept - tracemalloc.get_traced_memory()[0]
    finally:
        tracemalloc.stop()
    assert freed < 12_000_000, freed
