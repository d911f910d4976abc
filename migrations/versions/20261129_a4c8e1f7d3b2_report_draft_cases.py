"""report drafts: the cases each was generated from, for who may read it

A draft's text is written from the cases its creator reads, restricted ones included: another
coordinator may read it only when they read every one of them. Drafts made before the cases
were recorded stay their creator's alone (``cases_recorded`` false).

Revision ID: a4c8e1f7d3b2
Revises: d2f6a8c3e1b7
Create Date: 2026-11-29 20:30:00.000000

"""
import sqlalchemy as sa
from alembic import op


# revision identifiers, used by Alembic.
revision = 'a4c8e1f7d3b2'
down_revision = 'd2f6a8c3e1b7'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        'report_draft_cases',
        sa.Column('draft_id', sa.Integer(), nullable=False),
        sa.Column('case_id', sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(['case_id'], ['cases.id'], name=op.f('fk_report_draft_cases_case_id_cases')),
        sa.ForeignKeyConstraint(['draft_id'], ['report_drafts.id'], name=op.f('fk_report_draft_cases_draft_id_report_drafts')),
        sa.PrimaryKeyConstraint('draft_id', 'case_id', name=op.f('pk_report_draft_cases')),
    )
    op.create_index(op.f('ix_report_draft_cases_case_id'), 'report_draft_cases', ['case_id'], unique=False)
    # A plain ALTER TABLE: SQLite's batch mode would copy the table for one added column.
    op.add_column(
        'report_drafts',
        sa.Column('cases_recorded', sa.Boolean(), nullable=False, server_default=sa.false()),
    )


def downgrade():
    with op.batch_alter_table('report_drafts') as batch_op:
        batch_op.drop_column('cases_recorded')
    op.drop_index(op.f('ix_report_draft_cases_case_id'), table_name='report_draft_cases')
    op.drop_table('report_draft_cases')
