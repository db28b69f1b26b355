"""Free text from residents, read by the trained classifier (services.understanding).

- An emergency (no food, severe illness, a house falling, violence): a case for a person at
  once, the PSM, TKSK and staff told, and the resident told what to do now (hotline, 112).
- Sure of the journey: do it ("kapan bansos cair?" shows the schedule).
- Aid not received, or anything outside the bot's journeys: offered to a person (a case).
- Not sure: the two or three likeliest journeys as buttons, and a person; a wrong guess is
  worse than asking.
Included just before the fallback, and only outside a conversation.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from aiogram import Bot, Router
from aiogram.dispatcher.event.bases import SkipHandler
from aiogram.filters import StateFilter
from aiogram.fsm.context import FSMContext
from aiogram.types import Message
from aiogram.utils.i18n import gettext as _
from sqlalchemy.ext.asyncio import AsyncSession

from db.models.accounts import Account
from db.models.households import Household
from domain.roles import WARGA
from handlers.case_relay import urgent_advice
from handlers.case_ui import item_of
from handlers.keyboards import show_menu
from handlers.number_guard import guard_numbers
from handlers.residents import journeys
from handlers.residents.complaint import DRAFT_KEY, offer_to_officer, submit
from services import understanding

if TYPE_CHECKING:
    from bot.settings import Settings


async def free_text(
    message: Message,
    account: Account,
    state: FSMContext,
    session: AsyncSession,
    settings: Settings,
    bot: Bot,
    **data: Any,
) -> None:
    text = message.text or ""
    if not text.startswith("/") and await guard_numbers(message):
        # Whatever else it said, it is not read further: nothing of it is kept.
        if account.consent == "given":
            await show_menu(message, _("Please choose from the main menu."), account)
        return
    if account.consent != "given" or account.role != WARGA or text.startswith("/"):
        raise SkipHandler
    reading = understanding.read(text)
    if reading.urgent:
        await _emergency(message, state, session, account, settings, bot)
        return
    data = {**data, "account": account, "state": state, "session": session,
            "settings": settings, "bot": bot}  # fmt: skip
    if reading.intent is not None and await journeys.act(reading.intent, message, data, True):
        return
    if reading.intent == "belum_menerima":
        schedule = journeys.journey_button("jadwal")
        await offer_to_officer(
            message, state, account,
            lead=_(
                "Aid has not reached you? An officer can check it and answer you here: tap "
                "“Send to an officer”. Your aid schedule is one tap away too."
            ),
            extra_buttons=[schedule] if schedule else None,
        )  # fmt: skip
        return
    if reading.intent == "lainnya":
        await offer_to_officer(
            message, state, account,
            lead=_("This bot cannot answer that itself, but an officer can read it and answer "
                   "you here."),
        )  # fmt: skip
        return
    if not reading.knows_a_word:
        raise SkipHandler  # the fallback: not understood, offered to an officer
    buttons = [b for b in map(journeys.journey_button, reading.offers()) if b]
    await offer_to_officer(
        message, state, account,
        lead=_("Which of these do you mean? Tap one, or send your message to an officer."),
        extra_buttons=buttons,
    )  # fmt: skip


async def _emergency(
    message: Message,
    state: FSMContext,
    session: AsyncSession,
    account: Account,
    settings: Settings,
    bot: Bot,
) -> None:
    """Someone may be in danger now: what to do first, then a case for a person at once (the
    household's desa is known) or one tap away (the resident picks the desa)."""
    household = await session.get(Household, account.household_id) if account.household_id else None
    item = await item_of(message)
    if household is None or item is None:
        await message.answer(urgent_advice(settings))
        await offer_to_officer(
            message, state, account,
            lead=_("Tap below and an officer will contact you as soon as possible."),
        )  # fmt: skip
        return
    await state.update_data({DRAFT_KEY: [item.as_json()]})
    # submit() tells the officers (urgent: PSM, TKSK and staff) and the resident what to do now.
    await submit(
        message, state, session, account, settings, bot,
        household.desa_code, household.kecamatan_code, household.id,
    )  # fmt: skip


def create_router() -> Router:
    """A fresh router per dispatcher (a router can belong to one dispatcher only)."""
    router = Router(name="free_text")
    router.message.register(free_text, StateFilter(None))
    router.include_router(journeys.create_router())
    return router
