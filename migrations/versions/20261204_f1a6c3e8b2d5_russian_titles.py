"""catalogue and target bodies: Russian titles, found by the catalogue search

The catalogue's instruments and provisions and the seeded target bodies had English titles
only, on Russian pages too. ``title_ru`` (and a body's ``name_ru`` and ``short_name_ru``) hold
the Russian ones, empty until ``flask --app casework seed`` fills them from the shipped catalogue
(entries whose English title a lawyer changed are left empty: the translation would not fit).

The catalogue search reads the Russian title too: PostgreSQL's GIN indexes and SQLite's FTS5
tables (d2f6a8c3e1b7) are made again over the new list of columns
(``casework.search.services``: the same lists, in the same order).

Revision ID: f1a6c3e8b2d5
Revises: d6b2f8a4c1e7
Create Date: 2026-12-04 09:00:00.000000

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'f1a6c3e8b2d5'
down_revision = 'd6b2f8a4c1e7'
branch_labels = None
depends_on = None

# Table -> (PostgreSQL index, the columns searched before, after).
SEARCHED = {
    "provisions": (
        "ix_provisions_fulltext",
        ["code", "title", "summary"],
        ["code", "title", "title_ru", "summary"],
    ),
    "instruments": (
        "ix_instruments_fulltext",
        ["code", "title", "summary"],
        ["code", "title", "title_ru", "summary"],
    ),
}


def _document(columns):
    return " || ' ' || ".join(f"coalesce({column}, '')" for column in columns)


def _sqlite_search_table(table, columns):
    # Table and column names are this migration's constants, never input (d2f6a8c3e1b7's).
    fts, cols = f"{table}_fts", ", ".join(columns)
    for trigger in ("insert", "delete", "update"):
        op.execute(f"DROP TRIGGER IF EXISTS {fts}_{trigger}")
    op.execute(f"DROP TABLE IF EXISTS {fts}")
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
    op.add_column('instruments', sa.Column('title_ru', sa.String(length=300), nullable=True))
    op.add_column('provisions', sa.Column('title_ru', sa.String(length=300), nullable=True))
    op.add_column('target_bodies', sa.Column('name_ru', sa.String(length=200), nullable=True))
    op.add_column('target_bodies', sa.Column('short_name_ru', sa.String(length=40), nullable=True))
    _search_over("after")


def downgrade():
    dialect = op.get_bind().dialect.name
    if dialect == "sqlite":
        # The search tables read title_ru: gone first, made again over the old columns below.
        for table in SEARCHED:
            for trigger in ("insert", "delete", "update"):
                op.execute(f"DROP TRIGGER IF EXISTS {table}_fts_{trigger}")
            op.execute(f"DROP TABLE IF EXISTS {table}_fts")
    elif dialect == "postgresql":
        for index, _before, _after in SEARCHED.values():
            op.execute(f"DROP INDEX IF EXISTS {index}")
    with op.batch_alter_table('target_bodies', schema=None) as batch_op:
        batch_op.drop_column('short_name_ru')
        batch_op.drop_column('name_ru')
    with op.batch_alter_table('provisions', schema=None) as batch_op:
        batch_op.drop_column('title_ru')
    with op.batch_alter_table('instruments', schema=None) as batch_op:
        batch_op.drop_column('title_ru')
    _search_over("before")
