"""The schema is built by the migrations only, and they match the models both ways."""

from __future__ import annotations

import os
from datetime import date
from pathlib import Path

import pytest
from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from alembic.script import ScriptDirectory
from flask import current_app
from flask_migrate import downgrade, upgrade
from sqlalchemy import delete, func, insert, inspect, select, text
from sqlalchemy.exc import IntegrityError

from casework.advocacy.models import UPRCycle
from casework.audit import chain
from casework.cases.models import Case, CaseMember
from casework.core import sealedfiles
from casework.core.crypto import Sealed, is_sealed_text
from casework.core.db import SQLITE_SEARCH_TABLES, compared_with_models, db
from casework.core.keyring import keyring
from casework.core.types import SecretText
from casework.core.vocab import Role, TeamRole
from tests.factories import make_case
from tests.world import build_world


def _diff() -> list:
    with db.engine.connect() as conn:
        opts = {"compare_type": True, "include_object": compared_with_models}
        context = MigrationContext.configure(conn, opts=opts)
        diff = compare_metadata(context, db.metadata)
    # PostgreSQL gives back an expression index in its own words (casts, line breaks), which
    # Alembic cannot always match to the model's: the same index name removed and added again
    # is that rendering, not a difference (tests/test_list_indexes.py proves the index serves).
    removed = {op[1].name for op in diff if op[0] == "remove_index"}
    added = {op[1].name for op in diff if op[0] == "add_index"}
    same = removed & added
    return [
        op for op in diff if not (op[0] in ("add_index", "remove_index") and op[1].name in same)
    ]


def test_models_match_upgrade_head(app):
    assert _diff() == []


def test_downgrade_to_base_and_upgrade_again(app):
    db.session.remove()
    downgrade(revision="base")
    remaining = set(inspect(db.engine).get_table_names()) - {"alembic_version"}
    assert remaining == set()
    upgrade()
    assert _diff() == []
    assert set(db.metadata.tables) <= set(inspect(db.engine).get_table_names())


# --- every revision, down and up again, on a populated database ------------------------------


def _script() -> ScriptDirectory:
    return ScriptDirectory.from_config(current_app.extensions["migrate"].migrate.get_config())


def test_there_is_one_head(app):
    assert len(_script().get_heads()) == 1


def _clear(conn, table: str, column: str, row_id, value):
    """A value as the application means it: sealed values opened, whatever the revision."""
    if isinstance(value, str) and is_sealed_text(value):
        return ("text", keyring().open_value(conn, Sealed(value), table, column, row_id))
    if isinstance(value, str):
        return ("text", value)
    return value


def _snapshot() -> dict[str, dict]:
    """Every row of every table by primary key, every column in clear, and the files' bytes."""
    snap: dict[str, dict] = {}
    with db.engine.connect() as conn:
        insp = inspect(conn)
        for table in insp.get_table_names():
            # SQLite's search tables index the text of other tables (a migration that changes
            # what is searched builds them again): an index, not data.
            if table == "alembic_version" or table.startswith(SQLITE_SEARCH_TABLES):
                continue
            pk = insp.get_pk_constraint(table)["constrained_columns"]
            rows = conn.execute(text(f'SELECT * FROM "{table}"')).mappings().all()  # noqa: S608
            snap[table] = {}
            for row in rows:
                row_id = row[pk[0]] if len(pk) == 1 else None
                key = tuple(row[c] for c in pk) if pk else tuple(row.values())
                snap[table][key] = {c: _clear(conn, table, c, row_id, v) for c, v in row.items()}
        folder = Path(current_app.config["UPLOAD_DIR"])
        files = {}
        for (name,) in conn.execute(text("SELECT storage_name FROM documents")):
            path = folder / name
            if sealedfiles.is_sealed_file(path):
                chunks = sealedfiles.iter_plaintext(
                    path, lambda kid: keyring().data_key(conn, kid), f"documents/{name}"
                )
                files[name] = b"".join(chunks)
            else:
                files[name] = path.read_bytes()
        snap["<files>"] = {(n,): {"bytes": b} for n, b in files.items()}
    return snap


def _same(a, b) -> bool:
    """Equal values, or one day as a date and as its ISO text (a column retyped to text)."""
    a, b = (v[1] if isinstance(v, tuple) and v[:1] == ("text",) else v for v in (a, b))
    if isinstance(a, str) and isinstance(b, date):
        a, b = b, a
    if isinstance(a, date) and isinstance(b, str):
        return a.isoformat() == b
    return a == b


def _kept(earlier: dict, later: dict) -> list[str]:
    """What ``later`` lost or changed of ``earlier``, over the tables and columns both have."""
    problems = []
    for table in sorted(set(earlier) & set(later)):
        before, after = earlier[table], later[table]
        if before.keys() != after.keys():
            problems.append(f"{table}: rows {len(before)} -> {len(after)}")
            continue
        for key, row in before.items():
            other = after[key]
            changed = [c for c in row.keys() & other.keys() if not _same(row[c], other[c])]
            if changed:
                problems.append(f"{table} {key}: {sorted(changed)} changed")
    return problems


def _populate() -> None:
    world = build_world()
    # The earlier schema held cycles of Kazakhstan only (a bare number), as an old installation.
    for cycle in db.session.scalars(select(UPRCycle)):
        cycle.state_under_review = "Kazakhstan"
    case = db.session.get(Case, world.ordinary.case.id)
    case.title = "Kept across every migration"
    case.authorised_on = date(2012, 3, 1)
    db.session.commit()
    db.session.remove()


def test_every_revision_downgrades_and_upgrades_on_a_populated_database(app, tmp_path, monkeypatch):
    """Walk from head to base one revision at a time: at each, downgrade then upgrade again.

    The downgrade keeps every row and value of the tables and columns the earlier schema has
    (encrypted values compared in clear, files by their bytes), and the upgrade gives them all
    back. What a revision adds (its tables and columns) is all its downgrade may drop.
    """
    from casework.core import storage

    monkeypatch.setitem(app.config, "UPLOAD_DIR", str(tmp_path / "uploads"))
    # The attachment store and the migrations that touch files must see the same folder.
    monkeypatch.setitem(
        app.extensions, storage.EXTENSION, storage.FileSystemStorage(str(tmp_path / "uploads"))
    )
    _populate()
    head = _snapshot()
    assert head["cases"] and head["<files>"] and head["upr_recommendations"]
    walked = []
    for script in _script().walk_revisions():
        if script.down_revision is None:
            break
        before = _snapshot() if walked else head
        schema = _schema()
        downgrade(revision=script.down_revision)
        db.session.remove()
        down, down_schema = _snapshot(), _schema()
        assert _kept(before, down) == [], f"downgrade of {script.revision} lost data"
        upgrade(revision=script.revision)
        db.session.remove()
        assert _kept(down, _snapshot()) == [], f"upgrade to {script.revision} lost data"
        assert _schema() == schema, f"{script.revision} down and up again: another schema"
        downgrade(revision=script.down_revision)
        db.session.remove()
        assert _schema() == down_schema, f"{script.revision} up and down again: another schema"
        walked.append(script.revision)
    assert len(walked) == len(list(_script().walk_revisions())) - 1

    # From the first revision back to head: the schema is the models', the data is readable.
    first = down
    upgrade()
    db.session.remove()
    assert _diff() == []
    final = _snapshot()
    assert _kept(first, final) == []
    assert _kept(_within(head, first), final) == []
    assert chain.verify(db.session).ok
    assert "Kept across every migration" in [c.title for c in db.session.scalars(select(Case))]
    # Every encrypted column holds sealed values only, as it did before the walk.
    with db.engine.connect() as conn:
        for table in db.metadata.sorted_tables:
            for column in table.columns:
                if isinstance(column.type, SecretText):
                    values = conn.execute(
                        text(f'SELECT "{column.name}" FROM "{table.name}"')  # noqa: S608
                    ).scalars()
                    assert all(v is None or is_sealed_text(v) for v in values), column


def _schema() -> dict[str, dict]:
    """Every table's columns (type, nullability, default), keys, foreign keys and indexes."""
    with db.engine.connect() as conn:
        insp = inspect(conn)
        return {
            table: {
                # A column added again comes last: the order is not the schema's.
                "columns": sorted(
                    (c["name"], str(c["type"]), c["nullable"], str(c.get("default")))
                    for c in insp.get_columns(table)
                ),
                "pk": insp.get_pk_constraint(table)["constrained_columns"],
                "fks": sorted(
                    (tuple(f["constrained_columns"]), f["referred_table"])
                    for f in insp.get_foreign_keys(table)
                ),
                "indexes": sorted(
                    (i["name"], tuple(i["column_names"]), bool(i["unique"]))
                    for i in insp.get_indexes(table)
                ),
                "unique": sorted(
                    tuple(u["column_names"]) for u in insp.get_unique_constraints(table)
                ),
            }
            for table in sorted(insp.get_table_names())
        }


def _within(snap: dict, schema: dict) -> dict:
    """``snap`` cut down to the tables and columns of the snapshot ``schema``."""
    cut = {}
    for table, rows in snap.items():
        if table not in schema or not schema[table]:
            continue
        columns = next(iter(schema[table].values())).keys()
        cut[table] = {k: {c: v for c, v in row.items() if c in columns} for k, row in rows.items()}
    return cut


def _version() -> str:
    with db.engine.connect() as conn:
        return conn.execute(text("SELECT version_num FROM alembic_version")).scalar_one()


def test_downgrades_that_would_lose_or_mislabel_data_refuse_and_change_nothing(app, make_user):
    """UPR recommendations of another State, and (PostgreSQL) text longer than an earlier column
    allows, stop the downgrade before it changes anything; once resolved, it goes through and
    the upgrade puts everything back."""
    from casework.advocacy.models import UPRRecommendation

    user = make_user()
    case = make_case(user, title="T" * 300)
    for state in ("Kazakhstan", "Uzbekistan"):
        cycle = UPRCycle(state_under_review=state, number=3)
        db.session.add(cycle)
        db.session.flush()
        db.session.add(
            UPRRecommendation(
                cycle_id=cycle.id, number="140.1", recommending_state="Norway", text="Refrain."
            )
        )
    db.session.commit()
    case_id = case.id
    db.session.remove()
    postgresql = db.engine.dialect.name == "postgresql"

    downgrade(revision="b7e2c4d91f03")
    if postgresql:
        with pytest.raises(SystemExit):  # Flask-Migrate reports the refusal and exits
            downgrade(revision="5e4c1a9b7d20")
        assert _version() == "b7e2c4d91f03"
        with db.engine.begin() as conn:
            ring = keyring()
            short = ring.seal_value(ring.active_key(conn), "cases", "title", case_id, "Short")
            conn.execute(
                text("UPDATE cases SET title = :t WHERE id = :i"), {"t": short.text, "i": case_id}
            )

    downgrade(revision="a89b5d0ea174")
    with pytest.raises(SystemExit):
        downgrade(revision="0d5a7e80d3b3")
    assert _version() == "a89b5d0ea174"
    with db.engine.begin() as conn:
        assert conn.execute(text("SELECT COUNT(*) FROM upr_recommendations")).scalar() == 2
        foreign = "SELECT id FROM upr_cycles WHERE state_under_review = 'Uzbekistan'"
        conn.execute(text(f"DELETE FROM upr_recommendations WHERE cycle_id IN ({foreign})"))  # noqa: S608

    downgrade(revision="0d5a7e80d3b3")
    with db.engine.connect() as conn:
        assert conn.execute(text("SELECT cycle, number FROM upr_recommendations")).all() == [
            (3, "140.1")
        ]
    upgrade()
    db.session.remove()
    recommendation = db.session.scalar(select(UPRRecommendation))
    cycle = db.session.get(UPRCycle, recommendation.cycle_id)
    assert (cycle.state_under_review, cycle.number) == ("Kazakhstan", 3)
    assert db.session.get(Case, case_id).title == ("Short" if postgresql else "T" * 300)
    assert _diff() == []


def test_remedy_dates_become_partial_and_go_back_only_when_every_one_is_a_day(app, make_user):
    """An exact filing date keeps its meaning up and down; a year, a month or an approximate
    date stops the downgrade before it changes anything."""
    from casework.core.types import PartialDate
    from casework.legal.models import Remedy

    case = make_case(make_user())
    exact = Remedy(case_id=case.id, kind="asylum_claim", filed_on=PartialDate(2011, 6, 20))
    partial = Remedy(case_id=case.id, kind="asylum_appeal", decided_on=PartialDate(2010, 8))
    db.session.add_all([exact, partial])
    db.session.commit()
    exact_id, partial_id = exact.id, partial.id
    db.session.remove()

    downgrade(revision="b3f7a2d9c5e1")  # the later revisions first, whatever they are
    with pytest.raises(SystemExit):
        downgrade(revision="a7c2e9f4d1b8")
    assert _version() == "b3f7a2d9c5e1"
    with db.engine.begin() as conn:
        conn.execute(
            text("UPDATE remedies SET decided_on = '2010-08-12' WHERE id = :i"), {"i": partial_id}
        )
        conn.execute(
            text("UPDATE remedies SET filed_on_approximate = :t WHERE id = :i"),
            {"t": True, "i": exact_id},
        )
    with pytest.raises(SystemExit):  # approximate: the earlier schema would call it established
        downgrade(revision="a7c2e9f4d1b8")
    with db.engine.begin() as conn:
        conn.execute(text("UPDATE remedies SET filed_on_approximate = :f"), {"f": False})
    downgrade(revision="a7c2e9f4d1b8")
    with db.engine.connect() as conn:
        rows = conn.execute(text("SELECT id, filed_on, decided_on FROM remedies ORDER BY id")).all()
    assert [(r[0], str(r[1]), str(r[2])) for r in rows] == [
        (exact_id, "2011-06-20", "None"),
        (partial_id, "None", "2010-08-12"),
    ]
    upgrade()
    db.session.remove()
    assert db.session.get(Remedy, exact_id).filed_on == PartialDate(2011, 6, 20)
    assert db.session.get(Remedy, partial_id).decided_on == PartialDate(2010, 8, 12)
    assert _diff() == []


def test_documents_attached_to_actions_before_get_their_actions_cases(app, make_user):
    """The cases an action had when a document was attached were not recorded before: the
    upgrade gives each such document the cases its action has (the most that is known)."""
    import io

    from casework.advocacy import services as advocacy
    from casework.core.vocab import ActionType
    from casework.evidence.services import store_document

    coordinator = make_user(Role.COORDINATOR)
    first, second = make_case(coordinator), make_case(coordinator)
    action = advocacy.create_action(
        coordinator,
        advocacy.ActionData(
            action_type=ActionType.URGENT_APPEAL,
            title="Joint appeal",
            case_references=[first.reference, second.reference],
        ),
    )
    document = store_document(coordinator, io.BytesIO(b"Letter\n"), "letter.txt", action=action)
    on_case = store_document(coordinator, io.BytesIO(b"Decision\n"), "d.txt", case=first)
    db.session.commit()
    expected = [(document.id, first.id), (document.id, second.id)]
    assert on_case.id not in {d for d, _ in expected}
    db.session.remove()

    downgrade(revision="c4e8b2f6a1d3")
    upgrade()
    db.session.remove()
    with db.engine.connect() as conn:
        rows = conn.execute(
            text("SELECT document_id, case_id FROM document_cases ORDER BY document_id, case_id")
        ).all()
    assert [tuple(r) for r in rows] == sorted(expected)
    assert _diff() == []


# --- foreign keys, on SQLite as on PostgreSQL --------------------------------------------------


def _member_row(case_id: int, user_id: int) -> dict:
    return {"case_id": case_id, "user_id": user_id, "team_role": TeamRole.MEMBER.value}


def test_a_row_pointing_at_no_row_is_refused_on_every_database(app, make_user):
    db.session.remove()
    db.engine.dispose()  # new connections, as a server opens them (not the migrations' one)
    user = make_user(Role.MONITOR)
    case = make_case(user)
    other = make_user(Role.MONITOR)
    # A row that points at existing rows is written ...
    db.session.execute(insert(CaseMember), [_member_row(case.id, other.id)])
    db.session.commit()
    # ... one that points at no case is refused, and nothing already saved is lost.
    with pytest.raises(IntegrityError):
        db.session.execute(insert(CaseMember), [_member_row(case.id + 1000, other.id)])
        db.session.flush()
    db.session.rollback()
    # A case its team still points at cannot be deleted from under it.
    with pytest.raises(IntegrityError):
        db.session.execute(delete(Case).where(Case.id == case.id))
        db.session.flush()
    db.session.rollback()
    assert db.session.scalar(select(func.count()).where(CaseMember.case_id == case.id)) == 2


@pytest.mark.skipif(
    "postgresql" in (os.environ.get("CASEWORK_TEST_DATABASE_URL") or ""),
    reason="SQLite only: PostgreSQL never lets the migrations switch its keys off",
)
def test_the_migrations_switch_sqlite_keys_off_and_end_only_when_every_key_holds(app, make_user):
    user = make_user(Role.MONITOR)
    nowhere, user_id = make_case(user).id + 1000, user.id
    db.session.remove()
    with db.engine.connect() as conn:
        conn.exec_driver_sql("PRAGMA foreign_keys=OFF")  # as an older installation ran
        conn.execute(insert(CaseMember), [_member_row(nowhere, user_id)])
        conn.commit()
        conn.exec_driver_sql("PRAGMA foreign_keys=ON")
    with pytest.raises(RuntimeError, match="do not exist .*Nothing was migrated"):
        command.upgrade(current_app.extensions["migrate"].migrate.get_config(), "head")
    with db.engine.connect() as conn:  # a failed run leaves no connection with keys off
        assert conn.exec_driver_sql("PRAGMA foreign_keys").scalar() == 1
    with db.engine.begin() as conn:
        conn.execute(delete(CaseMember).where(CaseMember.case_id == nowhere))
    upgrade()  # every key holds again: the migrations end
    with db.engine.connect() as conn:
        assert conn.exec_driver_sql("PRAGMA foreign_keys").scalar() == 1


def test_downgrading_records_location_and_document_cases_keeps_every_document(
    app, tmp_path, monkeypatch, make_user
):
    """Down past records_location and document_cases, every document stays, with its file and
    every other value; the upgrade then gives the action's documents their action's cases."""
    import io

    from casework.advocacy import services as advocacy
    from casework.core import storage
    from casework.core.vocab import ActionType
    from casework.evidence.services import store_document
    from tests.photos import photo

    monkeypatch.setitem(app.config, "UPLOAD_DIR", str(tmp_path / "uploads"))
    monkeypatch.setitem(
        app.extensions, storage.EXTENSION, storage.FileSystemStorage(str(tmp_path / "uploads"))
    )
    coordinator = make_user(Role.COORDINATOR)
    first, second = make_case(coordinator), make_case(coordinator)

    def action(cases):
        data = advocacy.ActionData(
            action_type=ActionType.URGENT_APPEAL,
            title="Appeal",
            case_references=[c.reference for c in cases],
        )
        return advocacy.create_action(coordinator, data)

    appeal, thematic = action([first, second]), action([])
    documents = [
        store_document(coordinator, io.BytesIO(photo(gps=True)), "IMG_1.jpg", action=appeal),
        store_document(coordinator, io.BytesIO(b"Letter\n"), "letter.txt", action=appeal),
        store_document(coordinator, io.BytesIO(b"Statement\n"), "s.txt", action=thematic),
        store_document(coordinator, io.BytesIO(b"Decision\n"), "d.txt", case=first),
    ]
    db.session.commit()
    ids = sorted(d.id for d in documents)
    assert [d.records_location for d in documents] == [True, False, False, False]
    db.session.remove()
    head = _snapshot()
    assert len(head["document_cases"]) == 4

    downgrade(revision="e5b1c7d9a3f2")
    db.session.remove()
    assert "records_location" not in {
        c["name"] for c in inspect(db.engine).get_columns("documents")
    }
    assert _kept(head, _snapshot()) == []
    downgrade(revision="c4e8b2f6a1d3")
    db.session.remove()
    down = _snapshot()
    assert "document_cases" not in down
    assert sorted(k[0] for k in down["documents"]) == ids
    assert _kept(head, down) == []  # every row and value of documents, and every file's bytes

    upgrade()
    db.session.remove()
    assert _kept(down, _snapshot()) == []
    assert sorted(_snapshot()["document_cases"]) == sorted(head["document_cases"])
    assert _diff() == []


def test_the_day_of_the_authorisation_is_sealed_by_the_upgrade_and_opened_by_the_downgrade(
    app, make_user
):
    """The day of the victim's authorisation was a plain date column: the upgrade seals the
    days already recorded in place (a sealed text column), the downgrade gives them back as
    dates, and the application reads the same day either way."""
    user = make_user()
    dated = make_case(user, authorised_on=date(2012, 3, 1)).id
    undated = make_case(user).id
    db.session.remove()

    def stored():
        with db.engine.connect() as conn:
            rows = conn.execute(text("SELECT id, authorised_on FROM cases ORDER BY id")).all()
        return dict(rows)

    def column_type():
        columns = inspect(db.engine).get_columns("cases")
        return str(next(c["type"] for c in columns if c["name"] == "authorised_on"))

    downgrade(revision="c7f3a1e9d5b2")
    db.session.remove()
    assert column_type() == "DATE"
    assert {k: str(v) if v else v for k, v in stored().items()} == {
        dated: "2012-03-01",
        undated: None,
    }
    upgrade()
    db.session.remove()
    assert column_type() == "TEXT"
    raw = stored()
    assert raw[undated] is None
    assert is_sealed_text(raw[dated]) and "2012" not in raw[dated]
    assert db.session.get(Case, dated).authorised_on == date(2012, 3, 1)
    assert db.session.get(Case, undated).authorised_on is None
    assert _diff() == []


def test_the_own_references_recorded_before_get_their_keys_from_the_upgrade(app, make_user):
    """The key an import finds a case's own reference by is computed by the upgrade for every
    case that has one, as the application computes it; the downgrade drops it."""
    from casework.cases.models import external_ref_key

    user = make_user()
    keyed = make_case(user, external_ref="KZ-17").id
    unkeyed = make_case(user).id
    db.session.remove()

    def stored():
        with db.engine.connect() as conn:
            rows = conn.execute(text("SELECT id, external_ref_key FROM cases ORDER BY id")).all()
        return dict(rows)

    before = stored()
    assert before == {keyed: external_ref_key("kz\u201317 "), unkeyed: None}
    downgrade(revision="c7f3a1e9d5b2")
    db.session.remove()
    assert "external_ref_key" not in {c["name"] for c in inspect(db.engine).get_columns("cases")}
    upgrade()
    db.session.remove()
    assert stored() == before
    assert _diff() == []
