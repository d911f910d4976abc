"""index: the UPR recommendations linked to given cases (the UPR document reads them by case)

Revision ID: b2d8f4a6c9e3
Revises: a9c3e7f2d4b1
Create Date: 2026-12-07 10:00:00.000000

"""

from alembic import op


# revision identifiers, used by Alembic.
revision = "b2d8f4a6c9e3"
down_revision = "a9c3e7f2d4b1"
branch_labels = None
depends_on = None


def upgrade():
    # The primary key leads with the recommendation: by case, every recommendation was read.
    op.create_index(
        "ix_recommendation_cases_case_id",
        "recommendation_cases",
        ["case_id", "recommendation_id"],
    )


def downgrade():
    op.drop_index("ix_recommendation_cases_case_id", table_name="recommendation_cases")
