"""Commands every role has: /menu, /bantuan, /batal."""

from __future__ import annotations

from typing import TYPE_CHECKING

from aiogram import Router
from aiogram.filters import Command
from aiogram.filters.callback_data import CallbackData
from aiogram.fsm.context import FSMContext
from aiogram.types import CallbackQuery, InlineKeyboardButton, InlineKeyboardMarkup, Message
from aiogram.utils.i18n import gettext as _
from aiogram.utils.i18n import lazy_gettext as __

from conversations.parking import kept_form
from db.models.accounts import Account
from domain.roles import PETUGAS, PSM, TKSK, WARGA
from handlers.callback_ids import Page
from handlers.commands import help_lines
from handlers.filters import CancelWord
from handlers.keyboards import MenuButton, show_menu
from handlers.office import office_lines

if TYPE_CHECKING:
    from bot.settings import Settings  # handed in by the dispatcher


async def menu(message: Message, account: Account) -> None:
    await show_menu(message, _("Main menu. Choose a button below."), account)


# /bantuan in a few lines per role; every command is one tap away ("All commands").
SHORT_HELP = {
    WARGA: (
        __("Write your question in your own words, or tap a button below:"),
        __("📅 when and where aid is paid: /jadwal"),
        __("📝 tell us how your family is doing: /lapor"),
        __("📣 a complaint or question for an officer: /aduan"),
        __("🎓 skills trainings: /pelatihan"),
    ),
    PSM: (
        __("Your tools as a volunteer:"),
        __("/tugas: the families of your area to visit"),
        __("/kasus: residents' complaints to answer"),
        __("/kunjungan: record a visit; /usul: propose a family"),
    ),
    PETUGAS: (
        __("Your tools as staff:"),
        __("/jadwalbaru, /daftarjadwal: aid schedules and the payout day"),
        __("/siaran: a notice to residents; /kasus: complaints passed up"),
        __("/statistik: numbers; /impor, /ekspor: the lists"),
    ),
}
SHORT_HELP[TKSK] = SHORT_HELP[PSM]
HELP_PAGE = 560  # characters of the full command list per message (under 600)


class HelpCb(CallbackData, prefix="help"):
    page: Page


async def help_(message: Message, account: Account, settings: Settings) -> None:
    lines = [str(line) for line in SHORT_HELP.get(account.role, SHORT_HELP[WARGA])]
    lines += ["", _("How to reach Dinas Sosial Kabupaten Bekasi:"), *office_lines(settings)]
    if account.consent != "given":
        lines += ["", _("To use the services, first agree to the privacy notice: /privasi")]
    more = InlineKeyboardMarkup(inline_keyboard=[[
        InlineKeyboardButton(text=_("📖 All commands"), callback_data=HelpCb(page=0).pack())
    ]])  # fmt: skip
    # The menu's keyboard stays on screen from earlier messages (/menu brings it back).
    await message.answer("\n".join(lines), reply_markup=more)


def help_pages(role: str) -> list[str]:
    """The full command list in messages of at most HELP_PAGE characters."""
    pages: list[str] = []
    current: list[str] = []
    for line in help_lines(role):
        if current and len("\n".join([*current, line])) > HELP_PAGE:
            pages.append("\n".join(current))
            current = []
        current.append(line)
    if current:
        pages.append("\n".join(current))
    return pages


async def help_page(query: CallbackQuery, callback_data: HelpCb, account: Account) -> None:
    await query.answer()
    pages = help_pages(account.role)
    page = min(callback_data.page, len(pages) - 1)
    markup = None
    if page + 1 < len(pages):
        markup = InlineKeyboardMarkup(inline_keyboard=[[InlineKeyboardButton(
            text=_("More »"), callback_data=HelpCb(page=page + 1).pack()
        )]])  # fmt: skip
    if isinstance(query.message, Message):
        await query.message.answer(pages[page], reply_markup=markup)


async def cancel(message: Message, account: Account, state: FSMContext) -> None:
    # A form set aside for another feature (handlers.form_parking) is cancelled too.
    if await state.get_state() is None and kept_form(await state.get_data()) is None:
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
    router.callback_query.register(help_page, HelpCb.filter())
    router.message.register(cancel, Command("batal"))
    router.message.register(cancel, CancelWord())  # "batal" typed inside any form stops it
    return router
