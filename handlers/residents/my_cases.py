"""A resident's side of their complaints after sending them: `/aduanku` (each with its number,
state and last message date), answering an officer ("Reply"), saying whether the outcome
helped, and reopening a closed one within services.cases.REOPEN_DAYS.

Only the resident who raised a case can act on it: a button carrying another case's id gets
"not found", like an old button.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from aiogram import Bot, F, Router
from aiogram.filters import Command, StateFilter
from aiogram.fsm.context import FSMContext
from aiogram.fsm.state import State, StatesGroup
from aiogram.types import CallbackQuery, InlineKeyboardMarkup, Message
from aiogram.utils.i18n import gettext as _
from aiogram.utils.i18n import lazy_gettext as __
from sqlalchemy.ext.asyncio import AsyncSession

from db.models.accounts import Account
from db.models.base import utcnow
from db.models.cases import Case
from domain.dates import format_date_id, to_wib
from domain.roles import WARGA
from handlers.case_relay import to_officers, urgent_advice
from handlers.case_ui import (
    KIND_LABELS,
    RESIDENT_STATES,
    MyCaseCb,
    button,
    deliver,
    item_of,
    officer_keyboard,
)
from handlers.commands import COMMANDS, CommandInfo
from handlers.filters import NotACommand
from handlers.keyboards import show_menu
from services import case_queries, cases

if TYPE_CHECKING:
    from bot.settings import Settings

COMMANDS.append(
    CommandInfo(
        "aduanku",
        __("My complaints"),
        __("your complaints and questions, and what happened to them."),
        roles=frozenset({WARGA}),
    )
)
ANSWER_KEY = "case_answer"  # FSM data: the id of the case the resident is answering


class ResidentReplyFlow(StatesGroup):
    text = State()


async def my_case(
    query: CallbackQuery, case_id: int, session: AsyncSession, account: Account
) -> Case | None:
    case = await session.get(Case, case_id)
    if case is None or case.raised_by_account_id != account.id:
        await query.answer(_("This complaint was not found."), show_alert=True)
        return None
    return case


async def my_complaints(message: Message, session: AsyncSession, account: Account) -> None:
    found = await case_queries.residents_cases(session, account)
    if not found:
        await show_menu(
            message, _("You have no complaints. To send one, tap /aduan."), account
        )
        return
    now = utcnow()
    lines = [_("Your complaints (newest first):")]
    rows = []
    for case in found:
        lines.append(
            _("• {number} ({kind}): {state}; last message {date}").format(
                number=cases.number(case), kind=KIND_LABELS[case.kind],
                state=RESIDENT_STATES[case.state],
                date=format_date_id(to_wib(case.last_message_at).date()),
            )
        )  # fmt: skip
        if case.state != cases.CLOSED:
            label = _("✍️ Write to {number}").format(number=cases.number(case))
            rows.append([button(label, MyCaseCb(a="reply", id=case.id))])
        elif cases.may_reopen(case, account, now):
            label = _("🔁 Reopen {number}").format(number=cases.number(case))
            rows.append([button(label, MyCaseCb(a="reopen", id=case.id))])
    await message.answer(
        "\n".join(lines),
        reply_markup=InlineKeyboardMarkup(inline_keyboard=rows) if rows else None,
    )


async def reply_button(
    query: CallbackQuery, callback_data: MyCaseCb, state: FSMContext, session: AsyncSession,
    account: Account,
) -> None:  # fmt: skip
    case = await my_case(query, callback_data.id, session, account)
    if case is None:
        return
    await query.answer()
    if not isinstance(query.message, Message):
        return
    if case.state == cases.CLOSED:
        await query.message.answer(_("This complaint is finished. To send a new one: /aduan"))
        return
    await state.set_state(ResidentReplyFlow.text)
    await state.update_data({ANSWER_KEY: case.id})
    await query.message.answer(
        _("Write your reply for {number}, or send a photo or a voice note.").format(
            number=cases.number(case)
        )
    )


async def reply_text(
    message: Message, state: FSMContext, session: AsyncSession, account: Account,
    settings: Settings, bot: Bot,
) -> None:  # fmt: skip
    item = await item_of(message)
    if item is None:
        await message.answer(_("Please send text, a photo or a voice note."))
        return
    case_id = int((await state.get_data()).get(ANSWER_KEY) or 0)
    await state.set_state(None)
    case = await session.get(Case, case_id)
    if case is None or case.raised_by_account_id != account.id or case.state == cases.CLOSED:
        await show_menu(message, _("This complaint is finished. To send a new one: /aduan"),
                        account)  # fmt: skip
        return
    was_urgent = case.urgent
    await cases.resident_message(session, case, account, item, utcnow(), settings.answer_times)
    became_urgent = case.urgent and not was_urgent
    await show_menu(message, _("Sent. The officer will answer here."), account)
    if became_urgent:
        await message.answer(urgent_advice(settings))
    await to_officers(session, bot, case, [item], new=False, urgent_now=became_urgent)


async def feedback_button(
    query: CallbackQuery, callback_data: MyCaseCb, session: AsyncSession, account: Account
) -> None:
    case = await my_case(query, callback_data.id, session, account)
    if case is None:
        return
    helped = callback_data.a == "yes"
    if not cases.feedback(case, account, helped):
        await query.answer(_("This complaint is still open."), show_alert=True)
        return
    await query.answer()
    if not isinstance(query.message, Message):
        return
    if helped:
        await show_menu(query.message, _("Thank you for your answer."), account)
        return
    text = _(
        "We are sorry it did not help. If the problem is not solved, you can reopen the "
        "complaint within {days} days."
    ).format(days=cases.REOPEN_DAYS)
    await query.message.answer(text, reply_markup=InlineKeyboardMarkup(inline_keyboard=[
        [button(_("🔁 Reopen {number}").format(number=cases.number(case)),
                MyCaseCb(a="reopen", id=case.id))],
    ]))  # fmt: skip


async def reopen_button(
    query: CallbackQuery, callback_data: MyCaseCb, state: FSMContext, session: AsyncSession,
    account: Account, settings: Settings, bot: Bot,
) -> None:  # fmt: skip
    case = await my_case(query, callback_data.id, session, account)
    if case is None:
        return
    if not await cases.reopen(session, case, account, utcnow(), settings.answer_times):
        await query.answer(
            _("This complaint can no longer be reopened. Please send a new one: /aduan"),
            show_alert=True,
        )
        return
    await query.answer()
    number = cases.number(case)
    await state.set_state(ResidentReplyFlow.text)  # what they write next goes to the case
    await state.update_data({ANSWER_KEY: case.id})
    if isinstance(query.message, Message):
        await show_menu(
            query.message,
            _("Complaint {number} is open again. Please write what is still wrong.").format(
                number=number
            ),
            account,
        )
    header = _("🔁 The resident reopened complaint {number}.").format(number=number)
    for person in await cases.answerers(session, case):
        await deliver(bot, person, None, header, officer_keyboard(case))


def create_router() -> Router:
    router = Router(name="resident_cases")
    router.message.register(my_complaints, Command("aduanku"))
    router.callback_query.register(reply_button, MyCaseCb.filter(F.a == "reply"))
    router.callback_query.register(feedback_button, MyCaseCb.filter(F.a.in_({"yes", "no"})))
    router.callback_query.register(reopen_button, MyCaseCb.filter(F.a == "reopen"))
    router.message.register(reply_text, StateFilter(ResidentReplyFlow.text), NotACommand())
    return router
