"""The welcome, the privacy notice and its consent buttons: shown by /start, /privasi and an
invitation link."""

from __future__ import annotations

from typing import TYPE_CHECKING

from aiogram.types import Message
from aiogram.utils.i18n import gettext as _

from db.models.accounts import Account
from handlers.keyboards import consent_keyboard
from handlers.office import office_contact

if TYPE_CHECKING:
    from bot.settings import Settings  # handed in by the dispatcher


def welcome_text() -> str:
    return _(
        "Welcome to Nirmiskin, the service of Dinas Sosial Kabupaten Bekasi for families "
        "in extreme poverty. Here you can report your family's condition, see when and where "
        "aid is paid, sign up for skills training, and check your own data."
    )


def privacy_notice(settings: Settings) -> str:
    return _(
        "Privacy notice (Law 27/2022 on Personal Data Protection)\n\n"
        "• What we keep: your Telegram account and, when you use the services, your KK and NIK "
        "numbers, your family's condition, and photos or locations you send.\n"
        "• Why: to check and deliver the social aid and training of Dinas Sosial Kabupaten "
        "Bekasi.\n"
        "• Who sees it: Dinas Sosial staff and the volunteers (PSM/TKSK) of your area. NIK and "
        "KK are stored encrypted and shown hidden.\n"
        "• Your rights: see and correct your data, withdraw consent, ask for deletion, and "
        "complain.\n"
        "• Contact: {contact}.\n\n"
        "Do you agree?"
    ).format(contact=office_contact(settings))


async def show_privacy(message: Message, account: Account, settings: Settings) -> None:
    status = {
        "given": _("You have agreed."),
        "declined": _("You have not agreed."),
        "withdrawn": _("You have withdrawn your consent."),
    }.get(account.consent)
    text = privacy_notice(settings)
    if status:
        text = f"{status}\n\n{text}"
    await message.answer(text, reply_markup=consent_keyboard())
