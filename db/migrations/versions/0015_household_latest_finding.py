"""households keep their latest finding on income (extreme poor or not)

Revision ID: 0015
Revises: 0014
Create Date: 2026-12-02 17:20:00

`households.extreme_poor` and `extreme_poor_at`: the newest of the household's self-reports and
field visits that measured the income (services.findings keeps them when a report or a visit
is saved). The statistics count this column instead of ranking every finding each time (that
cost 100 ms of the kabupaten's 220 at 100,000 households, benchmarks/cases.py). Filled here
from the reports and visits already saved.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0015"
down_revision = "0014"
branch_labels = None
depends_on = None

_AREA = ["kecamatan_code", "desa_code", "status", "verification", "last_visit_at"]
_LATEST = sa.text(
    "SELECT household_id, extreme_poor, at FROM ("
    " SELECT household_id, extreme_poor, at, ROW_NUMBER() OVER (PARTITION BY household_id"
    "  ORDER BY at DESC, by_visit DESC, id DESC) AS newest FROM ("
    "  SELECT household_id, created_at AS at, 0 AS by_visit, id, extreme_poor"
    "   FROM status_reports WHERE extreme_poor IS NOT NULL"
    "  UNION ALL"
    "  SELECT household_id, visited_at, 1, id, extreme_poor"
    "   FROM field_visits WHERE extreme_poor IS NOT NULL) AS findings) AS ranked"
    " WHERE newest = 1"
)


def upgrade() -> None:
    with op.batch_alter_table("households", schema=None) as batch_op:
        batch_op.add_column(sa.Column("extreme_poor", sa.Boolean(), nullable=True))
        batch_op.add_column(
            sa.Column("extreme_poor_at", sa.DateTime(timezone=True), nullable=True)
        )
        # The statistics count it from the households-by-area index (benchmarks/cases.py).
        batch_op.drop_index("ix_households_area_status")
        batch_op.create_index("ix_households_area_status", [*_AREA, "extreme_poor"], unique=False)
    bind = op.get_bind()
    rows = bind.execute(_LATEST).all()
    if rows:
        bind.execute(
            sa.text(
                "UPDATE households SET extreme_poor = :poor, extreme_poor_at = :at"
                " WHERE id = :hid"
            ),
            [{"hid": hid, "poor": bool(poor), "at": at} for hid, poor, at in rows],
        )


def downgrade() -> None:
    with op.batch_alter_table("households", schema=None) as batch_op:
        batch_op.drop_index("ix_households_area_status")
        batch_op.create_index("ix_households_area_status", _AREA, unique=False)
        batch_op.drop_column("extreme_poor_at")
        batch_op.drop_column("extreme_poor")
