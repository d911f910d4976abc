"""jobs: the values of a progress message's and an error's placeholders

A job's ``message`` and ``error`` are English msgids translated when shown; a message with a
count ("%(done)s of %(total)s rows checked") keeps its values in ``message_args`` (and an
error's in ``error_args``), so that it is translated too. Rows written before keep their text
(no values): shown as they are. The downgrade writes each message with values out in English
before dropping the columns.

Revision ID: c4e8b2f6a1d3
Revises: c8e4a1f6d2b9
Create Date: 2026-11-30 06:00:00.000000

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'c4e8b2f6a1d3'
down_revision = 'c8e4a1f6d2b9'
branch_labels = None
depends_on = None


def upgrade():
    op.add_column('jobs', sa.Column('message_args', sa.JSON(), nullable=True))
    op.add_column('jobs', sa.Column('error_args', sa.JSON(), nullable=True))


def downgrade():
    conn = op.get_bind()
    jobs = sa.table(
        'jobs', sa.column('id', sa.Integer), sa.column('message', sa.String),
        sa.column('message_args', sa.JSON), sa.column('error', sa.String),
        sa.column('error_args', sa.JSON),
    )
    rows = conn.execute(
        sa.select(jobs.c.id, jobs.c.message, jobs.c.message_args, jobs.c.error,
                  jobs.c.error_args)
        .where(jobs.c.message_args.is_not(None) | jobs.c.error_args.is_not(None))
    ).all()
    for row_id, message, message_args, error, error_args in rows:
        conn.execute(
            jobs.update().where(jobs.c.id == row_id).values(
                message=_english(message, message_args), error=_english(error, error_args)
            )
        )
    op.drop_column('jobs', 'error_args')
    op.drop_column('jobs', 'message_args')


def _english(text, values):
    if not text or not values:
        return text
    try:
        return text % values
    except (KeyError, TypeError, ValueError):
        return text
