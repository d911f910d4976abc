"""cases: the victim's authorisation to act before a UN body, and other international procedures

A treaty-body complaint states the alleged victim's authorisation (how, by whom, when) or why it
cannot be obtained, and whether the same matter went to another procedure of international
investigation or settlement. Existing cases get "not_recorded" and "not_stated": nobody has
recorded either yet. Who authorised, why it cannot be obtained and the other procedure's
details are sealed free text (new columns, empty: nothing to seal).

Revision ID: f2c7a9d4e1b6
Revises: f1a6c3e8b2d5
Create Date: 2026-12-05 09:00:00.000000

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'f2c7a9d4e1b6'
down_revision = 'f1a6c3e8b2d5'
branch_labels = None
depends_on = None


# Plain ALTER TABLEs, not a batch: SQLite's batch mode copies the table into a new one and would
# lose the expression indexes of the case list's sorts, which it cannot reflect.

_CODES = (('authorisation', 'not_recorded'), ('other_procedures', 'not_stated'))
_TEXTS = ('authorised_by', 'authorisation_note', 'other_procedures_details')


def upgrade():
    # A column NOT NULL needs a default on SQLite; the model gives every new case its value.
    for name, default in _CODES:
        op.add_column('cases', sa.Column(
            name, sa.String(length=40), nullable=False, server_default=default
        ))
        if op.get_bind().dialect.name != 'sqlite':
            op.alter_column('cases', name, server_default=None)
    for name in _TEXTS:
        op.add_column('cases', sa.Column(name, sa.Text(), nullable=True))
    op.add_column('cases', sa.Column('authorised_on', sa.Date(), nullable=True))


def downgrade():
    op.drop_column('cases', 'authorised_on')
    for name in reversed(_TEXTS):
        op.drop_column('cases', name)
    for name, _default in reversed(_CODES):
        op.drop_column('cases', name)
