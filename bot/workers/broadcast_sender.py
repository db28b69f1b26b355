"""The broadcast sender: a background worker that delivers the durable queue in `deliveries`.

One process sends at a time. Every bot process runs this worker, but only the holder of the
`worker_leases` row "broadcast_sender" sends; the others wait and take over when the lease
expires (the holder crashed). So the global rate (`BROADCAST_RATE`) and the one message per
chat per second hold however many instances run, without Redis. One process sustains far
more than Telegram allows (see benchmarks/broadcast.py), so sharing the sending would buy
nothing but the need to split a rate between processes.

How a message is sent, and what a crash can do:
1. A micro-batch of pending deliveries (about 0.1 s of work at the rate) is marked "sending"
   and committed, in the same transaction that renews the lease (a process that lost its
   lease sends nothing more).
2. Each message is sent, paced by the rate limiter and never twice in a second to one chat.
3. The outcomes are committed together: sent, blocked (403: the account is marked
   unreachable), retried later (429: the whole sender pauses for retry_after; other errors:
   backoff, then failed), failed.
A crash between 1 and 3 leaves rows in "sending": the next holder of the lease marks them
"unknown" and does not send them again. Telegram has no idempotency key, so a message in
flight at the instant of a crash may or may not have arrived; we choose at most once: nobody
gets a message twice, and what is uncertain (shown in the report) is at most the one message on
the wire up to 50 msgs/s, one micro-batch (0.1 s of sending) above, two from 100 msgs/s up
(the next batch is claimed while one is on the wire).
On a clean stop (SIGTERM) the batches in hand are finished first: nothing is left uncertain.

The lease is in bot/workers/broadcast_lease.py, the writing of outcomes in broadcast_record.py,
closing broadcasts and staff's progress in broadcast_report.py, the calls to Telegram and the
pacing in telegram_send.py.
"""

from __future__ import annotations

import asyncio
import contextlib
import datetime as dt
import logging
import math
import os
import socket
import uuid
from collections import deque
from collections.abc import Callable

from aiogram import Bot, Dispatcher
from aiogram.utils.i18n import I18n
from sqlalchemy import or_, select, update
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.workers import broadcast_lease, broadcast_record, telegram_send
from bot.workers.broadcast_lease import LEASE_SECONDS
from bot.workers.broadcast_record import Row
from bot.workers.broadcast_report import Reporter
from bot.workers.telegram_send import Content, Outcome, RateLimiter, sender_bot
from db.models.base import utcnow
from db.models.broadcasts import Broadcast, Delivery
from services import broadcasts

log = logging.getLogger(__name__)

IDLE_POLL = 1.0  # seconds between looks at the queue when there is nothing to send
BATCH_SECONDS = 0.1  # work marked "sending" at once (above SINGLE_UP_TO)
SINGLE_UP_TO = 50  # messages/s up to which each message is claimed on its own
PIPELINE = 2  # micro-batches in flight at high rates (each one a crash can leave uncertain)
PIPELINE_FROM = 10  # batch size from which a second batch is claimed ahead (100 msgs/s)
MAX_BATCH = 200
PER_CHAT_INTERVAL = 1.0  # Telegram: about one message per second in one chat
MAX_ATTEMPTS = 5  # network and server errors, then "failed"
BACKOFF = 2.0  # seconds before the 2nd attempt, doubled each time


def batch_size(rate: float) -> int:
    """One message per claim at Telegram's normal rates: two commits per message are cheap
    at that pace, and a crash then leaves only the message on the wire uncertain."""
    if rate <= SINGLE_UP_TO:
        return 1
    return max(1, min(MAX_BATCH, math.ceil(rate * BATCH_SECONDS)))


def pipeline_depth(batch: int) -> int:
    """At low rates the database's share of the time is tiny and a batch claimed ahead
    would only widen what a crash leaves uncertain; at high rates it keeps the wire busy."""
    return PIPELINE if batch >= PIPELINE_FROM else 1


def holder_name() -> str:
    return f"{socket.gethostname()[:30]}:{os.getpid()}:{uuid.uuid4().hex[:8]}"


class Sender:
    def __init__(
        self,
        bot: Bot,
        sessionmaker: async_sessionmaker[AsyncSession],
        i18n: I18n,
        rate: float,
        holder: str | None = None,
        clock: Callable[[], dt.datetime] = utcnow,
    ) -> None:
        self.bot = bot
        # When a scheduled broadcast is due (tests pass a fake clock); the lease keeps to the
        # real time, which the other processes share.
        self.clock = clock
        self.sessionmaker = sessionmaker
        self.i18n = i18n
        self.rate = rate
        self.limiter = RateLimiter(rate)
        self.batch_size = batch_size(rate)
        self.pipeline = pipeline_depth(self.batch_size)
        self.holder = holder or holder_name()
        self.leader = False
        self.stopping = False
        self.chat_sent: dict[int, float] = {}  # chat id -> loop time of the last send
        self.contents: dict[int, Content] = {}
        self.reporter = Reporter(
            bot, sessionmaker, i18n, self.limiter, self.flood_control, self.contents
        )

    # ------------------------------------------------------------------ the loop

    async def run(self) -> None:
        try:
            while True:
                step = asyncio.ensure_future(self.step())
                try:
                    busy = await asyncio.shield(step)
                except asyncio.CancelledError:
                    # Stopping: finish the batches in hand so that nothing is left uncertain.
                    self.stopping = True
                    with contextlib.suppress(Exception, asyncio.CancelledError):
                        await asyncio.wait_for(step, LEASE_SECONDS)
                    raise
                except Exception as exc:  # never let one bad round stop the sender
                    log.warning("broadcast sender round failed: %r", type(exc).__name__)
                    log.debug("broadcast sender round failed", exc_info=True)
                    # Outcomes of the batch may be lost: take the lease afresh, which marks
                    # what is left "sending" as uncertain rather than leaving it stuck.
                    self.leader = False
                    busy = False
                if not busy:
                    await asyncio.sleep(IDLE_POLL)
        finally:
            await self.release()

    async def step(self) -> bool:
        """Send while there is work (True if there was some); one micro-batch is claimed
        while the previous one is still on the wire, so the database never stalls sending."""
        if not await self.hold_lease():
            return False
        await self.start_queued()
        loop = asyncio.get_running_loop()
        pipeline: deque[tuple[list[Row], dict[int, Outcome], asyncio.Future[None]]] = deque()
        worked, checked = False, loop.time()
        try:
            while True:
                if len(pipeline) < self.pipeline and not self.stopping and self.leader:
                    busy_chats = {d.chat_id for batch, _, _ in pipeline for d in batch}
                    batch = await self.claim(busy_chats)
                    if batch:
                        outcomes: dict[int, Outcome] = {}
                        sending: asyncio.Future[None] = asyncio.ensure_future(
                            self.send_batch(batch, outcomes)
                        )
                        pipeline.append((batch, outcomes, sending))
                        worked = True
                        continue
                if not pipeline:
                    break
                batch, outcomes, sending = pipeline.popleft()
                try:
                    await sending
                finally:  # even when stopped mid-batch: what is known is written
                    await self.record(batch, outcomes)
                if loop.time() - checked >= IDLE_POLL:
                    checked = loop.time()
                    await self.start_queued()
                    await self.finish_and_report()
        finally:
            for batch, outcomes, sending in pipeline:
                sending.cancel()
                await asyncio.gather(sending, return_exceptions=True)
                await self.record(batch, outcomes)
        await self.finish_and_report(final_only=worked)
        return worked

    # ------------------------------------------------------------------ the lease

    async def hold_lease(self) -> bool:
        got = await broadcast_lease.take(self.sessionmaker, self.holder, self.leader)
        if got is None:
            return False
        if got != self.leader:
            log.info("broadcast sender %s: %s", self.holder, "sending" if got else "standing by")
        self.leader = got
        return got

    async def release(self) -> None:
        if not self.leader:
            return
        with contextlib.suppress(Exception):
            await broadcast_lease.release(self.sessionmaker, self.holder)
        self.leader = False

    # ------------------------------------------------------------------ the queue

    async def start_queued(self) -> None:
        """Start the queued broadcasts that are due (a scheduled one from its `send_at`).
        Only the lease holder gets here, and each start is a conditional UPDATE committed
        with its deliveries, so a broadcast starts once even when the lease changes hands."""
        now = self.clock()
        async with self.sessionmaker() as session:
            queued = list(
                await session.scalars(
                    select(Broadcast)
                    .where(Broadcast.status == "queued", broadcasts.due(now))
                    .order_by(Broadcast.id)
                )
            )
            for broadcast in queued:
                total = await broadcasts.materialise(session, broadcast, now)
                log.info("broadcast %s: %s recipients", broadcast.id, total)
            if queued:
                await session.commit()

    async def claim(self, busy_chats: set[int] | frozenset[int] = frozenset()) -> list[Row]:
        """Mark the next micro-batch "sending" (and renew the lease) in one commit."""
        loop_now = asyncio.get_running_loop().time()
        self.chat_sent = {
            chat: at for chat, at in self.chat_sent.items() if loop_now - at < PER_CHAT_INTERVAL
        }
        now = utcnow()
        table = Delivery.__table__.c
        async with self.sessionmaker() as session:
            candidates = await session.execute(
                select(table.id, table.broadcast_id, table.account_id, table.chat_id,
                       table.attempts)
                .join(Broadcast, Broadcast.id == table.broadcast_id)
                .where(
                    Broadcast.status == "sending",
                    table.status == "pending",
                    or_(table.next_attempt_at.is_(None), table.next_attempt_at <= now),
                )
                # No ORDER BY: sorting every pending row made each claim O(queue) (measured:
                # half the speed at 10,000). The index walk gives older broadcasts first and,
                # within one, new rows in order, then due retries; any due row is correct.
                .limit(max(self.batch_size * 2, 20))
            )
            batch: list[Row] = []
            chats: set[int] = set()
            for found in candidates:
                row = Row(*found)
                chat = row.chat_id
                if chat in self.chat_sent or chat in chats or chat in busy_chats:
                    continue  # this chat had (or is getting) a message less than a second ago
                batch.append(row)
                chats.add(chat)
                if len(batch) == self.batch_size:
                    break
            if not batch:
                return []
            if not await broadcast_lease.renew(session, self.holder, now):
                self.leader = False  # another process took over: send nothing more
                return []
            await session.execute(
                update(Delivery.__table__)
                .where(table.id.in_([row.id for row in batch]), table.status == "pending")
                .values(status="sending", claimed_by=self.holder, claimed_at=now),
            )
            await session.commit()
            for broadcast_id in {row.broadcast_id for row in batch} - set(self.contents):
                broadcast = await session.get(Broadcast, broadcast_id)
                assert broadcast is not None
                self.contents[broadcast_id] = Content(
                    broadcast.text, broadcast.photo_file_id, broadcast.document_file_id
                )
            return batch

    async def send_batch(self, batch: list[Row], outcomes: dict[int, Outcome]) -> None:
        tasks = [asyncio.ensure_future(self.send_one(d, outcomes)) for d in batch]
        try:
            await asyncio.gather(*tasks)
        except asyncio.CancelledError:
            for task in tasks:
                task.cancel()
            await asyncio.gather(*tasks, return_exceptions=True)
            raise

    async def send_one(self, delivery: Row, outcomes: dict[int, Outcome]) -> None:
        outcomes[delivery.id] = Outcome("unsent")  # not started yet: safe to send later
        await self.limiter.acquire()
        self.chat_sent[delivery.chat_id] = asyncio.get_running_loop().time()
        outcomes[delivery.id] = Outcome("in_flight")
        outcomes[delivery.id] = await self.deliver(delivery, self.contents[delivery.broadcast_id])

    async def deliver(self, delivery: Row, content: Content) -> Outcome:
        outcome = await telegram_send.send(self.bot, delivery.chat_id, content)
        if outcome.status == "later":
            self.flood_control(outcome.delay)
        return outcome

    def flood_control(self, retry_after: float) -> None:
        """429: the whole sender waits; the message goes back to the queue, not an attempt."""
        self.limiter.pause(retry_after)
        log.warning("telegram flood control: sender pauses %s s", retry_after)

    async def record(self, batch: list[Row], outcomes: dict[int, Outcome]) -> None:
        await broadcast_record.record(
            self.sessionmaker, batch, outcomes, max_attempts=MAX_ATTEMPTS, backoff=BACKOFF
        )

    # ------------------------------------------------------------------ the end, the report

    async def finish_and_report(self, *, final_only: bool = False) -> None:
        """Close broadcasts with nothing left to send, and keep staff's progress current."""
        await self.reporter.finish_and_report(final_only=final_only)


async def broadcast_sender(bot: Bot, dp: Dispatcher) -> None:
    """The worker (bot.workers): send queued broadcasts while this process holds the lease."""
    settings = dp["settings"]
    if not settings.broadcast_worker:
        return
    own = sender_bot(bot)
    try:
        await Sender(own, dp["sessionmaker"], dp["i18n"], settings.broadcast_rate).run()
    finally:
        if own is not bot:
            await own.session.close()
