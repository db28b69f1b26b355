"""Last router: whatever nothing else understood gets a friendly answer and the menu; a
resident is offered to send it to an officer (handlers.residents.complaint)."""

from __future__ import annotations

from aiogram import Router
from aiogram.fsm.context import FSMContext
from aiogram.types import CallbackQuery, Message
from aiogram.utils.i18n import gettext as _

from db.models.accounts import Account
from domain.roles import WARGA
from handlers.keyboards import consent_keyboard, show_menu
from handlers.number_guard import guard_numbers
from handlers.residents.complaint import offer_to_officer


async def not_understood(message: Message, account: Account, state: FSMContext) -> None:
    if account.role == WARGA and account.consent == "given":
        # A wrong guess is worse than handing over to a person: offer to send it to an officer.
        await offer_to_officer(message, state, account)
        return
    if await guard_numbers(message):
        return
    if account.consent == "none":
        await message.answer(
            _("Please first choose whether you agree to the privacy notice."),
            reply_markup=consent_keyboard(),
        )
        return
    await show_menu(
        message,
        _("Sorry, I did not understand that. Please choose a button below, or send /bantuan."),
        account,
    )


async def stale_button(query: CallbackQuery, account: Account) -> None:
    await query.answer(_("This button is no longer active."))
    if isinstance(query.message, Message):
        await show_menu(query.message, _("Please choose from the main menu."), account)


def create_router() -> Router:
    """A fresh router per dispatcher (a router can belong to one dispatcher only)."""
    router = Router(name="fallback")
    router.message.register(not_understood)
    router.callback_query.register(stale_button)
    return router
