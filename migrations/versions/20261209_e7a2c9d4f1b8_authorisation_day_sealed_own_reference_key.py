"""cases: the day of the victim's authorisation sealed, and the own reference found by its key

``cases.authorised_on`` was a plain DATE column, readable in a copied database, a dump or a
backup: it becomes a sealed text column (``SecretDate``: its ISO text sealed, read back as a
date), and the days already recorded are sealed in place. The downgrade opens them and makes
the column a DATE again.

``cases.external_ref_key`` is the blind-index key of the case's own reference (an import's case
key), computed here for the cases that have one: an import looks a file's keys up through its
index instead of decrypting every case's own reference. It replaces the index of the cases
that have an own reference.

Revision ID: e7a2c9d4f1b8
Revises: c7f3a1e9d5b2
Create Date: 2026-12-09 10:00:00.000000

"""

import unicodedata

import sqlalchemy as sa
from alembic import op
from flask import current_app

from casework.core.blindindex import BlindIndex
from casework.core.crypto import Sealed
from casework.core.keyring import EXTENSION
from casework.core.sealing import open_columns, seal_columns


# revision identifiers, used by Alembic.
revision = "e7a2c9d4f1b8"
down_revision = "c7f3a1e9d5b2"
branch_labels = None
depends_on = None

DAY = (("cases", "id", "authorised_on"),)
_DASHES = str.maketrans(dict.fromkeys("\u2010\u2011\u2012\u2013\u2014\u2015\u2212", "-"))
BATCH = 1000


def _keyring():
    return current_app.extensions[EXTENSION]


def _retype_on_sqlite(new_type, copied):
    # No batch rebuild of cases: SQLite's batch mode would lose the case list's expression
    # indexes (see f2c7a9d4e1b6). A new column takes the values, the old one goes, the new one
    # takes its name (SQLite 3.35: DROP COLUMN; 3.25: RENAME COLUMN).
    op.add_column("cases", sa.Column("authorised_on_new", new_type, nullable=True))
    # copied is one of this file's fixed expressions, never input.
    op.execute(f"UPDATE cases SET authorised_on_new = {copied}")  # noqa: S608  # nosec B608
    op.drop_column("cases", "authorised_on")
    op.execute("ALTER TABLE cases RENAME COLUMN authorised_on_new TO authorised_on")


def _reference_key(index, reference):
    # As casework.cases.models.external_ref_key computes it, spelled out: a migration must not
    # change when the code does.
    folded = unicodedata.normalize("NFKC", reference).translate(_DASHES).casefold()
    grouped = " ".join(folded.split())
    return index.token("case.external_ref", grouped) if grouped else None


def _key_own_references(conn):
    cases = sa.table(
        "cases",
        sa.column("id", sa.Integer),
        sa.column("external_ref", sa.Text),
        sa.column("external_ref_key", sa.String),
    )
    ring = _keyring()
    index = BlindIndex(current_app.config["BLIND_INDEX_KEY"])
    rows = conn.execute(
        sa.select(cases.c.id, cases.c.external_ref).where(cases.c.external_ref.is_not(None))
    ).all()
    for start in range(0, len(rows), BATCH):
        keys = [
            {
                "_id": case_id,
                "_key": _reference_key(
                    index, ring.open_value(conn, Sealed(sealed), "cases", "external_ref", case_id)
                ),
            }
            for case_id, sealed in rows[start : start + BATCH]
        ]
        conn.execute(
            cases.update()
            .where(cases.c.id == sa.bindparam("_id"))
            .values(external_ref_key=sa.bindparam("_key")),
            keys,
        )


def upgrade():
    conn = op.get_bind()
    # Plain ALTER TABLEs and CREATE INDEX, no batch rebuild of cases (see _retype_on_sqlite).
    op.add_column("cases", sa.Column("external_ref_key", sa.String(length=32), nullable=True))
    _key_own_references(conn)
    op.drop_index("ix_cases_external_ref_present", table_name="cases")
    op.create_index(
        "ix_cases_external_ref_key",
        "cases",
        ["external_ref_key"],
        sqlite_where=sa.text("external_ref_key IS NOT NULL"),
        postgresql_where=sa.text("external_ref_key IS NOT NULL"),
    )
    if conn.dialect.name == "sqlite":
        # SQLite holds a DATE as its ISO text already.
        _retype_on_sqlite(sa.Text(), "authorised_on")
    else:
        # to_char, not ::text, which writes the day in the server's DateStyle.
        op.alter_column(
            "cases",
            "authorised_on",
            existing_type=sa.Date(),
            type_=sa.Text(),
            existing_nullable=True,
            postgresql_using="to_char(authorised_on, 'YYYY-MM-DD')",
        )
    seal_columns(conn, _keyring(), DAY)


def downgrade():
    conn = op.get_bind()
    op.drop_index("ix_cases_external_ref_key", table_name="cases")
    op.drop_column("cases", "external_ref_key")
    op.create_index(
        "ix_cases_external_ref_present",
        "cases",
        ["id"],
        sqlite_where=sa.text("external_ref IS NOT NULL"),
        postgresql_where=sa.text("external_ref IS NOT NULL"),
    )
    open_columns(conn, _keyring(), DAY)
    if conn.dialect.name == "sqlite":
        _retype_on_sqlite(sa.Date(), "authorised_on")
    else:
        op.alter_column(
            "cases",
            "authorised_on",
            existing_type=sa.Text(),
            type_=sa.Date(),
            existing_nullable=True,
            postgresql_using="authorised_on::date",
        )
