"""The error handler: log without personal data, answer the user politely."""

from __future__ import annotations

import logging
import traceback

from aiogram import Bot, Router
from aiogram.exceptions import TelegramForbiddenError
from aiogram.types import ErrorEvent
from aiogram.utils.i18n import I18n
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from db import accounts

log = logging.getLogger("nirmiskin.errors")


def safe_trace(exc: BaseException) -> str:
    """Where it failed (file:line function), without the exception's message: messages of
    errors raised while parsing user input can quote that input, NIK included."""
    frames = traceback.extract_tb(exc.__traceback__)[-6:]
    return " <- ".join(
        f"{f.filename.rsplit('/', 1)[-1]}:{f.lineno} {f.name}" for f in reversed(frames)
    )


def create_router(i18n: I18n) -> Router:
    router = Router(name="errors")

    @router.errors()
    async def on_error(
        event: ErrorEvent, bot: Bot, sessionmaker: async_sessionmaker[AsyncSession]
    ) -> bool:
        update = event.update
        # The type and place of the failure, never the message text (it may hold a NIK).
        log.error(
            "update %s (%s) failed: %s at %s",
            update.update_id,
            update.event_type,
            type(event.exception).__name__,
            safe_trace(event.exception),
        )
        chat_id = None
        if update.message is not None:
            chat_id = update.message.chat.id
        elif update.callback_query is not None:
            chat_id = update.callback_query.from_user.id
        if chat_id is None:
            return True
        if isinstance(event.exception, TelegramForbiddenError):
            # Blocked by the user: remember it, and do not write to them again now.
            async with sessionmaker.begin() as session:
                await accounts.mark_unreachable(session, chat_id)
            return True
        # The i18n context of the failed update is gone by now: enter it again.
        with i18n.context(), i18n.use_locale(i18n.default_locale):
            text = i18n.gettext(
                "Sorry, something went wrong on our side. Please try again in a moment; "
                "what you already answered is kept."
            )
        try:
            await bot.send_message(chat_id, text)
        except Exception as exc:  # the chat may be unreachable; the log above says enough
            log.warning("could not tell the user about the error: %s", type(exc).__name__)
        return True

    return router
