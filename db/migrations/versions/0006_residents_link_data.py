"""residents link data: a proposed household may come without KK, a member without NIK

Revision ID: 0006
Revises: 0004
Create Date: 2026-11-23 22:10:00

A volunteer proposing a family (usulan) may not know its No. KK or NIK (a family without
documents is exactly who the office must find), and a resident who withdraws consent has
the identifiers of their own, still unverified, proposal erased. The unique constraints stay:
both SQLite and PostgreSQL allow several NULLs under a unique constraint.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0006"
down_revision = "0004"
branch_labels = None
depends_on = None

_HOUSEHOLD = (("kk_hash", sa.String(64)), ("kk_encrypted", sa.Text()), ("kk_masked", sa.String(16)))
_MEMBER = (("nik_hash", sa.String(64)), ("nik_encrypted", sa.Text()), ("nik_masked", sa.String(16)))


def _set_nullable(table: str, columns: tuple[tuple[str, sa.types.TypeEngine], ...], on: bool):
    with op.batch_alter_table(table) as batch:
        for name, type_ in columns:
            batch.alter_column(name, existing_type=type_, nullable=on)


def upgrade() -> None:
    _set_nullable("households", _HOUSEHOLD, True)
    _set_nullable("members", _MEMBER, True)


def downgrade() -> None:
    _set_nullable("members", _MEMBER, False)
    _set_nullable("households", _HOUSEHOLD, False)
