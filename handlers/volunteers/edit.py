"""Volunteers (PSM: their desa, TKSK: their kecamatan) and staff (all) edit a household from
its card ("✏️ Edit data"): add a member (a form), record one who left, fix a member's name,
date of birth or relation, and the address, RT/RW and phone.

Every button carries ids only, and every step checks the household against the tapper's area
again (services.volunteer_area): callback data is untrusted, and an area can change while a
typed answer is awaited. A typed answer that cannot be read gets the reason and another try; a
command or a menu button ends the wait (handlers.form_parking). Each change is confirmed to
the editor with before → after and told to the family (handlers.volunteers.edit_view).
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any

from aiogram import Bot, Router
from aiogram.filters import StateFilter
from aiogram.fsm.context import FSMContext
from aiogram.fsm.state import State, StatesGroup
from aiogram.types import CallbackQuery, Message
from aiogram.utils.i18n import gettext as _
from sqlalchemy.ext.asyncio import AsyncSession

from conversations import begin
from conversations.household_edit import ADD_MEMBER, EARLIEST_BIRTH
from conversations.validators import ValidationError, explain, parse_date, parse_phone
from db.models.accounts import Account
from db.models.households import Household
from db.protect import Protector
from domain.errors import Invalid
from domain.identity import parse_kk
from domain.roles import PETUGAS
from handlers.access import VOLUNTEERS_AND_STAFF, gated_router, require_consent
from handlers.chat import delete_secret
from handlers.filters import HasText, NotACommand
from handlers.form_parking import on_drop
from handlers.forms import on_submit
from handlers.keyboards import show_menu
from handlers.number_guard import guard_numbers
from handlers.volunteers import edit_view as view
from handlers.volunteers.ui import EditCb, kk_text
from services import field_work, household_edit
from services.household_edit import Edit, Refused
from services.volunteer_area import household_in_area

EDIT_KEY = "household_edit"  # FSM data: {"h": household id, "m": member id, "f": typed step}


class EditFlow(StatesGroup):
    value = State()  # a typed answer: a name, a date of birth, an address, RT/RW or a phone


async def _forget(state: FSMContext) -> None:
    data = await state.get_data()
    if data.pop(EDIT_KEY, None) is not None:
        await state.set_data(data)


on_drop(_forget, EditFlow.value)


@dataclass
class Tap:
    """One tap on an editor button, its household already checked against the area."""

    message: Message
    data: EditCb
    household: Household
    state: FSMContext
    session: AsyncSession
    account: Account
    bot: Bot


# --------------------------------------------------------------------------- menus


async def show_edit_menu(tap: Tap) -> None:
    members = await household_edit.current_members(tap.session, tap.household.id)
    await tap.message.answer(
        view.menu_text(tap.household, field_work.head_of(members)),
        reply_markup=view.menu_keyboard(tap.household, members, tap.account.role == PETUGAS),
    )


async def show_member(tap: Tap) -> None:
    member = await household_edit.member_of(tap.session, tap.household, tap.data.m)
    await tap.message.answer(
        view.member_text(member), reply_markup=view.member_keyboard(tap.household.id, member.id)
    )


# --------------------------------------------------------------------------- typed answers


async def ask_typed(tap: Tap) -> None:
    """Wait for a typed value; the question says what is recorded now."""
    h, what = tap.household, tap.data.a
    if what == "addr":
        question = _("Type the address (street, block, house number), without RT/RW. Now: {now}.")
        now = h.address or "-"
    elif what == "rtrw":
        question = _("Type the RT and RW, for example 3/1 for RT 003 and RW 001. Now: {now}.")
        now = f"{h.rt or '-'}/{h.rw or '-'}"
    elif what == "phone":
        question = _("Type the phone number, for example 0812-3456-7890. Now: {now}.")
        now = view.value_text("phone", h.phone)
    elif what == "kk":
        if tap.account.role != PETUGAS:  # a crafted button: only staff add a No. KK
            await tap.message.answer(str(view.REFUSALS[household_edit.UNKNOWN_CODE]))
            return
        question = _("Type the family's No. KK (16 digits, on the Kartu Keluarga). Now: {now}.")
        now = kk_text(h)
    else:
        member = await household_edit.member_of(tap.session, h, tap.data.m)
        if what == "name":
            question = _("Type the correct full name, as on the KK or KTP. Now: {now}.")
            now = member.name
        else:
            question = _(
                "Type the date of birth, for example 17-8-1975 or 17 Agustus 1975. Now: {now}."
            )
            now = view.birth_text(member.birth_date)
    await tap.state.set_state(EditFlow.value)
    await tap.state.update_data({EDIT_KEY: {"h": h.id, "m": tap.data.m, "f": what}})
    await tap.message.answer(question.format(now=now) + "\n" + _("To stop, send /batal."))


def _read_kk(text: str) -> str:
    try:
        return parse_kk(text)
    except Invalid as error:
        raise explain(error) from None


async def typed_answer(
    message: Message, state: FSMContext, session: AsyncSession, account: Account, bot: Bot,
    protector: Protector,
) -> None:  # fmt: skip
    asked = (await state.get_data()).get(EDIT_KEY) or {}
    household = await household_in_area(session, account, int(asked.get("h") or 0))
    if household is None:  # the role or the area changed while the answer was awaited
        await _stop(state)
        await show_menu(
            message, _("This family is no longer in your area: nothing was saved."), account
        )
        return
    what = asked.get("f", "")
    if what == "kk":  # the one answer that is a No. KK: read, then deleted from the chat
        await delete_secret(message)
    elif await guard_numbers(message):  # a NIK/KK typed here: deleted, and they type again
        return
    try:
        member_id = int(asked.get("m") or 0)
        if what == "kk":
            if account.role != PETUGAS:
                raise Refused(household_edit.UNKNOWN_CODE)
            edit = await household_edit.set_kk(
                session, account, protector, household, _read_kk(message.text or "")
            )
        else:
            edit = await _apply(what, message.text or "", session, account, household, member_id)
    except ValidationError as error:
        await message.answer(error.render() + "\n" + _("Please try again, or send /batal."))
        return
    except Refused as refused:
        if refused.reason == household_edit.NOT_A_MEMBER:
            await _stop(state)
        await message.answer(str(view.REFUSALS[refused.reason]))
        return
    await _stop(state)
    await _done(message, session, account, bot, household, edit)


async def _apply(
    what: str, text: str, session: AsyncSession, account: Account, household: Household,
    member_id: int,
) -> Edit:  # fmt: skip
    """Read the typed value of step `what` and make the change; ValidationError (with the
    reason in words) when it cannot be read."""
    try:
        if what == "name":
            return await household_edit.rename_member(session, account, household, member_id, text)
        if what == "birth":
            born = parse_date(text, min=EARLIEST_BIRTH, max=lambda today: today)
            return await household_edit.set_birth_date(session, account, household, member_id, born)
        if what == "addr":
            return household_edit.set_address(session, account, household, text)
        if what == "rtrw":
            rt_rw = household_edit.read_rt_rw(text)
            if rt_rw is None:
                raise ValidationError(view.RT_RW_RULE)
            return household_edit.set_rt_rw(session, account, household, *rt_rw)
        if what == "phone":
            return household_edit.set_phone(session, account, household, parse_phone(text))
    except ValidationError:
        raise
    except Invalid as error:  # a rule of domain/ checked again by the use case
        raise explain(error) from None
    raise Refused(household_edit.UNKNOWN_CODE)


async def _stop(state: FSMContext) -> None:
    await _forget(state)
    await state.set_state(None)


# --------------------------------------------------------------------------- buttons


async def choose_relation(tap: Tap) -> None:
    member = await household_edit.member_of(tap.session, tap.household, tap.data.m)
    await tap.message.answer(
        _("{name}: what is the relation to the head of the family?").format(name=member.name),
        reply_markup=view.relation_keyboard(tap.household.id, member),
    )


async def set_relation(tap: Tap) -> None:
    edit = await household_edit.set_relation(
        tap.session, tap.account, tap.household, tap.data.m, tap.data.v
    )
    await _done(tap.message, tap.session, tap.account, tap.bot, tap.household, edit)


async def make_head(tap: Tap) -> None:
    tap.data = tap.data.model_copy(update={"v": household_edit.HEAD})
    await set_relation(tap)


async def choose_leave_reason(tap: Tap) -> None:
    member = await household_edit.member_of(tap.session, tap.household, tap.data.m)
    await tap.message.answer(
        _("Why is {name} no longer in the family?").format(name=member.name),
        reply_markup=view.leave_keyboard(tap.household.id, member.id),
    )


async def confirm_leave(tap: Tap) -> None:
    member = await household_edit.member_of(tap.session, tap.household, tap.data.m)
    reason = view.LEAVE_REASONS.get(tap.data.v)
    if reason is None:
        raise Refused(household_edit.UNKNOWN_CODE)
    question = _("Remove {name} from the family's list ({reason})? The record is kept for history.")
    await tap.message.answer(
        question.format(name=member.name, reason=reason),
        reply_markup=view.confirm_leave_keyboard(tap.household.id, member.id, tap.data.v),
    )


async def remove_member(tap: Tap) -> None:
    edit = await household_edit.remove_member(
        tap.session, tap.account, tap.household, tap.data.m, tap.data.v
    )
    await _done(tap.message, tap.session, tap.account, tap.bot, tap.household, edit)


async def add_member(tap: Tap) -> None:
    context = {
        "household_id": tap.household.id,
        "has_head": await household_edit.has_head(tap.session, tap.household.id),
    }
    await begin(ADD_MEMBER, tap.message, tap.state, context=context)


@on_submit(ADD_MEMBER)
async def submit_member(answers: dict[str, Any], data: dict[str, Any]) -> str:
    session: AsyncSession = data["session"]
    account: Account = data["account"]
    protector: Protector = data["protector"]
    household_id = int((data.get("form_context") or {}).get("household_id") or 0)
    household = await household_in_area(session, account, household_id)
    if household is None:
        return _("This family is no longer in your area: nothing was saved.")
    try:
        edit = await household_edit.add_member(
            session, account, protector, household, name=answers["name"],
            relation=answers["relation"], birth_date=answers.get("birth_date"),
            nik=answers.get("nik"),
        )  # fmt: skip
    except Refused as refused:
        return str(view.REFUSALS[refused.reason])
    done = await view.publish(session, data["bot"], account, household, edit)
    return done + "\n\n" + _("To change more, open the family card and tap “✏️ Edit data”.")


async def _done(
    message: Message, session: AsyncSession, account: Account, bot: Bot, household: Household,
    edit: Edit,
) -> None:  # fmt: skip
    """Confirm the change to the editor (telling the family), then ask for a new head when the
    family has none any more."""
    text = await view.publish(session, bot, account, household, edit)
    await message.answer(text, reply_markup=view.after_keyboard(household.id))
    if edit.needs_head:
        members = await household_edit.current_members(session, household.id)
        await message.answer(
            _("The family has no head now. Who is the head of the family?"),
            reply_markup=view.head_keyboard(household.id, members),
        )


STEPS: dict[str, Callable[[Tap], Awaitable[None]]] = {
    "menu": show_edit_menu, "mem": show_member, "add": add_member,
    "name": ask_typed, "birth": ask_typed, "addr": ask_typed, "rtrw": ask_typed,
    "phone": ask_typed, "kk": ask_typed, "rel": choose_relation, "setrel": set_relation,
    "head": make_head,
    "out": choose_leave_reason, "why": confirm_leave, "bye": remove_member,
}  # fmt: skip


async def on_button(
    query: CallbackQuery, callback_data: EditCb, state: FSMContext, session: AsyncSession,
    account: Account, bot: Bot,
) -> None:  # fmt: skip
    household = await household_in_area(session, account, callback_data.h)
    if household is None:
        await query.answer(_("This family was not found in your area."), show_alert=True)
        return
    step = STEPS.get(callback_data.a)
    if step is None:  # a crafted button
        await query.answer(str(view.REFUSALS[household_edit.UNKNOWN_CODE]), show_alert=True)
        return
    await query.answer()
    if not isinstance(query.message, Message):
        return
    if await state.get_state() == EditFlow.value.state:
        await _stop(state)  # another button: the typed answer is no longer awaited
    try:
        await step(Tap(query.message, callback_data, household, state, session, account, bot))
    except Refused as refused:
        await query.message.answer(str(view.REFUSALS[refused.reason]))


def create_router() -> Router:
    router = require_consent(gated_router("volunteer_edit", VOLUNTEERS_AND_STAFF))
    router.callback_query.register(on_button, EditCb.filter())
    router.message.register(typed_answer, StateFilter(EditFlow.value), HasText(), NotACommand())
    return router
