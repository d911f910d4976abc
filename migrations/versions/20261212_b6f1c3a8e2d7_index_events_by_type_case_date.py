"""index: visible events by (type, case, date), read by a period's statistics

Revision ID: b6f1c3a8e2d7
Revises: 3d8b5b87d9b5
Create Date: 2026-12-12 10:00:00.000000

"""

import sqlalchemy as sa
from alembic import op


# revision identifiers, used by Alembic.
revision = "b6f1c3a8e2d7"
down_revision = "3d8b5b87d9b5"
branch_labels = None
depends_on = None


def upgrade():
    # The statistics of a period (after return, interim measures) look up each kind of event
    # of each of its cases here, date included, not in the table. Partial: visible events only,
    # as the queries state it. Plain CREATE INDEX, no batch rebuild of the table.
    op.create_index(
        "ix_events_type_case_date",
        "events",
        ["event_type", "case_id", "date"],
        sqlite_where=sa.text("hidden_at IS NULL"),
        postgresql_where=sa.text("hidden_at IS NULL"),
    )


def downgrade():
    op.drop_index("ix_events_type_case_date", table_name="events")
