"""Staff sign a person up for a training by hand (a family without Telegram): from the
training's card, type a name or NIK, pick the person; the same rules as a resident's own
sign-up (age, seats, waiting list) apply, and it is audited. Registered on the staff
training router (its gate: staff only)."""

from __future__ import annotations

from aiogram import Router
from aiogram.filters import StateFilter
from aiogram.filters.callback_data import CallbackData
from aiogram.fsm.context import FSMContext
from aiogram.fsm.state import State, StatesGroup
from aiogram.types import CallbackQuery, Message
from aiogram.utils.i18n import gettext as _
from aiogram.utils.keyboard import InlineKeyboardBuilder
from sqlalchemy.ext.asyncio import AsyncSession

from db import audit
from db.models.accounts import Account
from db.models.households import Member
from db.protect import Protector
from handlers.callback_ids import RowId
from handlers.chat import delete_secret, remove_buttons
from handlers.filters import HasText, NotACommand
from handlers.residents.training_texts import outcome_text
from services import enrollment, people, training_admin

TRAINING_KEY = "add_to_training"


class AddParticipant(StatesGroup):
    who = State()  # waiting for a name or a NIK


class AddCb(CallbackData, prefix="tra"):
    t: RowId  # the training
    m: RowId  # the member picked


async def ask_who(message: Message, training_id: int, state: FSMContext) -> None:
    await state.set_state(AddParticipant.who)
    await state.update_data({TRAINING_KEY: training_id})
    await message.answer(_("Type the name or the NIK of the person to sign up (or /batal)."))


async def who_typed(
    message: Message, state: FSMContext, session: AsyncSession, protector: Protector
) -> None:
    text = message.text or ""
    await delete_secret(message)  # it may hold a NIK
    training_id = int((await state.get_data()).get(TRAINING_KEY) or 0)
    found = await people.find(session, protector, text)
    if not found:
        await message.answer(
            _("Nobody on the list matches that. Type another name or NIK, or /batal.")
        )
        return
    await state.set_state(None)
    builder = InlineKeyboardBuilder()
    for person in found:
        label = _("{name} · {desa} RT {rt}/RW {rw}").format(
            name=person.name, desa=person.desa, rt=person.rt or "-", rw=person.rw or "-"
        )
        builder.button(text=label[:60], callback_data=AddCb(t=training_id, m=person.member_id))
    builder.adjust(1)
    await message.answer(_("Who?"), reply_markup=builder.as_markup())


async def picked(
    query: CallbackQuery, callback_data: AddCb, session: AsyncSession, account: Account
) -> None:
    training = await training_admin.get(session, callback_data.t)
    member = await session.get(Member, callback_data.m)
    if training is None or member is None or not isinstance(query.message, Message):
        await query.answer(_("This button is no longer active."), show_alert=True)
        return
    await query.answer()
    await remove_buttons(query.message)
    result = await enrollment.sign_up(session, training.id, member, account)
    if result.enrollment is not None and result.outcome in ("enrolled", "waiting"):
        audit.record(
            session, account, "training.participant_added", "training", training.id,
            member_id=member.id, outcome=result.outcome,
        )  # fmt: skip
    await query.message.answer(outcome_text(result, member))


def register(router: Router) -> None:
    router.message.register(who_typed, StateFilter(AddParticipant.who), HasText(), NotACommand())
    router.callback_query.register(picked, AddCb.filter())
