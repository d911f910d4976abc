"""The audit trail is a hash chain: `audit verify` finds an edited, deleted or inserted row."""

from __future__ import annotations

import logging
import threading
from datetime import UTC, datetime, timedelta

import pytest
from flask_migrate import downgrade, upgrade
from sqlalchemy import select, text

from casework.audit import chain
from casework.audit.models import AuditChainHead, AuditEntry
from casework.audit.services import record
from casework.core.db import db
from casework.core.vocab import Role
from tests.factories import log_in


def _write_entries(n: int = 5) -> None:
    for i in range(n):
        record(None, "test.event", object_type="system", object_id=str(i), number=i)
        db.session.commit()


def _verify(app, *args: str):
    return app.test_cli_runner().invoke(args=["audit", "verify", *args])


def _entries() -> list[AuditEntry]:
    db.session.expire_all()
    return list(db.session.scalars(select(AuditEntry).order_by(AuditEntry.seq)))


def test_entries_form_an_unbroken_chain(app):
    _write_entries(5)
    entries = _entries()
    assert [e.seq for e in entries] == [1, 2, 3, 4, 5]
    assert entries[0].prev_hash == chain.GENESIS
    for before, after in zip(entries, entries[1:], strict=False):
        assert after.prev_hash == before.entry_hash
    result = _verify(app)
    assert result.exit_code == 0, result.output
    assert "intact: 5 entries" in result.output
    assert f"Head: 5:{entries[-1].entry_hash}" in result.output


def test_an_entry_is_appended_in_three_statements(app, count_queries):
    """Appending locks and reads the chain head in one statement (on SQLite a write that
    returns the head, on PostgreSQL SELECT ... FOR UPDATE), then moves it and inserts the entry:
    each audited page pays three round trips, not four. The chain still holds."""
    _write_entries(1)
    with count_queries() as counter:
        record(None, "test.event", object_type="system", object_id="x")
        db.session.commit()
    kinds = [" ".join(s.split())[:40] for s in counter["statements"]]
    assert len(kinds) == 3, kinds
    assert kinds[1].startswith("UPDATE audit_chain_head SET seq=")
    assert kinds[2].startswith("INSERT INTO audit_entries")
    entries = _entries()
    assert [e.seq for e in entries] == [1, 2]
    assert entries[1].prev_hash == entries[0].entry_hash
    assert _verify(app).exit_code == 0


def test_a_tampered_row_is_named(app):
    _write_entries(5)
    db.session.execute(text("UPDATE audit_entries SET action = 'test.innocent' WHERE seq = 3"))
    db.session.commit()
    result = _verify(app)
    assert result.exit_code == 1
    assert "BROKEN at entry #3" in result.output and "altered" in result.output
    assert "The 2 entries before it are intact" in result.output


def test_a_tampered_detail_or_time_is_found(app):
    _write_entries(3)
    entry = _entries()[1]
    db.session.execute(
        text("UPDATE audit_entries SET at = :at WHERE seq = 2"),
        {"at": entry.at - timedelta(hours=1)},
    )
    db.session.commit()
    assert "#2" in _verify(app).output


def test_a_deleted_row_is_named(app):
    _write_entries(5)
    db.session.execute(text("DELETE FROM audit_entries WHERE seq = 2"))
    db.session.commit()
    result = _verify(app)
    assert result.exit_code == 1
    assert "BROKEN at entry #3" in result.output
    assert "entry #2 is missing before it" in result.output


def test_an_inserted_row_is_named_even_with_a_correct_hash(app):
    _write_entries(5)
    # The forger makes room after entry #2 and inserts a row that links correctly to #2.
    for seq in (5, 4, 3):
        db.session.execute(
            text("UPDATE audit_entries SET seq = seq + 1 WHERE seq = :s"), {"s": seq}
        )
    second = _entries()[1]
    forged = AuditEntry(
        seq=3,
        at=second.at,
        action="test.forged",
        object_type="system",
        prev_hash=second.entry_hash,
    )
    forged.entry_hash = chain.link_hash(second.entry_hash, chain.entry_content(forged))
    db.session.execute(
        AuditEntry.__table__.insert().values(
            seq=3,
            at=second.at,
            action="test.forged",
            object_type="system",
            prev_hash=forged.prev_hash,
            entry_hash=forged.entry_hash,
        )
    )
    db.session.commit()
    result = _verify(app)
    assert result.exit_code == 1
    assert "BROKEN at entry #4" in result.output


@pytest.mark.parametrize("seq", [0, -7])
def test_a_row_numbered_below_the_chain_is_named(app, seq):
    """The walk began after 0: a row slipped in at 0 or below (shown on the trail's page like
    any other) was never read, and the trail said it was intact."""
    _write_entries(3)
    assert _verify(app).exit_code == 0
    first = _entries()[0]
    db.session.execute(
        AuditEntry.__table__.insert().values(
            seq=seq, at=first.at, action="case.exported", object_type="cases",
            object_id="forged", prev_hash=chain.GENESIS, entry_hash=chain.GENESIS,
        )
    )  # fmt: skip
    db.session.commit()
    result = _verify(app)
    assert result.exit_code == 1
    assert f"BROKEN at entry #{seq}" in result.output and "outside the chain" in result.output


def test_rows_removed_from_the_end_are_found_by_the_head(app):
    _write_entries(4)
    db.session.execute(text("DELETE FROM audit_entries WHERE seq = 4"))
    db.session.commit()
    result = _verify(app)
    assert result.exit_code == 1
    assert "ends at entry #3 but its head names entry #4" in result.output


def test_a_rewritten_chain_is_caught_by_an_anchor(app):
    _write_entries(3)
    anchor = f"2:{_entries()[1].entry_hash}"
    assert _verify(app, "--anchor", anchor).exit_code == 0
    # An insider with database access rewrites entry #2 and recomputes every hash after it.
    db.session.execute(text("UPDATE audit_entries SET action = 'test.rewritten' WHERE seq = 2"))
    prev = chain.GENESIS
    for entry in _entries():
        new_hash = chain.link_hash(prev, chain.entry_content(entry))
        db.session.execute(
            text("UPDATE audit_entries SET prev_hash = :p, entry_hash = :h WHERE seq = :s"),
            {"p": prev, "h": new_hash, "s": entry.seq},
        )
        prev = new_hash
    db.session.execute(text("UPDATE audit_chain_head SET entry_hash = :h"), {"h": prev})
    db.session.commit()
    assert _verify(app).exit_code == 0  # without an anchor the rewrite is consistent...
    result = _verify(app, "--anchor", anchor)
    assert result.exit_code == 1  # ...but not with one
    assert "BROKEN at entry #2" in result.output and "anchor" in result.output
    assert _verify(app, "--anchor", "nonsense").exit_code == 2


def test_the_chain_continues_after_its_head_row_is_lost(app):
    _write_entries(2)
    db.session.execute(text("DELETE FROM audit_chain_head"))
    db.session.commit()
    _write_entries(1)
    assert [e.seq for e in _entries()] == [1, 2, 3]
    assert _verify(app).exit_code == 0


def test_entries_record_who_when_and_from_where(app, client, make_user, caplog):
    user = make_user(Role.MONITOR)
    with caplog.at_level(logging.INFO, logger="casework.audit"):
        log_in(client, user)
        client.post("/logout")
        client.post("/login", data={"email": user.email, "password": "wrong password"})
    entries = _entries()
    wanted = ("auth.login", "auth.logout", "auth.login_failed")
    login, logout, failed = [e for e in entries if e.action in wanted][-3:]
    assert (login.action, logout.action, failed.action) == (
        "auth.login",
        "auth.logout",
        "auth.login_failed",
    )
    assert logout.actor_id == user.id and logout.object_id == user.public_id
    assert all(e.client_addr == "127.0.0.1" for e in (login, logout, failed))
    assert login.at.tzinfo is not None and login.at.utcoffset() == timedelta(0)
    assert abs(datetime.now(UTC) - login.at) < timedelta(minutes=1)
    assert "wrong password" not in str([e.details for e in entries])
    # The application log gets a copy of each event (who, what, from where; no values).
    logged = [r.getMessage() for r in caplog.records if r.name == "casework.audit.services"]
    assert [m for m in logged if any(f"audit {a} " in m for a in wanted)] == [
        f"audit {action} actor={user.id} object=users:{user.public_id} case=None addr=127.0.0.1"
        for action in wanted
    ]
    assert user.email not in caplog.text and "wrong password" not in caplog.text
    assert _verify(app).exit_code == 0


def test_a_durable_entry_survives_the_requests_rollback(app):
    record(None, "test.pending", object_type="system")
    db.session.rollback()  # what an error handler does
    record(None, "access.refused", object_type="cases", object_id="abc", durable=True, status=404)
    db.session.rollback()
    assert [(e.action, e.details) for e in _entries()] == [("access.refused", {"status": 404})]
    assert _verify(app).exit_code == 0


def test_concurrent_writers_append_one_after_the_other(app):
    _write_entries(1)  # the head row exists before the race
    if db.engine.dialect.name == "sqlite" and db.engine.url.database in (None, "", ":memory:"):
        pytest.skip("an in-memory SQLite database has a single connection")
    errors: list[BaseException] = []
    start = threading.Barrier(4)

    def writer(n: int) -> None:
        try:
            with app.app_context():
                start.wait()
                for i in range(5):
                    record(None, "test.concurrent", object_type="system", object_id=f"{n}-{i}")
                    db.session.flush()  # takes the chain lock...
                    db.session.commit()  # ...until here
                db.session.remove()
        except BaseException as exc:  # noqa: BLE001  (reported to the test below)
            errors.append(exc)

    threads = [threading.Thread(target=writer, args=(n,)) for n in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=60)
    assert errors == []
    entries = _entries()
    assert [e.seq for e in entries] == list(range(1, 22))
    head = db.session.scalar(select(AuditChainHead))
    assert (head.seq, head.entry_hash) == (21, entries[-1].entry_hash)
    assert _verify(app).exit_code == 0


def test_migration_chains_existing_entries(app, make_user):
    user_id = make_user(Role.ADMIN).id
    _write_entries(3)
    db.session.remove()
    downgrade(revision="0d5a7e80d3b3")
    db.session.execute(
        text(
            "INSERT INTO audit_entries (at, actor_id, action, object_type, details)"
            " VALUES (:at, :actor, 'legacy.entry', 'system', :details)"
        ),
        {
            "at": datetime(2026, 1, 2, 3, 4, 5, 6789, tzinfo=UTC),
            "actor": user_id,
            "details": '{"b": 1, "a": [1, 2]}',
        },
    )
    db.session.commit()
    db.session.remove()
    upgrade()
    entries = _entries()
    assert [e.seq for e in entries][-1] == 5
    assert entries[-1].action == "legacy.entry"
    assert _verify(app).exit_code == 0
    _write_entries(1)
    assert _verify(app).exit_code == 0
