"""index: the follow-up lists soonest first, by due date and id

With the due date alone, PostgreSQL read every action due on the first dates of a list to sort
them by id; with both, it reads a list's first rows in order.

Revision ID: b8e3f1a9d4c6
Revises: a5d2e8c1f7b4
Create Date: 2026-11-29 15:20:00.000000

"""
from alembic import op


# revision identifiers, used by Alembic.
revision = 'b8e3f1a9d4c6'
down_revision = 'a5d2e8c1f7b4'
branch_labels = None
depends_on = None


def upgrade():
    op.drop_index('ix_advocacy_actions_followup_due', table_name='advocacy_actions')
    op.create_index(
        'ix_advocacy_actions_followup_due_id', 'advocacy_actions', ['followup_due', 'id']
    )


def downgrade():
    op.drop_index('ix_advocacy_actions_followup_due_id', table_name='advocacy_actions')
    op.create_index(
        'ix_advocacy_actions_followup_due', 'advocacy_actions', ['followup_due'], unique=False
    )
