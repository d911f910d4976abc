"""remedies: why a remedy is not effective, when counsel argues it (sealed free text)

UN complaints need domestic remedies exhausted or shown to be ineffective. New column, empty for
existing proceedings: nothing to seal.

Revision ID: f8a3d6c2b1e9
Revises: e4b7c1d9a2f6
Create Date: 2026-11-30 00:00:00.000000

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'f8a3d6c2b1e9'
down_revision = 'e4b7c1d9a2f6'
branch_labels = None
depends_on = None


# Plain ALTER TABLEs, not a batch (see e4b7c1d9a2f6).


def upgrade():
    op.add_column('remedies', sa.Column('ineffective_because', sa.Text(), nullable=True))


def downgrade():
    op.drop_column('remedies', 'ineffective_because')
