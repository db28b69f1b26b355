"""What the bot does for each journey a resident's message is read as (services.understanding):
the same as the menu button or command, started from the message itself, so that "kapan
bansos cair?" shows the schedule and a forwarded scam message is checked at once.

A journey button (offered when the bot is not sure) runs the same action from a tap.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

from aiogram import Router
from aiogram.dispatcher.event.handler import CallableObject
from aiogram.filters.callback_data import CallbackData
from aiogram.types import CallbackQuery, InlineKeyboardButton, Message
from aiogram.utils.i18n import gettext as _
from aiogram.utils.i18n import lazy_gettext as __

from handlers import common
from handlers.keyboards import show_menu
from handlers.residents import check, data, link, report, schedule, training

# A scam message pasted or forwarded is long; "is this sms real?" alone is a question.
PASTED_MESSAGE_LENGTH = 60


class JourneyCb(CallbackData, prefix="jr"):
    intent: str


async def _greet(message: Message, **kw: Any) -> None:
    await show_menu(message, _("Hello! How can we help? Choose a button below."), kw["account"])


async def _check(message: Message, **kw: Any) -> None:
    text = message.text or message.caption or ""
    if kw.get("from_text") and len(text) >= PASTED_MESSAGE_LENGTH:
        await CallableObject(check.answer).call(message, text=text, **kw)
    else:
        await CallableObject(check.ask_button).call(message, **kw)


Action = Callable[..., Awaitable[Any]]

# journey -> (button label, action). `belum_menerima` and `lainnya` go to a person (see
# free_text); the others run the feature.
ACTIONS: dict[str, tuple[Any, Action]] = {
    "jadwal": (__("📅 Aid schedule"), schedule.show_schedule),
    "daftar": (__("🏠 Link household"), link.start_link),
    "lapor": (__("📝 Report condition"), report.start_report),
    "pelatihan": (__("🎓 Training"), training.list_trainings),
    "dataku": (__("📄 My data"), data.show_my_data),
    "cek": (__("🔎 Check a message"), _check),
    "bantuan": (__("❓ Help"), common.help_),
    "sapaan": (__("👋 Greeting"), _greet),
}


async def act(intent: str, message: Message, data_: dict[str, Any], from_text: bool) -> bool:
    """Run the journey's action; False when the journey has none (a person takes it)."""
    entry = ACTIONS.get(intent)
    if entry is None:
        return False
    await CallableObject(entry[1]).call(message, **{**data_, "from_text": from_text})
    return True


def journey_button(intent: str) -> InlineKeyboardButton | None:
    entry = ACTIONS.get(intent)
    if entry is None:
        return None
    return InlineKeyboardButton(
        text=str(entry[0]), callback_data=JourneyCb(intent=intent).pack()
    )


async def journey_tapped(query: CallbackQuery, callback_data: JourneyCb, **data_: Any) -> None:
    await query.answer()
    if isinstance(query.message, Message):
        await act(callback_data.intent, query.message, data_, from_text=False)


def create_router() -> Router:
    router = Router(name="journeys")
    router.callback_query.register(journey_tapped, JourneyCb.filter())
    return router
