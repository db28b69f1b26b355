"""The audit log: who did what to which record (UU PDP: records of processing)."""

from __future__ import annotations

from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from db.models.accounts import Account
from db.models.system import AuditLog


def record(
    session: AsyncSession,
    actor: Account | None,
    action: str,
    subject_type: str | None = None,
    subject_id: int | None = None,
    **detail: Any,
) -> None:
    """Add an entry to the current unit of work; it commits with the change it describes."""
    session.add(
        AuditLog(
            actor_account_id=actor.id if actor is not None else None,
            actor_role=actor.role if actor is not None else None,
            action=action,
            subject_type=subject_type,
            subject_id=subject_id,
            detail=detail,
        )
    )
