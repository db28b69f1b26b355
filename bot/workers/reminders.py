"""Reminders: the day before a disbursement or a training, at `REMINDER_HOUR` WIB, one reminder
broadcast to its recipients (those who did not switch reminders off).

Every bot process runs this worker. A reminder is a Broadcast with the unique dedup_key
"reminder:disbursement:<id>" (or "reminder:training:<id>"), so when several instances find
the same event due, the database lets exactly one of them queue it; the broadcast sender
delivers it like any other broadcast. A bot that was down at the hour catches up as long as
the event has not started.
"""

from __future__ import annotations

import datetime as dt
import logging

from aiogram import Bot, Dispatcher
from aiogram.utils.i18n import I18n
from aiogram.utils.i18n import gettext as _
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.workers.loop import every
from conversations.validators import format_datetime_id
from db.models.aid import Disbursement, Training
from db.models.base import utcnow
from db.models.broadcasts import Broadcast
from domain.dates import to_wib
from services import broadcasts

log = logging.getLogger(__name__)

CHECK_EVERY = 60.0  # seconds


def remind_at(starts_at: dt.datetime, hour: int) -> dt.datetime:
    """`hour`:00 WIB on the day before the event (WIB calendar day)."""
    day_before = to_wib(starts_at).date() - dt.timedelta(days=1)
    wib = to_wib(starts_at).tzinfo
    return dt.datetime.combine(day_before, dt.time(hour), tzinfo=wib).astimezone(dt.UTC)


def dedup_key(kind: str, event_id: int, starts_at: dt.datetime) -> str:
    """Once per event and date: when staff move a payout or a training to another day, its
    recipients are reminded again before the new date."""
    return f"reminder:{kind}:{event_id}:{starts_at.astimezone(dt.UTC):%Y%m%d%H%M}"


def disbursement_text(event: Disbursement) -> str:
    text = _(
        "⏰ Reminder: tomorrow is the payout of {title}.\nWhen: {when}\nWhere: {place}"
    ).format(title=event.title, when=format_datetime_id(event.scheduled_at), place=event.place)
    if event.bring:
        text += "\n" + _("Please bring: {bring}").format(bring=event.bring)
    return text


def training_text(event: Training) -> str:
    return _(
        "⏰ Reminder: your training {title} is tomorrow.\nWhen: {when}\nWhere: {place}"
    ).format(title=event.title, when=format_datetime_id(event.starts_at), place=event.place)


async def _already(session: AsyncSession) -> set[str]:
    rows = await session.scalars(
        select(Broadcast.dedup_key).where(Broadcast.dedup_key.like("reminder:%"))
    )
    return {key for key in rows if key}


async def queue_due_reminders(
    sessionmaker: async_sessionmaker[AsyncSession],
    i18n: I18n,
    hour: int,
    now: dt.datetime | None = None,
) -> list[str]:
    """Queue every reminder that is due and not queued yet; returns the keys queued here."""
    now = now or utcnow()
    horizon = now + dt.timedelta(days=2)
    async with sessionmaker() as session:
        done = await _already(session)
        disbursements = await session.scalars(
            select(Disbursement).where(
                Disbursement.status == "scheduled",
                Disbursement.scheduled_at > now,
                Disbursement.scheduled_at < horizon,
            )
        )
        trainings = await session.scalars(
            select(Training).where(
                Training.status != "cancelled",
                Training.starts_at > now,
                Training.starts_at < horizon,
            )
        )
        due: list[tuple[str, int, dict, str]] = []
        with i18n.context(), i18n.use_locale(i18n.default_locale):
            for d in disbursements:
                key = dedup_key("disbursement", d.id, d.scheduled_at)
                if key not in done and remind_at(d.scheduled_at, hour) <= now:
                    due.append((key, d.id, {"type": "disbursement", "id": d.id},
                                disbursement_text(d)))
            for t in trainings:
                key = dedup_key("training", t.id, t.starts_at)
                if key not in done and remind_at(t.starts_at, hour) <= now:
                    due.append((key, t.id, {"type": "training", "id": t.id}, training_text(t)))
    queued = []
    for key, event_id, audience, text in due:
        try:
            async with sessionmaker() as session, session.begin():
                await broadcasts.queue(
                    session,
                    text=text,
                    audience=audience,
                    created_by=None,
                    kind=broadcasts.REMINDER,
                    dedup_key=key,
                )
                if audience["type"] == "disbursement":
                    event = await session.get(Disbursement, event_id)
                    if event is not None:
                        event.reminder_queued_at = utcnow()
        except IntegrityError:
            continue  # another instance queued it a moment ago
        log.info("queued %s", key)
        queued.append(key)
    return queued


async def reminder_scheduler(bot: Bot, dp: Dispatcher) -> None:
    """The worker (bot.workers): look for due reminders every minute."""
    settings = dp["settings"]

    async def one_round() -> None:
        await queue_due_reminders(dp["sessionmaker"], dp["i18n"], settings.reminder_hour)

    await every(CHECK_EVERY, one_round, "queueing reminders")
