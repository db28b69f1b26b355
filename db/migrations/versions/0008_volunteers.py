"""volunteers: wrong invite-code attempts and quick reports

Revision ID: 0008
Revises: 0006
Create Date: 2026-11-23 22:10:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0008"
down_revision = "0006"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "invite_attempts",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("account_id", sa.Integer(), nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["account_id"], ["accounts.id"], name=op.f("fk_invite_attempts_account_id_accounts")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_invite_attempts")),
    )
    with op.batch_alter_table("invite_attempts", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_invite_attempts_account_id"), ["account_id"], unique=False
        )
    op.create_table(
        "quick_reports",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("account_id", sa.Integer(), nullable=False),
        sa.Column("role", sa.String(length=10), nullable=False),
        sa.Column("area_code", sa.String(length=13), nullable=True),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("photo_file_id", sa.String(length=200), nullable=True),
        sa.Column("latitude", sa.Double(), nullable=True),
        sa.Column("longitude", sa.Double(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["account_id"], ["accounts.id"], name=op.f("fk_quick_reports_account_id_accounts")
        ),
        sa.ForeignKeyConstraint(
            ["area_code"], ["regions.code"], name=op.f("fk_quick_reports_area_code_regions")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_quick_reports")),
    )
    with op.batch_alter_table("quick_reports", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_quick_reports_account_id"), ["account_id"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_quick_reports_created_at"), ["created_at"], unique=False
        )


def downgrade() -> None:
    op.drop_table("quick_reports")
    op.drop_table("invite_attempts")
