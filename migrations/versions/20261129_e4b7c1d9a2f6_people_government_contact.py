"""people: whether the person agrees that a UN body contacts the government about them

Existing people get "not_asked": nobody has recorded an answer yet.

Revision ID: e4b7c1d9a2f6
Revises: c6e1a3f9b7d4
Create Date: 2026-11-29 23:50:00.000000

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'e4b7c1d9a2f6'
down_revision = 'c6e1a3f9b7d4'
branch_labels = None
depends_on = None


# Plain ALTER TABLEs, not a batch: SQLite's batch mode copies the table into a new one and would
# lose the expression indexes of the people table, which it cannot reflect.


def upgrade():
    # A column NOT NULL needs a default on SQLite; the model gives every new person its value.
    op.add_column('people', sa.Column(
        'government_contact', sa.String(length=40), nullable=False, server_default='not_asked'
    ))
    if op.get_bind().dialect.name != 'sqlite':
        op.alter_column('people', 'government_contact', server_default=None)


def downgrade():
    op.drop_column('people', 'government_contact')
