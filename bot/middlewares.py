"""The update middleware: guard (dedup, throttle), then unit of work + account + language.

- The guard drops re-delivered updates and floods before the unit of work opens a session
  (it runs after aiogram's own FSM middleware, whose state read is served from memory).
- The unit of work gives the update one session, committed once, and the sender's account
  (role, area, consent), keeps the user's Telegram command list in step with the role, and
  enters the account's language for every text of the update.

One aiogram layer for all of it, the concerns kept apart in plain classes: aiogram wraps
every layer anew for each update (a partial, a functools.wraps, a call), work the three
concerns do not need to pay for separately (benchmarks/instructions.py counts it).
"""

from __future__ import annotations

import logging
import time
from collections import OrderedDict, deque
from collections.abc import Awaitable, Callable
from typing import Any

from aiogram import BaseMiddleware, Bot
from aiogram.types import TelegramObject, Update, User
from aiogram.utils.i18n import I18n
from redis.asyncio import Redis
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.commands import sync_commands
from db import accounts
from db.engine import (
    AccountCache,
    close_session,
    commit_update,
    current_session,
    needs_commit,
)
from db.models import Account

log = logging.getLogger(__name__)

Handler = Callable[[TelegramObject, dict[str, Any]], Awaitable[Any]]


class RecentUpdates:
    """Update ids already handled. With Redis every instance shares the memory (Telegram
    re-sends a webhook update it thinks failed, maybe to another instance)."""

    def __init__(self, redis: Redis | None = None, remember: int = 10_000) -> None:
        self._redis = redis
        self._seen: OrderedDict[int, None] = OrderedDict()
        self._remember = remember

    async def first_time(self, bot_id: int, update_id: int) -> bool:
        if self._redis is not None:
            key = f"nirmiskin:upd:{bot_id}:{update_id}"
            return bool(await self._redis.set(key, 1, nx=True, ex=3600))
        if update_id in self._seen:
            return False
        self._seen[update_id] = None
        if len(self._seen) > self._remember:
            self._seen.popitem(last=False)
        return True


class FloodControl:
    """At most `rate` updates per user in `window` seconds. With Redis the count is shared by
    all instances (fixed window); otherwise it is per process (sliding window)."""

    def __init__(self, rate: int, window: float, redis: Redis | None = None) -> None:
        self.rate = rate
        self.window = window
        self._redis = redis
        self._hits: dict[int, deque[float]] = {}
        self._warned: dict[int, float] = {}

    async def over_limit(self, user_id: int) -> bool:
        if self._redis is not None:
            key = f"nirmiskin:thr:{user_id}:{int(time.time() // self.window)}"
            count = await self._redis.incr(key)
            if count == 1:
                await self._redis.expire(key, int(self.window) + 1)
            return bool(count > self.rate)
        now = time.monotonic()
        hits = self._hits.setdefault(user_id, deque())
        while hits and now - hits[0] > self.window:
            hits.popleft()
        if len(hits) >= self.rate:
            return True
        hits.append(now)
        if len(self._hits) > 50_000:  # forget idle users so memory stays bounded
            self._hits = {u: h for u, h in self._hits.items() if h and now - h[-1] < self.window}
        return False

    def should_warn(self, user_id: int) -> bool:
        """Tell a flooding user once per window, not once per dropped update."""
        now = time.monotonic()
        if now - self._warned.get(user_id, 0.0) > self.window:
            self._warned[user_id] = now
            return True
        return False


class Guard:
    """Drops duplicates and floods before they cost a database session and a handler."""

    def __init__(self, recent: RecentUpdates, flood: FloodControl, i18n: I18n) -> None:
        self.recent = recent
        self.flood = flood
        self.i18n = i18n

    async def admit(self, event: Update, data: dict[str, Any]) -> bool:
        bot: Bot = data["bot"]
        if not await self.recent.first_time(bot.id, event.update_id):
            log.info("duplicate update dropped update_id=%s", event.update_id)
            return False
        user: User | None = data.get("event_from_user")
        if user is None or not await self.flood.over_limit(user.id):
            return True
        log.info("flood: update dropped update_id=%s", event.update_id)
        if self.flood.should_warn(user.id):
            with self.i18n.context(), self.i18n.use_locale(self.i18n.default_locale):
                text = self.i18n.gettext("Too many messages at once. Please wait a moment.")
            await bot.send_message(user.id, text)
        return False


class UnitOfWork:
    """One database session per update, committed once; the sender's account; every text of
    the update in the account's language (Indonesian unless the catalog has theirs)."""

    def __init__(
        self,
        sessionmaker: async_sessionmaker[AsyncSession],
        admin_ids: set[int],
        cache: AccountCache,
        i18n: I18n,
    ) -> None:
        self._sessionmaker = sessionmaker
        self._admin_ids = admin_ids
        self._cache = cache
        self._i18n = i18n

    def _locale(self, account: Account | None) -> str:
        if account is not None and account.language in self._i18n.available_locales:
            return str(account.language)
        return self._i18n.default_locale

    async def __call__(self, handler: Handler, event: TelegramObject, data: dict[str, Any]) -> Any:
        session = self._sessionmaker()
        try:
            data["session"] = session
            token = current_session.set(session)
            try:
                account: Account | None = None
                user: User | None = data.get("event_from_user")
                if user is not None and not user.is_bot:
                    account = await accounts.load_for_update(
                        session, user.id, is_admin=user.id in self._admin_ids, cache=self._cache
                    )
                    data["account"] = account
                with self._i18n.context(), self._i18n.use_locale(self._locale(account)):
                    if account is not None and account.commands_role != account.role:
                        await sync_commands(data["bot"], account)  # e.g. after a grant
                    result = await handler(event, data)
                # Commit only what wrote something (rows, or FSM writes left for the commit);
                # an update that only read ends with the session's close.
                if needs_commit(session):
                    await commit_update(session)
                return result
            except BaseException:
                # Explicitly, so the rollback hooks run: cached accounts and FSM writes of
                # this update are forgotten, not left half-applied.
                await session.rollback()
                raise
            finally:
                current_session.reset(token)
        finally:
            await close_session(session)


class UpdateMiddleware(BaseMiddleware):
    """The guard, then the unit of work, as one aiogram layer."""

    def __init__(self, guard: Guard, unit_of_work: UnitOfWork) -> None:
        self.guard = guard
        self.unit_of_work = unit_of_work

    async def __call__(self, handler: Handler, event: TelegramObject, data: dict[str, Any]) -> Any:
        assert isinstance(event, Update)
        if not await self.guard.admit(event, data):
            return None
        return await self.unit_of_work(handler, event, data)
