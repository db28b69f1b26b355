"""Staff take a training's attendance day by day: from the training's card "✅ Attendance",
choose the day (today first), then tap each person (name and desa; families without Telegram
too) to mark them present or not; "Present 12 of 20" counts as you go. Each mark is audited
(services/attendance.py). Registered on the staff training router (its gate: staff only)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Annotated

from aiogram import Router
from aiogram.filters.callback_data import CallbackData
from aiogram.types import CallbackQuery, InlineKeyboardMarkup, Message
from aiogram.utils.i18n import gettext as _
from aiogram.utils.keyboard import InlineKeyboardBuilder
from pydantic import Field
from sqlalchemy.ext.asyncio import AsyncSession

from conversations.messages import edit_text
from db.models.accounts import Account
from db.models.aid import Training
from domain.dates import format_date_long, today_wib
from handlers.callback_ids import Page, RowId
from services import attendance, training_admin

PEOPLE_PER_PAGE = 10
DAYS_PER_PAGE = 14
BUTTON_TEXT = 48  # characters of a person's button (name and desa)

DayNumber = Annotated[int, Field(ge=0, le=99991231)]  # a day as YYYYMMDD
Flag = Annotated[int, Field(ge=0, le=1)]


class AttendCb(CallbackData, prefix="tat"):
    # days (choose the day) | day (the list of that day) | set (mark `e` present `v` on `d`)
    a: str
    t: RowId  # the training
    d: DayNumber = 0
    e: RowId = 0
    v: Flag = 0
    p: Page = 0


def _number(day: dt.date) -> int:
    return day.year * 10000 + day.month * 100 + day.day


def _day(number: int) -> dt.date | None:
    try:
        return dt.date(number // 10000, number // 100 % 100, number % 100)
    except ValueError:
        return None


def _pages(count: int, size: int) -> int:
    return max(1, -(-count // size))


async def show_days(message: Message, session: AsyncSession, training: Training) -> None:
    """The day to take attendance of, as a new message under the training's card."""
    text, markup = await _days_view(session, training, 0)
    await message.answer(text, reply_markup=markup)


async def _days_view(
    session: AsyncSession, training: Training, page: int
) -> tuple[str, InlineKeyboardMarkup]:
    today = today_wib()
    days = attendance.days_today_first(training, today)
    counts = await attendance.present_per_day(session, training.id)
    pages = _pages(len(days), DAYS_PER_PAGE)
    page = min(page, pages - 1)
    builder = InlineKeyboardBuilder()
    shown = days[page * DAYS_PER_PAGE : (page + 1) * DAYS_PER_PAGE]
    for day in shown:
        date = format_date_long(day)
        label = (
            _("📍 Today, {date} · {n} present") if day == today else _("{date} · {n} present")
        ).format(date=date, n=counts.get(day, 0))
        builder.button(text=label, callback_data=AttendCb(a="day", t=training.id, d=_number(day)))
    rows = [1] * len(shown)
    rows.append(_nav(builder, page, pages, lambda p: AttendCb(a="days", t=training.id, p=p)))
    builder.adjust(*[n for n in rows if n])
    text = _("✅ Attendance for training #{id} ({title}). Which day?").format(
        id=training.id, title=training.title
    )
    return text, builder.as_markup()


def _nav(
    builder: InlineKeyboardBuilder, page: int, pages: int, make: Callable[[int], AttendCb]
) -> int:
    """Add « Previous / Next » when there are several pages; returns how many were added."""
    added = 0
    if page > 0:
        builder.button(text=_("« Previous"), callback_data=make(page - 1))
        added += 1
    if page < pages - 1:
        builder.button(text=_("Next »"), callback_data=make(page + 1))
        added += 1
    return added


async def _roster_view(
    session: AsyncSession, training: Training, day: dt.date, page: int
) -> tuple[str, InlineKeyboardMarkup]:
    people = await attendance.roster(session, training.id, day)
    present = sum(1 for person in people if person.present)
    pages = _pages(len(people), PEOPLE_PER_PAGE)
    page = min(page, pages - 1)
    lines = [
        _("✅ Attendance for training #{id}, {date}").format(
            id=training.id, date=format_date_long(day)
        ),
        _("Present {present} of {total}.").format(present=present, total=len(people)),
    ]
    if people:
        lines.append(_("Tap a name to mark the person present or not present."))
    else:
        lines.append(_("Nobody has a seat yet."))
    if pages > 1:
        lines.append(_("Page {page} of {pages}.").format(page=page + 1, pages=pages))
    builder = InlineKeyboardBuilder()
    number = _number(day)
    listed = people[page * PEOPLE_PER_PAGE : (page + 1) * PEOPLE_PER_PAGE]
    for person in listed:
        mark = "✅" if person.present else "◻️"
        label = f"{mark} {person.name} · {person.desa}"
        if len(label) > BUTTON_TEXT:
            label = label[: BUTTON_TEXT - 1] + "…"
        builder.button(
            text=label,
            callback_data=AttendCb(
                a="set", t=training.id, d=number, e=person.enrollment_id,
                v=0 if person.present else 1, p=page,
            ),
        )  # fmt: skip
    rows = [1] * len(listed)

    def page_of(p: int) -> AttendCb:
        return AttendCb(a="day", t=training.id, d=number, p=p)

    rows.append(_nav(builder, page, pages, page_of))
    builder.button(text=_("📅 Another day"), callback_data=AttendCb(a="days", t=training.id))
    rows.append(1)
    builder.adjust(*[n for n in rows if n])
    return "\n".join(lines), builder.as_markup()


async def attendance_action(
    query: CallbackQuery, callback_data: AttendCb, session: AsyncSession, account: Account
) -> None:
    message = query.message
    training = await training_admin.get(session, callback_data.t)
    if not isinstance(message, Message) or training is None:
        await query.answer(_("This button is no longer active."), show_alert=True)
        return
    if training.status == "cancelled":
        await query.answer(_("This training is cancelled."), show_alert=True)
        return
    if callback_data.a == "days":
        await query.answer()
        await edit_text(message, *await _days_view(session, training, callback_data.p))
        return
    day = _day(callback_data.d)
    if day is None or day not in attendance.training_days(training):
        await query.answer(_("This button is no longer active."), show_alert=True)
        return
    if callback_data.a == "set":
        marked = await attendance.mark(
            session, account, training, callback_data.e, day, bool(callback_data.v)
        )
        if marked is None:
            await query.answer(_("This person no longer has a seat."), show_alert=True)
        else:
            await query.answer(_("Present.") if callback_data.v else _("Not present."))
    else:
        await query.answer()
    await edit_text(message, *await _roster_view(session, training, day, callback_data.p))


def register(router: Router) -> None:
    router.callback_query.register(attendance_action, AttendCb.filter())
