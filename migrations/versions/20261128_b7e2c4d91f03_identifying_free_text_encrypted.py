"""every identifying free-text field encrypted: titles, places, date notes, legal bases, comments,
analyses, remedy bodies and notes, advocacy texts, family notes, document descriptions and the
reasons given for hiding a record

Revision ID: b7e2c4d91f03
Revises: 5e4c1a9b7d20
Create Date: 2026-11-28 15:00:00.000000

The access policy lists these fields as identifying (``casework.permissions.IDENTIFYING_FIELDS``):
each becomes a ``SecretText`` column (Text, since ciphertext is longer than the text it holds) and
its existing values are sealed in place. Downgrade opens them and restores the earlier types.
``cases.external_ref`` loses its index: an index over ciphertext finds nothing.
"""
from alembic import op
import sqlalchemy as sa
from flask import current_app

from casework.core.crypto import Sealed, is_sealed_text
from casework.core.keyring import EXTENSION
from casework.core.sealing import open_columns, seal_columns

# revision identifiers, used by Alembic.
revision = 'b7e2c4d91f03'
down_revision = '5e4c1a9b7d20'
branch_labels = None
depends_on = None

# (table, column, type before this revision, nullable)
CHANGED = (
    ('cases', 'title', sa.String(length=200), True),
    ('cases', 'external_ref', sa.String(length=100), True),
    ('cases', 'act_place', sa.String(length=200), True),
    ('cases', 'act_date_note', sa.String(length=200), True),
    ('events', 'date_note', sa.String(length=200), True),
    ('events', 'legal_basis', sa.Text(), True),
    ('status_changes', 'comment', sa.Text(), True),
    ('family_links', 'note', sa.Text(), True),
    ('documents', 'description', sa.Text(), True),
    ('case_provisions', 'analysis', sa.Text(), True),
    ('case_precedents', 'note', sa.Text(), True),
    ('remedies', 'body', sa.String(length=300), True),
    ('remedies', 'notes', sa.Text(), True),
    ('advocacy_actions', 'title', sa.String(length=200), False),
    ('advocacy_actions', 'description', sa.Text(), True),
    ('advocacy_actions', 'reference_number', sa.String(length=100), True),
    ('advocacy_actions', 'response_summary', sa.Text(), True),
)
HIDDEN_TABLES = (
    'people', 'case_people', 'case_precedents', 'case_provisions', 'comments', 'events',
    'family_links', 'person_names', 'remedies', 'sources', 'documents',
)
SEALED = tuple((t, 'id', c) for t, c, _, _ in CHANGED) + tuple(
    (t, 'id', 'hidden_reason') for t in HIDDEN_TABLES
)


def _keyring():
    return current_app.extensions[EXTENSION]


def upgrade():
    with op.batch_alter_table('cases', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_cases_external_ref'))
    for table in {t for t, _, _, _ in CHANGED}:
        with op.batch_alter_table(table, schema=None) as batch_op:
            for t, col, old, nullable in CHANGED:
                if t == table and not isinstance(old, sa.Text):
                    batch_op.alter_column(
                        col, existing_type=old, type_=sa.Text(), existing_nullable=nullable
                    )
    seal_columns(op.get_bind(), _keyring(), SEALED)


def _too_long_for_old_types(conn):
    """(table.column, how many) of values longer than the column's earlier VARCHAR allows."""
    ring = _keyring()
    found = []
    for table, col, old, _nullable in CHANGED:
        if not isinstance(old, sa.String) or isinstance(old, sa.Text) or old.length is None:
            continue
        t = sa.table(table, sa.column('id'), sa.column(col, sa.Text))
        rows = conn.execute(sa.select(t.c.id, t.c[col]).where(t.c[col].is_not(None)))
        n = sum(
            1 for row_id, value in rows
            if len(
                ring.open_value(conn, Sealed(value), table, col, row_id)
                if is_sealed_text(value) else value
            ) > old.length
        )
        if n:
            found.append((f'{table}.{col}', n))
    return found


def downgrade():
    conn = op.get_bind()
    if conn.dialect.name != 'sqlite':  # SQLite keeps longer text in a VARCHAR; others refuse
        too_long = _too_long_for_old_types(conn)
        if too_long:
            raise RuntimeError(
                f'cannot downgrade below {revision} without cutting text: values longer than '
                'the earlier columns allow in ' + ', '.join(f'{c} ({n})' for c, n in too_long)
            )
    open_columns(conn, _keyring(), SEALED)
    for table in {t for t, _, _, _ in CHANGED}:
        with op.batch_alter_table(table, schema=None) as batch_op:
            for t, col, old, nullable in CHANGED:
                if t == table and not isinstance(old, sa.Text):
                    batch_op.alter_column(
                        col, existing_type=sa.Text(), type_=old, existing_nullable=nullable
                    )
    with op.batch_alter_table('cases', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_cases_external_ref'), ['external_ref'], unique=False)
