"""the volunteers' tasks become cases; what a visit found about income is kept in columns

Revision ID: 0013
Revises: 0012
Create Date: 2026-12-02 16:00:00

One model of cases (issue 13): a proposal to verify, an urgent report, a correction request,
a "belum menerima", a household the bot cannot reach are cases like a complaint, one open per
household and kind, with a thread (each new signal of the kind is a message of the open case)
and an outcome from the kind's list. `cases.priority` orders a volunteer's list;
`source_type`/`source_id` name what raised the case last (e.g. a disbursement recipient).
Each open task becomes (part of) an open case; each resolved task a closed case.

A visit's income and members count like a self-report: `field_visits` gets the same columns
as `status_reports`, so "extreme poor" is the latest of either.

Two indexes let /tugas and /statistik read from the index alone at 100,000 households
(benchmarks/cases.py): a household's cases by state, kind, priority and age (instead of
household_id alone), and households by kecamatan, desa, status, verification and last visit
(instead of kecamatan_code alone).
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import sqlalchemy as sa
from alembic import op

revision = "0013"
down_revision = "0012"
branch_labels = None
depends_on = None

_WHEN = sa.DateTime(timezone=True)
_PREFIX_PRIORITY = {
    "laporan_mendesak": 10, "belum_menerima": 20, "usulan": 30, "koreksi": 40,
    "tidak_terjangkau": 50, "aduan": 25,
}  # fmt: skip
# /tugas and /statistik read these from the index alone (benchmarks/cases.py); each replaces
# the index of its first column.
_CASES_HOUSEHOLD_OPEN = ["household_id", "state", "kind", "priority", "created_at"]
_HOUSEHOLDS_AREA = ["kecamatan_code", "desa_code", "status", "verification", "last_visit_at"]


def upgrade() -> None:
    with op.batch_alter_table("cases", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("priority", sa.Integer(), nullable=False, server_default="25")
        )
        batch_op.add_column(sa.Column("source_type", sa.String(length=30), nullable=True))
        batch_op.add_column(sa.Column("source_id", sa.Integer(), nullable=True))
        batch_op.create_index("ix_cases_open_priority", ["state", "priority"], unique=False)
        batch_op.drop_index(batch_op.f("ix_cases_household_id"))
        batch_op.create_index("ix_cases_household_open", _CASES_HOUSEHOLD_OPEN, unique=False)
    with op.batch_alter_table("households", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_households_kecamatan_code"))
        batch_op.create_index("ix_households_area_status", _HOUSEHOLDS_AREA, unique=False)
    with op.batch_alter_table("field_visits", schema=None) as batch_op:
        batch_op.add_column(sa.Column("income_monthly", sa.BigInteger(), nullable=True))
        batch_op.add_column(sa.Column("members_count", sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column("income_per_person_day", sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column("extreme_poor", sa.Boolean(), nullable=True))
    _move_tasks(op.get_bind())
    with op.batch_alter_table("volunteer_tasks", schema=None) as batch_op:
        batch_op.drop_index("ix_volunteer_tasks_open_kecamatan")
        batch_op.drop_index("ix_volunteer_tasks_open_desa")
        batch_op.drop_index(batch_op.f("ix_volunteer_tasks_household_id"))
    op.drop_table("volunteer_tasks")


def _move_tasks(bind: Any) -> None:
    """Open tasks of one household and kind become one open case (each task's detail a
    message of its thread); each resolved task a closed case."""
    meta = sa.MetaData()
    tasks = sa.Table("volunteer_tasks", meta, autoload_with=bind)
    cases = sa.Table("cases", meta, autoload_with=bind)
    messages = sa.Table("case_messages", meta, autoload_with=bind)
    rows = bind.execute(sa.select(tasks).order_by(tasks.c.created_at, tasks.c.id)).mappings()
    open_case: dict[tuple[int, str], int] = {}
    for task in list(rows):
        created = task["created_at"] or dt.datetime.now(dt.UTC)
        key = (task["household_id"], task["kind"])
        resolved = task["resolved_at"] is not None
        case_id = None if resolved else open_case.get(key)
        if case_id is None:
            values = dict(
                    kind=task["kind"], household_id=task["household_id"],
                    desa_code=task["desa_code"], kecamatan_code=task["kecamatan_code"],
                    raised_by_account_id=task["created_by_account_id"],
                    open_key=None if resolved else f"{task['kind']}:h{task['household_id']}",
                    state="closed" if resolved else "open", level="psm", urgent=False,
                    created_at=created, first_answer_due_at=created + dt.timedelta(days=3),
                    last_message_at=created, escalations=0, reopened_count=0,
                    closed_at=task["resolved_at"],
                    closed_by_account_id=task["resolved_by_account_id"],
                    outcome=_outcome(task["resolution"]) if resolved else None,
                    priority=_PREFIX_PRIORITY.get(task["kind"], 50),
                    source_type=task["source_type"], source_id=task["source_id"],
            )  # fmt: skip
            case_id = bind.execute(sa.insert(cases).values(**values)).inserted_primary_key[0]
            if not resolved:
                open_case[key] = case_id
        if task["detail"]:
            bind.execute(
                sa.insert(messages).values(
                    case_id=case_id, role="system", text=task["detail"], created_at=created
                )
            )


def _outcome(resolution: str | None) -> str:
    """A task's resolution as a case's outcome: "disampaikan" is "delivered"; "visit:<what
    the visit found>" (a visit used to close every task) is "visited"."""
    if resolution == "disampaikan":
        return "delivered"
    if not resolution or resolution.startswith("visit:"):
        return "visited"
    return resolution[:30]


def downgrade() -> None:
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
        sa.Column("created_at", _WHEN, nullable=False),
        sa.Column("resolved_at", _WHEN, nullable=True),
        sa.Column("resolved_by_account_id", sa.Integer(), nullable=True),
        sa.Column("resolution", sa.String(length=40), nullable=True),
        sa.ForeignKeyConstraint(
            ["household_id"], ["households.id"],
            name=op.f("fk_volunteer_tasks_household_id_households"),
        ),
        sa.ForeignKeyConstraint(
            ["desa_code"], ["regions.code"], name=op.f("fk_volunteer_tasks_desa_code_regions")
        ),
        sa.ForeignKeyConstraint(
            ["kecamatan_code"], ["regions.code"],
            name=op.f("fk_volunteer_tasks_kecamatan_code_regions"),
        ),
        sa.ForeignKeyConstraint(
            ["created_by_account_id"], ["accounts.id"],
            name=op.f("fk_volunteer_tasks_created_by_account_id_accounts"),
        ),
        sa.ForeignKeyConstraint(
            ["resolved_by_account_id"], ["accounts.id"],
            name=op.f("fk_volunteer_tasks_resolved_by_account_id_accounts"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_volunteer_tasks")),
    )  # fmt: skip
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
    with op.batch_alter_table("field_visits", schema=None) as batch_op:
        batch_op.drop_column("extreme_poor")
        batch_op.drop_column("income_per_person_day")
        batch_op.drop_column("members_count")
        batch_op.drop_column("income_monthly")
    with op.batch_alter_table("households", schema=None) as batch_op:
        batch_op.drop_index("ix_households_area_status")
        batch_op.create_index(
            batch_op.f("ix_households_kecamatan_code"), ["kecamatan_code"], unique=False
        )
    with op.batch_alter_table("cases", schema=None) as batch_op:
        batch_op.drop_index("ix_cases_household_open")
        batch_op.create_index(batch_op.f("ix_cases_household_id"), ["household_id"], unique=False)
        batch_op.drop_index("ix_cases_open_priority")
        batch_op.drop_column("source_id")
        batch_op.drop_column("source_type")
        batch_op.drop_column("priority")
