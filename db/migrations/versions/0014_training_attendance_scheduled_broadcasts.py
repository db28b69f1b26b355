"""training attendance per day; broadcasts sent at a chosen time

Revision ID: 0014
Revises: 0013
Create Date: 2026-12-03 10:00:00

`training_attendance`: one row per participant and day of a training that someone marked
(present or not), who marked it and when. An enrollment is "attended" while it is present on
at least one day (services/attendance.py keeps that in step). An enrollment already marked
"attended" before this revision has no days: its status stays as it was.

`broadcasts.send_at`: a broadcast staff scheduled for later; the sender starts it only from
that time. NULL (every broadcast until now) means as soon as it is queued.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0014"
down_revision = "0013"
branch_labels = None
depends_on = None

_WHEN = sa.DateTime(timezone=True)


def upgrade() -> None:
    op.create_table(
        "training_attendance",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("enrollment_id", sa.Integer(), nullable=False),
        sa.Column("day", sa.Date(), nullable=False),
        sa.Column("present", sa.Boolean(), nullable=False),
        sa.Column("marked_by_account_id", sa.Integer(), nullable=True),
        sa.Column("marked_at", _WHEN, nullable=False),
        sa.ForeignKeyConstraint(
            ["enrollment_id"], ["enrollments.id"],
            name=op.f("fk_training_attendance_enrollment_id_enrollments"),
        ),
        sa.ForeignKeyConstraint(
            ["marked_by_account_id"], ["accounts.id"],
            name=op.f("fk_training_attendance_marked_by_account_id_accounts"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_training_attendance")),
        sa.UniqueConstraint(
            "enrollment_id", "day", name=op.f("uq_training_attendance_enrollment_id")
        ),
    )  # fmt: skip
    with op.batch_alter_table("broadcasts", schema=None) as batch_op:
        batch_op.add_column(sa.Column("send_at", _WHEN, nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("broadcasts", schema=None) as batch_op:
        batch_op.drop_column("send_at")
    op.drop_table("training_attendance")
