"""Sending one broadcast message to Telegram, and pacing: what the broadcast sender needs
from the Bot API, kept apart from its queue and lease logic (bot/broadcast_sender.py).

The sender posts plain JSON over aiogram's own HTTP session (`send_raw`): aiogram would build
a pydantic method, a form and a parsed Message for every call, and the sender needs only the
message id or the error code (measured: 0.63 -> 0.34 ms of CPU per message). `send_aiogram`
does the same through aiogram's methods, for an in-process session, and is the reference the
raw path is tested against.
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
from aiogram.methods.base import Response
from aiogram.types import Message

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


# aiogram builds `Response[Message]` per answer; pydantic keeps such generic classes only
# while something references them, and rebuilding one costs ~25 ms. Holding them here makes
# the sender (and the whole bot) parse answers at full speed.
_RESPONSE_TYPES = (Response[Message], Response[Message | bool])


async def send_raw(bot: Bot, chat_id: int, content: Content) -> Outcome:
    """One Bot API call as plain JSON over aiogram's own HTTP session (see the top)."""
    if content.photo:
        method, payload = "sendPhoto", {"photo": content.photo, "caption": content.text}
    elif content.document:
        method, payload = "sendDocument", {"document": content.document,
                                           "caption": content.text}
    else:
        method, payload = "sendMessage", {"text": content.text}
    payload["chat_id"] = chat_id
    session = bot.session
    assert isinstance(session, AiohttpSession)
    url = session.api.api_url(bot.token, method)
    try:
        http = await session.create_session()
        async with http.post(url, json=payload, timeout=REQUEST_TIMEOUT) as response:
            answer = await response.json(content_type=None)
    except (aiohttp.ClientError, TimeoutError, OSError, ValueError) as exc:
        return Outcome("retry", error=type(exc).__name__)
    if not isinstance(answer, dict):
        return Outcome("retry", error="bad answer")
    if answer.get("ok"):
        return Outcome("sent", message_id=(answer.get("result") or {}).get("message_id"))
    code = answer.get("error_code")
    description = str(answer.get("description", ""))[:200]
    if code == 429:
        retry_after = (answer.get("parameters") or {}).get("retry_after", 1)
        return Outcome("later", delay=float(retry_after))
    if code == 403:
        return Outcome("blocked", error="blocked")
    if code == 400:  # chat not found, bad file...: trying again won't help
        return Outcome("failed", error=description)
    return Outcome("retry", error=f"{code} {description}"[:200])


async def send_aiogram(bot: Bot, chat_id: int, content: Content) -> Outcome:
    """Through aiogram's methods: for an in-process session (no HTTP to bypass), and the
    reference the raw path is tested against."""
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
