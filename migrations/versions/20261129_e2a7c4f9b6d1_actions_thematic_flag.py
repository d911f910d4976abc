"""advocacy actions: a flag for thematic actions (no case), indexed

Revision ID: e2a7c4f9b6d1
Revises: d7a3c9e2f5b8
Create Date: 2026-11-29 06:40:00.000000

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'e2a7c4f9b6d1'
down_revision = 'd7a3c9e2f5b8'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('advocacy_actions', schema=None) as batch_op:
        batch_op.add_column(
            sa.Column('thematic', sa.Boolean(), nullable=False, server_default=sa.false())
        )
        batch_op.create_index(batch_op.f('ix_advocacy_actions_thematic'), ['thematic'], unique=False)

    # Existing actions: thematic when no case is linked.
    op.execute(
        "UPDATE advocacy_actions SET thematic = true WHERE NOT EXISTS "
        "(SELECT 1 FROM action_cases WHERE action_cases.action_id = advocacy_actions.id)"
    )

    # The default served existing rows; the model sets the value from now on.
    with op.batch_alter_table('advocacy_actions', schema=None) as batch_op:
        batch_op.alter_column('thematic', server_default=None)


def downgrade():
    with op.batch_alter_table('advocacy_actions', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_advocacy_actions_thematic'))
        batch_op.drop_column('thematic')
