"""Staff broadcasts, the last step: send now, or "⏰ Send later" at a day and time in WIB
(typed as forgivingly as the date fields: "besok 08.00", "17-08-2025 09.30"), and the list of
broadcasts still waiting for their time, each with its cancel button.

A scheduled broadcast is a queued one with `send_at`: the sender starts it from then on
(services/broadcasts.py, bot/workers/broadcast_sender.py), counting its recipients at that
moment, so a family that collected its aid meanwhile is left out of "not collected yet".
"""

from __future__ import annotations

import datetime as dt

from aiogram.filters.callback_data import CallbackData
from aiogram.fsm.context import FSMContext
from aiogram.types import CallbackQuery, InlineKeyboardMarkup, Message
from aiogram.utils.i18n import gettext as _
from aiogram.utils.keyboard import InlineKeyboardBuilder
from sqlalchemy.ext.asyncio import AsyncSession

from conversations.messages import edit_text
from conversations.parking import clear_but_keep_form
from conversations.validators import ValidationError, format_datetime_id, parse_when
from db import audit
from db.models.accounts import Account
from db.models.base import utcnow
from handlers import broadcast_progress
from handlers.chat import remove_buttons
from handlers.staff.broadcast_compose import Compose, ComposeCallback, buttons, composing, n
from services import broadcasts

LISTED = 10  # scheduled broadcasts shown at once
OPENING_WORDS = 80  # characters of a scheduled broadcast's text on its card


class ScheduledCb(CallbackData, prefix="bcl"):
    a: str  # list


async def send_now(
    query: CallbackQuery, state: FSMContext, session: AsyncSession, account: Account
) -> None:
    data = await state.get_data()
    if await state.get_state() != Compose.confirm.state or not data.get("audience"):
        await query.answer(_("This draft is closed. Start again with /siaran."), show_alert=True)
        return
    await _queue(query, state, session, account, None)


async def ask_when(query: CallbackQuery, state: FSMContext) -> None:
    if not await composing(query, state) or not (await state.get_data()).get("audience"):
        return
    await query.answer()
    assert isinstance(query.message, Message)
    await _ask_when(query.message, state)


async def _ask_when(message: Message, state: FSMContext) -> None:
    await state.set_state(Compose.when)
    await remove_buttons(message)
    await message.answer(
        _(
            "When should it go out? Type the day and the time (WIB), for example: besok 08.00 "
            "or 17-08-2025 09.30.\n/batal stops."
        )
    )


async def when_typed(message: Message, state: FSMContext) -> None:
    try:
        send_at = parse_when(message.text or "", utcnow())
    except ValidationError as error:
        await message.answer(error.render())
        return
    data = await state.get_data()
    await state.update_data(send_at=send_at.isoformat())
    await state.set_state(Compose.confirm)
    when = format_datetime_id(send_at)
    items = [
        (_("⏰ Schedule it"), ComposeCallback(step="sched")),
        (_("🕓 Another time"), ComposeCallback(step="later")),
        (_("⬅️ Choose another audience"), ComposeCallback(step="change")),
    ]
    await message.answer(
        _(
            "Send on {when} to {audience}? Now {n} people would get it; the recipients are "
            "counted again when it goes out."
        ).format(when=when, audience=data.get("label", ""), n=n(int(data.get("count") or 0))),
        reply_markup=buttons(items),
    )


async def schedule(
    query: CallbackQuery, state: FSMContext, session: AsyncSession, account: Account
) -> None:
    data = await state.get_data()
    if await state.get_state() != Compose.confirm.state or not data.get("send_at"):
        await query.answer(_("This draft is closed. Start again with /siaran."), show_alert=True)
        return
    send_at = dt.datetime.fromisoformat(data["send_at"])
    if send_at <= utcnow():  # the confirmation came after the chosen time
        await query.answer(
            _("That time has already passed. Please choose a later time."), show_alert=True
        )
        assert isinstance(query.message, Message)
        await _ask_when(query.message, state)
        return
    await _queue(query, state, session, account, send_at)


async def _queue(
    query: CallbackQuery,
    state: FSMContext,
    session: AsyncSession,
    account: Account,
    send_at: dt.datetime | None,
) -> None:
    data = await state.get_data()
    assert isinstance(query.message, Message)
    broadcast = await broadcasts.queue(
        session,
        text=data["text"],
        audience=data["audience"],
        created_by=account,
        photo_file_id=data.get("photo"),
        document_file_id=data.get("document"),
        progress_chat_id=query.message.chat.id,
        send_at=send_at,
    )
    audit.record(
        session, account, "broadcast.queued", "broadcast", broadcast.id,
        audience=data["audience"]["type"], count=data.get("count"),
        send_at=send_at.isoformat() if send_at else None,
    )  # fmt: skip
    await clear_but_keep_form(state)
    await query.answer()
    await remove_buttons(query.message)
    progress = await broadcast_progress.load(session, broadcast)
    shown = await query.message.answer(
        broadcast_progress.text(progress), reply_markup=broadcast_progress.keyboard(progress)
    )
    broadcast.progress_message_id = shown.message_id


# ---------------------------------------------------------------------- scheduled ones


async def scheduled_button(session: AsyncSession) -> InlineKeyboardMarkup | None:
    """Under /siaran's first question, when broadcasts wait for their time."""
    waiting = await broadcasts.scheduled(session, utcnow(), LISTED)
    if not waiting:
        return None
    builder = InlineKeyboardBuilder()
    builder.button(
        text=_("⏰ Scheduled broadcasts ({count})").format(count=len(waiting)),
        callback_data=ScheduledCb(a="list"),
    )
    return builder.as_markup()


async def list_scheduled(query: CallbackQuery, session: AsyncSession) -> None:
    """Each broadcast waiting for its time as its own card (its progress text and buttons), so
    that "✖️ Cancel" under it works like under the progress message."""
    await query.answer()
    assert isinstance(query.message, Message)
    waiting = await broadcasts.scheduled(session, utcnow(), LISTED)
    if not waiting:
        await edit_text(query.message, _("No broadcast is waiting for its time."))
        return
    await query.message.answer(
        _("Broadcasts waiting for their time: {count}. Each one below.").format(count=len(waiting))
    )
    for broadcast in waiting:
        progress = await broadcast_progress.load(session, broadcast)
        words = " ".join(broadcast.text.split())
        if len(words) > OPENING_WORDS:
            words = words[: OPENING_WORDS - 1].rstrip() + "…"
        await query.message.answer(
            broadcast_progress.text(progress) + "\n\n" + words,
            reply_markup=broadcast_progress.keyboard(progress),
        )
