"""volunteers

Revision ID: 0008
Revises: 0007
Create Date: 2026-11-23 22:10:00

Reserved for one feature's schema changes (features were built side by side); a no-op until
that feature needs a change.
"""

from __future__ import annotations

revision = "0008"
down_revision = "0007"
branch_labels = None
depends_on = None


def upgrade() -> None:
    pass


def downgrade() -> None:
    pass
