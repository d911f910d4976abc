"""legal catalogue: decision findings, seeded values, precedents; UPR cycles as a table

Existing recommendations' bare cycle numbers become rows of ``upr_cycles`` (Kazakhstan, the
State this installation documents); the downgrade puts the numbers back. It refuses (and changes
nothing) while recommendations belong to cycles of another State: a bare number would make them
Kazakhstan's, and a cycle number shared by two States would collide.

Revision ID: a89b5d0ea174
Revises: 0d5a7e80d3b3
Create Date: 2026-11-28 14:07:35.334267

"""
import secrets
from datetime import UTC, datetime

from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'a89b5d0ea174'
down_revision = '0d5a7e80d3b3'
branch_labels = None
depends_on = None


STATE = "Kazakhstan"


def upgrade():
    op.create_table('upr_cycles',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('state_under_review', sa.String(length=100), nullable=False),
    sa.Column('number', sa.Integer(), nullable=False),
    sa.Column('wg_session', sa.String(length=100), nullable=True),
    sa.Column('review_date', sa.String(length=10), nullable=True),
    sa.Column('report_symbol', sa.String(length=40), nullable=True),
    sa.Column('public_id', sa.String(length=24), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_upr_cycles')),
    sa.UniqueConstraint('public_id', name=op.f('uq_upr_cycles_public_id')),
    sa.UniqueConstraint('state_under_review', 'number', name=op.f('uq_upr_cycles_state_under_review'))
    )
    op.create_table('case_precedents',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('case_id', sa.Integer(), nullable=False),
    sa.Column('instrument_id', sa.Integer(), nullable=False),
    sa.Column('note', sa.Text(), nullable=True),
    sa.Column('created_by_id', sa.Integer(), nullable=True),
    sa.Column('public_id', sa.String(length=24), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.Column('hidden_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('hidden_reason', sa.Text(), nullable=True),
    sa.Column('hidden_by_id', sa.Integer(), nullable=True),
    sa.ForeignKeyConstraint(['case_id'], ['cases.id'], name=op.f('fk_case_precedents_case_id_cases')),
    sa.ForeignKeyConstraint(['created_by_id'], ['users.id'], name=op.f('fk_case_precedents_created_by_id_users')),
    sa.ForeignKeyConstraint(['hidden_by_id'], ['users.id'], name=op.f('fk_case_precedents_hidden_by_id_users')),
    sa.ForeignKeyConstraint(['instrument_id'], ['instruments.id'], name=op.f('fk_case_precedents_instrument_id_instruments')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_case_precedents')),
    sa.UniqueConstraint('case_id', 'instrument_id', name=op.f('uq_case_precedents_case_id')),
    sa.UniqueConstraint('public_id', name=op.f('uq_case_precedents_public_id'))
    )
    with op.batch_alter_table('case_precedents', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_case_precedents_case_id'), ['case_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_case_precedents_instrument_id'), ['instrument_id'], unique=False)

    with op.batch_alter_table('instruments', schema=None) as batch_op:
        batch_op.add_column(sa.Column('articles_invoked', sa.String(length=200), nullable=True))
        batch_op.add_column(sa.Column('articles_found', sa.String(length=200), nullable=True))
        batch_op.add_column(sa.Column('interim_measures', sa.String(length=40), nullable=True))
        batch_op.add_column(sa.Column('follow_up_status', sa.String(length=40), nullable=True))
        batch_op.add_column(sa.Column('seeded_values', sa.JSON(), nullable=True))

    with op.batch_alter_table('provisions', schema=None) as batch_op:
        batch_op.add_column(sa.Column('seeded_values', sa.JSON(), nullable=True))

    with op.batch_alter_table('upr_recommendations', schema=None) as batch_op:
        batch_op.add_column(sa.Column('cycle_id', sa.Integer(), nullable=True))

    # Each cycle number in use becomes a cycle of Kazakhstan; recommendations point to it.
    conn = op.get_bind()
    cycles = sa.table(
        'upr_cycles',
        sa.column('id', sa.Integer),
        sa.column('state_under_review', sa.String),
        sa.column('number', sa.Integer),
        sa.column('public_id', sa.String),
        sa.column('created_at', sa.DateTime(timezone=True)),
        sa.column('updated_at', sa.DateTime(timezone=True)),
        sa.column('version', sa.Integer),
    )
    numbers = [row[0] for row in conn.execute(
        sa.text('SELECT DISTINCT cycle FROM upr_recommendations ORDER BY cycle')
    )]
    now = datetime.now(UTC)
    if numbers:
        op.bulk_insert(cycles, [
            {
                'state_under_review': STATE,
                'number': n,
                'public_id': secrets.token_urlsafe(12),
                'created_at': now,
                'updated_at': now,
                'version': 1,
            }
            for n in numbers
        ])
    conn.execute(sa.text(
        'UPDATE upr_recommendations SET cycle_id = ('
        ' SELECT c.id FROM upr_cycles c'
        ' WHERE c.state_under_review = :state AND c.number = upr_recommendations.cycle)'
    ), {'state': STATE})

    with op.batch_alter_table('upr_recommendations', schema=None) as batch_op:
        batch_op.alter_column('cycle_id', existing_type=sa.Integer(), nullable=False)
        batch_op.drop_index(batch_op.f('ix_upr_recommendations_cycle'))
        batch_op.drop_constraint(batch_op.f('uq_upr_recommendations_cycle'), type_='unique')
        batch_op.create_index(batch_op.f('ix_upr_recommendations_cycle_id'), ['cycle_id'], unique=False)
        batch_op.create_unique_constraint(batch_op.f('uq_upr_recommendations_cycle_id'), ['cycle_id', 'number'])
        batch_op.create_foreign_key(batch_op.f('fk_upr_recommendations_cycle_id_upr_cycles'), 'upr_cycles', ['cycle_id'], ['id'])
        batch_op.drop_column('cycle')



def downgrade():
    foreign = op.get_bind().execute(sa.text(
        'SELECT COUNT(*) FROM upr_recommendations r JOIN upr_cycles c ON c.id = r.cycle_id'
        ' WHERE c.state_under_review <> :state'
    ), {'state': STATE}).scalar()
    if foreign:
        raise RuntimeError(
            f'cannot downgrade below {revision}: {foreign} UPR recommendation(s) belong to '
            f'cycles of States other than {STATE}, which the earlier schema cannot tell apart '
            '(take a backup, then remove them or stay at this revision)'
        )
    with op.batch_alter_table('upr_recommendations', schema=None) as batch_op:
        batch_op.add_column(sa.Column('cycle', sa.INTEGER(), nullable=True))

    op.get_bind().execute(sa.text(
        'UPDATE upr_recommendations SET cycle = ('
        ' SELECT c.number FROM upr_cycles c WHERE c.id = upr_recommendations.cycle_id)'
    ))

    with op.batch_alter_table('upr_recommendations', schema=None) as batch_op:
        batch_op.alter_column('cycle', existing_type=sa.INTEGER(), nullable=False)
        batch_op.drop_constraint(batch_op.f('fk_upr_recommendations_cycle_id_upr_cycles'), type_='foreignkey')
        batch_op.drop_constraint(batch_op.f('uq_upr_recommendations_cycle_id'), type_='unique')
        batch_op.drop_index(batch_op.f('ix_upr_recommendations_cycle_id'))
        batch_op.create_unique_constraint(batch_op.f('uq_upr_recommendations_cycle'), ['cycle', 'number'])
        batch_op.create_index(batch_op.f('ix_upr_recommendations_cycle'), ['cycle'], unique=False)
        batch_op.drop_column('cycle_id')

    with op.batch_alter_table('provisions', schema=None) as batch_op:
        batch_op.drop_column('seeded_values')

    with op.batch_alter_table('instruments', schema=None) as batch_op:
        batch_op.drop_column('seeded_values')
        batch_op.drop_column('follow_up_status')
        batch_op.drop_column('interim_measures')
        batch_op.drop_column('articles_found')
        batch_op.drop_column('articles_invoked')

    with op.batch_alter_table('case_precedents', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_case_precedents_instrument_id'))
        batch_op.drop_index(batch_op.f('ix_case_precedents_case_id'))

    op.drop_table('case_precedents')
    op.drop_table('upr_cycles')
