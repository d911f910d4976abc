"""report drafts encrypted: a submission's text, its versions and its partners

A draft is generated from the cases its creator reads and edited by hand: a named person, a
partner organisation, whatever a coordinator typed. ``report_drafts.body``,
``report_drafts.co_authors`` and ``report_draft_versions.body`` (Text already) are sealed in
place; the downgrade opens them.

Revision ID: c6e1a3f9b7d4
Revises: b5d9f2a8c4e6
Create Date: 2026-11-29 21:50:00.000000

"""
from flask import current_app

from alembic import op
from casework.core.keyring import EXTENSION
from casework.core.sealing import open_columns, seal_columns

# revision identifiers, used by Alembic.
revision = 'c6e1a3f9b7d4'
down_revision = 'b5d9f2a8c4e6'
branch_labels = None
depends_on = None

SEALED = (
    ('report_drafts', 'id', 'body'),
    ('report_drafts', 'id', 'co_authors'),
    ('report_draft_versions', 'id', 'body'),
)


def upgrade():
    seal_columns(op.get_bind(), current_app.extensions[EXTENSION], SEALED)


def downgrade():
    open_columns(op.get_bind(), current_app.extensions[EXTENSION], SEALED)
