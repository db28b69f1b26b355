"""Update middlewares, in order: dedup → unit of work → account → i18n → throttle → commands.

Each is small and does one thing; `bot.app.create_dispatcher` registers them in that order.
"""

from __future__ import annotations

import logging
import time
from collections import OrderedDict, deque
from collections.abc import Awaitable, Callable
from typing import Any

from aiogram import BaseMiddleware, Bot
from aiogram.types import TelegramObject, Update, User
from aiogram.utils.i18n import I18n, I18nMiddleware
from aiogram.utils.i18n import gettext as _
from redis.asyncio import Redis
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.commands import sync_commands
from db import accounts

log = logging.getLogger(__name__)

Handler = Callable[[TelegramObject, dict[str, Any]], Awaitable[Any]]


class UpdateDedupMiddleware(BaseMiddleware):
    """Drop an update already handled (Telegram re-sends webhooks it thinks failed).

    With Redis every instance shares the memory of handled updates; without it, this process
    remembers the last few thousand.
    """

    def __init__(self, redis: Redis | None = None, remember: int = 10_000) -> None:
        self._redis = redis
        self._seen: OrderedDict[int, None] = OrderedDict()
        self._remember = remember

    async def __call__(self, handler: Handler, event: TelegramObject, data: dict[str, Any]) -> Any:
        assert isinstance(event, Update)
        if self._redis is not None:
            bot: Bot = data["bot"]
            first = await self._redis.set(
                f"nirmiskin:upd:{bot.id}:{event.update_id}", 1, nx=True, ex=3600
            )
            if not first:
                log.info("duplicate update dropped update_id=%s", event.update_id)
                return None
        else:
            if event.update_id in self._seen:
                log.info("duplicate update dropped update_id=%s", event.update_id)
                return None
            self._seen[event.update_id] = None
            if len(self._seen) > self._remember:
                self._seen.popitem(last=False)
        return await handler(event, data)


class UnitOfWorkMiddleware(BaseMiddleware):
    """One database session per update, committed once when the handler succeeds."""

    def __init__(self, sessionmaker: async_sessionmaker[AsyncSession]) -> None:
        self._sessionmaker = sessionmaker

    async def __call__(self, handler: Handler, event: TelegramObject, data: dict[str, Any]) -> Any:
        async with self._sessionmaker() as session:
            data["session"] = session
            result = await handler(event, data)
            if session.in_transaction():
                await session.commit()
            return result


class AccountMiddleware(BaseMiddleware):
    """Load (or create) the sender's account: role, area, consent. Admin ids start as staff."""

    def __init__(self, admin_ids: set[int]) -> None:
        self._admin_ids = admin_ids

    async def __call__(self, handler: Handler, event: TelegramObject, data: dict[str, Any]) -> Any:
        user: User | None = data.get("event_from_user")
        if user is None or user.is_bot:
            return await handler(event, data)
        session: AsyncSession = data["session"]
        data["account"] = await accounts.load_for_update(
            session, user.id, is_admin=user.id in self._admin_ids
        )
        return await handler(event, data)


class AccountI18nMiddleware(I18nMiddleware):
    """Texts in the account's language (Indonesian unless the catalog has theirs)."""

    async def get_locale(self, event: TelegramObject, data: dict[str, Any]) -> str:
        account = data.get("account")
        if account is not None and account.language in self.i18n.available_locales:
            return str(account.language)
        return self.i18n.default_locale


class ThrottleMiddleware(BaseMiddleware):
    """Per-user flood control: past `rate` updates in `window` seconds, updates are dropped.

    The user is told once per window, so a stuck button or a script cannot load the database.
    With Redis the count is shared by all instances (fixed window); otherwise it is per process.
    """

    def __init__(self, rate: int, window: float, redis: Redis | None = None) -> None:
        self._rate = rate
        self._window = window
        self._redis = redis
        self._hits: dict[int, deque[float]] = {}
        self._warned: dict[int, float] = {}

    async def _over_limit(self, user_id: int) -> bool:
        if self._redis is not None:
            key = f"nirmiskin:thr:{user_id}:{int(time.time() // self._window)}"
            count = await self._redis.incr(key)
            if count == 1:
                await self._redis.expire(key, int(self._window) + 1)
            return count > self._rate
        now = time.monotonic()
        hits = self._hits.setdefault(user_id, deque())
        while hits and now - hits[0] > self._window:
            hits.popleft()
        if len(hits) >= self._rate:
            return True
        hits.append(now)
        if len(self._hits) > 50_000:  # forget idle users so memory stays bounded
            self._hits = {
                uid: h for uid, h in self._hits.items() if h and now - h[-1] < self._window
            }
        return False

    async def __call__(self, handler: Handler, event: TelegramObject, data: dict[str, Any]) -> Any:
        user: User | None = data.get("event_from_user")
        if user is None or not await self._over_limit(user.id):
            return await handler(event, data)
        now = time.monotonic()
        if now - self._warned.get(user.id, 0.0) > self._window:
            self._warned[user.id] = now
            account = data.get("account")
            log.info("throttled account_id=%s", account.id if account is not None else None)
            bot: Bot = data["bot"]
            await bot.send_message(user.id, _("Too many messages at once. Please wait a moment."))
        return None


class RoleCommandsMiddleware(BaseMiddleware):
    """Keep the user's Telegram command list in step with their role (set after a grant)."""

    async def __call__(self, handler: Handler, event: TelegramObject, data: dict[str, Any]) -> Any:
        account = data.get("account")
        if account is not None and account.commands_role != account.role:
            await sync_commands(data["bot"], account)
        return await handler(event, data)


def i18n_middleware(i18n: I18n) -> AccountI18nMiddleware:
    return AccountI18nMiddleware(i18n)
