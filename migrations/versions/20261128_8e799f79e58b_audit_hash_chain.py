"""audit hash chain: sequence, hashes, client address; the chain head

Revision ID: 8e799f79e58b
Revises: 0d5a7e80d3b3
Create Date: 2026-11-28 14:45:00

Existing entries are chained in the order they were written (by id). The hash is computed
here with a frozen copy of the rule in casework/audit/chain.py, so this revision keeps
producing what verification expects even if that module changes later.
"""
import hashlib
import json
from datetime import timezone

from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '8e799f79e58b'
down_revision = 'c3a9e5f17b42'
branch_labels = None
depends_on = None

GENESIS = "0" * 64


def _hash(prev_hash, row, seq):
    at = row.at if row.at.tzinfo else row.at.replace(tzinfo=timezone.utc)
    payload = {
        "seq": seq,
        "at": at.astimezone(timezone.utc).strftime("%Y-%m-%dT%H:%M:%S.%fZ"),
        "actor_id": row.actor_id,
        "action": row.action,
        "object_type": row.object_type,
        "object_id": row.object_id,
        "case_id": row.case_id,
        "client_addr": None,
        "details": row.details,
    }
    content = json.dumps(payload, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    return hashlib.sha256(prev_hash.encode("ascii") + b"\n" + content.encode()).hexdigest()


def upgrade():
    op.create_table('audit_chain_head',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('seq', sa.Integer(), nullable=False),
    sa.Column('entry_hash', sa.String(length=64), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_audit_chain_head'))
    )
    with op.batch_alter_table('audit_entries', schema=None) as batch_op:
        batch_op.add_column(sa.Column('seq', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('client_addr', sa.String(length=45), nullable=True))
        batch_op.add_column(sa.Column('prev_hash', sa.String(length=64), nullable=True))
        batch_op.add_column(sa.Column('entry_hash', sa.String(length=64), nullable=True))

    entries = sa.table(
        'audit_entries',
        sa.column('id', sa.Integer()),
        sa.column('seq', sa.Integer()),
        sa.column('at', sa.DateTime(timezone=True)),
        sa.column('actor_id', sa.Integer()),
        sa.column('action', sa.String()),
        sa.column('object_type', sa.String()),
        sa.column('object_id', sa.String()),
        sa.column('case_id', sa.Integer()),
        sa.column('details', sa.JSON()),
        sa.column('prev_hash', sa.String()),
        sa.column('entry_hash', sa.String()),
    )
    bind = op.get_bind()
    prev_hash, seq = GENESIS, 0
    for row in bind.execute(sa.select(entries).order_by(entries.c.id)).all():
        seq += 1
        entry_hash = _hash(prev_hash, row, seq)
        bind.execute(
            entries.update()
            .where(entries.c.id == row.id)
            .values(seq=seq, prev_hash=prev_hash, entry_hash=entry_hash)
        )
        prev_hash = entry_hash
    head = sa.table(
        'audit_chain_head',
        sa.column('id', sa.Integer()),
        sa.column('seq', sa.Integer()),
        sa.column('entry_hash', sa.String()),
    )
    bind.execute(head.insert().values(id=1, seq=seq, entry_hash=prev_hash))

    with op.batch_alter_table('audit_entries', schema=None) as batch_op:
        batch_op.alter_column('seq', existing_type=sa.Integer(), nullable=False)
        batch_op.alter_column('prev_hash', existing_type=sa.String(length=64), nullable=False)
        batch_op.alter_column('entry_hash', existing_type=sa.String(length=64), nullable=False)
        batch_op.create_unique_constraint(batch_op.f('uq_audit_entries_seq'), ['seq'])
        batch_op.create_index(batch_op.f('ix_audit_entries_action'), ['action'], unique=False)


def downgrade():
    with op.batch_alter_table('audit_entries', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_audit_entries_action'))
        batch_op.drop_constraint(batch_op.f('uq_audit_entries_seq'), type_='unique')
        batch_op.drop_column('entry_hash')
        batch_op.drop_column('prev_hash')
        batch_op.drop_column('client_addr')
        batch_op.drop_column('seq')

    op.drop_table('audit_chain_head')
