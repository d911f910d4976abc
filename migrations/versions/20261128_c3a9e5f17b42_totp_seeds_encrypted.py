"""TOTP seeds encrypted at rest

Revision ID: c3a9e5f17b42
Revises: b7e2c4d91f03
Create Date: 2026-11-28 15:20:00.000000

A copied database must not give anyone a second factor: ``users.totp_secret`` becomes a
``SecretText`` column (Text) and existing seeds are sealed in place; downgrade opens them.
"""
from alembic import op
import sqlalchemy as sa
from flask import current_app

from casework.core.keyring import EXTENSION
from casework.core.sealing import open_columns, seal_columns

# revision identifiers, used by Alembic.
revision = 'c3a9e5f17b42'
down_revision = 'b7e2c4d91f03'
branch_labels = None
depends_on = None

SEALED = (('users', 'id', 'totp_secret'),)


def upgrade():
    with op.batch_alter_table('users', schema=None) as batch_op:
        batch_op.alter_column(
            'totp_secret', existing_type=sa.String(length=64), type_=sa.Text(),
            existing_nullable=True,
        )
    seal_columns(op.get_bind(), current_app.extensions[EXTENSION], SEALED)


def downgrade():
    open_columns(op.get_bind(), current_app.extensions[EXTENSION], SEALED)
    with op.batch_alter_table('users', schema=None) as batch_op:
        batch_op.alter_column(
            'totp_secret', existing_type=sa.Text(), type_=sa.String(length=64),
            existing_nullable=True,
        )
