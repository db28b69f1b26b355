"""The periodic loop the background workers share."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable

log = logging.getLogger("bot.workers")


async def every(interval: float, one_round: Callable[[], Awaitable[object]], what: str) -> None:
    """Run `one_round` now and then every `interval` seconds, until cancelled. A failing
    round is logged (its kind, never its message: it may quote personal data) and the next
    one is tried: a worker must never stop the bot."""
    while True:
        try:
            await one_round()
        except Exception as exc:
            log.warning("%s failed: %s", what, type(exc).__name__)
        await asyncio.sleep(interval)
