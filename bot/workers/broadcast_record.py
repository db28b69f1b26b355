"""What became of each claimed delivery, written in one transaction: sent, blocked (the account
is marked unreachable), back to the queue (429, or not started), retried after a backoff or
failed; a message cancelled on the wire stays "sending", uncertain."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from sqlalchemy import bindparam, or_, update
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.workers.telegram_send import Outcome
from db.models.accounts import Account
from db.models.base import utcnow
from db.models.broadcasts import Delivery


@dataclass(frozen=True)
class Row:
    """A claimed delivery (plain data: loading ORM objects cost more than sending)."""

    id: int
    broadcast_id: int
    account_id: int
    chat_id: int
    attempts: int


async def record(
    sessionmaker: async_sessionmaker[AsyncSession],
    batch: list[Row],
    outcomes: dict[int, Outcome],
    *,
    max_attempts: int,
    backoff: float,
) -> None:
    """Write the outcomes of `batch`. A network or server error is tried again after
    `backoff` seconds, doubled each time, until `max_attempts`."""
    now = utcnow()
    sent, blocked, later, failed = [], [], [], []
    for delivery in batch:
        outcome = outcomes.get(delivery.id, Outcome("unsent"))
        if outcome.status == "sent":
            sent.append({"b_id": delivery.id, "b_mid": outcome.message_id})
        elif outcome.status == "blocked":
            blocked.append(delivery)
        elif outcome.status in ("later", "unsent"):
            later.append({"b_id": delivery.id, "b_at": now + dt.timedelta(
                seconds=outcome.delay) if outcome.delay else None})
        elif outcome.status == "in_flight":
            continue  # cancelled mid-call: stays "sending", uncertain
        else:
            attempts = delivery.attempts + 1
            final = outcome.status == "failed" or attempts >= max_attempts
            failed.append({
                "b_id": delivery.id,
                "b_status": "failed" if final else "pending",
                "b_attempts": attempts,
                "b_error": outcome.error,
                "b_at": None if final else now + dt.timedelta(
                    seconds=backoff * 2 ** (attempts - 1)),
            })
    async with sessionmaker() as session, session.begin():
        row = Delivery.__table__.c
        if sent:
            await session.execute(
                update(Delivery.__table__)
                .where(
                    row.id == bindparam("b_id"),
                    or_(row.status == "sending", row.status == "unknown"),
                )
                .values(status="sent", sent_at=now, message_id=bindparam("b_mid")),
                sent,
            )
        if later:
            await session.execute(
                update(Delivery.__table__)
                .where(row.id == bindparam("b_id"), row.status == "sending")
                .values(status="pending", next_attempt_at=bindparam("b_at")),
                later,
            )
        if failed:
            await session.execute(
                update(Delivery.__table__)
                .where(row.id == bindparam("b_id"), row.status == "sending")
                .values(
                    status=bindparam("b_status"),
                    attempts=bindparam("b_attempts"),
                    last_error=bindparam("b_error"),
                    next_attempt_at=bindparam("b_at"),
                ),
                failed,
            )
        if blocked:
            await session.execute(
                update(Delivery.__table__)
                .where(row.id.in_([d.id for d in blocked]))
                .values(status="blocked", last_error="blocked")
            )
            # Left out of later audiences until they write to the bot again.
            await session.execute(
                update(Account.__table__)
                .where(Account.__table__.c.id.in_([d.account_id for d in blocked]))
                .values(bot_blocked=True)
            )
