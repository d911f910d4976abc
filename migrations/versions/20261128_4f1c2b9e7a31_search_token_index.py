"""search: keyed token index of free text

The backfill indexes the free text already stored, under the application's BLIND_INDEX_KEY
(``flask --app casework search reindex`` rebuilds the index at any time).

Revision ID: 4f1c2b9e7a31
Revises: 3e038899dde5
Create Date: 2026-11-28 17:20:00.000000

"""
from alembic import op
import sqlalchemy as sa
from flask import current_app

from casework.core.blindindex import BlindIndex
from casework.core.crypto import Sealed
from casework.core.keyring import EXTENSION
from casework.core.types import SecretText
from casework.search.text import terms


# revision identifiers, used by Alembic.
revision = '4f1c2b9e7a31'
down_revision = "3e038899dde5"
branch_labels = None
depends_on = None

# (kind, table, case id column, indexed columns, has hidden_at): casework.search.index.KINDS.
_KINDS = (
    ('case', 'cases', 'id', ('title', 'narrative', 'after_return'), False),
    ('event', 'events', 'case_id', ('description', 'legal_basis'), True),
    ('source', 'sources', 'case_id', ('how_they_know',), True),
    ('comment', 'comments', 'case_id', ('body',), True),
    ('status', 'status_changes', 'case_id', ('comment',), False),
    ('document', 'documents', 'case_id', ('original_name', 'description'), True),
)

def upgrade():
    op.create_table('search_tokens',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('token', sa.LargeBinary(length=16), nullable=False),
    sa.Column('record_kind', sa.String(length=16), nullable=False),
    sa.Column('record_id', sa.Integer(), nullable=False),
    sa.Column('case_id', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['case_id'], ['cases.id'], name=op.f('fk_search_tokens_case_id_cases')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_search_tokens'))
    )
    with op.batch_alter_table('search_tokens', schema=None) as batch_op:
        batch_op.create_index('ix_search_tokens_case', ['case_id'], unique=False)
        batch_op.create_index('ix_search_tokens_record', ['record_kind', 'record_id'], unique=False)
        batch_op.create_index('ix_search_tokens_token_case', ['token', 'case_id'], unique=False)
    _backfill()


def _backfill():
    conn = op.get_bind()
    index = BlindIndex(current_app.config['BLIND_INDEX_KEY'])
    ring = current_app.extensions[EXTENSION]
    tokens = sa.table('search_tokens', sa.column('token'), sa.column('record_kind'),
                      sa.column('record_id'), sa.column('case_id'))
    for kind, table_name, case_col, columns, hideable in _KINDS:
        # Read through SecretText so that the values encrypted at rest come back sealed.
        t = sa.table(table_name, sa.column('id'), *(sa.column(c, SecretText()) for c in columns),
                     *([sa.column(case_col)] if case_col != 'id' else []),
                     *([sa.column('hidden_at')] if hideable else []))
        query = sa.select(t.c.id, t.c[case_col], *(t.c[c] for c in columns))
        if hideable:
            query = query.where(t.c.hidden_at.is_(None))
        if case_col != 'id':
            query = query.where(t.c[case_col].is_not(None))
        rows = []
        for row in conn.execute(query).all():
            record_id, case_id, *values = row
            found = set()
            for col, value in zip(columns, values):
                if isinstance(value, Sealed):
                    value = ring.open_value(conn, value, table_name, col, record_id)
                found |= terms(value)
            rows.extend(
                {'token': index.digest('search.term', term), 'record_kind': kind,
                 'record_id': record_id, 'case_id': case_id}
                for term in sorted(found)
            )
            if len(rows) > 5000:
                conn.execute(tokens.insert(), rows)
                rows = []
        if rows:
            conn.execute(tokens.insert(), rows)


def downgrade():
    with op.batch_alter_table('search_tokens', schema=None) as batch_op:
        batch_op.drop_index('ix_search_tokens_token_case')
        batch_op.drop_index('ix_search_tokens_record')
        batch_op.drop_index('ix_search_tokens_case')

    op.drop_table('search_tokens')
