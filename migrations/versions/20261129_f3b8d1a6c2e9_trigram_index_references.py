"""cases: a trigram index for "reference contains" (PostgreSQL, where pg_trgm can be installed)

Revision ID: f3b8d1a6c2e9
Revises: e2a7c4f9b6d1
Create Date: 2026-11-29 09:20:00.000000

"""
import logging

from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'f3b8d1a6c2e9'
down_revision = 'e2a7c4f9b6d1'
branch_labels = None
depends_on = None

log = logging.getLogger("alembic.runtime.migration")

# Optional: absent where the extension cannot be installed (the list then reads every
# reference), so the models do not declare it (casework.core.db.OPTIONAL_INDEXES).
# Few cases have a former reference: the index of those that have one serves it.
INDEXES = {"ix_cases_reference_trgm": "reference"}


def upgrade():
    bind = op.get_bind()
    if bind.dialect.name != "postgresql":
        return
    # pg_trgm is a trusted extension (PostgreSQL 13+): a database owner may install it. An
    # account that may not is told, and the migration goes on without the indexes.
    savepoint = bind.begin_nested()
    try:
        bind.exec_driver_sql("CREATE EXTENSION IF NOT EXISTS pg_trgm")
    except sa.exc.DBAPIError as error:
        savepoint.rollback()
        log.warning(
            "pg_trgm could not be installed (%s): the reference filter reads every reference. "
            "Install it (CREATE EXTENSION pg_trgm) and run this migration again to index them.",
            error.orig.__class__.__name__,
        )
        return
    savepoint.commit()
    for name, column in INDEXES.items():
        op.create_index(
            name,
            "cases",
            [column],
            postgresql_using="gin",
            postgresql_ops={column: "gin_trgm_ops"},
        )


def downgrade():
    if op.get_bind().dialect.name != "postgresql":
        return
    for name in INDEXES:
        op.execute(f"DROP INDEX IF EXISTS {name}")
