"""`/laporcepat`: one message from the field (text, or a photo with a caption) and an optional
location, stored and sent on to staff with the sender's role and area."""

from __future__ import annotations

import logging

from aiogram import Bot, Router
from aiogram.exceptions import TelegramAPIError
from aiogram.filters import Command, StateFilter
from aiogram.fsm.context import FSMContext
from aiogram.fsm.state import State, StatesGroup
from aiogram.types import KeyboardButton, Message, ReplyKeyboardMarkup
from aiogram.utils.i18n import gettext as _
from sqlalchemy.ext.asyncio import AsyncSession

from conversations import notify
from db.models.accounts import Account
from db.models.households import Region
from domain.roles import PETUGAS
from handlers.access import VOLUNTEERS, gated_router, require_consent
from handlers.keyboards import MenuButton, show_menu
from handlers.number_guard import guard_numbers, mask_id_numbers
from services import field_reports

log = logging.getLogger(__name__)

MAX_TEXT = 2000
KEY = "laporcepat"


class QuickFlow(StatesGroup):
    message = State()
    location = State()


def location_keyboard() -> ReplyKeyboardMarkup:
    return ReplyKeyboardMarkup(
        keyboard=[
            [KeyboardButton(text=_("📍 Send my location"), request_location=True)],
            [KeyboardButton(text=_("Send without location"))],
        ],
        resize_keyboard=True,
    )


async def quick_start(message: Message, state: FSMContext) -> None:
    await state.set_state(QuickFlow.message)
    await message.answer(
        _(
            "Write what you saw in one message, e.g. “house collapsed in RT 03”. "
            "You may send a photo with the text as its caption. /batal to stop."
        )
    )


async def quick_message(message: Message, state: FSMContext) -> None:
    text = message.caption if message.photo else message.text
    if not text or not text.strip():
        await message.answer(
            _("Please write a few words (as the photo's caption if you send a photo).")
        )
        return
    photo = message.photo[-1].file_id if message.photo else None
    # A NIK/KK in the report: the message goes, and staff get (and the database keeps) the
    # masked number only. The photo's file id stays usable after its message is deleted.
    await guard_numbers(message)
    text = mask_id_numbers(text.strip())[:MAX_TEXT]
    await state.update_data({KEY: {"text": text, "photo": photo}})
    await state.set_state(QuickFlow.location)
    await message.answer(
        _("Add the location? Tap the button, or send without it."),
        reply_markup=location_keyboard(),
    )


async def quick_location(
    message: Message, state: FSMContext, session: AsyncSession, account: Account, bot: Bot
) -> None:
    if message.location is not None:
        where = (message.location.latitude, message.location.longitude)
    elif message.text == _("Send without location"):
        where = None
    else:
        await message.answer(
            _("Please tap “📍 Send my location” or “Send without location”."),
            reply_markup=location_keyboard(),
        )
        return
    data = await state.get_data()
    draft = data.pop(KEY, None)
    await state.set_data(data)
    await state.set_state(None)
    if not draft:
        await show_menu(message, _("Please start again: /laporcepat"), account)
        return
    report = await field_reports.record_quick_report(
        session, account, draft["text"], draft["photo"], where
    )
    region = await session.get(Region, account.area_code) if account.area_code else None
    heading = _("⚡ Quick report #{id} from {role} {name}, {area}:").format(
        id=report.id,
        role=account.role.upper(),
        name=account.first_name or str(account.telegram_id),
        area=region.name if region else "-",
    )
    text = heading + "\n\n" + draft["text"]
    if where is not None:  # a map link opens on any phone or computer the staff use
        text += "\n\n" + _("Location: {url}").format(
            url=f"https://maps.google.com/?q={where[0]:.6f},{where[1]:.6f}"
        )
    sent = 0
    for officer in await notify.area_officers(session, None, None, roles=(PETUGAS,)):
        if not await notify.send(bot, officer, text):
            continue
        sent += 1
        if draft["photo"]:
            try:
                await bot.send_photo(officer.telegram_id, draft["photo"])
            except TelegramAPIError as exc:
                log.warning("quick report %s photo failed: %s", report.id, type(exc).__name__)
    await show_menu(message, _("Thank you, your report was sent to the office.")
        if sent
        else _("Thank you, your report is saved; the office will read it."), account)


def create_router() -> Router:
    router = require_consent(gated_router("quick_report", VOLUNTEERS))
    router.message.register(quick_start, Command("laporcepat"))
    router.message.register(quick_start, MenuButton("laporcepat"))
    router.message.register(quick_message, StateFilter(QuickFlow.message))
    router.message.register(quick_location, StateFilter(QuickFlow.location))
    return router
