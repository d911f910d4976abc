"""index: a decision's citations newest first

Revision ID: b9e4f2a7c1d5
Revises: a3d8e6f1c0b7
Create Date: 2026-11-28 23:45:00.000000

"""
from alembic import op


# revision identifiers, used by Alembic.
revision = 'b9e4f2a7c1d5'
down_revision = 'a3d8e6f1c0b7'
branch_labels = None
depends_on = None


def upgrade():
    op.create_index(
        'ix_case_precedents_instrument_id_id', 'case_precedents', ['instrument_id', 'id']
    )


def downgrade():
    op.drop_index('ix_case_precedents_instrument_id_id', table_name='case_precedents')
