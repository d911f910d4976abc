"""encryption at rest: data keys, and existing identifying values and uploads sealed in place

Revision ID: 5e4c1a9b7d20
Revises: 0d5a7e80d3b3
Create Date: 2026-11-28 14:40:00.000000

Upgrade creates ``data_keys`` and seals, with the app's master key, every plaintext value of the
encrypted columns below and every plaintext upload file. The database part is committed before
any file is touched, so a file is never sealed under a data key that a rollback could lose; if
the run stops during the files, running ``flask db upgrade`` again finishes them (sealed values
and files are recognised and skipped). Downgrade decrypts the files, then the values, then drops
the keys. A later migration that makes more columns ``SecretText`` calls ``seal_columns`` /
``open_columns`` the same way for its own columns.
"""
from pathlib import Path

from alembic import op
import sqlalchemy as sa
from flask import current_app

from casework.core.keyring import EXTENSION
from casework.core.sealing import (
    open_columns,
    open_file_in_place,
    seal_columns,
    seal_file_in_place,
)

# revision identifiers, used by Alembic.
revision = '5e4c1a9b7d20'
down_revision = '83f04305e292'
branch_labels = None
depends_on = None

# (table, primary key, column): the SecretText columns at this revision.
SEALED_COLUMNS = (
    ('cases', 'id', 'narrative'),
    ('cases', 'id', 'after_return'),
    ('events', 'id', 'description'),
    ('comments', 'id', 'body'),
    ('people', 'id', 'unhcr_number'),
    ('people', 'id', 'contacts'),
    ('people', 'id', 'address'),
    ('people', 'id', 'notes'),
    ('person_names', 'id', 'name'),
    ('sources', 'id', 'identity'),
    ('sources', 'id', 'how_they_know'),
    ('sources', 'id', 'notes'),
    ('documents', 'id', 'original_name'),
)


def _keyring():
    return current_app.extensions[EXTENSION]


def _upload_files(conn):
    folder = Path(current_app.config['UPLOAD_DIR'])
    for (storage_name,) in conn.execute(sa.text('SELECT storage_name FROM documents')):
        path = folder / storage_name
        if path.is_file():
            yield path, f'documents/{storage_name}'


def upgrade():
    conn = op.get_bind()
    if not sa.inspect(conn).has_table('data_keys'):
        op.create_table('data_keys',
        sa.Column('id', sa.String(length=12), nullable=False),
        sa.Column('master_key_id', sa.String(length=16), nullable=False),
        sa.Column('wrapped', sa.LargeBinary(), nullable=False),
        sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
        sa.Column('retired_at', sa.DateTime(timezone=True), nullable=True),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_data_keys'))
        )
    ring = _keyring()
    seal_columns(conn, ring, SEALED_COLUMNS)
    key = ring.active_key(conn)
    files = list(_upload_files(conn))
    if files:
        # Commit the data key and the sealed values before any file depends on that key.
        with op.get_context().autocommit_block():
            for path, binding in files:
                seal_file_in_place(path, key, binding)


def downgrade():
    conn = op.get_bind()
    ring = _keyring()
    for path, binding in _upload_files(conn):
        open_file_in_place(path, conn, ring, binding)
    open_columns(conn, ring, SEALED_COLUMNS)
    op.drop_table('data_keys')
