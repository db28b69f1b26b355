"""Free text from residents, read by the trained classifier (services.understanding).

- Sure of the journey: do it ("kapan bansos cair?" shows the schedule).
- Not sure: offer the two or three likeliest journeys as buttons; a wrong guess is worse than
  asking.
Included just before the fallback, and only outside a conversation.
"""

from __future__ import annotations

from typing import Any

from aiogram import Router
from aiogram.dispatcher.event.bases import SkipHandler
from aiogram.filters import StateFilter
from aiogram.types import InlineKeyboardMarkup, Message
from aiogram.utils.i18n import gettext as _

from db.models.accounts import Account
from domain.roles import WARGA
from handlers.keyboards import show_menu
from handlers.number_guard import guard_numbers
from handlers.residents import journeys
from services import understanding


async def free_text(message: Message, account: Account, **data: Any) -> None:
    text = message.text or ""
    if not text.startswith("/") and await guard_numbers(message):
        # Whatever else it said, it is not read further: nothing of it is kept.
        if account.consent == "given":
            await show_menu(message, _("Please choose from the main menu."), account)
        return
    if account.consent != "given" or account.role != WARGA or text.startswith("/"):
        raise SkipHandler
    reading = understanding.read(text)
    data = {**data, "account": account}
    if reading.intent is not None and await journeys.act(reading.intent, message, data, True):
        return
    if reading.intent is None and reading.knows_a_word:
        buttons = [b for b in map(journeys.journey_button, reading.offers()) if b]
        if buttons:
            await message.answer(
                _("Which of these do you mean? Tap one, or choose from the menu."),
                reply_markup=InlineKeyboardMarkup(inline_keyboard=[[b] for b in buttons]),
            )
            return
    raise SkipHandler  # the fallback answers: sorry, the menu, /bantuan


def create_router() -> Router:
    """A fresh router per dispatcher (a router can belong to one dispatcher only)."""
    router = Router(name="free_text")
    router.message.register(free_text, StateFilter(None))
    router.include_router(journeys.create_router())
    return router
