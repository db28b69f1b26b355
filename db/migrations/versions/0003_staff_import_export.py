"""staff import export

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-23 22:10:00

Reserved for one feature's schema changes (features were built side by side); a no-op until
that feature needs a change.
"""

from __future__ import annotations

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    pass


def downgrade() -> None:
    pass
