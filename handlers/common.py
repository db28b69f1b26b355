"""Commands every role has: /menu, /bantuan, /batal."""

from __future__ import annotations

from typing import TYPE_CHECKING

from aiogram import Router
from aiogram.filters import Command
from aiogram.fsm.context import FSMContext
from aiogram.types import Message
from aiogram.utils.i18n import gettext as _

from db.models.accounts import Account
from handlers.commands import help_lines
from handlers.filters import CancelWord
from handlers.keyboards import MenuButton, show_menu
from handlers.office import office_lines

if TYPE_CHECKING:
    from bot.settings import Settings  # handed in by the dispatcher


async def menu(message: Message, account: Account) -> None:
    await show_menu(message, _("Main menu. Choose a button below."), account)


async def help_(message: Message, account: Account, settings: Settings) -> None:
    lines = [_("This is what you can do here:"), "", *help_lines(account.role)]
    lines += ["", _("How to reach Dinas Sosial Kabupaten Bekasi:"), *office_lines(settings)]
    if account.consent != "given":
        lines += ["", _("To use the services, first agree to the privacy notice: /privasi")]
    await show_menu(message, "\n".join(lines), account)


async def cancel(message: Message, account: Account, state: FSMContext) -> None:
    if await state.get_state() is None:
        text = _("There is nothing to cancel. Here is the main menu.")
    else:
        await state.clear()
        text = _("Cancelled. Nothing was saved. Here is the main menu.")
    await show_menu(message, text, account)


def create_router() -> Router:
    """A fresh router per dispatcher (a router can belong to one dispatcher only)."""
    router = Router(name="common")
    router.message.register(menu, Command("menu"))
    router.message.register(help_, Command("bantuan"))
    router.message.register(help_, MenuButton("help"))
    router.message.register(cancel, Command("batal"))
    router.message.register(cancel, CancelWord())  # "batal" typed inside any form stops it
    return router
