"""source fields: households keyed by a list's own id, what the lists carry, remembered
column mappings

Revision ID: 0011
Revises: 0010
Create Date: 2026-12-02 13:00:00

A P3KE list has no No. KK: its families are keyed by the list's household id (unique per
list system). Desil, the house columns and the programmes the list names go on the
household; Padan Dukcapil, work, education and marital status on the member. A staff
member's column choices for a file no layout knew are kept by a hash of its headers.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0011"
down_revision = "0010"
branch_labels = None
depends_on = None

_HOUSE = ("roof", "walls", "floor", "lighting", "cooking_fuel", "drinking_water", "toilet")


def upgrade() -> None:
    with op.batch_alter_table("households", schema=None) as batch_op:
        batch_op.add_column(sa.Column("source_system", sa.String(length=20), nullable=True))
        batch_op.add_column(
            sa.Column("source_household_id", sa.String(length=64), nullable=True)
        )
        batch_op.add_column(sa.Column("bnba_heads_digest", sa.String(length=64), nullable=True))
        batch_op.add_column(sa.Column("desil", sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column("source_programs", sa.String(length=300), nullable=True))
        for name in _HOUSE:
            batch_op.add_column(sa.Column(name, sa.String(length=60), nullable=True))
        batch_op.create_unique_constraint(
            batch_op.f("uq_households_source_system"), ["source_system", "source_household_id"]
        )
    with op.batch_alter_table("members", schema=None) as batch_op:
        batch_op.add_column(sa.Column("padan_dukcapil", sa.Boolean(), nullable=True))
        batch_op.add_column(sa.Column("occupation", sa.String(length=80), nullable=True))
        batch_op.add_column(sa.Column("education", sa.String(length=60), nullable=True))
        batch_op.add_column(sa.Column("marital_status", sa.String(length=20), nullable=True))
    op.create_table(
        "import_mappings",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("headers_key", sa.String(length=64), nullable=False),
        sa.Column("mapping", sa.JSON(), nullable=False),
        sa.Column("layout", sa.String(length=40), nullable=True),
        sa.Column("relation_codes", sa.String(length=20), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_import_mappings")),
        sa.UniqueConstraint("headers_key", name=op.f("uq_import_mappings_headers_key")),
    )


def downgrade() -> None:
    op.drop_table("import_mappings")
    with op.batch_alter_table("members", schema=None) as batch_op:
        for name in ("marital_status", "education", "occupation", "padan_dukcapil"):
            batch_op.drop_column(name)
    with op.batch_alter_table("households", schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f("uq_households_source_system"), type_="unique")
        for name in (*reversed(_HOUSE), "source_programs", "desil", "bnba_heads_digest",
                     "source_household_id",
                     "source_system"):  # fmt: skip
            batch_op.drop_column(name)
