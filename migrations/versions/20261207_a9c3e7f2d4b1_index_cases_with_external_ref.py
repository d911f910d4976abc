"""index: the cases that have an own reference (an import compares a file's case keys with them)

Revision ID: a9c3e7f2d4b1
Revises: a4d8e2c6f9b3
Create Date: 2026-12-07 10:00:00.000000

"""

import sqlalchemy as sa
from alembic import op


# revision identifiers, used by Alembic.
revision = "a9c3e7f2d4b1"
down_revision = "a4d8e2c6f9b3"
branch_labels = None
depends_on = None


def upgrade():
    # Plain CREATE INDEX, no batch rebuild: SQLite's batch mode would drop the case list's
    # expression indexes (cd839d98843c). Partial: only imported cases have an own reference.
    op.create_index(
        "ix_cases_external_ref_present",
        "cases",
        ["id"],
        sqlite_where=sa.text("external_ref IS NOT NULL"),
        postgresql_where=sa.text("external_ref IS NOT NULL"),
    )


def downgrade():
    op.drop_index("ix_cases_external_ref_present", table_name="cases")
