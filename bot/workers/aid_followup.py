"""Worker: the day after a disbursement, ask each reachable household once "Sudah menerima
bantuan?" (services.aid_schedule claims each row atomically, so several processes ask once).

Questions go out only in the daytime (WIB), not in the middle of the night.
"""

from __future__ import annotations

import datetime as dt
import logging

from aiogram import Bot, Dispatcher
from aiogram.utils.i18n import I18n
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.workers.loop import every
from conversations import notify
from db.models.base import utcnow
from domain.dates import to_wib
from services import aid_schedule

log = logging.getLogger(__name__)

ROUND_EVERY = dt.timedelta(minutes=10)
DAYTIME_WIB = range(8, 20)  # 08.00-19.59 WIB


async def ask_round(
    bot: Bot, sessionmaker: async_sessionmaker[AsyncSession], i18n: I18n, now: dt.datetime
) -> int:
    """One round: ask every due household; returns how many messages were sent."""
    # Imported here: the handler module imports the app's keyboards, built after this module.
    from handlers.residents.schedule import question_keyboard, question_text

    if to_wib(now).hour not in DAYTIME_WIB:
        return 0
    async with sessionmaker() as session:
        due = await aid_schedule.due_recipients(session, now)
    sent = 0
    for recipient_id in due:
        async with sessionmaker() as session:
            question = await aid_schedule.claim(session, recipient_id, now)
            await session.commit()  # claimed before sending: never asked twice
            if question is None:
                continue
            for account in question.accounts:
                locale = account.language if account.language in i18n.available_locales else None
                with i18n.context(), i18n.use_locale(locale or i18n.default_locale):
                    text = question_text(question.program, question.title, question.scheduled_at)
                    markup = question_keyboard(question.recipient_id)
                if await notify.send(bot, account, text, reply_markup=markup):
                    sent += 1
            await session.commit()  # accounts found blocked (403) are saved as such
    return sent


async def ask_received(bot: Bot, dp: Dispatcher) -> None:
    """Run `ask_round` now and every ROUND_EVERY; a failing round is logged and retried."""

    async def one_round() -> None:
        await ask_round(bot, dp["sessionmaker"], dp["i18n"], utcnow())

    await every(ROUND_EVERY.total_seconds(), one_round, "asking about received aid")
