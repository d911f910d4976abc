"""documents: whether the place was only not ruled out, rather than found

A video whose GPS track lies among its media data, or whose movie box is compressed, cannot be
read whole for a place: it is marked as recording one (``records_location``) and now also as
``location_unsure``, so that the document list and the API tell it from a place found.
Documents stored before: NULL (not known which).

Revision ID: c7f3a1e9d5b2
Revises: b2d8f4a6c9e3
Create Date: 2026-12-08 10:00:00.000000

"""

from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = "c7f3a1e9d5b2"
down_revision = "b2d8f4a6c9e3"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("documents", schema=None) as batch_op:
        batch_op.add_column(sa.Column("location_unsure", sa.Boolean(), nullable=True))


def downgrade():
    with op.batch_alter_table("documents", schema=None) as batch_op:
        batch_op.drop_column("location_unsure")
