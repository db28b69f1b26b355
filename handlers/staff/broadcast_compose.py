"""What the steps of a staff broadcast share (`/siaran`: handlers/staff/broadcast.py composes
and chooses the audience, broadcast_send.py sends now or later): the conversation's states,
its buttons' data and their keyboard."""

from __future__ import annotations

from typing import Literal

from aiogram.filters.callback_data import CallbackData
from aiogram.fsm.context import FSMContext
from aiogram.fsm.state import State, StatesGroup
from aiogram.types import CallbackQuery, InlineKeyboardMarkup
from aiogram.utils.i18n import gettext as _
from aiogram.utils.keyboard import InlineKeyboardBuilder
from babel.numbers import format_decimal

from conversations.i18n import pgettext
from handlers.form_parking import keep_waiting


class Compose(StatesGroup):
    message = State()
    audience = State()
    confirm = State()
    when = State()  # "Kirim nanti": waiting for a day and a time


# Only buttons answer these: a look at the statistics before tapping "Send" keeps them working.
keep_waiting(Compose.audience, Compose.confirm)


# What a button of the draft does: choose the kind of audience (aud), then a kecamatan, the
# kecamatan of a desa, a desa, a program, a disbursement (all, or not collected yet: disbw),
# a training; send now, send later (ask when), schedule (at the time typed); choose another
# audience, drop the draft. Any other step does not unpack (a crafted button).
Step = Literal[
    "aud", "kec", "kecd", "desa", "prog", "disb", "disbw", "trn", "send", "later", "sched",
    "change", "stop",
]  # fmt: skip


class ComposeCallback(CallbackData, prefix="bcx"):
    step: Step
    value: str = ""


def n(value: int) -> str:
    return format_decimal(value, locale="id")


def buttons(items: list[tuple[str, ComposeCallback]], columns: int = 1) -> InlineKeyboardMarkup:
    builder = InlineKeyboardBuilder()
    for label, data in items:
        builder.button(text=label, callback_data=data)
    # TRANSLATORS: staff button while writing a broadcast: drop the draft, nothing is sent.
    builder.button(
        text=pgettext("broadcast draft", "✖️ Cancel"), callback_data=ComposeCallback(step="stop")
    )
    builder.adjust(*([columns] * len(items)), 1)
    return builder.as_markup()


async def composing(query: CallbackQuery, state: FSMContext) -> bool:
    """A button of a finished or abandoned broadcast draft: say so instead of acting."""
    if (await state.get_data()).get("text") and await state.get_state() is not None:
        return True
    await query.answer(_("This draft is closed. Start again with /siaran."), show_alert=True)
    return False
