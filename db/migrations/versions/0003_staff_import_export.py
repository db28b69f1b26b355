"""staff import export: BNBA digests of households and members

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-23 22:10:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("households", schema=None) as batch_op:
        batch_op.add_column(sa.Column("bnba_digest", sa.String(length=64), nullable=True))
        batch_op.add_column(
            sa.Column("bnba_household_digest", sa.String(length=64), nullable=True)
        )
    with op.batch_alter_table("members", schema=None) as batch_op:
        batch_op.add_column(sa.Column("bnba_digest", sa.String(length=64), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("members", schema=None) as batch_op:
        batch_op.drop_column("bnba_digest")
    with op.batch_alter_table("households", schema=None) as batch_op:
        batch_op.drop_column("bnba_household_digest")
        batch_op.drop_column("bnba_digest")
