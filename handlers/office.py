"""How to reach the office (`OFFICE_CONTACT`, `OFFICE_PHONE`, `OFFICE_WHATSAPP`,
`OFFICE_HOURS`): `/kontak`, and the lines other answers show (help, the privacy notice, an
urgent complaint, "ask the office"). A setting left empty is left out, never shown empty."""

from __future__ import annotations

from typing import TYPE_CHECKING

from aiogram import Router
from aiogram.filters import Command
from aiogram.types import Message
from aiogram.utils.i18n import gettext as _
from aiogram.utils.i18n import lazy_gettext as __

from db.models.accounts import Account
from handlers.commands import COMMANDS, CommandInfo
from handlers.keyboards import show_menu

if TYPE_CHECKING:
    from bot.settings import Settings  # handed in by the dispatcher

COMMANDS.append(
    CommandInfo(
        "kontak",
        __("Contact the office"),
        __("the phone, WhatsApp and opening hours of Dinas Sosial."),
    )
)


def office_lines(settings: Settings) -> list[str]:
    """One line per contact detail the office has set."""
    lines = [_("Address: {address}").format(address=settings.office_contact)]
    if settings.office_phone:
        lines.append(_("Phone: {phone}").format(phone=settings.office_phone))
    if settings.office_whatsapp:
        lines.append(_("WhatsApp: {number}").format(number=settings.office_whatsapp))
    if settings.office_hours:
        lines.append(_("Opening hours: {hours}").format(hours=settings.office_hours))
    return lines


def office_contact(settings: Settings) -> str:
    """The office in one line, for sentences like "ask your PSM or {contact}"."""
    extras = []
    if settings.office_phone:
        extras.append(_("phone {phone}").format(phone=settings.office_phone))
    if settings.office_whatsapp:
        extras.append(_("WhatsApp {number}").format(number=settings.office_whatsapp))
    if not extras:
        return settings.office_contact
    return "{address} ({extras})".format(address=settings.office_contact, extras=", ".join(extras))


def contact_text(settings: Settings) -> str:
    return "\n".join(
        [
            _("How to reach Dinas Sosial Kabupaten Bekasi:"),
            *office_lines(settings),
            "",
            _("In an emergency (danger to life), call 112."),
        ]
    )


async def contact(message: Message, account: Account, settings: Settings) -> None:
    await show_menu(message, contact_text(settings), account)


def create_router() -> Router:
    router = Router(name="office")
    router.message.register(contact, Command("kontak"))
    return router
