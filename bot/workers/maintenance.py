"""Background upkeep that no user triggers, run by every bot process (`python -m bot run`)."""

from __future__ import annotations

import datetime as dt
import logging

from aiogram import Bot, Dispatcher

from bot.workers.loop import every
from db.fsm_storage import SQLStorage

log = logging.getLogger(__name__)

PURGE_EVERY = dt.timedelta(hours=6)


async def purge_idle_conversations(bot: Bot, dp: Dispatcher) -> None:
    """Forget unfinished conversations older than the retention, now and every few hours.
    Harmless when several processes do it: a delete of what is already gone removes nothing."""
    retention_days = dp["settings"].fsm_retention_days
    storage = dp.fsm.storage
    if not isinstance(storage, SQLStorage):
        return  # Redis expires them by itself (state_ttl / data_ttl)

    async def one_round() -> None:
        removed = await storage.purge_idle(dt.timedelta(days=retention_days))
        if removed:
            log.info("forgot %s conversations idle for %s days", removed, retention_days)

    await every(PURGE_EVERY.total_seconds(), one_round, "purging idle conversations")
