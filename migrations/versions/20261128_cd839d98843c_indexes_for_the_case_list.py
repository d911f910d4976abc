"""indexes for the case list: every sort (keyset pagination) and filter, and a case's actions

Revision ID: cd839d98843c
Revises: e5b1c7d2a9f4
Create Date: 2026-11-28 17:26:14.729431

The expression indexes repeat, word for word, the sort keys of casework/cases/models.py: the
database uses an index on an expression only for that same expression.
"""
from alembic import op


# revision identifiers, used by Alembic.
revision = 'cd839d98843c'
down_revision = "e5b1c7d2a9f4"
branch_labels = None
depends_on = None

EXPRESSION_INDEXES = {
    "ix_cases_act_date_desc_key": "cases (coalesce(act_date, ''), id)",
    "ix_cases_act_date_asc_key": "cases (coalesce(act_date, '9999'), id)",
    "ix_cases_urgency_rank": (
        "cases ((CASE WHEN urgency = 'imminent' THEN 2 WHEN urgency = 'urgent' THEN 1 ELSE 0 END), "
        "updated_at, id)"
    ),
    "ix_people_ethnicity_lower": "people (lower(ethnicity))",
}


def upgrade():
    op.create_index('ix_action_cases_case_id', 'action_cases', ['case_id'], unique=False)
    op.create_index('ix_cases_reference_id', 'cases', ['reference', 'id'], unique=False)
    op.create_index(
        'ix_cases_status_reference_id', 'cases', ['status', 'reference', 'id'], unique=False
    )
    op.create_index('ix_cases_updated_at_id', 'cases', ['updated_at', 'id'], unique=False)
    op.create_index('ix_people_nationality', 'people', ['nationality'], unique=False)
    for name, target in EXPRESSION_INDEXES.items():
        op.execute(f"CREATE INDEX {name} ON {target}")


def downgrade():
    for name in reversed(list(EXPRESSION_INDEXES)):
        op.execute(f"DROP INDEX {name}")
    op.drop_index('ix_people_nationality', table_name='people')
    op.drop_index('ix_cases_updated_at_id', table_name='cases')
    op.drop_index('ix_cases_status_reference_id', table_name='cases')
    op.drop_index('ix_cases_reference_id', table_name='cases')
    op.drop_index('ix_action_cases_case_id', table_name='action_cases')
