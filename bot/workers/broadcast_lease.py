"""The lease that makes one process the broadcast sender: the `worker_leases` row
"broadcast_sender", held for LEASE_SECONDS and renewed with every claimed batch. A holder that
stops renewing it (it crashed) is replaced; what it left in flight is then marked "unknown",
never sent again (bot/workers/broadcast_sender.py tells why)."""

from __future__ import annotations

import datetime as dt
import logging
from typing import Any, cast

from sqlalchemy import CursorResult, or_, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from db.models.base import utcnow
from db.models.broadcasts import Delivery
from db.models.system import WorkerLease

log = logging.getLogger("bot.workers.broadcast_sender")  # the sender's log, as one story

LEASE_NAME = "broadcast_sender"
LEASE_SECONDS = 10.0  # a crashed sender is replaced after at most this long


async def take(
    sessionmaker: async_sessionmaker[AsyncSession], holder: str, was_leader: bool
) -> bool | None:
    """Take or keep the lease for `holder`: True while it holds it, False when another process
    does, None when another process created the lease at the same moment (nothing changed)."""
    now = utcnow()
    until = now + dt.timedelta(seconds=LEASE_SECONDS)
    async with sessionmaker() as session:
        previous = (
            await session.execute(
                select(WorkerLease.holder, WorkerLease.expires_at).where(
                    WorkerLease.name == LEASE_NAME
                )
            )
        ).first()
        # Still our own unexpired lease: nothing happened in between. Otherwise someone
        # else may have sent meanwhile and died, whatever this process believed.
        continuing = (
            was_leader
            and previous is not None
            and previous.holder == holder
            and previous.expires_at >= now
        )
        taken = cast(CursorResult[Any], await session.execute(
            update(WorkerLease)
            .where(
                WorkerLease.name == LEASE_NAME,
                or_(WorkerLease.holder == holder, WorkerLease.expires_at < now),
            )
            .values(holder=holder, expires_at=until)
        ))
        got = bool(taken.rowcount)
        if not got and previous is None:
            session.add(WorkerLease(name=LEASE_NAME, holder=holder, expires_at=until))
            got = True
        if got and not continuing:
            # Rows a dead holder left in flight: maybe delivered, never sent again.
            stale = cast(CursorResult[Any], await session.execute(
                update(Delivery)
                .where(Delivery.status == "sending")
                .values(status="unknown", last_error="in flight when a sender stopped")
            ))
            if stale.rowcount:
                log.warning("%s deliveries were in flight when a sender died", stale.rowcount)
        try:
            await session.commit()
        except IntegrityError:  # another process created the lease at the same moment
            return None
    return got


async def renew(session: AsyncSession, holder: str, now: dt.datetime) -> bool:
    """Renew the lease in `session`'s transaction (with a claim); False: another process took
    it over."""
    renewed = cast(CursorResult[Any], await session.execute(
        update(WorkerLease)
        .where(WorkerLease.name == LEASE_NAME, WorkerLease.holder == holder)
        .values(expires_at=now + dt.timedelta(seconds=LEASE_SECONDS))
    ))
    return bool(renewed.rowcount)


async def release(sessionmaker: async_sessionmaker[AsyncSession], holder: str) -> None:
    """Let the lease go at once (a clean stop): another process takes over without waiting."""
    async with sessionmaker() as session, session.begin():
        await session.execute(
            update(WorkerLease)
            .where(WorkerLease.name == LEASE_NAME, WorkerLease.holder == holder)
            .values(expires_at=utcnow() - dt.timedelta(seconds=1))
        )
