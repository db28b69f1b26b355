"""A proposer objects once to the rejection of the family they proposed ("sanggah"): they say
why (words, a photo or a voice note) and it becomes a case for the kecamatan's TKSK (staff
when there is none), who answers in /kasus and closes it upheld (the family is verified
again) or dismissed (handlers.volunteers.case_close)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from aiogram import Bot, F, Router
from aiogram.filters import StateFilter
from aiogram.fsm.context import FSMContext
from aiogram.fsm.state import State, StatesGroup
from aiogram.types import CallbackQuery, Message
from aiogram.utils.i18n import gettext as _
from sqlalchemy.ext.asyncio import AsyncSession

from db.models.accounts import Account
from db.models.base import utcnow
from db.models.households import Household
from handlers.case_relay import family_words, send_items
from handlers.case_ui import WHO_ANSWERS, MyCaseCb, due_date, item_of, officer_keyboard
from handlers.filters import NotACommand
from handlers.keyboards import show_menu
from handlers.residents.my_cases import my_case
from services import case_outcomes, cases

if TYPE_CHECKING:
    from bot.settings import Settings

OBJECT_KEY = "objection"  # FSM data: the id of the rejected household


class ObjectionFlow(StatesGroup):
    text = State()


async def _rejected_household(
    session: AsyncSession, account: Account, household_id: int
) -> Household | None:
    household = await session.get(Household, household_id)
    if household is None or not await case_outcomes.may_object(session, household, account):
        return None
    return household


async def object_button(
    query: CallbackQuery, callback_data: MyCaseCb, state: FSMContext, session: AsyncSession,
    account: Account,
) -> None:  # fmt: skip
    case = await my_case(query, callback_data.id, session, account)
    if case is None:
        return
    household = (
        await _rejected_household(session, account, case.household_id)
        if case.kind == "usulan" and case.household_id is not None else None
    )  # fmt: skip
    if household is None:
        await query.answer(_("An objection can be sent only once."), show_alert=True)
        return
    await query.answer()
    await state.set_state(ObjectionFlow.text)
    await state.update_data({OBJECT_KEY: household.id})
    if isinstance(query.message, Message):
        await query.message.answer(_(
            "Please write why you do not agree with the decision. You may add a photo or a "
            "voice note. An objection can be sent only once."
        ))  # fmt: skip


async def objection_text(
    message: Message, state: FSMContext, session: AsyncSession, account: Account,
    settings: Settings, bot: Bot,
) -> None:  # fmt: skip
    item = await item_of(message)
    if item is None:
        await message.answer(_("Please write the reason in words, or send a photo."))
        return
    household_id = int((await state.get_data()).get(OBJECT_KEY) or 0)
    await state.set_state(None)
    household = await _rejected_household(session, account, household_id)
    if household is None:
        await show_menu(message, _("An objection can be sent only once."), account)
        return
    raised = await cases.raise_or_add(
        session, account, [item], desa_code=household.desa_code,
        kecamatan_code=household.kecamatan_code, household_id=household.id, now=utcnow(),
        times=settings.answer_times, kind=cases.SANGGAH, above=cases.LEVEL_PSM,
    )  # fmt: skip
    case = raised.case
    await show_menu(message, _(
        "Your objection is received with number {number}. It will be answered by {who} by "
        "{date}."
    ).format(number=cases.number(case), who=WHO_ANSWERS[case.level], date=due_date(case)),
        account)  # fmt: skip
    header = _("✋ Objection {number} ({desa}): the proposer does not agree with the rejection.")
    header = header.format(number=cases.number(case), desa=await family_words(session, case))
    for person in await cases.answerers(session, case):
        await send_items(bot, person, header, [item], officer_keyboard(case))


def create_router() -> Router:
    router = Router(name="resident_objection")
    router.callback_query.register(object_button, MyCaseCb.filter(F.a == "object"))
    router.message.register(objection_text, StateFilter(ObjectionFlow.text), NotACommand())
    return router
