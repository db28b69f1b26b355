"""Is this message really from Dinas Sosial? (`/cek`): forward or paste it, get an answer.

Open to everyone, with or without consent: nothing of the checked message is stored or logged.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from aiogram import Bot, Router
from aiogram.filters import Command, CommandObject, StateFilter
from aiogram.fsm.context import FSMContext
from aiogram.fsm.state import State, StatesGroup
from aiogram.types import Message, MessageOriginUser
from aiogram.utils.i18n import gettext as _
from sqlalchemy.ext.asyncio import AsyncSession

from conversations.validators import format_datetime_id
from db.models.accounts import Account
from handlers.keyboards import MenuButton, show_menu
from handlers.office import office_contact
from handlers.residents.keyboards import cancel_keyboard
from handlers.residents.link import typed_answer
from services import message_check

if TYPE_CHECKING:
    from bot.settings import Settings  # handed in by the dispatcher


class CheckFlow(StatesGroup):
    waiting = State()


def reminder(settings: Settings) -> str:
    return _(
        "Remember: Dinas Sosial never asks for money, PIN or OTP codes, and aid is free. "
        "Never send a transfer or a code to anyone. In doubt, ask the PSM volunteer of your "
        "desa or {contact}."
    ).format(contact=office_contact(settings))


async def ask(
    message: Message,
    command: CommandObject | None,
    state: FSMContext,
    session: AsyncSession,
    settings: Settings,
    bot: Bot,
    account: Account,
) -> None:
    if command is not None and command.args:  # "/cek <pasted text>"
        await answer(message, message.text or "", session, settings, bot, account)
        return
    await state.set_state(CheckFlow.waiting)
    await message.answer(
        _(
            "Forward the message you got to this chat (tap and hold it, then Forward), or copy "
            "its text and paste it here. We will tell you whether this bot sent it."
        ),
        reply_markup=cancel_keyboard(),
    )


async def ask_button(
    message: Message,
    state: FSMContext,
    session: AsyncSession,
    settings: Settings,
    bot: Bot,
    account: Account,
) -> None:
    await ask(message, None, state, session, settings, bot, account)


async def got_message(
    message: Message,
    state: FSMContext,
    session: AsyncSession,
    settings: Settings,
    bot: Bot,
    account: Account,
) -> None:
    text = message.text or message.caption
    if not text:
        await message.answer(
            _("Please forward or paste a message with text."), reply_markup=cancel_keyboard()
        )
        return
    await state.set_state(None)
    await answer(message, text, session, settings, bot, account)


def _from_this_bot(message: Message, bot: Bot) -> bool | None:
    """True: forwarded from this bot; False: forwarded from someone else; None: not forwarded."""
    origin = message.forward_origin
    if origin is None:
        return None
    return isinstance(origin, MessageOriginUser) and origin.sender_user.id == bot.id


async def answer(
    message: Message,
    text: str,
    session: AsyncSession,
    settings: Settings,
    bot: Bot,
    account: Account,
) -> None:
    if text.startswith("/cek"):
        text = text[len("/cek") :]
    origin = _from_this_bot(message, bot)
    result = await message_check.check(session, text)
    if origin is True or (result.matched and result.how in ("exact", "part")):
        when = (
            _(" on {when}").format(when=format_datetime_id(result.sent_at))
            if result.sent_at is not None and origin is not True
            else ""
        )
        verdict = _("✅ Yes: this message was sent by this bot{when}.").format(when=when)
    elif result.matched:
        verdict = _(
            "⚠️ This looks like a message we sent on {when}, but it is not the same: "
            "something was changed. Trust only our original text:\n\n{original}"
        ).format(
            when=format_datetime_id(result.sent_at) if result.sent_at else "—",
            original=result.original,
        )
    elif result.scam_signs:
        verdict = _(
            "❌ This message was NOT sent by this bot, and it asks for money, a transfer or a "
            "secret code: it is a scam. Do not reply and do not send anything."
        )
    else:
        verdict = _(
            "❌ This bot did not send this message. Be careful: it may be a scam. Official "
            "notices of Dinas Sosial Kabupaten Bekasi come in this chat."
        )
        if origin is False:
            verdict += "\n" + _("It was forwarded from another account, not from this bot.")
    await show_menu(message, verdict + "\n\n" + reminder(settings), account)


def create_router() -> Router:
    """A fresh router per dispatcher (a router can belong to one dispatcher only)."""
    router = Router(name="resident_check")
    router.message.register(ask, Command("cek"))
    router.message.register(ask_button, MenuButton("check"))
    router.message.register(got_message, StateFilter(CheckFlow.waiting), typed_answer)
    return router
