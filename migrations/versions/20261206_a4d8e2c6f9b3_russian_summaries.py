"""catalogue: Russian summaries and Kazakhstan-status notes, found by the catalogue search

Instruments and provisions had Russian titles (f1a6c3e8b2d5) but English summaries and
Kazakhstan-status notes only, on Russian pages too. ``summary_ru`` (instruments and provisions)
and ``kz_status_ru`` (instruments) hold the Russian ones, empty until ``flask --app casework
seed`` fills them from the shipped catalogue (an entry whose English text a lawyer changed is left
empty: the translation would not fit it).

The catalogue search reads the Russian summary too: PostgreSQL's GIN indexes and SQLite's FTS5
tables (d2f6a8c3e1b7, f1a6c3e8b2d5) are made again over the new list of columns
(``casework.search.services``: the same lists, in the same order).

Revision ID: a4d8e2c6f9b3
Revises: f2c7a9d4e1b6
Create Date: 2026-12-06 09:00:00.000000

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'a4d8e2c6f9b3'
down_revision = 'f2c7a9d4e1b6'
branch_labels = None
depends_on = None

# Table -> (PostgreSQL index, the columns searched before, after).
SEARCHED = {
    "provisions": (
        "ix_provisions_fulltext",
        ["code", "title", "title_ru", "summary"],
        ["code", "title", "title_ru", "summary", "summary_ru"],
    ),
    "instruments": (
        "ix_instruments_fulltext",
        ["code", "title", "title_ru", "summary"],
        ["code", "title", "title_ru", "summary", "summary_ru"],
    ),
}


def _document(columns):
    return " || ' ' || ".join(f"coalesce({column}, '')" for column in columns)


def _drop_sqlite_search_table(table):
    fts = f"{table}_fts"
    for trigger in ("insert", "delete", "update"):
        op.execute(f"DROP TRIGGER IF EXISTS {fts}_{trigger}")
    op.execute(f"DROP TABLE IF EXISTS {fts}")


def _sqlite_search_table(table, columns):
    # Table and column names are this migration's constants, never input (d2f6a8c3e1b7's).
    fts, cols = f"{table}_fts", ", ".join(columns)
    _drop_sqlite_search_table(table)
    op.execute(
        f"CREATE VIRTUAL TABLE {fts} USING fts5({cols}, content='{table}', "
        "content_rowid='id', tokenize='unicode61 remove_diacritics 2')"
    )
    new = ", ".join(f"new.{c}" for c in columns)
    old = ", ".join(f"old.{c}" for c in columns)
    forget = f"INSERT INTO {fts}({fts}, rowid, {cols}) VALUES ('delete', old.id, {old});"  # nosec B608
    learn = f"INSERT INTO {fts}(rowid, {cols}) VALUES (new.id, {new});"  # nosec B608
    op.execute(f"CREATE TRIGGER {fts}_insert AFTER INSERT ON {table} BEGIN {learn} END")
    op.execute(f"CREATE TRIGGER {fts}_delete AFTER DELETE ON {table} BEGIN {forget} END")
    op.execute(f"CREATE TRIGGER {fts}_update AFTER UPDATE ON {table} BEGIN {forget} {learn} END")
    op.execute(f"INSERT INTO {fts}({fts}) VALUES ('rebuild')")  # nosec B608


def _search_over(which):
    dialect = op.get_bind().dialect.name
    for table, (index, before, after) in SEARCHED.items():
        columns = after if which == "after" else before
        if dialect == "postgresql":
            op.execute(f"DROP INDEX IF EXISTS {index}")
            op.execute(
                f"CREATE INDEX {index} ON {table} "
                f"USING gin (to_tsvector('simple'::regconfig, {_document(columns)}))"
            )
        elif dialect == "sqlite":
            _sqlite_search_table(table, columns)


def upgrade():
    # Plain ADD COLUMN (no batch copy): SQLite keeps the tables' search triggers.
    op.add_column('instruments', sa.Column('summary_ru', sa.Text(), nullable=True))
    op.add_column('instruments', sa.Column('kz_status_ru', sa.String(length=300), nullable=True))
    op.add_column('provisions', sa.Column('summary_ru', sa.Text(), nullable=True))
    _search_over("after")


def downgrade():
    dialect = op.get_bind().dialect.name
    # The search reads summary_ru: gone first, made again over the old columns below.
    for table, (index, _before, _after) in SEARCHED.items():
        if dialect == "sqlite":
            _drop_sqlite_search_table(table)
        elif dialect == "postgresql":
            op.execute(f"DROP INDEX IF EXISTS {index}")
    with op.batch_alter_table('provisions', schema=None) as batch_op:
        batch_op.drop_column('summary_ru')
    with op.batch_alter_table('instruments', schema=None) as batch_op:
        batch_op.drop_column('kz_status_ru')
        batch_op.drop_column('summary_ru')
    _search_over("before")
