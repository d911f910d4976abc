"""cases: the day of the victim's authorisation sealed like the other identifying fields

``cases.authorised_on`` was a plain DATE column, readable in a copied database, a dump or a
backup: it becomes a sealed text column (``SecretDate``: its ISO text sealed, read back as a
date), and the days already recorded are sealed in place. The downgrade opens them and makes
the column a DATE again.

Revision ID: e7a2c9d4f1b8
Revises: c7f3a1e9d5b2
Create Date: 2026-12-09 10:00:00.000000

"""

import sqlalchemy as sa
from alembic import op
from flask import current_app

from casework.core.keyring import EXTENSION
from casework.core.sealing import open_columns, seal_columns


# revision identifiers, used by Alembic.
revision = "e7a2c9d4f1b8"
down_revision = "c7f3a1e9d5b2"
branch_labels = None
depends_on = None

DAY = (("cases", "id", "authorised_on"),)


def _keyring():
    return current_app.extensions[EXTENSION]


def _retype_on_sqlite(new_type, copied):
    # No batch rebuild of cases: SQLite's batch mode would lose the case list's expression
    # indexes (see f2c7a9d4e1b6). A new column takes the values, the old one goes, the new one
    # takes its name (SQLite 3.35: DROP COLUMN; 3.25: RENAME COLUMN).
    op.add_column("cases", sa.Column("authorised_on_new", new_type, nullable=True))
    op.execute(f"UPDATE cases SET authorised_on_new = {copied}")
    op.drop_column("cases", "authorised_on")
    op.execute("ALTER TABLE cases RENAME COLUMN authorised_on_new TO authorised_on")


def upgrade():
    conn = op.get_bind()
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
