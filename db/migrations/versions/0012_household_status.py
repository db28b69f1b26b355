"""household status: a visit found the family moved, died or not at the address; members
who left

Revision ID: 0012
Revises: 0011
Create Date: 2026-12-02 14:40:00

A household found moved, died (its head) or not at the address stays on file for history
and exports, but is no longer in new schedules, area broadcasts or the statistics. A
member a visit found no longer living there is marked as left, not deleted.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0012"
down_revision = "0011"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("households", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("status", sa.String(length=16), nullable=False, server_default="aktif")
        )
    with op.batch_alter_table("members", schema=None) as batch_op:
        batch_op.add_column(sa.Column("left_at", sa.DateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column("left_reason", sa.String(length=20), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("members", schema=None) as batch_op:
        batch_op.drop_column("left_reason")
        batch_op.drop_column("left_at")
    with op.batch_alter_table("households", schema=None) as batch_op:
        batch_op.drop_column("status")
