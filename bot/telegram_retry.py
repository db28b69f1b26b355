"""Obey Telegram's flood control (429 retry_after) instead of losing a reply.

aiogram raises TelegramRetryAfter and does not retry. An interactive reply is worth waiting a
few seconds for; a longer wait than `max_wait` is Telegram telling us to back off, so the
error goes up (the error handler logs it). The broadcast sender keeps its own queue and does
not rely on this.
"""

from __future__ import annotations

import asyncio
import logging
from typing import Any

from aiogram import Bot
from aiogram.client.session.middlewares.base import BaseRequestMiddleware, NextRequestMiddlewareType
from aiogram.exceptions import TelegramRetryAfter
from aiogram.methods import TelegramMethod
from aiogram.methods.base import TelegramType

log = logging.getLogger(__name__)


class RetryAfterMiddleware(BaseRequestMiddleware):
    def __init__(self, max_wait: float = 30.0, attempts: int = 3) -> None:
        self.max_wait = max_wait
        self.attempts = attempts

    async def __call__(
        self,
        make_request: NextRequestMiddlewareType[TelegramType],
        bot: Bot,
        method: TelegramMethod[TelegramType],
    ) -> Any:
        for attempt in range(1, self.attempts + 1):
            try:
                return await make_request(bot, method)
            except TelegramRetryAfter as error:
                if attempt == self.attempts or error.retry_after > self.max_wait:
                    raise
                log.warning(
                    "telegram flood control on %s: waiting %s s (attempt %s)",
                    type(method).__name__, error.retry_after, attempt,
                )
                await asyncio.sleep(error.retry_after)
        raise AssertionError("unreachable")
