"""audit chain head: the number and hash of the last change (what cached results key on)

Revision ID: a3d8e6f1c0b7
Revises: f7c2d9e4a1b3
Create Date: 2026-11-28 21:00:00.000000

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'a3d8e6f1c0b7'
down_revision = 'f7c2d9e4a1b3'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('audit_chain_head', schema=None) as batch_op:
        batch_op.add_column(sa.Column('changed_seq', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('changed_hash', sa.String(length=64), nullable=True))
    # Whatever came before counts as a change: nothing cached can predate it.
    op.execute('UPDATE audit_chain_head SET changed_seq = seq, changed_hash = entry_hash')


def downgrade():
    with op.batch_alter_table('audit_chain_head', schema=None) as batch_op:
        batch_op.drop_column('changed_hash')
        batch_op.drop_column('changed_seq')
