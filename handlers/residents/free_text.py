"""Free text from residents: "kapan bansos cair?", "jdwal blt", "mau daftar pelatihan jahit",
"cara lapor" lead to the right command. Anything else goes on to the fallback (a short answer
and the menu). Included just before the fallback, and only outside a conversation."""

from __future__ import annotations

from aiogram import Router
from aiogram.dispatcher.event.bases import SkipHandler
from aiogram.filters import StateFilter
from aiogram.types import Message
from aiogram.utils.i18n import gettext as _
from aiogram.utils.i18n import lazy_gettext as __

from db.models.accounts import Account
from domain.roles import WARGA
from handlers.keyboards import show_menu
from handlers.number_guard import guard_numbers
from services.intents import guess

ANSWERS = {
    "jadwal": __("To see when and where aid is paid for your family, tap /jadwal."),
    "pelatihan": __("To see the skills trainings and sign up, tap /pelatihan."),
    "lapor": __("To report your family's condition, tap /lapor."),
    "daftar": __("To link your household with your NIK and KK number, tap /daftar."),
    "dataku": __("To see your data or ask for a correction, tap /dataku."),
    "cek": __(
        "To check whether a message really comes from Dinas Sosial, tap /cek and forward it. "
        "Remember: Dinas Sosial never asks for money, PIN or OTP codes."
    ),
    "bantuan": __("Here is how to use this service: tap /bantuan, or choose a button below."),
    "salam": __("Hello! How can we help? Choose a button below, or tap /bantuan."),
}


async def free_text(message: Message, account: Account) -> None:
    text = message.text or ""
    if not text.startswith("/") and await guard_numbers(message):
        # Whatever else it said, it is not read further: nothing of it is kept.
        if account.consent == "given":
            await show_menu(message, _("Please choose from the main menu."), account)
        return
    if account.consent != "given" or account.role != WARGA or text.startswith("/"):
        raise SkipHandler
    intent = guess(text)
    if intent is None:
        raise SkipHandler  # the fallback answers: sorry, the menu, /bantuan
    await show_menu(message, str(ANSWERS[intent]), account)


def create_router() -> Router:
    """A fresh router per dispatcher (a router can belong to one dispatcher only)."""
    router = Router(name="free_text")
    router.message.register(free_text, StateFilter(None))
    return router
