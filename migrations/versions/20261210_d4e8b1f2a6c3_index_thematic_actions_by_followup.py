"""index: the thematic advocacy actions by follow-up date (a follow-up list reads its page of them)

Revision ID: d4e8b1f2a6c3
Revises: e7a2c9d4f1b8
Create Date: 2026-12-10 10:00:00.000000

"""

import sqlalchemy as sa
from alembic import op


# revision identifiers, used by Alembic.
revision = "d4e8b1f2a6c3"
down_revision = "e7a2c9d4f1b8"
branch_labels = None
depends_on = None


def upgrade():
    # Plain CREATE INDEX, no batch rebuild. Partial: the actions with no case linked (the flag
    # the policy finds them by), as the queries state it (SQLite matches the predicate's text);
    # led by the flag, so that SQLite without statistics prefers it to the flag's own index.
    op.create_index(
        "ix_advocacy_actions_thematic_followup_due",
        "advocacy_actions",
        ["thematic", "followup_due", "id"],
        sqlite_where=sa.text("thematic = 1"),
        postgresql_where=sa.text("thematic = true"),
    )


def downgrade():
    op.drop_index("ix_advocacy_actions_thematic_followup_due", table_name="advocacy_actions")
