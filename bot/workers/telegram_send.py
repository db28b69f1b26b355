"""Sending one broadcast message to Telegram, and pacing: what the broadcast sender needs
from the Bot API, kept apart from its queue and lease logic (bot/workers/broadcast_sender.py).
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass

import aiohttp
from aiogram import Bot
from aiogram.client.session.aiohttp import AiohttpSession
from aiogram.exceptions import (
    TelegramAPIError,
    TelegramBadRequest,
    TelegramForbiddenError,
    TelegramRetryAfter,
)

REQUEST_TIMEOUT = aiohttp.ClientTimeout(total=30)
MAX_CONNECTIONS = 200


class RateLimiter:
    """Evenly spaced slots at `rate` per second (at most one slot of catch-up after a stall,
    so no burst), and a pause for everyone when Telegram answers 429."""

    def __init__(self, rate: float) -> None:
        self.interval = 1.0 / rate
        self.next = 0.0
        self.paused_until = 0.0

    async def acquire(self) -> None:
        loop = asyncio.get_running_loop()
        while True:
            now = loop.time()
            slot = max(self.next, now - self.interval, self.paused_until)
            self.next = slot + self.interval
            if slot > now:
                await asyncio.sleep(slot - now)
            if loop.time() >= self.paused_until:  # not paused while this one waited
                return

    def pause(self, seconds: float) -> None:
        until = asyncio.get_running_loop().time() + seconds
        self.paused_until = max(self.paused_until, until)


@dataclass
class Outcome:
    status: str  # sent | blocked | failed | retry (error, backoff) | later (429) | unsent
    message_id: int | None = None
    error: str | None = None
    delay: float = 0.0


@dataclass(frozen=True)
class Content:
    text: str
    photo: str | None
    document: str | None


async def send(bot: Bot, chat_id: int, content: Content) -> Outcome:
    """One broadcast message, through aiogram's methods, and what became of it."""
    chat = chat_id
    try:
        if content.photo:
            message = await bot.send_photo(chat, content.photo, caption=content.text)
        elif content.document:
            message = await bot.send_document(chat, content.document, caption=content.text)
        else:
            message = await bot.send_message(chat, content.text)
    except TelegramRetryAfter as exc:
        return Outcome("later", delay=float(exc.retry_after))
    except TelegramForbiddenError:
        return Outcome("blocked", error="blocked")
    except TelegramBadRequest as exc:  # chat not found, bad file...: trying again won't help
        return Outcome("failed", error=exc.message[:200])
    except (TelegramAPIError, aiohttp.ClientError, TimeoutError, OSError) as exc:
        return Outcome("retry", error=type(exc).__name__)
    return Outcome("sent", message_id=message.message_id)


def sender_bot(bot: Bot) -> Bot:
    """The sender's own Bot: the same API server and token, without the RetryAfterMiddleware
    of the app's session (which sleeps through a 429 per request); the sender pauses all of
    its sending on a 429 instead, and puts the message back in the queue."""
    if not isinstance(bot.session, AiohttpSession):
        return bot  # an in-process session (terminal chat, benchmarks): nothing to bypass
    session = AiohttpSession(api=bot.session.api, limit=MAX_CONNECTIONS)
    return Bot(token=bot.token, session=session)
