"""Every query of the case list (each sort, each filter, a later page) reads cases through an
index, never a full scan of the table, on SQLite (EXPLAIN QUERY PLAN) and on PostgreSQL (EXPLAIN
with sequential scans priced out, as on a table large enough for them not to pay)."""

from __future__ import annotations

import os
from contextlib import contextmanager

import pytest
from sqlalchemy import event, insert, inspect, select, text
from werkzeug.datastructures import MultiDict

from casework.advocacy.models import UPRCycle, UPRRecommendation
from casework.cases import listing
from casework.cases.models import Case
from casework.core.db import OPTIONAL_INDEXES, db, new_public_id
from casework.core.vocab import CaseStatus, Role, TeamRole
from casework.legal.models import Instrument, Provision
from casework.search import services as search
from casework.search.models import SearchToken
from tests.conftest import forget_table_statistics
from tests.factories import make_case

_ON_POSTGRESQL = "postgresql" in (os.environ.get("CASEWORK_TEST_DATABASE_URL") or "")

FILTERS = [
    {},
    {"status": "verified"},
    {"urgency": "imminent"},
    {"status": "open", "urgency": "urgent_or_imminent"},  # the dashboard's urgent panel
    {"status": "draft", "created_by_me": "1"},  # the dashboard's drafts panel
    {"status": "returned", "created_by_me": "1"},  # the dashboard's returned cases
    {"act_type": "extradition"},
    {"destination": "UZ"},
    {"nationality": "UZ"},
    {"ethnicity": "Uyghur"},
    {"date_from": "2010-01-01", "date_to": "2012-12-31"},
    {"lawyer": "LAWYER"},
    {"mine": "1"},
    {"provision": "TST:1"},
    {"reference": "KZ-2011"},
]


@pytest.fixture(autouse=True)
def _plans_from_fresh_statistics(app):
    """A plan depends on what the planner knows of each table's size: each test starts from
    tables it knows nothing of, as on a new database, whatever tests ran before."""
    forget_table_statistics()


@contextmanager
def _statements(kinds: tuple[str, ...] = ("SELECT",)):
    """The SELECT statements (or those that start with one of ``kinds``: "WITH") with their
    parameters, run inside the block."""
    seen: list[tuple[str, object]] = []

    def before(conn, cursor, statement, parameters, context, executemany):
        if statement.lstrip().upper().startswith(kinds):
            seen.append((statement, parameters))

    event.listen(db.engine, "before_cursor_execute", before)
    try:
        yield seen
    finally:
        event.remove(db.engine, "before_cursor_execute", before)


def _plan(statement: str, parameters: object) -> list[str]:
    conn = db.session.connection()
    if db.engine.dialect.name == "postgresql":
        conn.exec_driver_sql("SET LOCAL enable_seqscan = off")
        rows = conn.exec_driver_sql("EXPLAIN " + statement, parameters).all()
        return [row[0] for row in rows]
    rows = conn.exec_driver_sql("EXPLAIN QUERY PLAN " + statement, parameters).all()
    return [row[-1] for row in rows]


def _full_scans_of_cases(statement: str, plan: list[str]) -> list[str]:
    if db.engine.dialect.name == "postgresql":
        return [line for line in plan if "Seq Scan on cases" in line]
    # SQLite names a walk of the table's own b-tree (its primary key) "SCAN cases" too: in
    # primary-key order and stopped by the LIMIT, without a sort, it is the index of that sort.
    by_primary_key = "ORDER BY cases.id" in statement and not any("TEMP B-TREE" in p for p in plan)
    return [line for line in plan if line.strip() == "SCAN cases" and not by_primary_key]


@pytest.fixture
def world(make_user):
    monitor = make_user(Role.MONITOR)
    coordinator = make_user(Role.COORDINATOR)
    lawyer = make_user(Role.LAWYER)
    for k in range(3):
        make_case(
            monitor,
            team=((lawyer, TeamRole.LAWYER),),
            act_date="2011-06" if k else None,
            destination_country="UZ",
        )
    instrument = Instrument(
        code="TST", title="Test", instrument_type="treaty", direction="protective"
    )
    db.session.add(instrument)
    db.session.flush()
    db.session.add(Provision(instrument_id=instrument.id, code="TST:1", title="Article 1"))
    db.session.commit()
    return {"monitor": monitor, "coordinator": coordinator, "lawyer": lawyer}


@pytest.mark.parametrize("sort", sorted(listing.SORTS))
@pytest.mark.parametrize("who", ["coordinator", "monitor"])
def test_every_list_query_reads_cases_through_an_index(world, sort, who):
    user = world[who]
    for args in FILTERS:
        args = {k: world["lawyer"].public_id if v == "LAWYER" else v for k, v in args.items()}
        filters = listing.CaseFilters.from_args(MultiDict({**args, "sort": sort}))
        assert not filters.errors
        base = listing.filtered_query(user, filters)
        with _statements() as seen:
            listing.count_capped(base)
            first, _, _ = listing.page_after(user, base, sort, "", listing.CURSOR_SALT, 1)
            if first:
                cursor = listing.keyset.make_cursor(
                    listing._secret(), listing.CURSOR_SALT, sort, first[0].id, before=False
                )
                listing.page_after(user, base, sort, cursor, listing.CURSOR_SALT, 1)
        pages = [(s, p) for s, p in seen if "ORDER BY" in s]
        counts = [(s, p) for s, p in seen if "count(" in s.lower()]
        assert pages and counts
        for statement, parameters in pages:
            plan = _plan(statement, parameters)
            assert not _full_scans_of_cases(statement, plan), (sort, args, plan)
        for statement, _ in counts:
            # The total reads at most COUNT_CAP + 1 rows, whatever the archive holds.
            assert "LIMIT" in statement.upper(), statement


def _reference_lookups(text: str) -> list[tuple[str, object]]:
    with _statements() as seen:
        listing.reference_clause(text)
    return seen


@pytest.mark.skipif(not _ON_POSTGRESQL, reason="PostgreSQL's trigram indexes (pg_trgm)")
def test_a_reference_is_looked_up_through_the_trigram_indexes(world):
    """ "Contains" on PostgreSQL: the references through their trigram index, not every
    reference read (SQLite has no such index: it reads the references' own index)."""
    # Enough cases for the planner to prefer the index to reading every reference.
    creator = db.session.query(Case).first().created_by_id
    rows = [
        {"reference": f"KZ-{2000 + n % 20}-{n:05d}", "created_by_id": creator}
        for n in range(1, 20001)
    ]
    db.session.execute(insert(Case), rows)
    db.session.commit()
    db.session.connection().exec_driver_sql("ANALYZE cases")
    lookups = _reference_lookups("2011-000")
    # Few cases have a former reference: its own index (of those that have one) serves.
    indexes = ["ix_cases_reference_trgm", "ix_cases_former_reference"]
    for (statement, parameters), index in zip(lookups, indexes, strict=True):
        plan = _plan(statement, parameters)
        assert any(index in line for line in plan), plan


@pytest.mark.skipif(not _ON_POSTGRESQL, reason="PostgreSQL's trigram indexes (pg_trgm)")
def test_without_pg_trgm_the_migration_goes_on_and_the_filter_still_finds(world, capfd):
    """An account that may not install the extension: a warning, no index, the same results."""
    from flask_migrate import downgrade, upgrade

    def no_extension(conn, cursor, statement, parameters, context, executemany):
        if "CREATE EXTENSION" in statement:
            statement = statement.replace("pg_trgm", "casework_no_such_extension")
        return statement, parameters

    expected = {c.reference for c in db.session.scalars(select(Case).where(
        listing.reference_clause("2011-06")))}  # fmt: skip
    db.session.remove()
    downgrade(revision="e2a7c4f9b6d1")
    event.listen(db.engine, "before_cursor_execute", no_extension, retval=True)
    try:
        upgrade()
    finally:
        event.remove(db.engine, "before_cursor_execute", no_extension)
    try:
        assert "pg_trgm could not be installed" in capfd.readouterr().err
        assert not OPTIONAL_INDEXES & {i["name"] for i in inspect(db.engine).get_indexes("cases")}
        found = db.session.scalars(select(Case).where(listing.reference_clause("2011-06")))
        assert {c.reference for c in found} == expected
    finally:
        db.session.remove()
        downgrade(revision="e2a7c4f9b6d1")
        upgrade()
    assert {i["name"] for i in inspect(db.engine).get_indexes("cases")} >= OPTIONAL_INDEXES


def test_histories_read_the_audit_trail_through_their_own_index(world):
    """The trail holds an entry for every view: a case's history and a catalogue entry's
    history must not walk it by date."""
    from casework.audit import services as audit
    from casework.legal import services as legal

    case = db.session.query(Case).first()
    provision = db.session.query(Provision).first()
    with _statements() as seen:
        audit.entries(case_id=case.id, changes_only=True, limit=50)
        legal.history(provision)
    assert len(seen) == 2
    for (statement, parameters), index in zip(
        seen, ["ix_audit_entries_case_at", "ix_audit_entries_object_at"], strict=True
    ):
        plan = _plan(statement, parameters)
        assert any(index in line for line in plan), plan


def test_a_case_file_finds_its_duplicates_through_the_partial_index(world):
    """Nearly every case is nobody's duplicate: once ANALYZE has counted the NULLs, a full
    index on the column looks useless to SQLite's planner, which then walks every case in
    reference order. The index holds the duplicates only."""
    from casework.cases import services

    case = db.session.query(Case).first()
    creator = case.created_by_id
    db.session.add_all(
        Case(reference=f"KZ-2014-{n:04d}", created_by_id=creator) for n in range(1, 301)
    )
    db.session.flush()
    db.session.add(Case(reference="KZ-2014-0999", created_by_id=creator, duplicate_of_id=case.id))
    db.session.commit()
    db.session.connection().exec_driver_sql("ANALYZE")
    with _statements() as seen:
        services.duplicates_of(case)
    (statement, parameters), *_ = [(st, p) for st, p in seen if "duplicate_of_id =" in st]
    plan = _plan(statement, parameters)
    assert any("ix_cases_duplicate_of_id" in line for line in plan), plan


def _four_actions(world, case=None) -> None:
    """Four actions the lawyer is responsible for, two overdue and two due soon; the overdue
    ones on ``case`` when given, the others thematic."""
    from datetime import date, timedelta

    from casework.advocacy import services as advocacy
    from casework.core.vocab import ActionStatus, ActionType

    for k in range(4):
        advocacy.create_action(
            world["coordinator"],
            advocacy.ActionData(
                action_type=ActionType.URGENT_APPEAL,
                title=f"Appeal {k}",
                status=ActionStatus.SUBMITTED,
                followup_due=date.today() + timedelta(days=-3 if k % 2 else 3),
                responsible_id=world["lawyer"].id,
                case_references=[case.reference] if case is not None and k % 2 else [],
            ),
        )
    db.session.commit()


@pytest.mark.parametrize("who", ["coordinator", "lawyer"])
def test_the_lists_of_actions_read_actions_through_an_index(world, who):
    """The list of actions (newest first) and each follow-up list (soonest first), a first and
    a later page, never read the whole table of actions."""
    from casework.advocacy import services as advocacy

    _four_actions(world)
    user = world[who]
    with _statements() as seen:
        _, _, after = advocacy.actions_after(user, size=1)
        advocacy.actions_after(user, after, size=1)
        for name in advocacy.FOLLOWUP_LISTS:
            page = advocacy.followup_page(user, name, size=1)
            advocacy.followup_page(user, name, page.next_cursor or "", size=1)
    lists = [(s, p) for s, p in seen if "FROM advocacy_actions" in s and "ORDER BY" in s]
    assert len(lists) >= 6
    for statement, parameters in lists:
        plan = _plan(statement, parameters)
        if db.engine.dialect.name == "postgresql":
            scans = [line for line in plan if "Seq Scan on advocacy_actions" in line]
        else:
            scans = [line for line in plan if line.strip() == "SCAN advocacy_actions"]
        assert not scans, (statement, plan)


@pytest.mark.parametrize("name", ["org_overdue", "org_upcoming"])
def test_the_organisation_s_follow_ups_are_read_in_order_from_the_index(world, name):
    """A coordinator's follow-up list of the whole organisation reads its first rows in the
    list's order from the index, with no sort: with the due date alone, PostgreSQL read and
    sorted every action due on the first dates of the list (hundreds in a large archive)."""
    from casework.advocacy import services as advocacy

    _four_actions(world)
    with _statements() as seen:
        page = advocacy.followup_page(world["coordinator"], name, size=1)
        advocacy.followup_page(world["coordinator"], name, page.next_cursor or "", size=1)
    lists = [(s, p) for s, p in seen if "FROM advocacy_actions" in s and "ORDER BY" in s]
    assert len(lists) == 2
    for statement, parameters in lists:
        plan = _plan(statement, parameters)
        assert any("ix_advocacy_actions_followup_due_id" in line for line in plan), plan
        assert not [line for line in plan if "Sort" in line or "TEMP B-TREE" in line], plan


def test_a_name_lookup_ranks_people_from_the_index_alone(world):
    """A common surname has thousands of keys in a large archive: they are counted per person
    from the (token, person) index, without reading the table of keys on SQLite (on
    PostgreSQL the index is used, read alone once the table is vacuumed)."""
    from casework.cases.services import add_person_to_case
    from casework.people import services as people
    from casework.people.matching import find_matches

    case = db.session.query(Case).first()
    for name in ("Memet Tursun", "Memet Abdulla Tursun"):
        person = people.create_person(world["monitor"], [people.NameInput(name)])
        add_person_to_case(world["monitor"], case, person, "witness")
    db.session.commit()
    with _statements() as seen:
        found = find_matches(world["coordinator"], ["Memet Abdulla Tursun"])
    assert found
    (statement, parameters), *_ = [(s, p) for s, p in seen if "GROUP BY" in s]
    plan = _plan(statement, parameters)
    if db.engine.dialect.name == "postgresql":
        assert any("ix_person_name_keys_token_person_id" in line for line in plan), plan
    else:
        assert any("COVERING INDEX ix_person_name_keys_token_person_id" in line
                   for line in plan), plan  # fmt: skip


def test_a_one_word_name_lookup_reads_the_newest_bearers_from_the_index_and_stops(world):
    """A surname alone is one key: everyone found shares it, so the newest bearers are read
    from the index in that order, up to the batch wanted, with no count or sort over every
    bearer (thousands of a common surname in a large archive)."""
    from casework.cases.services import add_person_to_case
    from casework.people import services as people
    from casework.people.matching import candidate_ids

    case = db.session.query(Case).first()
    bearers = []
    for given in ("Memet", "Ahmet", "Ilham", "Rustam"):
        person = people.create_person(world["monitor"], [people.NameInput(f"{given} Tursun")])
        add_person_to_case(world["monitor"], case, person, "witness")
        bearers.append(person.id)
    db.session.commit()
    with _statements() as seen:
        found = candidate_ids(world["coordinator"], ["Tursun"], limit=2)
    assert found == bearers[::-1][:2]
    (statement, parameters), *_ = [(s, p) for s, p in seen if "person_name_keys" in s]
    assert "GROUP BY" not in statement and "LIMIT" in statement.upper(), statement
    plan = _plan(statement, parameters)
    assert any("ix_person_name_keys_token_person_id" in line for line in plan), plan
    assert not [line for line in plan if "Sort" in line or "TEMP B-TREE" in line], plan


@pytest.mark.parametrize(
    ("filters", "limit", "status"),
    [
        (listing.drafts_filters, listing.DRAFTS_LIMIT, CaseStatus.DRAFT),
        (listing.returned_filters, listing.RETURNED_LIMIT, CaseStatus.RETURNED),
    ],
)
def test_the_own_cases_panels_read_a_user_s_cases_off_the_index_by_creator(
    world, filters, limit, status
):
    """A coordinator sees every case: their own drafts, and their cases returned to them, are
    found by the index of creator, status and change, in the panel's order, not by walking
    every case's changes."""
    user = world["coordinator"]
    make_case(user, status=status)
    with _statements() as seen:
        assert listing.first_of(user, filters(), limit)
    (statement, parameters), *_ = [(s, p) for s, p in seen if "ORDER BY" in s]
    plan = _plan(statement, parameters)
    assert any("ix_cases_created_by_id_status_updated_at_id" in line for line in plan), plan
    assert not [line for line in plan if "Sort" in line or "TEMP B-TREE" in line], plan


@pytest.mark.parametrize("sort", sorted(listing.SORTS))
def test_the_cases_of_someone_on_few_teams_are_found_from_their_teams(world, sort):
    """A monitor on three teams of a large archive: the list starts from the monitor's teams
    (then sorts a few rows), instead of walking every case in the list's order to ask each
    whether the monitor is on it."""
    user = world["monitor"]
    base = listing.filtered_query(user, listing.CaseFilters.from_args(MultiDict({"sort": sort})))
    with _statements() as seen:
        listing.page_after(user, base, sort, "", listing.CURSOR_SALT, 1)
    (statement, parameters), *_ = [(s, p) for s, p in seen if "ORDER BY" in s]
    assert "IN (SELECT case_members.case_id" in statement, statement
    plan = _plan(statement, parameters)
    if db.engine.dialect.name == "postgresql":
        assert not any("Seq Scan on cases" in line for line in plan), plan
    else:
        # The cases are looked up by id from the list of the monitor's teams, never walked.
        assert any("LIST SUBQUERY" in line for line in plan), plan
        assert not any(line.strip().startswith("SCAN cases") for line in plan), plan


def test_the_actions_of_a_lawyer_on_few_teams_are_found_from_their_teams(world):
    """A lawyer on few teams sees the actions of their cases and the thematic ones: both are
    looked up (from the teams, and by the thematic flag's index), instead of walking every
    action in the list's order to ask each about its cases."""
    from casework.advocacy import services as advocacy

    _four_actions(world, case=db.session.query(Case).first())
    user = world["lawyer"]
    with _statements() as seen:
        rows, _, _ = advocacy.actions_after(user)
        lists = advocacy.followups(user)
    assert len(rows) == 4 and lists.org_overdue and lists.org_upcoming
    # The follow-up lists read the thematic ones up to their page (the test below).
    statements = [(s, p) for s, p in seen if "ORDER BY advocacy_actions.created_at" in s]
    assert len(statements) == 1
    for statement, parameters in statements:
        assert "UNION" in statement, statement
        plan = _plan(statement, parameters)
        assert any("ix_advocacy_actions_thematic" in line for line in plan), plan
        if db.engine.dialect.name == "postgresql":
            assert not any("Seq Scan on advocacy_actions" in line for line in plan), plan
        else:
            assert any("LIST SUBQUERY" in line for line in plan), plan
            assert not any(line.strip().startswith("SCAN advocacy_actions") for line in plan), plan


def test_the_thematic_follow_ups_of_a_lawyer_on_few_teams_are_read_up_to_the_page(world):
    """The thematic actions a lawyer on few teams sees in a follow-up list are read from the
    index of their follow-up date, soonest first, and stop at the page: reading every thematic
    action before the list's dates and limit, the lists cost more as the archive grew. The
    actions of the lawyer's cases are still found from their teams."""
    from casework.advocacy import services as advocacy

    _four_actions(world, case=db.session.query(Case).first())
    user = world["lawyer"]
    with _statements() as seen:
        lists = advocacy.followups(user)
        for name in advocacy.FOLLOWUP_LISTS:
            page = advocacy.followup_page(user, name, size=1)
            advocacy.followup_page(user, name, page.next_cursor or "", size=1)
    assert lists.org_overdue and lists.org_upcoming
    statements = [(s, p) for s, p in seen if "FROM advocacy_actions" in s and "ORDER BY" in s]
    assert len(statements) >= 1 + 2 * len(advocacy.FOLLOWUP_LISTS)
    for statement, parameters in statements:
        plan = _plan(statement, parameters)
        if db.engine.dialect.name == "postgresql":
            # Which index the planner takes for tables this small is its guess: that the
            # thematic ones stop at the page (a limit of their own) is in the plan.
            assert any(line.strip().startswith("->  Limit") for line in plan), plan
            assert not any("Seq Scan on advocacy_actions" in line for line in plan), plan
        else:
            assert any("ix_advocacy_actions_thematic_followup_due" in line for line in plan), plan
            assert not any(line.strip().startswith("SCAN advocacy_actions") for line in plan), plan


@pytest.mark.skipif(_ON_POSTGRESQL, reason="SQLite's LIKE ignores case and skips the index")
def test_a_new_reference_is_numbered_from_the_index_of_its_year_alone(world):
    """An intake reads the references of its year only, not every reference of the archive."""
    from casework.cases import services

    taken = set(db.session.scalars(select(Case.reference)))
    with _statements() as seen:
        dated, undated = services.next_reference(2011), services.next_reference(None)
    assert dated.startswith("KZ-2011-") and undated.startswith("KZ-XXXX-")
    assert not {dated, undated} & taken
    assert len(seen) == 4
    for statement, parameters in seen:
        plan = _plan(statement, parameters)
        searched = [line for line in plan if line.startswith("SEARCH cases USING")]
        assert searched and not any(line.startswith("SCAN") for line in plan), plan


def test_the_audit_filters_choices_hop_through_the_trails_indexes(world):
    """The trail holds an entry for every view: its filter's choices (actions, kinds of object,
    people) are read value by value from its indexes, never by reading every entry."""
    from casework.audit import services as audit
    from casework.audit.models import AuditEntry
    from casework.core.db import distinct_values

    case = db.session.query(Case).first()
    for who in ("monitor", "lawyer", "monitor"):
        audit.record(world[who], "case.viewed", case, case=case)
    audit.record(None, "backup.created", object_type="backups", object_id="b1")
    db.session.commit()
    with _statements() as seen:
        actions, kinds, people = audit.actions(), audit.object_types(), audit.actors()
    for statement, parameters in [(st, p) for st, p in seen if "audit_entries" in st]:
        plan = _plan(statement, parameters)
        if db.engine.dialect.name == "postgresql":
            assert not [line for line in plan if "Seq Scan on audit_entries" in line], plan
        else:
            assert not [line for line in plan if line.strip().startswith("SCAN audit_entries")]
            assert any("INDEX" in line for line in plan), plan
    # The choices a DISTINCT over every entry gives, in order; no one for the system's entry.
    for found, column in ((actions, AuditEntry.action), (kinds, AuditEntry.object_type)):
        assert found == db.session.scalars(select(column).distinct().order_by(column)).all()
    assert {"case.viewed", "backup.created"} <= set(actions) and "cases" in kinds
    assert {u.id for u in people} == {world["monitor"].id, world["lawyer"].id}
    assert distinct_values(AuditEntry.actor_id) == sorted(u.id for u in people)


def test_among_is_an_in_list_that_postgresql_gets_as_one_array(world):
    """``core.db.among``: the same rows as ``IN (...)``, for no id, one and hundreds; on
    PostgreSQL sent as one array parameter (``= ANY``), not a parameter per id."""
    from casework.core.db import among

    ids = sorted(db.session.scalars(select(Case.id)))
    for wanted in ([], ids[:1], ids, [*ids, *range(10**6, 10**6 + 600)]):
        with _statements() as seen:
            found = sorted(db.session.scalars(select(Case.id).where(among(Case.id, wanted))))
        assert found == sorted(set(wanted) & set(ids))
        if _ON_POSTGRESQL:
            ((statement, parameters),) = seen
            assert "ANY" in statement and len(parameters) == 1, statement


def _recommendations(count: int) -> None:
    cycle = UPRCycle(state_under_review="Kazakhstan", number=2)
    db.session.add(cycle)
    db.session.flush()
    rows = [
        {
            "cycle_id": cycle.id,
            "number": f"120.{n}",
            "recommending_state": "Norway",
            "text": f"Respect the principle of non-refoulement ({n})",
            "public_id": new_public_id(),
        }
        for n in range(1, count + 1)
    ]
    db.session.execute(insert(UPRRecommendation), rows)
    db.session.commit()


_SEARCHED = ("FROM provisions", "FROM instruments", "FROM upr_recommendations")


def _catalogue_searches(user) -> list[tuple[str, str, object]]:
    """(table, statement, parameters) of each table a catalogue search for a word no row
    holds reads."""
    with _statements() as seen:
        found = search.search_catalogue(user, "Zzyzx")
    assert not (found.provisions or found.instruments or found.recommendations)
    searched = [(t, s, p) for s, p in seen for t in _SEARCHED if t in s]
    assert sorted(t for t, _, _ in searched) == sorted(_SEARCHED)
    return searched


@pytest.mark.skipif(_ON_POSTGRESQL, reason="SQLite's FTS5 tables")
def test_the_catalogue_and_recommendations_are_searched_through_their_fts5_tables(world):
    """On SQLite each table's matches come from its FTS5 table; thousands of recommendations
    are then looked up by id, never read row by row (a table of a few rows may be)."""
    _recommendations(3000)
    db.session.connection().exec_driver_sql("ANALYZE upr_recommendations")
    for table, statement, parameters in _catalogue_searches(world["coordinator"]):
        name = table.removeprefix("FROM ")
        plan = _plan(statement, parameters)
        assert any(line.startswith(f"SCAN {name}_fts VIRTUAL TABLE") for line in plan), plan
        if name == "upr_recommendations":
            assert f"SEARCH {name} USING INTEGER PRIMARY KEY (rowid=?)" in plan, plan
            assert f"SCAN {name}" not in plan, plan


@pytest.mark.skipif(not _ON_POSTGRESQL, reason="PostgreSQL's full-text indexes")
def test_the_catalogue_and_recommendations_are_searched_through_their_full_text_indexes(world):
    """A word no recommendation holds: the matches come from the GIN indexes of the expressions
    the search compares, not from computing every recommendation's text vector."""
    _recommendations(3000)
    db.session.connection().exec_driver_sql("ANALYZE upr_recommendations")
    indexes = {
        "FROM provisions": "ix_provisions_fulltext",
        "FROM instruments": "ix_instruments_fulltext",
        "FROM upr_recommendations": "ix_upr_recommendations_fulltext",
    }
    searched = _catalogue_searches(world["coordinator"])
    for table, statement, parameters in searched:
        if table == "FROM upr_recommendations":
            # Thousands of recommendations: the planner takes the index by itself.
            plan = _plan(statement, parameters)
            assert any(indexes[table] in line for line in plan), plan
        # Whatever the size, the index serves the very expression the search compares.
        conn = db.session.connection()
        conn.exec_driver_sql("SET LOCAL enable_indexscan = off")
        plan = _plan(statement, parameters)
        assert any(indexes[table] in line for line in plan), plan


def test_the_upr_document_reads_remedies_and_recommendations_of_its_cases_only(world):
    """The UPR document over a period's cases walked every domestic remedy of the archive (in id
    order, sparing a sort) and every UPR recommendation (no index led by the case): its cost grew
    with the archive, not with the cases it covers. Both are read from their cases' indexes."""
    from datetime import date

    from casework.advocacy.models import recommendation_cases
    from casework.core.vocab import RemedyKind
    from casework.legal.models import Remedy
    from casework.reports import upr
    from casework.reports.anonymise import Output, disclosure_facts

    creator = db.session.query(Case).first().created_by_id
    db.session.execute(
        insert(Case),
        [{"reference": f"KZ-2015-{n:04d}", "created_by_id": creator} for n in range(1, 2001)],
    )
    ids = sorted(db.session.scalars(select(Case.id)))
    db.session.execute(
        insert(Remedy),
        [
            {"case_id": c, "kind": RemedyKind.EXTRADITION_APPEAL, "public_id": new_public_id()}
            for c in ids[::2]
        ],
    )
    _recommendations(1000)
    recommendations = sorted(db.session.scalars(select(UPRRecommendation.id)))
    db.session.execute(
        insert(recommendation_cases),
        [
            {"recommendation_id": r, "case_id": c}
            for r, c in zip(recommendations, ids[: 2 * len(recommendations) : 2], strict=True)
        ],
    )
    db.session.commit()
    db.session.connection().exec_driver_sql("ANALYZE")
    # A period's cases among many more: remedies and recommendations on one case in two.
    covered = list(db.session.scalars(select(Case).where(Case.id.in_(ids[:400]))))
    with _statements() as seen:
        facts = disclosure_facts(covered, Output.UPR)
        found = upr._recommendations(
            covered, upr.Period(date(1990, 1, 1), date(2099, 12, 31)), None
        )
    assert sum(len(f.remedies) for f in facts.values()) == 200 and len(found) == 200
    read = [(s, p) for s, p in seen if "FROM remedies" in s or "upr_recommendations" in s]
    assert len(read) >= 2
    walks = []
    for statement, parameters in read:
        plan = _plan(statement, parameters)
        if db.engine.dialect.name == "postgresql":
            walks += [line for line in plan if "Seq Scan on remedies" in line
                      or "Seq Scan on upr_recommendations" in line]  # fmt: skip
        else:
            walks += [line for line in plan if line.strip().startswith("SCAN ")
                      and line.split()[1] in ("remedies", "upr_recommendations")]  # fmt: skip
    assert not walks


_COVERED = "USING COVERING INDEX ix_search_tokens_token_case_record (token=?)"


def test_the_rarest_word_of_a_search_is_counted_from_the_token_index(world):
    """The words of a full-text search are counted in one query, each from the (token, case,
    record) index and stopped past the window, never by reading the table of tokens."""
    from casework.cases import services as cases

    case = db.session.query(Case).first()
    cases.update_case(
        world["monitor"], case, {"narrative": "Detained and beaten at night."}, case.version
    )
    db.session.commit()
    with _statements() as seen:
        found = search.search_cases(world["coordinator"], "detained beaten night")
    assert [r.case.id for r in found.cases] == [case.id]
    # The words' counts: not the excerpts' count of each case's records (a window, OVER).
    counted = [
        (s, p)
        for s, p in seen
        if "count(*)" in s and "GROUP BY" not in s and "OVER (" not in s and "search_tokens" in s
    ]
    assert len(counted) == 1, [s for s, _ in seen]
    plan = _plan(*counted[0])
    if db.engine.dialect.name == "postgresql":
        assert [line for line in plan if "ix_search_tokens_token_case_record" in line], plan
        assert not [line for line in plan if "Seq Scan on search_tokens" in line], plan
    else:
        tokens = [line for line in plan if "search_tokens" in line]
        assert len(tokens) == 3, plan
        assert all(_COVERED in line for line in tokens), plan


def test_a_word_and_its_spellings_in_other_scripts_are_each_read_newest_first(world):
    """A word is looked up under its own token and its spelling keys in other scripts: each
    token's newest records are read from the (token, case, record) index alone and stopped at
    the window, not every record of all of them read and sorted (thousands of "Almaty" and
    "Алматы")."""
    from casework.cases import services as cases

    case = db.session.query(Case).first()
    cases.update_case(world["monitor"], case, {"narrative": "Held in Алматы."}, case.version)
    db.session.commit()
    with _statements() as seen:
        found = search.search_cases(world["coordinator"], "Almaty")
    assert [r.case.id for r in found.cases] == [case.id]
    (window, parameters), *_ = [(s, p) for s, p in seen if "search_tokens" in s and "hits" in s]
    assert "UNION ALL" in window and "search_tokens.token IN" not in window.split("sum(")[0]
    plan = _plan(window, parameters)
    if db.engine.dialect.name == "postgresql":
        assert not [line for line in plan if "Seq Scan on search_tokens" in line], plan
        assert [line for line in plan if "ix_search_tokens_token_case_record" in line], plan
    else:
        # Each record of the window is read from the index alone (case, kind, record), never
        # from the table.
        tokens = [line for line in plan if "search_tokens" in line]
        assert len(tokens) >= 2, plan
        assert all(_COVERED in line for line in tokens), plan


def test_a_document_reads_its_cases_people_through_the_index_by_case(world):
    """The people of a document's cases (a UPR submission over a thousand) are read by case
    from the index on (case, person), not by a walk of every person of every case in the order
    of their ids (which spares a sort, and costs what the archive holds)."""
    from datetime import date

    from casework.cases import services as cases
    from casework.people import services as people
    from casework.people.services import NameInput
    from casework.reports import upr

    coordinator = world["coordinator"]
    for k in range(3):
        case = make_case(
            coordinator, act_date=f"2021-0{k + 1}", status=CaseStatus.VERIFIED, narrative="Held."
        )
        person = people.create_person(
            coordinator, [NameInput(f"Alisher Umarov{k}", None, "as_given")]
        )
        cases.add_person_to_case(coordinator, case, person, "at_risk")
        case.status = CaseStatus.VERIFIED
    db.session.commit()
    sqlite = db.engine.dialect.name == "sqlite"
    if sqlite:
        # As on a working archive: the planner knows the tables' sizes.
        db.session.execute(text("ANALYZE"))
    try:
        with _statements() as seen:
            upr.generate_text(coordinator, upr.Period(date(2021, 1, 1), date(2021, 12, 31)), False)
    finally:
        if sqlite:  # the next tests' plans start from tables the planner knows nothing of
            db.session.execute(text("DELETE FROM sqlite_stat1"))
            db.session.execute(text("ANALYZE sqlite_schema"))
            db.session.commit()
    read = [
        (s, p)
        for s, p in seen
        if "FROM case_people WHERE case_people.case_id IN" in " ".join(s.split())
    ]
    assert read
    for statement, parameters in read:
        plan = _plan(statement, parameters)
        walks = [
            line
            for line in plan
            if line.strip() == "SCAN case_people" or "Seq Scan on case_people" in line
        ]
        assert not walks, plan


def _events_read_by_case(plan: list[str]) -> list[str]:
    """The reads of ``events`` in ``plan`` that are not look-ups by case: a walk of the table,
    or of an index over every case (of the kinds read, say)."""
    tables = ("events",)
    if db.engine.dialect.name == "postgresql":
        walks = []
        for i, line in enumerate(plan):
            words = line.split()
            if "on" not in words or words[words.index("on") + 1] not in tables:
                continue
            if "Seq Scan" in line:
                walks.append(line)
                continue
            # The node's index condition (a bitmap's recheck of it) names the cases, not a
            # filter applied to every row of an index.
            conditions = [
                below
                for below in plan[i + 1 : i + 4]
                if below.split(":")[0].strip() in ("Index Cond", "Recheck Cond")
            ]
            if not any("case_id = ANY" in c for c in conditions):
                walks.append(line)
        return walks
    return [
        line
        for line in plan
        if line.split()[:2] in (["SCAN", t] for t in tables)
        or (line.split()[1:2] in ([t] for t in tables) and "case_id=?" not in line)
    ]


def test_a_period_s_statistics_read_the_events_of_its_cases_only(world):
    """What became of people after return and the interim measures of a period read every
    event of the archive: a hash join over the whole table, nested loops being off for the
    statistics on PostgreSQL, so that their cost grew with the archive, not with the period.
    The period's events are looked up by case, through an index."""
    from datetime import date

    from casework.advocacy.models import AdvocacyAction, action_cases
    from casework.cases.models import Event
    from casework.core.vocab import ActionType, EventType
    from casework.reports import statistics

    creator = db.session.query(Case).first().created_by_id
    db.session.execute(
        insert(Case),
        [
            {
                # Not the factories' KZ-2011-NNNN, whatever their count has reached.
                "reference": f"ST-{2000 + n % 20}-{n:04d}",
                "act_date": f"{2000 + n % 20}-06",
                "status": CaseStatus.VERIFIED,
                "created_by_id": creator,
            }
            for n in range(1, 2001)
        ],
    )
    ids = sorted(db.session.scalars(select(Case.id)))
    kinds = [
        EventType.INTERIM_MEASURES_REQUEST,
        EventType.INTERIM_MEASURES_GRANTED,
        EventType.REMOVAL,
        EventType.AFTER_RETURN_DETENTION,
        EventType.ARREST,
    ]
    db.session.execute(
        insert(Event),
        [
            {"case_id": c, "event_type": kind, "date": "2010-05", "public_id": new_public_id()}
            for c in ids
            for kind in kinds
        ],
    )
    # Through the unit of work: an action's title is sealed.
    db.session.add_all(
        AdvocacyAction(
            action_type=ActionType.INTERIM_MEASURES_REQUEST, title="Request", thematic=False
        )
        for _ in ids[::8]
    )
    db.session.flush()
    actions = sorted(db.session.scalars(select(AdvocacyAction.id)))
    db.session.execute(
        insert(action_cases),
        [{"action_id": a, "case_id": c} for a, c in zip(actions, ids[::8], strict=True)],
    )
    db.session.commit()
    db.session.connection().exec_driver_sql("ANALYZE")
    # One year among twenty.
    filters = statistics.Filters(
        statuses=(CaseStatus.VERIFIED,), date_from=date(2011, 1, 1), date_to=date(2011, 12, 31)
    )
    try:
        with _statements(("SELECT", "WITH")) as seen:
            tables = statistics.statistics(
                world["coordinator"], filters, ("after_return", "interim_measures")
            )
        assert [t.rows for t in tables] == [
            [["Detention after return", 100]],
            [["Requested", 100], ["Granted", 100], ["Granted, yet the person was removed", 100]],
        ]
        read = [(s, p) for s, p in seen if "FROM events" in s]  # one statement each
        assert len(read) == 2
        for statement, parameters in read:
            with statistics._planner_for_aggregates():
                plan = _plan(statement, parameters)
            assert not _events_read_by_case(plan), plan
    finally:
        if db.engine.dialect.name == "sqlite":  # the next tests' plans start from no statistics
            db.session.execute(text("DELETE FROM sqlite_stat1"))
            db.session.execute(text("ANALYZE sqlite_schema"))
            db.session.commit()


def test_the_other_words_of_a_search_are_read_on_the_span_of_its_candidates(world):
    """A search of several words finds its candidates by the rarest, then reads the other
    words' records on those cases only: a range of the (token, case, record) index for each
    token, from the oldest candidate to the newest, never every token of each candidate case
    nor every record of a common word."""
    from casework.cases import services as cases

    older, *_, newest = db.session.scalars(select(Case).order_by(Case.id)).all()
    for case, narrative in ((older, "Detained at night."), (newest, "Detained at night, beaten.")):
        cases.update_case(world["monitor"], case, {"narrative": narrative}, case.version)
    # Cases with many more words than these: every token of a case is no small read.
    db.session.execute(
        insert(SearchToken),
        [
            {"token": os.urandom(16), "record_kind": "event", "record_id": k, "case_id": c}
            for c in (older.id, newest.id)
            for k in range(4000)
        ],
    )
    db.session.commit()
    db.session.connection().exec_driver_sql("ANALYZE")
    with _statements() as seen:
        found = search.search_cases(world["coordinator"], "detained night")
    assert [r.case.id for r in found.cases] == [newest.id, older.id]
    spans = [(s, p) for s, p in seen if "search_tokens" in s and "BETWEEN" in s]
    assert len(spans) == 1, [s for s, _ in seen]
    plan = _plan(*spans[0])
    if db.engine.dialect.name == "postgresql":
        assert [line for line in plan if "ix_search_tokens_token_case_record" in line], plan
        assert not [line for line in plan if "ix_search_tokens_case " in line], plan
        assert "case_id >=" in " ".join(plan) and "case_id <=" in " ".join(plan), plan
    else:
        tokens = [line for line in plan if "search_tokens" in line]
        assert tokens and all(
            "ix_search_tokens_token_case_record (token=? AND case_id>? AND case_id<?)" in line
            for line in tokens
        ), plan


def test_the_other_words_of_few_candidates_far_apart_are_looked_up_by_case(world):
    """Candidates few and far apart (a rare word spread over the archive, a reader of few
    teams): their other words are looked up case by case in the (token, case, record) index,
    not read over the span between them, which holds most records of a common word."""
    from casework.cases import services as cases
    from casework.search.index import term_token
    from casework.search.text import term_of

    creator = db.session.query(Case).first().created_by_id
    db.session.execute(
        insert(Case),
        [{"reference": f"SP-2012-{n:04d}", "created_by_id": creator} for n in range(1, 201)],
    )
    older = db.session.scalars(select(Case).order_by(Case.id)).first()
    newest = make_case(world["monitor"], narrative="Detained at night, beaten.")
    cases.update_case(world["monitor"], older, {"narrative": "Detained at night."}, older.version)
    # The span between them holds many records of the other word.
    db.session.execute(
        insert(SearchToken),
        [
            {
                "token": term_token(term_of("night")),
                "record_kind": "event",
                "record_id": k,
                "case_id": c,
            }  # fmt: skip
            for c in range(older.id + 1, newest.id)
            for k in range(20)
        ],
    )
    db.session.commit()
    db.session.connection().exec_driver_sql("ANALYZE")
    with _statements() as seen:
        found = search.search_cases(world["coordinator"], "detained night")
    assert [r.case.id for r in found.cases] == [newest.id, older.id]
    assert not [s for s, _ in seen if "search_tokens" in s and "BETWEEN" in s]
    held = [(s, p) for s, p in seen if s.lstrip().startswith("SELECT search_tokens.case_id")]
    assert len(held) == 1, [s for s, _ in seen]
    plan = _plan(*held[0])
    if db.engine.dialect.name == "postgresql":
        # By case: through either index on it (the planner's choice, both reading the
        # candidates' rows only).
        conditions = [line for line in plan if "Index Cond" in line]
        assert any("case_id = ANY" in line for line in conditions), plan
        assert not [line for line in plan if "Seq Scan" in line], plan
    else:
        tokens = [line for line in plan if "search_tokens" in line]
        assert tokens and all(
            "ix_search_tokens_token_case_record (token=? AND case_id=?)" in line for line in tokens
        ), plan
