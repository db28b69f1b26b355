"""Queue a system notice (a changed or cancelled schedule or training) for the broadcast
sender. The sender (another feature) turns a queued broadcast into deliveries; here we only
write the row, in the caller's unit of work, so the notice goes out if and only if the change
is committed."""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncSession

from db.models.accounts import Account
from db.models.broadcasts import Broadcast


async def queue_notice(
    session: AsyncSession,
    actor: Account | None,
    audience_type: str,
    subject_id: int,
    text: str,
    dedup_key: str | None = None,
) -> Broadcast:
    """`audience_type` is "disbursement" or "training": everyone on that schedule/training."""
    broadcast = Broadcast(
        kind="notice",
        status="queued",
        text=text,
        audience={"type": audience_type, "id": subject_id},
        created_by_account_id=actor.id if actor is not None else None,
        dedup_key=dedup_key,
    )
    session.add(broadcast)
    await session.flush()
    return broadcast
