"""cases: discarded drafts (hidden with who, when, why), duplicates, former year-less reference

Revision ID: e5b1c7d2a9f4
Revises: 4f1c2b9e7a31
Create Date: 2026-11-28 17:40:00

"""

import sqlalchemy as sa
from alembic import op

revision = "e5b1c7d2a9f4"
down_revision = "4f1c2b9e7a31"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("cases", schema=None) as batch_op:
        batch_op.add_column(sa.Column("former_reference", sa.String(length=20), nullable=True))
        batch_op.add_column(sa.Column("duplicate_of_id", sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column("hidden_at", sa.DateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column("hidden_reason", sa.Text(), nullable=True))
        batch_op.add_column(sa.Column("hidden_by_id", sa.Integer(), nullable=True))
        batch_op.create_index(
            batch_op.f("ix_cases_former_reference"), ["former_reference"], unique=False
        )
        batch_op.create_foreign_key(
            batch_op.f("fk_cases_duplicate_of_id_cases"), "cases", ["duplicate_of_id"], ["id"]
        )
        batch_op.create_foreign_key(
            batch_op.f("fk_cases_hidden_by_id_users"), "users", ["hidden_by_id"], ["id"]
        )


def downgrade():
    with op.batch_alter_table("cases", schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f("fk_cases_hidden_by_id_users"), type_="foreignkey")
        batch_op.drop_constraint(batch_op.f("fk_cases_duplicate_of_id_cases"), type_="foreignkey")
        batch_op.drop_index(batch_op.f("ix_cases_former_reference"))
        batch_op.drop_column("hidden_by_id")
        batch_op.drop_column("hidden_reason")
        batch_op.drop_column("hidden_at")
        batch_op.drop_column("duplicate_of_id")
        batch_op.drop_column("former_reference")
