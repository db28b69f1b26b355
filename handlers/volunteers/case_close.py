"""Closing a case from its card: pick an outcome of the kind's list, add a short note for the
resident or skip it (a rejection or "other" needs the reason); the outcome changes the data
(services.case_outcomes) and the resident is told in plain words and asked whether it helped
(with a button to reopen within services.cases.REOPEN_DAYS), or, for a rejected proposal,
offered one objection."""

from __future__ import annotations

from aiogram import Bot, F, Router
from aiogram.filters import StateFilter
from aiogram.fsm.context import FSMContext
from aiogram.fsm.state import State, StatesGroup
from aiogram.types import CallbackQuery, InlineKeyboardMarkup, Message
from aiogram.utils.i18n import gettext as _
from sqlalchemy.ext.asyncio import AsyncSession

from db import regions
from db.models.accounts import Account
from db.models.base import utcnow
from db.models.cases import Case
from db.models.households import Household
from domain.identity import mask_id_numbers
from handlers.access import VOLUNTEERS_AND_STAFF, gated_router, require_consent
from handlers.case_ui import (
    KIND_LABELS,
    OUTCOME_BUTTONS,
    OUTCOME_SENTENCES,
    CaseCb,
    MyCaseCb,
    button,
    deliver,
    officer_keyboard,
)
from handlers.filters import HasText, NotACommand
from handlers.keyboards import show_menu
from handlers.number_guard import guard_numbers
from handlers.volunteers.cases import tapped_case, tapped_open_case
from services import case_outcomes, case_queries, cases

CLOSE_KEY = "case_close"  # FSM data: [case id, outcome code]
NOTE_ONLY = "+note"  # instead of an outcome: a note for a case closed with one tap


class CaseCloseFlow(StatesGroup):
    note = State()


async def close_button(
    query: CallbackQuery, callback_data: CaseCb, session: AsyncSession, account: Account
) -> None:
    case = await tapped_open_case(query, callback_data.id, session, account)
    if case is None:
        return
    rows = [
        [button(str(OUTCOME_BUTTONS[code]), CaseCb(a="out", id=case.id, o=code))]
        for code in cases.OUTCOMES[case.kind]
    ]
    if isinstance(query.message, Message):
        await query.message.answer(
            _("How did {number} end?").format(number=cases.number(case)),
            reply_markup=InlineKeyboardMarkup(inline_keyboard=rows),
        )


async def outcome_button(
    query: CallbackQuery, callback_data: CaseCb, state: FSMContext, session: AsyncSession,
    account: Account,
) -> None:  # fmt: skip
    case = await tapped_case(query, callback_data.id, session, account)
    if case is None:
        return
    if callback_data.o not in cases.OUTCOMES[case.kind]:
        await query.answer(_("Please choose again."), show_alert=True)
        return
    await query.answer()
    await state.set_state(CaseCloseFlow.note)
    await state.update_data({CLOSE_KEY: [case.id, callback_data.o]})
    if not isinstance(query.message, Message):
        return
    if (case.kind, callback_data.o) in case_outcomes.NOTE_REQUIRED:
        await query.message.answer(
            _("Please write the reason in a few words (the resident is told).")
        )
        return
    await query.message.answer(
        _("Add a short note for the resident (what was done, what to do next), or skip."),
        reply_markup=InlineKeyboardMarkup(
            inline_keyboard=[[button(_("Skip"), CaseCb(a="skip", id=case.id))]]
        ),
    )


async def add_note_button(
    query: CallbackQuery, callback_data: CaseCb, state: FSMContext, session: AsyncSession,
    account: Account,
) -> None:  # fmt: skip
    """A note added after a one-tap close (messages passed on at the door)."""
    case = await tapped_case(query, callback_data.id, session, account)
    if case is None:
        return
    await query.answer()
    await state.set_state(CaseCloseFlow.note)
    await state.update_data({CLOSE_KEY: [case.id, NOTE_ONLY]})
    if isinstance(query.message, Message):
        await query.message.answer(_("Type the note:"))


async def note_text(
    message: Message, state: FSMContext, session: AsyncSession, account: Account, bot: Bot
) -> None:
    note = message.text or ""
    if await guard_numbers(message):
        note = mask_id_numbers(note)
    await finish(message, state, session, account, bot, note)


async def skip_button(
    query: CallbackQuery, state: FSMContext, session: AsyncSession, account: Account, bot: Bot
) -> None:
    await query.answer()
    if isinstance(query.message, Message):
        await finish(query.message, state, session, account, bot, None)


async def finish(
    message: Message, state: FSMContext, session: AsyncSession, account: Account, bot: Bot,
    note: str | None,
) -> None:  # fmt: skip
    case_id, outcome = (await state.get_data()).get(CLOSE_KEY) or (0, "")
    await state.set_state(None)
    case = await case_queries.in_area(session, account, int(case_id))
    if case is not None and outcome == NOTE_ONLY:
        if case.closed_by_account_id == account.id and note:
            case.outcome_note = mask_id_numbers(note)[:1000]
        await show_menu(message, _("The note is saved."), account)
        return
    closed = (
        await case_outcomes.close(session, case, account, outcome, note, utcnow())
        if case is not None else None
    )  # fmt: skip
    if closed is None:
        await show_menu(message, _("This case is closed or no longer in your area."), account)
        return
    await show_menu(
        message,
        _("{kind} {number} is closed: {outcome}.").format(
            kind=KIND_LABELS[closed.case.kind], number=cases.number(closed.case),
            outcome=OUTCOME_BUTTONS[outcome],
        ),
        account,
    )  # fmt: skip
    await tell_closed(session, bot, closed)


async def tell_closed(session: AsyncSession, bot: Bot, closed: case_outcomes.Closed) -> None:
    """The resident hears how it ended (and can say whether it helped, or object once to a
    rejected proposal); staff hear of a payment problem; the desa's PSM of a proposal to
    verify again."""
    case = closed.case
    if closed.resident is not None and case.outcome != cases.DELIVERED:
        await deliver(
            bot, closed.resident, None, await closed_text(session, case),
            await resident_keyboard(session, case, closed.resident),
        )  # fmt: skip
    if case.outcome == cases.PAYMENT_PROBLEM:
        header = _("💳 Payment problem {number} ({desa}) to pass to the bank or post office.")
        desa = await regions.name_of(session, case.desa_code)
        for person in await cases.level_people(session, case, cases.LEVEL_STAFF):
            await deliver(bot, person, None, header.format(number=cases.number(case), desa=desa),
                          officer_keyboard(case))  # fmt: skip
    if closed.reopened_proposal is not None:
        again = closed.reopened_proposal
        desa = await regions.name_of(session, again.desa_code)
        header = _("🟡 Proposal {number} ({desa}) is to be verified again after an objection.")
        for person in await cases.level_people(session, again, cases.LEVEL_PSM):
            await deliver(bot, person, None, header.format(number=cases.number(again), desa=desa),
                          officer_keyboard(again))  # fmt: skip


async def closed_text(session: AsyncSession, case: Case) -> str:
    title = {
        cases.ADUAN: _("Your complaint {number} is finished."),
        "usulan": _("Your proposal {number} has been checked."),
        cases.SANGGAH: _("Your objection {number} has been answered."),
    }.get(case.kind) or _("Your report {number} is finished.")
    sentence = OUTCOME_SENTENCES.get(case.outcome or "", OUTCOME_SENTENCES["answered"])
    lines = [title.format(number=cases.number(case)), str(sentence)]
    if case.kind == "koreksi" and case.outcome == cases.CORRECTED:
        changes = [m.text for m in await case_queries.thread(session, case.id)
                   if m.role == cases.SYSTEM and m.text]  # fmt: skip
        if changes:
            lines.append(_("What changed:") + "\n" + "\n".join(changes)[:300])
    if case.outcome_note:
        label = _("Reason: {note}") if (case.kind, case.outcome) in case_outcomes.NOTE_REQUIRED \
            else _("Note from the officer: {note}")
        lines.append(label.format(note=case.outcome_note[:300]))
    if case.kind not in ("usulan", cases.SANGGAH):  # those are asked nothing more
        lines += ["", _("Was this helpful?")]
    return "\n".join(lines)


async def resident_keyboard(
    session: AsyncSession, case: Case, resident: Account
) -> InlineKeyboardMarkup | None:
    """Was it helpful (and reopen); for a rejected proposal, the one objection instead."""
    if case.kind == "usulan":
        if case.outcome != cases.REJECTED or case.household_id is None:
            return None
        household = await session.get(Household, case.household_id)
        if household is None or not await case_outcomes.may_object(session, household, resident):
            return None
        return InlineKeyboardMarkup(inline_keyboard=[[
            button(_("✋ Object to this decision"), MyCaseCb(a="object", id=case.id))
        ]])  # fmt: skip
    if case.kind == cases.SANGGAH:
        return None
    return feedback_keyboard(case)


def feedback_keyboard(case: Case) -> InlineKeyboardMarkup:
    return InlineKeyboardMarkup(
        inline_keyboard=[
            [
                button(_("👍 Yes"), MyCaseCb(a="yes", id=case.id)),
                button(_("👎 No"), MyCaseCb(a="no", id=case.id)),
            ],
            [button(_("🔁 Not solved: reopen"), MyCaseCb(a="reopen", id=case.id))],
        ]
    )


def create_router() -> Router:
    router = require_consent(gated_router("volunteer_case_close", VOLUNTEERS_AND_STAFF))
    router.callback_query.register(close_button, CaseCb.filter(F.a == "close"))
    router.callback_query.register(outcome_button, CaseCb.filter(F.a == "out"))
    router.callback_query.register(skip_button, CaseCb.filter(F.a == "skip"))
    router.callback_query.register(add_note_button, CaseCb.filter(F.a == "note"))
    router.message.register(note_text, StateFilter(CaseCloseFlow.note), HasText(), NotACommand())
    return router
