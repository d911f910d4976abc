"""documents: the cases an advocacy action had when a document was attached to it

An action's document may concern any of the action's cases: it is downloaded only with the
right to read every one of them, and unlinking a case from the action later does not hand the
document to whoever sees the action without it. Documents attached before are given the cases
their action has now (the most that is known of them).

Revision ID: e5b1c7d9a3f2
Revises: c4e8b2f6a1d3
Create Date: 2026-12-02 06:00:00.000000

"""
import sqlalchemy as sa
from alembic import op


# revision identifiers, used by Alembic.
revision = 'e5b1c7d9a3f2'
down_revision = 'c4e8b2f6a1d3'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        'document_cases',
        sa.Column('document_id', sa.Integer(), nullable=False),
        sa.Column('case_id', sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(['case_id'], ['cases.id'], name=op.f('fk_document_cases_case_id_cases')),
        sa.ForeignKeyConstraint(['document_id'], ['documents.id'], name=op.f('fk_document_cases_document_id_documents')),
        sa.PrimaryKeyConstraint('document_id', 'case_id', name=op.f('pk_document_cases')),
    )
    documents = sa.table('documents', sa.column('id', sa.Integer), sa.column('action_id', sa.Integer))
    action_cases = sa.table(
        'action_cases', sa.column('action_id', sa.Integer), sa.column('case_id', sa.Integer)
    )
    document_cases = sa.table(
        'document_cases', sa.column('document_id', sa.Integer), sa.column('case_id', sa.Integer)
    )
    op.get_bind().execute(
        document_cases.insert().from_select(
            ['document_id', 'case_id'],
            sa.select(documents.c.id, action_cases.c.case_id).join(
                action_cases, action_cases.c.action_id == documents.c.action_id
            ),
        )
    )


def downgrade():
    op.drop_table('document_cases')
