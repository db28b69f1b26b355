"""Closing a case from its card: pick an outcome of the kind's list, add a short note for the
resident or skip it; the resident is told the outcome in plain words and asked whether it
helped (with a button to reopen within services.cases.REOPEN_DAYS)."""

from __future__ import annotations

from aiogram import Bot, F, Router
from aiogram.filters import StateFilter
from aiogram.fsm.context import FSMContext
from aiogram.fsm.state import State, StatesGroup
from aiogram.types import CallbackQuery, InlineKeyboardMarkup, Message
from aiogram.utils.i18n import gettext as _
from sqlalchemy.ext.asyncio import AsyncSession

from db.models.accounts import Account
from db.models.base import utcnow
from db.models.cases import Case
from domain.identity import mask_id_numbers
from handlers.access import VOLUNTEERS_AND_STAFF, gated_router, require_consent
from handlers.case_ui import (
    OUTCOME_BUTTONS,
    OUTCOME_SENTENCES,
    CaseCb,
    MyCaseCb,
    button,
    deliver,
)
from handlers.filters import HasText, NotACommand
from handlers.keyboards import show_menu
from handlers.number_guard import guard_numbers
from handlers.volunteers.cases import raiser, tapped_case, tapped_open_case
from services import case_queries, cases

CLOSE_KEY = "case_close"  # FSM data: [case id, outcome code]


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
    if isinstance(query.message, Message):
        await query.message.answer(
            _("Add a short note for the resident (what was done, what to do next), or skip."),
            reply_markup=InlineKeyboardMarkup(
                inline_keyboard=[[button(_("Skip"), CaseCb(a="skip", id=case.id))]]
            ),
        )


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
    if case is None or not cases.close(session, case, account, outcome, note, utcnow()):
        await show_menu(message, _("This case is closed or no longer in your area."), account)
        return
    await show_menu(
        message, _("Complaint {number} is closed.").format(number=cases.number(case)), account
    )
    resident = await raiser(session, case)
    if resident is not None:
        await deliver(bot, resident, None, closed_text(case), feedback_keyboard(case))


def closed_text(case: Case) -> str:
    lines = [
        _("Your complaint {number} is finished.").format(number=cases.number(case)),
        str(OUTCOME_SENTENCES[case.outcome or "answered"]),
    ]
    if case.outcome_note:
        lines.append(_("Note from the officer: {note}").format(note=case.outcome_note))
    lines += ["", _("Was this helpful?")]
    return "\n".join(lines)


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
    router.message.register(note_text, StateFilter(CaseCloseFlow.note), HasText(), NotACommand())
    return router
