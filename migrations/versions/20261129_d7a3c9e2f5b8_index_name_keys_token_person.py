"""index: matching keys by token and person (a name lookup reads the index alone)

Revision ID: d7a3c9e2f5b8
Revises: c4e8a2f6b1d3
Create Date: 2026-11-29 04:20:00.000000

"""
from alembic import op


# revision identifiers, used by Alembic.
revision = 'd7a3c9e2f5b8'
down_revision = 'c4e8a2f6b1d3'
branch_labels = None
depends_on = None


def upgrade():
    op.create_index(
        'ix_person_name_keys_token_person_id', 'person_name_keys', ['token', 'person_id']
    )
    # Its prefix: every lookup by token uses the new index.
    op.drop_index('ix_person_name_keys_token', table_name='person_name_keys')


def downgrade():
    op.create_index('ix_person_name_keys_token', 'person_name_keys', ['token'])
    op.drop_index('ix_person_name_keys_token_person_id', table_name='person_name_keys')
