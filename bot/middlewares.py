"""The update middleware: guard (dedup, throttle), then unit of work + account + language.

- The guard drops re-delivered updates and floods before the unit of work opens a session.
- The unit of work gives the update one session, committed once, and the sender's account
  (role, area, consent), keeps the user's Telegram command list in step with the role, and
  enters the account's language for every text of the update.

One aiogram layer for all of it, the concerns kept apart in plain classes.
"""

from __future__ import annotations

import logging
import time
from collections import OrderedDict, deque
from collections.abc import Awaitable, Callable
from typing import Any

from aiogram import BaseMiddleware, Bot
from aiogram.fsm.context import FSMContext
from aiogram.types import Chat, TelegramObject, Update, User
from aiogram.utils.i18n import I18n, gettext
from redis.asyncio import Redis
from sqlalchemy import inspect
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from db import accounts
from db.account_versions import AccountVersions
from db.engine import AccountCache, current_session, needs_commit
from db.fsm_storage import conversation_lost
from db.models.accounts import Account
from handlers.commands import sync_commands

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
        cache: AccountCache | None,
        i18n: I18n,
        versions: AccountVersions | None = None,
    ) -> None:
        self._sessionmaker = sessionmaker
        self._admin_ids = admin_ids
        self._cache = cache
        self._i18n = i18n
        self._versions = versions  # several instances: the cache is checked against Redis

    def _locale(self, account: Account | None) -> str:
        if account is not None and account.language in self._i18n.available_locales:
            return str(account.language)
        return self._i18n.default_locale

    async def __call__(self, handler: Handler, event: TelegramObject, data: dict[str, Any]) -> Any:
        async with self._sessionmaker() as session:
            data["session"] = session
            token = current_session.set(session)
            account: Account | None = None
            user: User | None = data.get("event_from_user")
            version: bytes | None = None
            try:
                if user is not None and not user.is_bot:
                    if self._versions is not None and self._cache is not None:
                        version = await self._versions.current(user.id)
                    account = await accounts.load_for_update(
                        session,
                        user.id,
                        is_admin=user.id in self._admin_ids,
                        cache=self._cache,
                        version=version,
                    )
                    data["account"] = account
                lost = await _conversation_lost(data)
                with self._i18n.context(), self._i18n.use_locale(self._locale(account)):
                    if account is not None and account.commands_role != account.role:
                        await sync_commands(data["bot"], account)  # e.g. after a grant
                    if lost:
                        await _say_conversation_lost(data)
                    result = await handler(event, data)
                # Commit only what wrote something (rows, or FSM writes left for the commit);
                # an update that only read ends with the session's close.
                if needs_commit(session):
                    await session.commit()
                if self._versions is not None:
                    await self._versions.settled()  # other instances see this update's changes
            except BaseException:
                # Explicitly, so the rollback hooks run: FSM writes of this update are
                # forgotten and a changed account leaves the cache.
                await session.rollback()
                if user is not None and self._cache is not None:
                    self._cache.drop(user.id)  # the rollback expired it: read it next time
                raise
            finally:
                current_session.reset(token)
            if account is not None and self._cache is not None:
                if inspect(account).unloaded:
                    self._cache.drop(account.telegram_id)  # not fully loaded: read it next time
                else:
                    # Committed or unchanged; detached once closed. With several instances it
                    # is kept under the version it was read at: any change since, this
                    # update's own included, makes the next update read it again.
                    self._cache.put(account, version)
            return result


async def _conversation_lost(data: dict[str, Any]) -> bool:
    """Whether this person's unfinished conversation could not be opened (sealed under another
    key): it is cleared, so that the update is handled as if none was going on."""
    state: FSMContext | None = data.get("state")
    if state is not None and data.get("raw_state") is not None and not conversation_lost.get():
        await state.get_data()  # Redis keeps the state apart from the data: open the data too
    if not conversation_lost.get():
        return False
    conversation_lost.set(False)  # the flag belongs to this update only
    if state is not None:
        await state.clear()
    data["raw_state"] = None
    return True


async def _say_conversation_lost(data: dict[str, Any]) -> None:
    chat: Chat | None = data.get("event_chat")
    if chat is not None:
        await data["bot"].send_message(
            chat.id,
            gettext(
                "Sorry, your unfinished form could not be opened any more, so it was closed. "
                "Please start it again from the menu."
            ),
        )


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
