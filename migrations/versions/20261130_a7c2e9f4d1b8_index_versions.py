"""index versions: the rules version each derived index was built with

The name-matching keys stored so far were built by the first rules (version 1); ``flask seed``
rebuilds them when the application's rules are newer.

Revision ID: a7c2e9f4d1b8
Revises: f8a3d6c2b1e9
Create Date: 2026-11-30 00:10:00.000000

"""
from datetime import datetime, timezone

from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'a7c2e9f4d1b8'
down_revision = 'f8a3d6c2b1e9'
branch_labels = None
depends_on = None


def upgrade():
    versions = op.create_table('index_versions',
    sa.Column('name', sa.String(length=40), nullable=False),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('name', name=op.f('pk_index_versions'))
    )
    op.bulk_insert(versions, [
        {'name': 'people.matching', 'version': 1, 'updated_at': datetime.now(timezone.utc)},
    ])


def downgrade():
    op.drop_table('index_versions')
