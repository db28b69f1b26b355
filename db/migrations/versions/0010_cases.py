"""cases: complaints and questions that reach a person (aduan), their threads, and opt-out

Revision ID: 0010
Revises: 0009
Create Date: 2026-12-02 13:00:00

One model of cases for every kind (complaints now; the volunteers' tasks later), with the
answer-time bookkeeping of SP4N-LAPOR! (reminder, passing up unanswered). `accounts.opted_out_at`
records a "berhenti"/"stop": no broadcasts or reminders to that person.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0010"
down_revision = "0009"
branch_labels = None
depends_on = None

_WHEN = sa.DateTime(timezone=True)


def upgrade() -> None:
    op.create_table(
        "cases",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=24), nullable=False),
        sa.Column("household_id", sa.Integer(), nullable=True),
        sa.Column("desa_code", sa.String(length=13), nullable=False),
        sa.Column("kecamatan_code", sa.String(length=13), nullable=False),
        sa.Column("raised_by_account_id", sa.Integer(), nullable=True),
        sa.Column("open_key", sa.String(length=40), nullable=True),
        sa.Column("state", sa.String(length=12), nullable=False),
        sa.Column("level", sa.String(length=8), nullable=False),
        sa.Column("holder_account_id", sa.Integer(), nullable=True),
        sa.Column("urgent", sa.Boolean(), nullable=False),
        sa.Column("created_at", _WHEN, nullable=False),
        sa.Column("first_answer_due_at", _WHEN, nullable=False),
        sa.Column("answered_at", _WHEN, nullable=True),
        sa.Column("last_message_at", _WHEN, nullable=False),
        sa.Column("next_reminder_at", _WHEN, nullable=True),
        sa.Column("escalate_at", _WHEN, nullable=True),
        sa.Column("escalations", sa.Integer(), nullable=False),
        sa.Column("closed_at", _WHEN, nullable=True),
        sa.Column("closed_by_account_id", sa.Integer(), nullable=True),
        sa.Column("outcome", sa.String(length=30), nullable=True),
        sa.Column("outcome_note", sa.Text(), nullable=True),
        sa.Column("resident_feedback", sa.String(length=12), nullable=True),
        sa.Column("reopened_count", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["closed_by_account_id"], ["accounts.id"],
            name=op.f("fk_cases_closed_by_account_id_accounts"),
        ),
        sa.ForeignKeyConstraint(
            ["desa_code"], ["regions.code"], name=op.f("fk_cases_desa_code_regions")
        ),
        sa.ForeignKeyConstraint(
            ["holder_account_id"], ["accounts.id"],
            name=op.f("fk_cases_holder_account_id_accounts"),
        ),
        sa.ForeignKeyConstraint(
            ["household_id"], ["households.id"], name=op.f("fk_cases_household_id_households")
        ),
        sa.ForeignKeyConstraint(
            ["kecamatan_code"], ["regions.code"], name=op.f("fk_cases_kecamatan_code_regions")
        ),
        sa.ForeignKeyConstraint(
            ["raised_by_account_id"], ["accounts.id"],
            name=op.f("fk_cases_raised_by_account_id_accounts"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_cases")),
        sa.UniqueConstraint("open_key", name=op.f("uq_cases_open_key")),
    )  # fmt: skip
    with op.batch_alter_table("cases", schema=None) as batch_op:
        batch_op.create_index("ix_cases_inbox_desa", ["desa_code", "state"], unique=False)
        batch_op.create_index(
            "ix_cases_inbox_kecamatan", ["kecamatan_code", "state"], unique=False
        )
        batch_op.create_index(batch_op.f("ix_cases_household_id"), ["household_id"], unique=False)
        batch_op.create_index(
            batch_op.f("ix_cases_raised_by_account_id"), ["raised_by_account_id"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_cases_next_reminder_at"), ["next_reminder_at"], unique=False
        )
        batch_op.create_index(batch_op.f("ix_cases_escalate_at"), ["escalate_at"], unique=False)
    op.create_table(
        "case_messages",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("case_id", sa.Integer(), nullable=False),
        sa.Column("author_account_id", sa.Integer(), nullable=True),
        sa.Column("role", sa.String(length=10), nullable=False),
        sa.Column("text", sa.Text(), nullable=True),
        sa.Column("file_id", sa.String(length=200), nullable=True),
        sa.Column("file_kind", sa.String(length=10), nullable=True),
        sa.Column("created_at", _WHEN, nullable=False),
        sa.ForeignKeyConstraint(
            ["author_account_id"], ["accounts.id"],
            name=op.f("fk_case_messages_author_account_id_accounts"),
        ),
        sa.ForeignKeyConstraint(
            ["case_id"], ["cases.id"], name=op.f("fk_case_messages_case_id_cases")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_case_messages")),
    )  # fmt: skip
    with op.batch_alter_table("case_messages", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_case_messages_case_id"), ["case_id"], unique=False)
    with op.batch_alter_table("accounts", schema=None) as batch_op:
        batch_op.add_column(sa.Column("opted_out_at", _WHEN, nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("accounts", schema=None) as batch_op:
        batch_op.drop_column("opted_out_at")
    op.drop_table("case_messages")
    op.drop_table("cases")
