"""remedies: partial and approximate filing and decision dates

A proceeding's ``filed_on`` and ``decided_on`` become partial dates stored as events store
theirs: ISO text at the date's precision (``2010``, ``2010-08``, ``2010-08-12``), with a flag
for an approximate date (``filed_on_approximate``, ``decided_on_approximate``). An existing
date is a day and keeps its meaning (``2010-08-12`` as before, not approximate). The appeal
deadline stays a day.

The type changes by a new column, a copy, and a rename: SQLite cannot alter a column's type
without copying the table (a batch), and plain ALTER TABLEs do on both databases. The
downgrade refuses, changing nothing, while a proceeding has a date the earlier schema cannot
hold (a year or a month only, or an approximate date).

Revision ID: b3f7a2d9c5e1
Revises: a7c2e9f4d1b8
Create Date: 2026-12-01 00:00:00.000000

"""
from datetime import date

from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'b3f7a2d9c5e1'
down_revision = 'a7c2e9f4d1b8'
branch_labels = None
depends_on = None

COLUMNS = ('filed_on', 'decided_on')


def _retype(old_type, new_type, convert):
    """Each date column to ``new_type``: a new column, the values copied, the old one dropped
    and the new one given its name."""
    conn = op.get_bind()
    for name in COLUMNS:
        op.add_column('remedies', sa.Column(f'{name}_new', new_type, nullable=True))
        remedies = sa.table(
            'remedies', sa.column('id', sa.Integer), sa.column(name, old_type),
            sa.column(f'{name}_new', new_type),
        )
        rows = conn.execute(
            sa.select(remedies.c.id, remedies.c[name]).where(remedies.c[name].is_not(None))
        ).all()
        for row_id, value in rows:
            conn.execute(
                remedies.update().where(remedies.c.id == row_id)
                .values({f'{name}_new': convert(value)})
            )
        op.drop_column('remedies', name)
        op.alter_column('remedies', f'{name}_new', new_column_name=name,
                        existing_type=new_type, existing_nullable=True)


def _iso(value):
    # SQLite gives back the text it holds for a DATE, PostgreSQL a date.
    return value.isoformat() if isinstance(value, date) else str(value)[:10]


def upgrade():
    for name in COLUMNS:
        op.add_column('remedies', sa.Column(
            f'{name}_approximate', sa.Boolean(), nullable=False, server_default=sa.false()
        ))
    if op.get_bind().dialect.name != 'sqlite':
        # The default served existing rows; the model sets the value from now on.
        for name in COLUMNS:
            op.alter_column('remedies', f'{name}_approximate', server_default=None)
    _retype(sa.Date(), sa.String(length=10), _iso)


def downgrade():
    conn = op.get_bind()
    remedies = sa.table(
        'remedies', *(sa.column(n, sa.String) for n in COLUMNS),
        *(sa.column(f'{n}_approximate', sa.Boolean) for n in COLUMNS),
    )
    partial = conn.execute(
        sa.select(sa.func.count()).select_from(remedies).where(sa.or_(
            *(sa.func.length(remedies.c[n]) < 10 for n in COLUMNS),
            *(remedies.c[f'{n}_approximate'].is_(True) for n in COLUMNS),
        ))
    ).scalar()
    if partial:
        raise RuntimeError(
            f'cannot downgrade below {revision}: {partial} domestic remedy(ies) have a filing or '
            'decision date known only to the year or the month, or approximate, which the '
            'earlier schema cannot hold (take a backup, then give them exact days or stay at '
            'this revision)'
        )
    _retype(sa.String(length=10), sa.Date(), date.fromisoformat)
    for name in COLUMNS:
        op.drop_column('remedies', f'{name}_approximate')
