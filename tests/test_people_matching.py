"""Matching people across spellings: only visible people, index kept up to date, CLI, pages."""

from __future__ import annotations

import json
import re

import pytest
from sqlalchemy import event, func, select

from casework.audit.models import AuditEntry
from casework.cases import services as case_services
from casework.core.db import db
from casework.core.vocab import Role, TeamRole
from casework.people import services as people_services
from casework.people.matching import find_matches, reindex_all
from casework.people.models import Person, PersonNameKey
from casework.people.services import NameInput
from tests.case_helpers import intake, page
from tests.clients import client_for


def _client(app, user):
    return client_for(app, user)


@pytest.fixture
def world(app, make_user):
    monitor = make_user(Role.MONITOR)
    other_monitor = make_user(Role.MONITOR)
    coordinator = make_user(Role.COORDINATOR)
    client = _client(app, monitor)
    case = intake(client, name="Алишер Холматов")
    other = intake(_client(app, other_monitor), name="Dilshad Memet")
    return {
        "monitor": monitor,
        "other_monitor": other_monitor,
        "coordinator": coordinator,
        "client": client,
        "case": case,
        "other": other,
    }


def _ids(found):
    return [c.person.public_id for c in found]


def _person(case):
    return case_services.primary_person(case)


def test_any_spelling_finds_the_person_the_user_may_see(world):
    holmatov = _person(world["case"]).public_id
    for spelling in ("Kholmatov Alisher", "Xolmatov Alisher", "Ҳолматов Алишер", "A. Kholmatov"):
        assert _ids(find_matches(world["monitor"], [spelling])) == [holmatov], spelling
    found = find_matches(world["monitor"], ["Alisher Xolmatov"])[0]
    assert found.matched_name == "Алишер Холматов" and found.score >= 85
    assert "matches" in found.reasons[0]
    # Nobody likely: an empty list.
    assert find_matches(world["monitor"], ["Rustam Karimov"]) == []


def test_only_visible_people_are_matched(world, make_user):
    assert find_matches(world["other_monitor"], ["Alisher Kholmatov"]) == []
    assert _ids(find_matches(world["coordinator"], ["Alisher Kholmatov"]))
    # A restricted case hides its people from a coordinator who is not on its team.
    case_services.set_restricted(world["coordinator"], world["case"], True)
    db.session.commit()
    assert find_matches(world["coordinator"], ["Alisher Kholmatov"]) == []
    assert _ids(find_matches(world["monitor"], ["Alisher Kholmatov"]))
    # A person removed from the case is no longer visible through it.
    link = world["case"].people[0]
    link.hidden_at = func.now()
    db.session.commit()
    assert find_matches(world["monitor"], ["Alisher Kholmatov"]) == []


def test_a_name_recorded_with_initials_is_found_by_the_full_name(world):
    # A court decision gives "Каримов Б.Т." (surname, initials of name and patronymic).
    person = _person(intake(world["client"], name="Каримов Б.Т.")).public_id
    for spelling in ("Bakhtiyor Tursunovich Karimov", "Karimov Baxtiyor", "B. Karimov"):
        assert _ids(find_matches(world["monitor"], [spelling])) == [person], spelling
    assert find_matches(world["monitor"], ["Karimov Rustam"]) == []


def test_keys_follow_added_and_hidden_names(world):
    person = _person(world["case"])
    assert find_matches(world["monitor"], ["Mirzo Ulugbekov"]) == []
    entry = people_services.add_name(world["monitor"], person, NameInput("Mirzo Ulugbekov"))
    db.session.commit()
    assert _ids(find_matches(world["monitor"], ["Мирзо Улугбеков"])) == [person.public_id]
    people_services.hide_name(world["monitor"], person, entry.id, "Wrong person's alias")
    db.session.commit()
    assert find_matches(world["monitor"], ["Мирзо Улугбеков"]) == []


def test_keys_are_tokens_not_names(world):
    tokens = list(db.session.scalars(select(PersonNameKey.token)))
    assert tokens and all(len(t) == 32 for t in tokens)
    assert not any("hlmt" in t or "kholmatov" in t for t in tokens)


def test_matching_cost_does_not_grow_with_the_number_of_people(world, count_queries):
    with count_queries() as few:
        find_matches(world["coordinator"], ["Alisher Kholmatov"])
    for n in range(30):
        person = people_services.create_person(world["monitor"], [NameInput(f"Person{n} Other{n}")])
        case_services.add_person_to_case(world["monitor"], world["case"], person, "witness")
    db.session.commit()
    with count_queries() as many:
        find_matches(world["coordinator"], ["Alisher Kholmatov"])
    # The ranking of the keys, the policy asked of the best, their names, the people kept;
    # and the account, expired by the commit.
    assert many["n"] == few["n"] <= 5


def test_people_match_cli(app, world):
    runner = app.test_cli_runner()
    email = world["monitor"].email

    def match(name: str, *args: str):
        return runner.invoke(args=["people", "match", *args], input=f"{name}\n")

    result = match("Xolmatov Alisher", "--json", "--as", email)
    assert result.exit_code == 0, result.output
    found = json.loads(result.stdout)
    assert found[0]["person"] == _person(world["case"]).public_id
    assert found[0]["names"] == ["Алишер Холматов"] and found[0]["score"] >= 85
    assert found[0]["matched_name"] == "Алишер Холматов"
    assert json.loads(match("Nobody Known", "--json", "--as", email).stdout) == []
    outsider = world["other_monitor"].email
    assert json.loads(match("Kholmatov Alisher", "--json", "--as", outsider).stdout) == []
    result = match("Kholmatov")
    assert result.exit_code == 2 and "--as" in result.output
    assert "Холматов" in match("Kholmatov", "--as", email).stdout


def test_people_match_never_takes_the_name_from_the_command_line(app, world):
    """A command's arguments stay in the shell's history and are shown to every account of
    the server by ``ps`` while it runs: the name searched for is typed when asked (or given on
    standard input), as the pages and the API take it in a form's body, never in an address."""
    runner = app.test_cli_runner()
    email = world["monitor"].email
    refused = runner.invoke(args=["people", "match", "Xolmatov Alisher", "--as", email])
    assert refused.exit_code == 2 and "history" in refused.output
    assert "Холматов" not in refused.output
    assert (
        db.session.scalar(
            select(func.count(AuditEntry.id)).where(AuditEntry.action == "case.name_search")
        )
        == 0
    )  # nothing searched
    typed = runner.invoke(args=["people", "match", "--as", email], input="Xolmatov Alisher\n")
    assert typed.exit_code == 0 and "Алишер Холматов" in typed.stdout


def test_name_search_uses_any_spelling_and_respects_visibility(app, world):
    html = world["client"].post("/cases/search", data={"name": "Ҳолматов"}).get_data(as_text=True)
    assert world["case"].reference in html
    outsider = _client(app, world["other_monitor"])
    html = outsider.post("/cases/search", data={"name": "Kholmatov"}).get_data(as_text=True)
    assert world["case"].reference not in html
    html = outsider.post("/cases/search", data={"name": "Дильшод"}).get_data(as_text=True)
    assert world["other"].reference in html


def test_a_name_search_reads_the_names_and_cases_not_the_people_s_records(app, world):
    """A name search lists cases: of the people whose names match it reads the names it scores,
    then their cases, and never loads the people themselves (their public ids and facts)."""
    from sqlalchemy import event

    seen: list[str] = []

    def before(conn, cursor, statement, parameters, context, executemany):
        seen.append(" ".join(statement.split()))

    event.listen(db.engine, "before_cursor_execute", before)
    try:
        html = world["client"].post("/cases/search", data={"name": "Ҳолматов"})
    finally:
        event.remove(db.engine, "before_cursor_execute", before)
    assert world["case"].reference in html.get_data(as_text=True)
    assert any("FROM person_names" in s or "JOIN person_names" in s for s in seen), seen
    assert not [s for s in seen if "people.public_id" in s], seen


def test_adding_a_person_warns_of_a_possible_duplicate(app, world):
    client = world["client"]
    second = intake(client, name="Rustam Karimov")
    url = f"/cases/{second.public_id}/people/new"
    form = {"name": "Xolmatov Alisher", "name_kind": "as_given", "role": "family"}
    html = client.post(url, data=form).get_data(as_text=True)
    assert "Possibly the same as" in html and "Алишер Холматов" in html
    assert "Dilshad Memet" not in client.post(url, data=dict(form, name="Memet Dilshad")).get_data(
        as_text=True
    )  # another team's person is never shown
    db.session.expire_all()
    # Three from intake, one "Memet Dilshad" (nobody visible to warn of): no Xolmatov yet.
    assert db.session.scalar(select(func.count(Person.id))) == 4
    # The user says it is the same person: the existing record joins this case.
    existing = _person(world["case"])
    response = client.post(
        url, data={"link-person": existing.public_id, "link-role": "family", "link-submit": "1"}
    )
    assert response.status_code == 302
    db.session.expire_all()
    assert existing.id in {cp.person_id for cp in second.people}
    # Or says it is someone else: a new person, after the warning.
    third = intake(client, name="Bakhtiyor Nazarov")
    url = f"/cases/{third.public_id}/people/new"
    assert client.post(url, data=dict(form, confirm_new="1")).status_code == 302
    db.session.expire_all()
    assert db.session.scalar(select(func.count(Person.id))) == 6


def test_someone_recorded_elsewhere_is_found_by_name_and_added(app, world):
    """Adding someone already recorded: found by name (POSTed, audited), shown with the cases
    the user may read, added by one click; what the user may not see is neither found nor
    added."""
    client = world["client"]
    second = intake(client, name="Rustam Karimov")
    url = f"/cases/{second.public_id}/people/new"
    found = client.post(url, data={"find-name": "Kholmatov Alisher", "find-role": "witness"})
    html = found.get_data(as_text=True)
    person = _person(world["case"])
    assert found.status_code == 200 and person.public_id in html
    assert "Алишер Холматов" in html and world["case"].reference in html
    searches = select(func.count(AuditEntry.id)).where(AuditEntry.action == "case.name_search")
    assert db.session.scalar(searches) == 1
    added = client.post(url, data={"link-person": person.public_id, "link-role": "witness"})
    assert added.status_code == 302
    assert person.id in {cp.person_id for cp in case_services.case_people(second)}
    # Someone the user may not see: not found, and not added by guessing the id.
    outsider = _client(app, world["other_monitor"])
    own = f"/cases/{world['other'].public_id}/people/new"
    html = outsider.post(own, data={"find-name": "Alisher Kholmatov", "find-role": "witness"})
    assert "No one you may see" in html.get_data(as_text=True)
    assert person.public_id not in html.get_data(as_text=True)
    guessed = outsider.post(own, data={"link-person": person.public_id, "link-role": "witness"})
    assert guessed.status_code == 404
    # A name too short to search: the form says so, open, instead of searching.
    short = client.post(url, data={"find-name": "K", "find-role": "witness"})
    html = short.get_data(as_text=True)
    assert short.status_code == 200 and "<details open>" in html
    assert "must be between 2 and 200 characters" in html


# Spellings of one person that the rules bring together (tests/test_names.py has the why).
OTHER_SPELLINGS = [
    ("Ибрагим Каримов", "Ibrahim Karimov"),
    ("Ibrohim Karimov", "Ибрагим Каримов"),
    ("Алексей Каримов", "Alexei Karimov"),
    ("Aleksey Karimov", "Alexey Karimov"),
    ("Dilnoza Karimova", "Абдуллаева-Каримова Дилноза"),
    ("Абдуллаева-Каримова Дилноза", "Dilnoza Karimova"),
    ("Dilnoza Abdullaeva", "Абдуллаева-Каримова"),
    ("Юсупов Жахонгир", "J. Yusupov"),
    ("Юсупов Джахонгир", "J. Yusupov"),
    ("Юнус Юсупов", "J. Jusupow"),
    ("Фархад Турсун", "Perhat Tursun"),
    ("Zulpiye Imin", "Зульфия Имин"),
    ("Жеңіс Каримов", "Zhenis Karimov"),
    ("Zhengis Karimov", "Женис Каримов"),
    ("Теңізбаев Ерлан", "Erlan Tenizbayev"),
    ("Юлия Иванова", "Julia Iwanowa"),
    ("Jurij Jakowlew", "Юрий Яковлев"),
    ("Елена Каримова", "Jelena Karimova"),
    ("Jelena Iwanowa", "Yelena Ivanova"),
    ("Чыңгыз Каримов", "Cingiz Karimov"),
    ("Ходжаев Рустам", "Chodjaev Rustam"),
    ("Ильхом Холматов", "Ilchom Kholmatov"),
    ("Исмоилов Фаррух", "lsmoilov Farrukh"),
    ("Ho1matov Farrukh", "Холматов Фаррух"),
    ("Зарина Каримова", "Зар1на Каримова"),
]


@pytest.mark.parametrize(("recorded", "typed"), OTHER_SPELLINGS)
def test_another_spelling_is_found_by_the_search_and_the_duplicate_check(world, recorded, typed):
    client = world["client"]
    case = intake(client, name=recorded)
    html = client.post("/cases/search", data={"name": typed}).get_data(as_text=True)
    assert case.reference in html
    url = f"/cases/{world['case'].public_id}/people/new"
    form = {"name": typed, "name_kind": "as_given", "role": "family"}
    html = client.post(url, data=form).get_data(as_text=True)
    assert "Possibly the same as" in html and recorded in html


def test_adding_a_person_with_no_likely_duplicate_goes_straight_through(world):
    url = f"/cases/{world['case'].public_id}/people/new"
    form = {"name": "Gulnora Yusupova", "name_kind": "as_given", "role": "family"}
    assert world["client"].post(url, data=form).status_code == 302
    assert "Gulnora Yusupova" in page(world["client"], f"/cases/{world['case'].public_id}")


def test_migration_backfill_matches_the_service(app, world):
    # The keys the migration writes are the keys the services write.
    before = sorted(db.session.execute(select(PersonNameKey.name_id, PersonNameKey.token)).all())
    reindex_all()
    db.session.commit()
    after = sorted(db.session.execute(select(PersonNameKey.name_id, PersonNameKey.token)).all())
    assert before == after


def test_team_lawyer_still_finds_the_person(world, make_user):
    lawyer = make_user(Role.LAWYER)
    assert find_matches(lawyer, ["Alisher Kholmatov"]) == []
    case_services.add_member(world["coordinator"], world["case"], lawyer, TeamRole.LAWYER)
    db.session.commit()
    assert _ids(find_matches(lawyer, ["Alisher Kholmatov"]))


def test_an_import_row_is_scored_against_the_people_sharing_most_of_its_keys(world, monkeypatch):
    """A common surname is shared by thousands in a large archive: each row is scored against
    the few people sharing the most of its matching keys, and its true match is among them."""
    from casework.people import matching

    monkeypatch.setattr(matching, "ROW_CANDIDATES", 2)
    case = world["case"]
    for _ in range(4):  # namesakes: other people of the same name
        person = people_services.create_person(world["monitor"], [NameInput("Алишер Холматов")])
        case_services.add_person_to_case(world["monitor"], case, person, "witness")
    db.session.commit()
    loaded: list[int] = []
    load = matching._load_people
    monkeypatch.setattr(matching, "_load_people", lambda ids: loaded.extend(ids) or load(ids))
    (found,) = matching.match_many(world["monitor"], [matching.Query(["Alisher Kholmatov"])])
    assert [c.person.public_id for c in found][:1] == [_person(case).public_id]
    assert len(loaded) == 2  # of the five Alisher Kholmatovs (ties: the oldest first)


def test_a_search_keeps_the_person_sharing_every_key_however_many_share_one(world, monkeypatch):
    """Candidates are capped (a common name is shared by thousands in a large archive): those
    sharing the most matching keys are kept, so the full name is found among many namesakes
    of a part of it, even when the person was recorded last."""
    from casework.people import matching

    monkeypatch.setattr(matching, "MAX_CANDIDATES", 3)
    case = world["case"]
    for _ in range(5):  # namesakes sharing one of the name's three pairs of words
        person = people_services.create_person(world["monitor"], [NameInput("Memet Tursun")])
        case_services.add_person_to_case(world["monitor"], case, person, "witness")
    target = people_services.create_person(world["monitor"], [NameInput("Memet Abdulla Tursun")])
    case_services.add_person_to_case(world["monitor"], case, target, "witness")
    db.session.commit()
    query = ["Memet Abdulla Tursun"]
    assert _ids(find_matches(world["monitor"], query))[:1] == [target.public_id]
    # The cap holds: three people scored, the one sharing every key first.
    candidates = matching.candidate_ids(world["monitor"], query)
    assert len(candidates) == 3 and candidates[0] == target.id


def test_an_import_row_keeps_the_namesake_of_its_birth_year_and_nationality(world, monkeypatch):
    """Among many people sharing as many of a row's keys, those whose birth year and
    nationality agree with the row's are the ones scored, even when recorded last."""
    from casework.people import matching

    monkeypatch.setattr(matching, "ROW_CANDIDATES", 2)
    case = world["case"]
    namesakes = {}
    for year, nationality in ((1970, "UZ"), (1985, "KG"), (1990, "UZ"), (1960, "CN")):
        namesakes[year] = person = people_services.create_person(
            world["monitor"],
            [NameInput("Алишер Холматов")],
            birth_date=str(year),
            nationality=nationality,
        )
        case_services.add_person_to_case(world["monitor"], case, person, "witness")
    target = people_services.create_person(
        world["monitor"], [NameInput("Alisher Xolmatov")], birth_date="1984", nationality="KG"
    )
    case_services.add_person_to_case(world["monitor"], case, target, "witness")
    db.session.commit()
    query = matching.Query(["Alisher Kholmatov"], birth_year=1984, nationality="kg")
    (found,) = matching.match_many(world["monitor"], [query])
    # The one born in 1984 in Kyrgyzstan and the one of 1985 there; no other was scored.
    assert {c.person.id for c in found} == {target.id, namesakes[1985].id}


def test_a_search_finds_the_people_it_may_see_beyond_those_it_may_not(app, world, monkeypatch):
    """The best-ranked candidates are asked of the policy a batch at a time: when the first
    batch holds only people of a restricted case, the visible namesakes come from the next."""
    from casework.people import matching

    monkeypatch.setattr(matching, "MAX_CANDIDATES", 2)
    monkeypatch.setattr(matching, "POLICY_BATCH", 2)
    visible = people_services.create_person(world["monitor"], [NameInput("Memet Tursun")])
    case_services.add_person_to_case(world["monitor"], world["case"], visible, "witness")
    db.session.commit()
    restricted = intake(_client(app, world["other_monitor"]), name="Memet Tursun")
    restricted.restricted = True
    for _ in range(3):  # recorded last: ranked first among as many shared keys
        person = people_services.create_person(world["other_monitor"], [NameInput("Memet Tursun")])
        case_services.add_person_to_case(world["other_monitor"], restricted, person, "witness")
    db.session.commit()

    assert _ids(find_matches(world["coordinator"], ["Memet Tursun"])) == [visible.public_id]
    # The restricted case's team still finds its own people, the first two ranked.
    assert len(find_matches(world["other_monitor"], ["Memet Tursun"])) == 2


@pytest.mark.parametrize("few_teams", [True, False])
def test_someone_on_few_teams_has_only_the_people_of_their_cases_ranked(
    app, world, monkeypatch, few_teams
):
    """A monitor on few teams: the search ranks the people of their cases only, not every
    namesake in the archive (whom the policy would refuse one batch after another). Either
    way the monitor finds their own witness and none of another team's namesakes."""
    from sqlalchemy import event

    from casework import permissions
    from casework.people import matching

    if not few_teams:
        monkeypatch.setattr(permissions, "FEW_TEAMS", 0)
    monkeypatch.setattr(matching, "POLICY_BATCH", 2)
    mine = people_services.create_person(world["monitor"], [NameInput("Memet Tursun")])
    case_services.add_person_to_case(world["monitor"], world["case"], mine, "witness")
    for _ in range(3):  # recorded last: ranked first among as many shared keys
        person = people_services.create_person(world["other_monitor"], [NameInput("Memet Tursun")])
        case_services.add_person_to_case(world["other_monitor"], world["other"], person, "witness")
    db.session.commit()
    statements = []
    listen = (db.engine, "before_cursor_execute", lambda *args: statements.append(args[2]))
    event.listen(*listen)
    try:
        found = find_matches(world["monitor"], ["Memet Tursun"])
    finally:
        event.remove(*listen)
    assert _ids(found) == [mine.public_id]
    rankings = [s for s in statements if "FROM person_name_keys" in s]
    # On many teams, the ranking of every namesake is read, and only its rest, beyond the
    # first batch, asked of the policy in the database.
    assert rankings and ("case_people" in rankings[0]) == few_teams, rankings
    assert len(rankings) == 1 if few_teams else 2, rankings
    # The other team finds its three and not the monitor's witness.
    found = find_matches(world["other_monitor"], ["Memet Tursun"])
    assert len(found) == 3 and mine.public_id not in _ids(found)


@pytest.mark.parametrize("words", ["Tursun", "Memet Tursun"])
def test_the_namesakes_one_may_not_see_are_passed_over_in_one_statement(world, monkeypatch, words):
    """A monitor on many teams searching a common name: the namesakes ranked first are of other
    teams, batch after batch. Beyond the first batch, the policy is asked in the database, in
    the ranking's order (the newest, or the most keys shared, first), in one statement however
    many namesakes come before the monitor's own; the coordinator, who sees them all, gets the
    first of them."""
    from sqlalchemy import event

    from casework import permissions
    from casework.people import matching

    monkeypatch.setattr(permissions, "FEW_TEAMS", 0)
    monkeypatch.setattr(matching, "POLICY_BATCH", 2)
    mine = []
    for _ in range(2):
        person = people_services.create_person(world["monitor"], [NameInput("Memet Tursun")])
        case_services.add_person_to_case(world["monitor"], world["case"], person, "witness")
        mine.append(person.id)
    theirs = []
    for _ in range(9):  # recorded last: ranked first among as many shared keys
        person = people_services.create_person(world["other_monitor"], [NameInput("Memet Tursun")])
        case_services.add_person_to_case(world["other_monitor"], world["other"], person, "witness")
        theirs.append(person.id)
    db.session.commit()
    statements = []
    listen = (db.engine, "before_cursor_execute", lambda *args: statements.append(args[2]))
    event.listen(*listen)
    try:
        found = matching.candidate_ids(world["monitor"], [words], limit=2)
    finally:
        event.remove(*listen)
    assert found == mine[::-1]  # the newest first
    # The first batch read and asked of the policy; then the rest of the ranking, asked of it.
    assert len([s for s in statements if "FROM person_name_keys" in s]) == 2, statements
    assert len([s for s in statements if "case_people" in s]) == 2, statements
    assert matching.candidate_ids(world["coordinator"], [words], limit=2) == theirs[::-1][:2]


def test_whoever_sees_the_namesakes_reads_one_batch_of_the_ranking(world, monkeypatch):
    """A coordinator sees every namesake: the ranking is read a batch at a time from the
    database (LIMIT), once, not the whole list of people bearing a common name; someone who
    sees fewer of them reads the rest of it once more and still finds their own."""
    from sqlalchemy import event

    from casework.people import matching

    monkeypatch.setattr(matching, "POLICY_BATCH", 3)
    ids = []
    for _ in range(8):
        person = people_services.create_person(world["other_monitor"], [NameInput("Memet Tursun")])
        case_services.add_person_to_case(world["other_monitor"], world["other"], person, "witness")
        ids.append(person.id)
    db.session.commit()
    statements = []
    listen = (db.engine, "before_cursor_execute", lambda *args: statements.append(args[2]))
    event.listen(*listen)
    try:
        found = matching.candidate_ids(world["coordinator"], ["Memet Tursun"], limit=2)
    finally:
        event.remove(*listen)
    assert found == ids[::-1][:2]  # the newest first
    (ranking,) = [s for s in statements if "FROM person_name_keys" in s]
    assert "LIMIT" in ranking.upper(), ranking
    assert len([s for s in statements if "FROM people" in s]) == 1  # one batch asked


def test_a_name_borne_by_more_people_than_shown_says_so(app, world, monkeypatch):
    """A common surname matches more cases than the page lists: it says that the best are
    shown and asks for more of the name, on the page and in the API; a name that matches
    no more than it lists says nothing of the kind."""
    from casework.cases import listing
    from tests.api_clients import api_for

    monkeypatch.setattr(listing, "NAME_RESULTS", 2)
    client = world["client"]
    html = client.post("/cases/search", data={"name": "Kholmatov"}).get_data(as_text=True)
    assert "1 case(s)" in html and "best matches are shown" not in html
    for given in ("Rustam", "Dilnoza"):
        intake(client, name=f"{given} Kholmatov")
    html = client.post("/cases/search", data={"name": "Kholmatov"}).get_data(as_text=True)
    assert "More than 2 cases" in html and "the 2 best matches are shown" in html
    assert len(re.findall(r'href="/cases/[\w-]{16}"', html)) == 2
    api = api_for(app, world["monitor"])
    found = api.post("people/match", json={"name": "Kholmatov"}).get_json()
    assert len(found["items"]) == 2 and found["more"] is True
    found = api.post("people/match", json={"name": "Rustam Kholmatov"}).get_json()
    assert found["more"] is False and found["items"]


def test_among_more_namesakes_than_are_scored_the_newest_records_are(world, monkeypatch):
    """A surname borne by thousands: of the people sharing as many keys, the newest are scored
    (someone recorded today, detained today, is found before namesakes of years ago)."""
    from casework.people import matching

    monkeypatch.setattr(matching, "MAX_CANDIDATES", 2)
    older = []
    for _ in range(3):
        person = people_services.create_person(world["monitor"], [NameInput("Memet Tursun")])
        case_services.add_person_to_case(world["monitor"], world["case"], person, "witness")
        older.append(person.id)
    today = people_services.create_person(world["monitor"], [NameInput("Memet Tursun")])
    case_services.add_person_to_case(world["monitor"], world["case"], today, "witness")
    db.session.commit()
    assert matching.candidate_ids(world["monitor"], ["Memet Tursun"]) == [today.id, older[-1]]
    assert today.public_id in _ids(find_matches(world["monitor"], ["Memet Tursun"]))


def test_adding_someone_recorded_says_when_more_bear_the_name_than_are_shown(
    app, world, monkeypatch
):
    """Many people of the archive bear a surname: the panel shows the best and asks for more
    of the name, as the name search does; with no more than it shows, it says nothing."""
    from casework.people import views

    monkeypatch.setattr(views, "FOUND_SHOWN", 1)
    client = world["client"]
    second = intake(client, name="Rustam Karimov")
    url = f"/cases/{second.public_id}/people/new"
    find = {"find-name": "Kholmatov", "find-role": "witness"}
    html = client.post(url, data=find).get_data(as_text=True)
    assert _person(world["case"]).public_id in html and "best matches are shown" not in html
    intake(client, name="Dilnoza Kholmatova")
    intake(client, name="Bakhtiyor Kholmatov")
    html = client.post(url, data=find).get_data(as_text=True)
    assert "the 1 best matches are shown" in html
    assert html.count('name="link-person"') == 1


def test_an_upgrade_of_the_rules_rebuilds_the_keys_on_seed(app, world):
    """Keys stored by older rules do not find what newer rules look for: ``flask seed`` (run by
    ``make migrate`` and ``make serve``) rebuilds them once, then leaves them alone."""
    from casework.core import indexversions
    from casework.people import matching

    person = _person(intake(world["client"], name="Каримов Б.Т.")).public_id
    # As an installation upgraded from rules 1 finds it: keys of the old rules (here: none for
    # the initials), and the version the migration records.
    db.session.execute(PersonNameKey.__table__.delete())
    indexversions.record(matching.INDEX_NAME, 1)
    db.session.commit()
    assert find_matches(world["monitor"], ["Bakhtiyor Karimov"]) == []
    runner = app.test_cli_runner()
    result = runner.invoke(args=["seed"])
    assert result.exit_code == 0, result.output
    assert f"rules 1 -> {matching.RULES_VERSION}" in result.output
    assert _ids(find_matches(world["monitor"], ["Bakhtiyor Karimov"])) == [person]
    assert indexversions.built_with(matching.INDEX_NAME) == matching.RULES_VERSION
    result = runner.invoke(args=["seed"])
    assert "keys up to date" in result.output


def test_a_name_search_from_the_command_line_is_audited_as_on_the_pages(app, world):
    """Who looked for whom, and how many they found (never the name): as the page's and the
    API's name searches are."""
    runner = app.test_cli_runner()
    monitor = world["monitor"]
    result = runner.invoke(
        args=["people", "match", "--as", monitor.email], input="Xolmatov Alisher\n"
    )
    assert result.exit_code == 0, result.output
    db.session.expire_all()
    entry = db.session.scalar(select(AuditEntry).where(AuditEntry.action == "case.name_search"))
    assert entry is not None and entry.actor_id == monitor.id
    assert entry.details == {"results": 1}
    assert "Xolmatov" not in json.dumps(entry.details) and entry.client_addr is None


def test_one_word_finds_its_bearers_first_then_those_recorded_under_a_name_said_fondly(world):
    """One word is one key: its bearers are read from the index newest first, and a person
    recorded under a pet form it begins (Дилька for Дилноза) comes after them, not lost."""
    from casework.people.matching import candidate_ids

    case = world["case"]
    fond = people_services.create_person(world["monitor"], [NameInput("Дилька")])
    case_services.add_person_to_case(world["monitor"], case, fond, "witness")
    full = people_services.create_person(world["monitor"], [NameInput("Дилноза Юсупова")])
    case_services.add_person_to_case(world["monitor"], case, full, "witness")
    db.session.commit()
    assert candidate_ids(world["monitor"], ["Дилноза"]) == [full.id, fond.id]
    # The pet form itself finds both: its own bearer, then the name it begins.
    assert set(candidate_ids(world["monitor"], ["Дилька"])) == {full.id, fond.id}


def _people_read(monkeypatch):
    """Rows read from the people table (a birth date with them), statement by statement."""
    read: list[int] = []
    execute = db.session.execute

    def counting(statement, *args, **kwargs):
        result = execute(statement, *args, **kwargs)
        if "people.birth_date" not in str(statement):
            return result
        frozen = result.freeze()
        read.append(len(frozen.data))
        return frozen()

    monkeypatch.setattr(db.session, "execute", counting)
    return read


def _add_people(world, names, count, **facts):
    for _ in range(count):
        person = people_services.create_person(
            world["monitor"], [NameInput(n) for n in names], **facts
        )
        case_services.add_person_to_case(world["monitor"], world["case"], person, "witness")
    db.session.commit()


def test_an_import_reads_only_the_people_who_may_be_a_rows_candidates(world, monkeypatch):
    """A row's candidates are those sharing most of its keys: the people sharing fewer (the
    thousands of a common name in a large archive) are not read from the people table one key
    each, and a file of many rows takes as many statements as a file of one."""
    from casework.people import matching

    monkeypatch.setattr(matching, "ROW_CANDIDATES", 2)
    both = ["Dilshod Rakhimov", "Bakhrom Yusupov"]
    _add_people(world, both, 3)
    row = matching.Query(both)

    def people_read(partial: int) -> int:
        _add_people(world, ["Bakhrom Yusupov"], partial)  # share one name of the row's two
        read = _people_read(monkeypatch)
        (found,) = matching.match_many(world["monitor"], [row])
        monkeypatch.undo()
        monkeypatch.setattr(matching, "ROW_CANDIDATES", 2)
        assert len(found) == 2 and all(len(c.names) == 2 for c in found)
        return sum(read)

    assert people_read(2) == people_read(12)

    def statements(queries: list) -> int:
        counted: list[str] = []

        def before(conn, cursor, statement, *args):
            counted.append(statement)

        event.listen(db.engine, "before_cursor_execute", before)
        try:
            found = matching.match_many(world["monitor"], queries)
        finally:
            event.remove(db.engine, "before_cursor_execute", before)
        assert found[0]
        return len(counted)

    others = [matching.Query([f"Bakhrom Yusupov {word}"]) for word in ("Ali", "Vali", "Oybek")]
    assert statements([row] * 30 + others * 10) == statements([row])


def test_an_import_row_finds_its_person_among_many_namesakes(app, world, monkeypatch):
    """The person recorded is found for a row among a file of many, however many share the
    whole name and more share a part of it: those agreeing on birth year and nationality are
    scored first. People a user may not see take no candidate's place: those sharing fewer
    keys are scored instead."""
    from casework.people import matching

    both = ["Dilshod Rakhimov", "Bakhrom Yusupov"]
    _add_people(world, both, 15, birth_date="1960")
    _add_people(world, both[1:], 20, birth_date="1984", nationality="UZ")
    target = people_services.create_person(
        world["monitor"],
        [NameInput("Дильшод Рахимов"), NameInput("Бахром Юсупов")],
        birth_date="1984",
        nationality="UZ",
    )
    case_services.add_person_to_case(world["monitor"], world["case"], target, "witness")
    db.session.commit()
    file = [matching.Query([f"Person{n} Family{n}"]) for n in range(40)]
    row = matching.Query(both, 1984, "uz")
    found = matching.match_many(world["monitor"], [*file, row, *file])
    assert found[40][0].person.id == target.id

    monkeypatch.setattr(matching, "ROW_CANDIDATES", 2)
    restricted = intake(_client(app, world["other_monitor"]), name="Memet Tursun")
    restricted.restricted = True
    for _ in range(3):  # sharing every key of the row, in a case the coordinator may not read
        person = people_services.create_person(
            world["other_monitor"], [NameInput("Dilshad Memet"), NameInput("Memet Tursun")]
        )
        case_services.add_person_to_case(world["other_monitor"], restricted, person, "witness")
    db.session.commit()
    query = matching.Query(["Dilshad Memet", "Memet Tursun"])
    (found,) = matching.match_many(world["coordinator"], [query])
    assert _ids(found) == [_person(world["other"]).public_id]
    # The restricted case's team scores its own people, the two sharing every key.
    (found,) = matching.match_many(world["other_monitor"], [query])
    assert len(found) == 2 and all(len(c.names) == 2 for c in found)


def test_an_import_row_says_why_for_the_candidates_it_keeps_only(world, monkeypatch):
    """A row scores up to ROW_CANDIDATES people and keeps the best few: the reasons (in the
    user's language) are written for those kept, not for each person scored."""
    from casework.people import matching

    _add_people(world, ["Dilshod Rakhimov"], 8, birth_date="1984", nationality="KG")
    said: list[str] = []
    gettext = matching.gettext
    monkeypatch.setattr(
        matching, "gettext", lambda text, **kw: said.append(text) or gettext(text, **kw)
    )
    (found,) = matching.match_many(
        world["monitor"], [matching.Query(["Dilshod Rakhimov"], 1984, "uz")], limit=2
    )
    assert len(found) == 2
    assert [r for c in found for r in c.reasons] == [
        reason
        for c in found
        for reason in (c.reasons[0], "same birth year", "different nationality")
    ]
    assert len(said) == sum(len(c.reasons) for c in found)


def test_the_candidates_names_are_opened_at_a_small_cost_each(world):
    """A common name brings hundreds of candidates, each of whose names is decrypted to be
    scored: what is the same for every name (the column, the keyring) is looked up once, so
    each name costs its decryption and little more, counted in function calls."""
    from pathlib import Path

    from casework.core import crypto, sealing
    from casework.people import matching
    from tests.test_page_python_costs import calls_within

    case = world["case"]
    people = []
    for n in range(30):
        person = people_services.create_person(world["monitor"], [NameInput(f"Холматов {n}")])
        case_services.add_person_to_case(world["monitor"], case, person, "witness")
        people.append(person.id)
    db.session.commit()
    matching._load_people(people)  # the statement compiled once
    files = {str(Path(module.__file__)) for module in (sealing, crypto)}
    calls, loaded = calls_within(files, lambda: matching._load_people(people))
    assert [loaded[i].names for i in people] == [[f"Холматов {n}"] for n in range(30)]
    assert calls <= 30 * 30, calls  # 47 a name when each looked up the column and keyring


def _names_opened(monkeypatch):
    """Sealed values decrypted, counted (the names of the people scored)."""
    from casework.core import sealing

    opened = []
    open_one = sealing._open
    monkeypatch.setattr(sealing, "_open", lambda *args: opened.append(args[3]) or open_one(*args))
    return opened


@pytest.mark.parametrize("bearers", [6, 24])
def test_the_names_decrypted_do_not_grow_with_the_bearers_of_a_name(world, monkeypatch, bearers):
    """A full name borne by hundreds: once as many as are shown score the most a name can,
    no namesake after them (the oldest first) can come before them, and their names are left
    sealed. The people found are those of scoring every candidate."""
    from casework.cases import listing
    from casework.people import matching

    # Older namesakes scoring less (an extra word) come after the newer who score the most.
    _add_people(world, ["Memet Tursun Ali"], 2)
    _add_people(world, ["Memet Tursun", "Мемет Турсун"], bearers)
    everyone = matching.candidate_ids(world["coordinator"], ["Memet Tursun"])
    assert len(everyone) == bearers + 2
    every_one_scored = matching._rank(
        matching._load_people(everyone).values(), ["Memet Tursun"], None, None, 85.0, 3
    )
    opened = _names_opened(monkeypatch)
    found = find_matches(world["coordinator"], ["Memet Tursun"], limit=3)
    assert [(c.person.id, c.score, c.matched_name, c.reasons) for c in found] == [
        (s.named.id, s.score, s.matched_name, s.reasons) for s in every_one_scored
    ]
    assert all(c.score == 100.0 for c in found)
    # The two scoring less, then three scoring the most, their two names each.
    assert len(opened) == 2 + 3 * 2, opened
    opened.clear()
    monkeypatch.setattr(listing, "NAME_RESULTS", 2)
    shown, more = listing.name_search_page(world["coordinator"], "Memet Tursun")
    assert not more and len(shown) == 1  # every bearer is a witness of the one case
    assert len(opened) == 2 + 3 * 2, opened


def test_fewer_scoring_the_most_than_are_shown_decrypts_every_candidate(world, monkeypatch):
    """When fewer candidates score the most than are asked for, any may be among the best:
    every candidate is scored, the same as before."""
    _add_people(world, ["Memet Tursun Ali"], 4)
    opened = _names_opened(monkeypatch)
    found = find_matches(world["coordinator"], ["Memet Tursun"], threshold=75.0, limit=10)
    assert len(found) == 4 and all(c.score < 100 for c in found)
    assert len(opened) == 4


def test_no_name_scores_more_than_the_top_score():
    """The early stop of a search relies on it: no pair of names scores above TOP_SCORE."""
    import csv
    from pathlib import Path

    from casework.people.matching import TOP_SCORE
    from casework.people.names import text_similarity

    with (Path(__file__).parent / "data" / "name_pairs.csv").open(encoding="utf-8") as f:
        rows = list(csv.reader(f))
    names = [cell for row in rows[1:] for cell in row[:2]]
    assert len(names) > 100
    for a in names[:200]:
        for b in names[:200]:
            assert text_similarity(a, b) <= TOP_SCORE, (a, b)
