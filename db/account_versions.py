"""Which accounts changed, shared by every instance through Redis, so that each may keep
accounts in memory and still see at once a consent, a role or a revocation made on another.

Each account has a version number in Redis. An update reads it (one GET) before taking the
account from memory: a cached copy is used only while its version is still the current one.
Every commit that changes accounts bumps their versions; the unit of work and the commit
before the bot speaks wait for the bump, so the person's next message, wherever it lands,
finds the new version.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Iterable

from redis.asyncio import Redis

log = logging.getLogger(__name__)

PREFIX = "nirmiskin:acct:"


class AccountVersions:
    def __init__(self, redis: Redis) -> None:
        self._redis = redis
        self._pending: set[asyncio.Task[None]] = set()

    async def current(self, telegram_id: int) -> bytes:
        value = await self._redis.get(f"{PREFIX}{telegram_id}")
        return value if isinstance(value, bytes) else b"0"

    def bump_soon(self, telegram_ids: Iterable[int]) -> None:
        """After a commit (SQLAlchemy's hooks are synchronous): bump in a task of its own."""
        ids = sorted(set(telegram_ids))
        if not ids:
            return
        task = asyncio.get_running_loop().create_task(self._bump(ids))
        self._pending.add(task)
        task.add_done_callback(self._pending.discard)

    async def _bump(self, telegram_ids: list[int]) -> None:
        try:
            async with self._redis.pipeline(transaction=False) as pipe:
                for telegram_id in telegram_ids:
                    pipe.incr(f"{PREFIX}{telegram_id}")
                await pipe.execute()
        except Exception as exc:  # the cached copies then live until ACCOUNT_CACHE_SECONDS
            log.warning("could not publish account changes: %s", type(exc).__name__)

    async def settled(self) -> None:
        """Wait until every bump started so far is done."""
        if self._pending:
            await asyncio.gather(*list(self._pending), return_exceptions=True)
