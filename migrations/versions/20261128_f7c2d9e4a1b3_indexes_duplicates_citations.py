"""indexes: a case's duplicates, a provision's citations newest first, a case's and an
object's history in the audit trail

Revision ID: f7c2d9e4a1b3
Revises: e4b1c7a9d2f6
Create Date: 2026-11-28 21:05:00.000000

"""

import sqlalchemy as sa
from alembic import op


# revision identifiers, used by Alembic.
revision = "f7c2d9e4a1b3"
down_revision = "e4b1c7a9d2f6"
branch_labels = None
depends_on = None


def upgrade():
    # Plain CREATE INDEX, no batch rebuild: SQLite's batch mode would drop the case list's
    # expression indexes (cd839d98843c).
    # Partial: almost every case is nobody's duplicate, and an index full of NULLs looks
    # useless to SQLite's planner once ANALYZE has counted them.
    op.create_index(
        "ix_cases_duplicate_of_id",
        "cases",
        ["duplicate_of_id"],
        sqlite_where=sa.text("duplicate_of_id IS NOT NULL"),
        postgresql_where=sa.text("duplicate_of_id IS NOT NULL"),
    )
    op.create_index("ix_case_provisions_provision_id_id", "case_provisions", ["provision_id", "id"])
    op.create_index("ix_audit_entries_case_at", "audit_entries", ["case_id", "at", "id"])
    op.create_index(
        "ix_audit_entries_object_at", "audit_entries", ["object_type", "object_id", "at", "id"]
    )


def downgrade():
    op.drop_index("ix_audit_entries_object_at", table_name="audit_entries")
    op.drop_index("ix_audit_entries_case_at", table_name="audit_entries")
    op.drop_index("ix_case_provisions_provision_id_id", table_name="case_provisions")
    op.drop_index("ix_cases_duplicate_of_id", table_name="cases")
