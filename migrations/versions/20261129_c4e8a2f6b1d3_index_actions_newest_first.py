"""index: the list of actions newest first

Revision ID: c4e8a2f6b1d3
Revises: b9e4f2a7c1d5
Create Date: 2026-11-29 02:30:00.000000

"""
from alembic import op


# revision identifiers, used by Alembic.
revision = 'c4e8a2f6b1d3'
down_revision = 'b9e4f2a7c1d5'
branch_labels = None
depends_on = None


def upgrade():
    op.create_index(
        'ix_advocacy_actions_created_at_id', 'advocacy_actions', ['created_at', 'id']
    )


def downgrade():
    op.drop_index('ix_advocacy_actions_created_at_id', table_name='advocacy_actions')
