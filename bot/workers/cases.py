"""Worker: the answer times of complaints (SP4N-LAPOR!, services.case_times). A case nobody
answered gets a reminder to its holder (or the level's people) after `CASE_REMINDER_HOURS`,
and is passed up to the kecamatan's TKSK after `CASE_TKSK_AFTER_DAYS` and to staff after
`CASE_STAFF_AFTER_WORKING_DAYS`. Each step is claimed with a conditional UPDATE and committed
before anything is sent (services.case_clock), so several processes do it once.

Messages go out in the daytime (WIB) only: what falls due at night waits for the morning.
Someone who opted out ("berhenti") gets no reminders; a case passed up to them still comes.
"""

from __future__ import annotations

import datetime as dt
import logging
from dataclasses import dataclass
from typing import TYPE_CHECKING

from aiogram import Bot, Dispatcher
from aiogram.utils.i18n import I18n
from aiogram.utils.i18n import gettext as _
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.workers.loop import every
from db import regions
from db.models.base import utcnow
from domain.dates import to_wib
from services import case_clock, cases

if TYPE_CHECKING:
    from bot.settings import Settings

log = logging.getLogger(__name__)

ROUND_EVERY = dt.timedelta(minutes=5)
DAYTIME_WIB = range(7, 21)  # 07.00-20.59 WIB


@dataclass
class RoundResult:
    reminded: int = 0  # reminder messages sent
    passed_up: int = 0  # cases passed up a level


async def clock_round(
    bot: Bot,
    sessionmaker: async_sessionmaker[AsyncSession],
    i18n: I18n,
    settings: Settings,
    now: dt.datetime,
) -> RoundResult:
    # Imported here: the handler modules import the app's keyboards, built after this module.
    from handlers.case_ui import deliver, due_date, officer_keyboard
    from handlers.volunteers.cases import tell_passed_up

    result = RoundResult()
    if to_wib(now).hour not in DAYTIME_WIB:
        return result
    times = settings.answer_times
    async with sessionmaker() as session:
        reminders = await case_clock.due_reminders(session, now)
        escalations = await case_clock.due_escalations(session, now)
    for case_id in escalations:
        async with sessionmaker() as session:
            claimed = await case_clock.claim_escalation(session, case_id, now, times)
            await session.commit()  # passed up before anyone is told: never twice
            if claimed is None:
                continue
            passed, level = claimed
            with i18n.context(), i18n.use_locale(i18n.default_locale):
                await tell_passed_up(session, bot, passed, level)
            result.passed_up += 1
            await session.commit()  # accounts found blocked (403) are saved as such
    for case_id in reminders:
        async with sessionmaker() as session:
            case = await case_clock.claim_reminder(session, case_id, now)
            await session.commit()
            if case is None:
                continue
            desa = await regions.name_of(session, case.desa_code)
            for person in await cases.answerers(session, case):
                if person.opted_out_at is not None:
                    continue
                with i18n.context(), i18n.use_locale(i18n.default_locale):
                    text = _(
                        "⏰ Complaint {number} ({desa}) is still waiting for an answer. It "
                        "must be answered by {date}."
                    ).format(number=cases.number(case), desa=desa, date=due_date(case))
                    markup = officer_keyboard(case)
                if await deliver(bot, person, None, text, markup):
                    result.reminded += 1
            await session.commit()
    return result


async def answer_times(bot: Bot, dp: Dispatcher) -> None:
    """Run `clock_round` now and every ROUND_EVERY; a failing round is logged and retried."""

    async def one_round() -> None:
        await clock_round(bot, dp["sessionmaker"], dp["i18n"], dp["settings"], utcnow())

    await every(ROUND_EVERY.total_seconds(), one_round, "complaint answer times")
