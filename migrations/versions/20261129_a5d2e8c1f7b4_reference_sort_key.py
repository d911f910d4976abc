"""cases: a sort key of the reference, so that KZ-2011-10000 sorts after KZ-2011-9999

The key is computed in Python (``casework.cases.models.reference_sort_key``) for every existing
case; the indexes of the reference and status sorts move to it.

Revision ID: a5d2e8c1f7b4
Revises: f3b8d1a6c2e9
Create Date: 2026-11-29 14:30:00.000000

"""
from alembic import op
import sqlalchemy as sa

from casework.cases.models import reference_sort_key


# revision identifiers, used by Alembic.
revision = 'a5d2e8c1f7b4'
down_revision = 'f3b8d1a6c2e9'
branch_labels = None
depends_on = None

BATCH = 5000


# Plain ALTER TABLEs, not a batch: SQLite's batch mode copies the table into a new one and would
# lose the expression indexes of the case list's sorts, which it cannot reflect.


def upgrade():
    # A column NOT NULL needs a default on SQLite; the model gives every new case its key.
    op.add_column('cases', sa.Column(
        'reference_key', sa.String(length=48), nullable=False, server_default=''
    ))

    conn = op.get_bind()
    cases = sa.table('cases', sa.column('id'), sa.column('reference'), sa.column('reference_key'))
    rows = conn.execute(sa.select(cases.c.id, cases.c.reference)).all()
    update = (
        cases.update()
        .where(cases.c.id == sa.bindparam('case_id'))
        .values(reference_key=sa.bindparam('key'))
    )
    for start in range(0, len(rows), BATCH):
        conn.execute(update, [
            {'case_id': case_id, 'key': reference_sort_key(reference)}
            for case_id, reference in rows[start:start + BATCH]
        ])

    if conn.dialect.name != 'sqlite':
        op.alter_column('cases', 'reference_key', server_default=None)
    op.drop_index('ix_cases_reference_id', table_name='cases')
    op.drop_index('ix_cases_status_reference_id', table_name='cases')
    op.create_index('ix_cases_reference_key_id', 'cases', ['reference_key', 'id'], unique=False)
    op.create_index(
        'ix_cases_status_reference_key_id', 'cases', ['status', 'reference_key', 'id'], unique=False
    )


def downgrade():
    op.drop_index('ix_cases_status_reference_key_id', table_name='cases')
    op.drop_index('ix_cases_reference_key_id', table_name='cases')
    op.create_index(
        'ix_cases_status_reference_id', 'cases', ['status', 'reference', 'id'], unique=False
    )
    op.create_index('ix_cases_reference_id', 'cases', ['reference', 'id'], unique=False)
    op.drop_column('cases', 'reference_key')
