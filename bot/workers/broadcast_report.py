"""The end of a broadcast and what staff see meanwhile: broadcasts with nothing left to send
are closed (households it could not reach become volunteers' tasks), and the staff member's
progress message is edited now and then (handlers/broadcast_progress.py words it)."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable

from aiogram import Bot
from aiogram.exceptions import TelegramAPIError, TelegramRetryAfter
from aiogram.utils.i18n import I18n
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.workers.telegram_send import Content, RateLimiter
from db.models.accounts import Account
from db.models.base import utcnow
from db.models.broadcasts import Broadcast, Delivery
from handlers import broadcast_progress
from services import broadcasts

log = logging.getLogger("bot.workers.broadcast_sender")  # the sender's log, as one story

PROGRESS_EVERY = 3.0  # seconds between edits of a staff member's progress message


class Reporter:
    """Closes finished broadcasts (forgetting their `contents`) and shows staff the progress,
    paced by the sender's `limiter`; a 429 goes to `flood_control`."""

    def __init__(
        self,
        bot: Bot,
        sessionmaker: async_sessionmaker[AsyncSession],
        i18n: I18n,
        limiter: RateLimiter,
        flood_control: Callable[[float], None],
        contents: dict[int, Content],
    ) -> None:
        self.bot = bot
        self.sessionmaker = sessionmaker
        self.i18n = i18n
        self.limiter = limiter
        self.flood_control = flood_control
        self.contents = contents
        self.progress_at: dict[int, float] = {}
        self.progress_shown: dict[int, str] = {}

    async def finish_and_report(self, *, final_only: bool = False) -> None:
        """Close broadcasts with nothing left to send, and keep staff's progress current."""
        loop_now = asyncio.get_running_loop().time()
        async with self.sessionmaker() as session:
            active = list(
                await session.scalars(
                    select(Broadcast).where(Broadcast.status == "sending").order_by(Broadcast.id)
                )
            )
            finished = []
            for broadcast in active:
                open_rows = await session.scalar(
                    select(Delivery.id)
                    .where(
                        Delivery.broadcast_id == broadcast.id,
                        Delivery.status.in_(("pending", "sending")),
                    )
                    .limit(1)
                )
                if open_rows is None:
                    broadcast.status, broadcast.finished_at = "done", utcnow()
                    await broadcasts.open_unreachable_tasks(session, broadcast)
                    finished.append(broadcast)
            if finished:
                await session.commit()
                for broadcast in finished:
                    log.info("broadcast %s finished", broadcast.id)
                    self.contents.pop(broadcast.id, None)
            for broadcast in active:
                if broadcast.progress_chat_id is None or broadcast.progress_message_id is None:
                    continue
                last = self.progress_at.get(broadcast.id, 0.0)
                is_final = broadcast in finished
                if not is_final and (final_only or loop_now - last < PROGRESS_EVERY):
                    continue
                self.progress_at[broadcast.id] = loop_now
                await self.show_progress(session, broadcast)
                if is_final:
                    self.progress_at.pop(broadcast.id, None)
                    self.progress_shown.pop(broadcast.id, None)

    async def show_progress(self, session: AsyncSession, broadcast: Broadcast) -> None:
        await session.refresh(broadcast)
        if broadcast.status not in ("sending", "done"):
            return  # paused or cancelled meanwhile: the staff handler showed that
        progress = await broadcast_progress.load(session, broadcast)
        language = "id"
        if broadcast.created_by_account_id is not None:
            creator = await session.get(Account, broadcast.created_by_account_id)
            language = creator.language if creator is not None else language
        with self.i18n.context(), self.i18n.use_locale(language):
            text = broadcast_progress.text(progress)
            markup = broadcast_progress.keyboard(progress)
        if self.progress_shown.get(broadcast.id) == text:
            return
        self.progress_shown[broadcast.id] = text
        await self.limiter.acquire()
        try:
            await self.bot.edit_message_text(
                text,
                chat_id=broadcast.progress_chat_id,
                message_id=broadcast.progress_message_id,
                reply_markup=markup,
            )
        except TelegramRetryAfter as exc:
            self.flood_control(float(exc.retry_after))
        except TelegramAPIError as exc:  # e.g. the staff member deleted the message
            log.info("progress of broadcast %s not shown: %s", broadcast.id, type(exc).__name__)
