""""berhenti" or "stop" (alone as the message, any case) from anywhere: no more broadcasts and
reminders to this person (services.opt_out); answers to their own complaints still come.
"mulai" turns them on again.

Included before every other feature's router, so the words win over a form in progress: the
form is cancelled and the menu comes back (handlers.filters.CancelWord, the forms' own "batal",
then never sees them; both behaviours hold: a form stops, and so do broadcasts).
"""

from __future__ import annotations

from aiogram import Router
from aiogram.filters import BaseFilter, StateFilter
from aiogram.fsm.context import FSMContext
from aiogram.types import Message
from aiogram.utils.i18n import gettext as _
from sqlalchemy.ext.asyncio import AsyncSession

from db.models.accounts import Account
from db.models.base import utcnow
from handlers.keyboards import show_menu
from services import opt_out

STOP_WORDS = frozenset({"berhenti", "stop"})
START_WORDS = frozenset({"mulai"})


class OnlyWord(BaseFilter):
    """The message is only one of `words` (any case, with or without a full stop)."""

    def __init__(self, words: frozenset[str]) -> None:
        self.words = words

    async def __call__(self, message: Message) -> bool:
        return (message.text or "").strip().strip(".!").lower() in self.words


async def stop(
    message: Message, state: FSMContext, session: AsyncSession, account: Account
) -> None:
    if await state.get_state() is not None:
        # A form in progress stops too, and is told so as with "batal".
        await state.clear()
        await message.answer(_("Cancelled. Nothing was saved. Here is the main menu."))
    await opt_out.stop(session, account, utcnow())
    await show_menu(
        message,
        _(
            "Done: you will get no more announcements and reminders from us. Answers to your "
            "own complaints still come here. To turn them on again, send: mulai"
        ),
        account,
    )


async def start_again(message: Message, session: AsyncSession, account: Account) -> None:
    if opt_out.resume(session, account):
        text = _("Announcements and reminders are on again.")
    else:
        text = _("You already get our announcements and reminders.")
    await show_menu(message, text, account)


def create_router() -> Router:
    router = Router(name="opt_out")
    router.message.register(stop, OnlyWord(STOP_WORDS))
    # Outside a form only: in a form "mulai" may be an answer.
    router.message.register(start_again, OnlyWord(START_WORDS), StateFilter(None))
    return router
