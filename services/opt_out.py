"""Opting out: a person who writes "berhenti" or "stop" gets no more broadcasts and no
reminders; "mulai" starts them again. Answers to their own cases still reach them (they asked
for those). Broadcasts read `Account.opted_out_at` (services.broadcasts.reachable); messages
already queued for the person are dropped here, so a broadcast being sent skips them too.
"""

from __future__ import annotations

import datetime as dt
from typing import Any, cast

from sqlalchemy import CursorResult, update
from sqlalchemy.ext.asyncio import AsyncSession

from db import audit
from db.models.accounts import Account
from db.models.broadcasts import Delivery

DROPPED = "opted out"  # Delivery.last_error of a message not sent for that reason


async def stop(session: AsyncSession, account: Account, now: dt.datetime) -> int:
    """Opt out; returns how many queued messages were dropped."""
    if account.opted_out_at is None:
        account.opted_out_at = now
        audit.record(session, account, "account.opted_out", "account", account.id)
    dropped = cast(CursorResult[Any], await session.execute(
        update(Delivery)
        .where(Delivery.account_id == account.id, Delivery.status == "pending")
        .values(status="failed", last_error=DROPPED)
    ))  # fmt: skip
    return dropped.rowcount or 0


def resume(session: AsyncSession, account: Account) -> bool:
    """Opt in again; False when they had not opted out."""
    if account.opted_out_at is None:
        return False
    account.opted_out_at = None
    audit.record(session, account, "account.opted_in", "account", account.id)
    return True
