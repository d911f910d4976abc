"""places encrypted: an event's place as typed may be a street or a house

``places.name`` and ``places.region`` become ``SecretText`` and their values are sealed in
place; ``places.name_key`` (the blind-index key of the name, any spacing or case) finds the
same place typed again, and replaces the name in the unique constraint. Places typed twice in
different letter case become one (their events point at the first).

Revision ID: b5d9f2a8c4e6
Revises: a4c8e1f7d3b2
Create Date: 2026-11-29 20:40:00.000000

"""
import sqlalchemy as sa
from alembic import op
from flask import current_app

from casework.core.blindindex import BlindIndex
from casework.core.keyring import EXTENSION
from casework.core.sealing import open_columns, seal_columns

# revision identifiers, used by Alembic.
revision = 'b5d9f2a8c4e6'
down_revision = 'a4c8e1f7d3b2'
branch_labels = None
depends_on = None

SEALED = (('places', 'id', 'name'), ('places', 'id', 'region'))


def _key(name):
    # As casework.cases.events.place_key computes it, spelled out: a migration must not change
    # when the code does.
    index = BlindIndex(current_app.config["BLIND_INDEX_KEY"])
    return index.token("place.name", " ".join(name.split()).casefold())


def upgrade():
    conn = op.get_bind()
    places = sa.table(
        'places', sa.column('id', sa.Integer), sa.column('name', sa.Text),
        sa.column('country', sa.String), sa.column('name_key', sa.String),
    )
    events = sa.table('events', sa.column('place_id', sa.Integer))
    op.add_column('places', sa.Column('name_key', sa.String(length=64), nullable=True))
    first = {}
    for place_id, name, country in conn.execute(
        sa.select(places.c.id, places.c.name, places.c.country).order_by(places.c.id)
    ).all():
        key = _key(name)
        kept = first.setdefault((key, country), place_id)
        if kept != place_id:
            conn.execute(events.update().where(events.c.place_id == place_id).values(place_id=kept))
            conn.execute(places.delete().where(places.c.id == place_id))
        else:
            conn.execute(places.update().where(places.c.id == place_id).values(name_key=key))
    with op.batch_alter_table('places', schema=None) as batch_op:
        batch_op.drop_constraint('uq_places_name', type_='unique')
        batch_op.alter_column('name_key', existing_type=sa.String(length=64), nullable=False)
        batch_op.alter_column('name', existing_type=sa.String(length=200), type_=sa.Text(),
                              existing_nullable=False)
        batch_op.alter_column('region', existing_type=sa.String(length=200), type_=sa.Text(),
                              existing_nullable=True)
        batch_op.create_unique_constraint('uq_places_name_key', ['name_key', 'country'])
    seal_columns(conn, current_app.extensions[EXTENSION], SEALED)


def downgrade():
    open_columns(op.get_bind(), current_app.extensions[EXTENSION], SEALED)
    with op.batch_alter_table('places', schema=None) as batch_op:
        batch_op.drop_constraint('uq_places_name_key', type_='unique')
        batch_op.alter_column('region', existing_type=sa.Text(), type_=sa.String(length=200),
                              existing_nullable=True)
        batch_op.alter_column('name', existing_type=sa.Text(), type_=sa.String(length=200),
                              existing_nullable=False)
        batch_op.drop_column('name_key')
        batch_op.create_unique_constraint('uq_places_name', ['name', 'country'])
