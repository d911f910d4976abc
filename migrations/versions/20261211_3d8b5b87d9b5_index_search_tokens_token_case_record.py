"""index: search tokens by (token, case, record), covering the ranking of a search

Revision ID: 3d8b5b87d9b5
Revises: d4e8b1f2a6c3
Create Date: 2026-12-11 10:00:00.000000

"""

from alembic import op


# revision identifiers, used by Alembic.
revision = "3d8b5b87d9b5"
down_revision = "d4e8b1f2a6c3"
branch_labels = None
depends_on = None


def upgrade():
    # The window of a search reads each token's newest records (case, kind, record) from this
    # index alone, never the table; the (token, case) index it extends is dropped (a prefix of
    # this one). Plain CREATE/DROP INDEX, no batch rebuild of the table.
    op.create_index(
        "ix_search_tokens_token_case_record",
        "search_tokens",
        ["token", "case_id", "record_kind", "record_id"],
    )
    op.drop_index("ix_search_tokens_token_case", table_name="search_tokens")


def downgrade():
    op.create_index("ix_search_tokens_token_case", "search_tokens", ["token", "case_id"])
    op.drop_index("ix_search_tokens_token_case_record", table_name="search_tokens")
