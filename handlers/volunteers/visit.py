"""`/kunjungan`: the field-visit form for a household of the volunteer's area, its submission,
and resuming a visit interrupted by lost signal (even days later)."""

from __future__ import annotations

import time
from typing import Any

from aiogram import Bot, F, Router
from aiogram.filters import BaseFilter, Command, StateFilter
from aiogram.filters.callback_data import CallbackData
from aiogram.fsm.context import FSMContext
from aiogram.fsm.state import State, StatesGroup
from aiogram.types import CallbackQuery, InlineKeyboardMarkup, Message
from aiogram.utils.i18n import gettext as _
from aiogram.utils.keyboard import InlineKeyboardBuilder
from sqlalchemy.ext.asyncio import AsyncSession

from conversations import FormFlow, begin, show_current
from conversations.field_visit import FORMS, VISIT, VISIT_PROPOSAL
from conversations.parking import unpark
from conversations.telegram import ANSWERED_AT, PARKED_KEY, STATE_KEY, idle_seconds
from db.models.accounts import Account
from db.models.cases import Case
from db.models.households import Household
from db.protect import Protector
from domain.dates import today_wib
from handlers.access import VOLUNTEERS_AND_STAFF, gated_router, require_consent
from handlers.chat import delete_secret, remove_buttons
from handlers.filters import CancelWord
from handlers.form_parking import FormSetAside
from handlers.forms import FOLLOW_UPS, on_submit
from handlers.keyboards import MenuButton, show_menu
from handlers.volunteers.case_close import tell_closed
from handlers.volunteers.ui import (
    HouseholdCb,
    card_keyboard,
    case_line,
    kk_text,
    tapped_household,
)
from services import case_outcomes, field_reports, field_work
from services.volunteer_area import household_in_area


class VisitPick(StatesGroup):
    kk = State()


class ResumeCb(CallbackData, prefix="rs"):
    go: bool


async def start_visit(
    message: Message,
    state: FSMContext,
    session: AsyncSession,
    account: Account,
    household: Household,
) -> None:
    members = (await field_work.members_of(session, [household.id]))[household.id]
    head = field_work.head_of(members)
    context = field_reports.visit_context(household, members, today_wib())
    form = VISIT_PROPOSAL if context["proposed"] else VISIT
    await state.set_state(None)
    await message.answer(
        _("Visit to the family of {name} (No. KK {kk}).").format(
            name=head.name if head else "-", kk=kk_text(household)
        )
    )
    await begin(form, message, state, context=context)


async def visit_command(
    message: Message, state: FSMContext, form_set_aside: FormSetAside | None = None
) -> None:
    if await pending_visit(state):
        # A second visit would replace the unfinished one: ask first (it may be days of work).
        if form_set_aside is not None:
            form_set_aside.mentioned = True
        await ask_resume(message)
        return
    await state.set_state(VisitPick.kk)
    await message.answer(
        _(
            "Which family? Type its No. KK (16 digits), or open a family from /tugas or "
            "/cari and tap “Record a visit”."
        )
    )


async def visit_kk(
    message: Message,
    state: FSMContext,
    session: AsyncSession,
    account: Account,
    protector: Protector,
) -> None:
    digits = "".join(ch for ch in (message.text or "") if ch.isdigit())
    if digits:
        await delete_secret(message)
    if len(digits) != 16:
        await message.answer(
            _("A No. KK has 16 digits. Please type it again, or send /batal to stop.")
        )
        return
    household = await field_work.search_number(
        session, account, protector.lookup_hash(digits), via="kunjungan"
    )
    if household is None:
        await state.set_state(None)
        await show_menu(
            message, _("Not found in your area. Check the number, or search by name."), account
        )
        return
    await start_visit(message, state, session, account, household)


async def visit_from_card(
    query: CallbackQuery,
    callback_data: HouseholdCb,
    state: FSMContext,
    session: AsyncSession,
    account: Account,
) -> None:
    household = await tapped_household(query, callback_data, session, account)
    if household is None:
        return
    await query.answer()
    if isinstance(query.message, Message):
        if await pending_visit(state):
            await ask_resume(query.message)
            return
        await start_visit(query.message, state, session, account, household)


@on_submit(VISIT)
@on_submit(VISIT_PROPOSAL)
async def submit_visit(answers: dict[str, Any], data: dict[str, Any]) -> str:
    session: AsyncSession = data["session"]
    account: Account = data["account"]
    bot: Bot = data["bot"]
    household_id = int((data.get("form_context") or {}).get("household_id") or 0)
    household = await household_in_area(session, account, household_id)
    if household is None:  # the area changed (role revoked, reassigned) while filling
        return _("This family is no longer in your area: the visit was not saved.")
    result = await field_reports.record_visit(
        session, account, household, answers,
        poverty_line=data["settings"].extreme_poverty_line,
    )  # fmt: skip
    lines = [_("Thank you, the visit is saved.")]
    if result.far_km is not None:
        lines.append(
            _(
                "Note: this location is {km} km from where the family was recorded before. "
                "If it is wrong, please tell the office."
            ).format(km=str(result.far_km).replace(".", ","))
        )
    if result.decision is not None:
        verified = result.decision == field_work.VERIFIED
        lines.append(
            _("The proposed family is now verified.")
            if verified
            else _("The proposed family is rejected.")
        )
        if result.proposal_case is not None and result.proposer is not None:
            closed = case_outcomes.Closed(result.proposal_case, result.proposer)
            await tell_closed(session, bot, closed)
            lines.append(_("The person who proposed it has been told."))
    if result.open_cases:
        data[FOLLOW_UPS].append(open_cases_follow_up(result.open_cases))
    return "\n\n".join(lines)


def open_cases_follow_up(open_cases: list[Case]) -> tuple[str, InlineKeyboardMarkup]:
    """The household's cases still open after the visit: the volunteer ends those the visit
    resolved, each with its outcome (a visit alone closes none)."""
    lines = [_("Open cases of this family. Did this visit resolve any? Tap to finish it:")]
    lines += [case_line(case, []) for case in open_cases]
    return "\n".join(lines), card_keyboard(open_cases[0].household_id or 0, open_cases)


# --------------------------------------------------------------------------- resume


async def pending_visit(state: FSMContext) -> bool:
    form = (await state.get_data()).get(STATE_KEY) or {}
    return form.get("form") in FORMS


# A visit left this long is likely forgotten: whatever comes next (even a plain answer) first
# gets the continue-or-discard question, so an old half-report is never extended by mistake.
RESUME_AFTER_IDLE = 2 * 60 * 60  # seconds


class PendingVisit(BaseFilter):
    """A visit form under way gets an answer after a long pause: ask whether to continue or
    discard it. (A command or a menu button sets any form aside, handlers.form_parking; a
    visit set aside is taken up with /lanjut, or asked about again by /kunjungan.)"""

    async def __call__(self, message: Message, state: FSMContext) -> bool:
        if (message.text or "").startswith("/batal") or await CancelWord()(message):
            return False  # cancel works as everywhere
        form = (await state.get_data()).get(STATE_KEY) or {}  # one read: this runs per answer
        if form.get("form") not in FORMS:
            return False
        return idle_seconds(form) > RESUME_AFTER_IDLE


async def ask_resume(message: Message) -> None:
    builder = InlineKeyboardBuilder()
    builder.button(text=_("▶️ Continue the visit"), callback_data=ResumeCb(go=True))
    builder.button(text=_("🗑 Discard it"), callback_data=ResumeCb(go=False))
    builder.adjust(1)
    await message.answer(
        _("You have an unfinished visit report. Continue where you stopped, or discard it?"),
        reply_markup=builder.as_markup(),
    )


async def resume_question(message: Message) -> None:
    await ask_resume(message)


async def resume_answer(
    query: CallbackQuery, callback_data: ResumeCb, state: FSMContext, account: Account
) -> None:
    await query.answer()
    message = query.message
    if not isinstance(message, Message):
        return
    await remove_buttons(message)
    if not await pending_visit(state):
        await show_menu(message, _("There is no unfinished visit."), account)
        return
    if callback_data.go:
        if not await unpark(state):  # not set aside: asked after a long pause
            data = await state.get_data()
            form = dict(data.get(STATE_KEY) or {})
            form[ANSWERED_AT] = int(time.time())  # the pause is over: do not ask again at once
            await state.update_data({STATE_KEY: form})
        await show_current(message, state)
        return
    data = await state.get_data()
    data.pop(STATE_KEY, None)
    data.pop(PARKED_KEY, None)
    await state.set_data(data)
    await state.set_state(None)
    await show_menu(message, _("The unfinished visit was discarded. Nothing was saved."), account)


def create_resume_router() -> Router:
    """Goes before the forms router: an answer to a visit form left for hours gets the
    continue-or-discard question first."""
    router = Router(name="volunteer_resume")
    router.message.register(resume_question, StateFilter(FormFlow.active), PendingVisit())
    router.callback_query.register(resume_answer, ResumeCb.filter())
    return router


def create_router() -> Router:
    router = require_consent(gated_router("volunteer_visit", VOLUNTEERS_AND_STAFF))
    router.message.register(visit_command, Command("kunjungan"))
    router.message.register(visit_command, MenuButton("kunjungan"))
    router.message.register(visit_kk, StateFilter(VisitPick.kk))
    router.callback_query.register(visit_from_card, HouseholdCb.filter(F.action == "visit"))
    return router
