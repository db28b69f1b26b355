"""volunteer tasks

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-23 22:10:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "volunteer_tasks",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("household_id", sa.Integer(), nullable=False),
        sa.Column("desa_code", sa.String(length=13), nullable=False),
        sa.Column("kecamatan_code", sa.String(length=13), nullable=False),
        sa.Column("kind", sa.String(length=24), nullable=False),
        sa.Column("priority", sa.Integer(), nullable=False),
        sa.Column("source_type", sa.String(length=30), nullable=True),
        sa.Column("source_id", sa.Integer(), nullable=True),
        sa.Column("detail", sa.Text(), nullable=True),
        sa.Column("created_by_account_id", sa.Integer(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("resolved_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("resolved_by_account_id", sa.Integer(), nullable=True),
        sa.Column("resolution", sa.String(length=40), nullable=True),
        sa.ForeignKeyConstraint(
            ["household_id"],
            ["households.id"],
            name=op.f("fk_volunteer_tasks_household_id_households"),
        ),
        sa.ForeignKeyConstraint(
            ["desa_code"], ["regions.code"], name=op.f("fk_volunteer_tasks_desa_code_regions")
        ),
        sa.ForeignKeyConstraint(
            ["kecamatan_code"],
            ["regions.code"],
            name=op.f("fk_volunteer_tasks_kecamatan_code_regions"),
        ),
        sa.ForeignKeyConstraint(
            ["created_by_account_id"],
            ["accounts.id"],
            name=op.f("fk_volunteer_tasks_created_by_account_id_accounts"),
        ),
        sa.ForeignKeyConstraint(
            ["resolved_by_account_id"],
            ["accounts.id"],
            name=op.f("fk_volunteer_tasks_resolved_by_account_id_accounts"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_volunteer_tasks")),
    )
    with op.batch_alter_table("volunteer_tasks", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_volunteer_tasks_household_id"), ["household_id"], unique=False
        )
        batch_op.create_index(
            "ix_volunteer_tasks_open_desa", ["desa_code", "resolved_at"], unique=False
        )
        batch_op.create_index(
            "ix_volunteer_tasks_open_kecamatan", ["kecamatan_code", "resolved_at"], unique=False
        )


def downgrade() -> None:
    op.drop_table("volunteer_tasks")
