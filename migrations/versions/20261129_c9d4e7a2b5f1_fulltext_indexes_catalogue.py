"""index: the full-text search of the catalogue and of UPR recommendations (PostgreSQL)

Without them, a search for a word no recommendation holds computed the text search vector of
every recommendation (5,000 of them: 105 ms). The expressions are those the search compares
(``casework.search.services.tsvector``); SQLite searches these tables with LIKE.

Revision ID: c9d4e7a2b5f1
Revises: b8e3f1a9d4c6
Create Date: 2026-11-29 17:45:00.000000

"""
from alembic import op


# revision identifiers, used by Alembic.
revision = 'c9d4e7a2b5f1'
down_revision = 'b8e3f1a9d4c6'
branch_labels = None
depends_on = None

# Index name -> (table, the columns searched, in the search's order).
# casework.core.db.POSTGRESQL_INDEXES names them: the models do not declare them.
INDEXES = {
    "ix_provisions_fulltext": ("provisions", ["code", "title", "summary"]),
    "ix_instruments_fulltext": ("instruments", ["code", "title", "summary"]),
    "ix_upr_recommendations_fulltext": (
        "upr_recommendations",
        ["number", "recommending_state", "text", "themes"],
    ),
}


def _document(columns):
    return " || ' ' || ".join(f"coalesce({column}, '')" for column in columns)


def upgrade():
    if op.get_bind().dialect.name != "postgresql":
        return
    for name, (table, columns) in INDEXES.items():
        op.execute(
            f"CREATE INDEX {name} ON {table} "
            f"USING gin (to_tsvector('simple'::regconfig, {_document(columns)}))"
        )


def downgrade():
    if op.get_bind().dialect.name != "postgresql":
        return
    for name in INDEXES:
        op.execute(f"DROP INDEX IF EXISTS {name}")
