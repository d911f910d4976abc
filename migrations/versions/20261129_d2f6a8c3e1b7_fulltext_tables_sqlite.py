"""search: FTS5 tables of the catalogue and of UPR recommendations (SQLite)

SQLite searched these tables with LIKE: every row read for each search, and case folded for
ASCII letters only (a Russian word typed in lower case missed its capitalised form). An FTS5
table per searched table, kept in step by triggers, gives word-prefix matching with Unicode case
folding, as PostgreSQL's GIN indexes do there (c9d4e7a2b5f1). The tables hold no copy of the text
(``content=``): only the index.

A SQLite migration that recreates one of these tables (batch mode) drops its triggers: create
them again there (``create_triggers``), or the search stops seeing changes.

Revision ID: d2f6a8c3e1b7
Revises: c9d4e7a2b5f1
Create Date: 2026-11-29 18:00:00.000000

"""
from alembic import op


# revision identifiers, used by Alembic.
revision = 'd2f6a8c3e1b7'
down_revision = 'c9d4e7a2b5f1'
branch_labels = None
depends_on = None

# Table -> the columns searched (casework.search.services: the same lists, in the same order).
# casework.core.db.SQLITE_SEARCH_TABLES names the FTS5 tables: the models do not declare them.
TABLES = {
    "provisions": ["code", "title", "summary"],
    "instruments": ["code", "title", "summary"],
    "upr_recommendations": ["number", "recommending_state", "text", "themes"],
}


def create_triggers(table, columns):
    # Table and column names are this migration's constants, never input.
    fts, cols = f"{table}_fts", ", ".join(columns)
    new = ", ".join(f"new.{c}" for c in columns)
    old = ", ".join(f"old.{c}" for c in columns)
    forget = f"INSERT INTO {fts}({fts}, rowid, {cols}) VALUES ('delete', old.id, {old});"  # nosec B608
    learn = f"INSERT INTO {fts}(rowid, {cols}) VALUES (new.id, {new});"  # nosec B608
    op.execute(f"CREATE TRIGGER {fts}_insert AFTER INSERT ON {table} BEGIN {learn} END")
    op.execute(f"CREATE TRIGGER {fts}_delete AFTER DELETE ON {table} BEGIN {forget} END")
    op.execute(f"CREATE TRIGGER {fts}_update AFTER UPDATE ON {table} BEGIN {forget} {learn} END")


def upgrade():
    if op.get_bind().dialect.name != "sqlite":
        return
    for table, columns in TABLES.items():
        fts = f"{table}_fts"
        op.execute(
            f"CREATE VIRTUAL TABLE {fts} USING fts5({', '.join(columns)}, content='{table}', "
            "content_rowid='id', tokenize='unicode61 remove_diacritics 2')"
        )
        create_triggers(table, columns)
        op.execute(f"INSERT INTO {fts}({fts}) VALUES ('rebuild')")  # nosec B608


def downgrade():
    if op.get_bind().dialect.name != "sqlite":
        return
    for table in TABLES:
        fts = f"{table}_fts"
        for trigger in ("insert", "delete", "update"):
            op.execute(f"DROP TRIGGER IF EXISTS {fts}_{trigger}")
        op.execute(f"DROP TABLE IF EXISTS {fts}")
