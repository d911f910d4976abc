"""index: a user's own cases by status, the most recently changed first (the drafts panel)

Revision ID: c8e4a1f6d2b9
Revises: b3f7a2d9c5e1
Create Date: 2026-11-30 06:00:00.000000

"""
from alembic import op


# revision identifiers, used by Alembic.
revision = 'c8e4a1f6d2b9'
down_revision = 'b3f7a2d9c5e1'
branch_labels = None
depends_on = None


def upgrade():
    op.create_index(
        'ix_cases_created_by_id_status_updated_at_id',
        'cases',
        ['created_by_id', 'status', 'updated_at', 'id'],
        unique=False,
    )


def downgrade():
    op.drop_index('ix_cases_created_by_id_status_updated_at_id', table_name='cases')
