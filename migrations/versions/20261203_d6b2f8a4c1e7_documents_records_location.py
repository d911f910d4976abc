"""documents: whether the file was found at upload to record where it was taken

A photo's GPS coordinates (in its Exif block or an XMP packet) say where it was taken: the
document is marked wherever it is listed, so that it is cleaned before it leaves the
organisation. Documents stored before were never checked: NULL, neither flagged nor cleared.

Revision ID: d6b2f8a4c1e7
Revises: e5b1c7d9a3f2
Create Date: 2026-12-03 06:00:00.000000

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'd6b2f8a4c1e7'
down_revision = 'e5b1c7d9a3f2'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('documents', schema=None) as batch_op:
        batch_op.add_column(sa.Column('records_location', sa.Boolean(), nullable=True))


def downgrade():
    with op.batch_alter_table('documents', schema=None) as batch_op:
        batch_op.drop_column('records_location')
