"""`/jadwal` and the "Jadwal Bantuan" button: the household's aid schedule, the reminder
switch, and the answers to "Sudah menerima bantuan?" (asked by bot.workers.aid_followup)."""

from __future__ import annotations

from typing import Any

from aiogram import Bot, Router
from aiogram.filters import BaseFilter, Command, StateFilter
from aiogram.filters.callback_data import CallbackData
from aiogram.fsm.context import FSMContext
from aiogram.fsm.state import State, StatesGroup
from aiogram.types import CallbackQuery, InlineKeyboardMarkup, Message
from aiogram.utils.i18n import gettext as _
from aiogram.utils.i18n import lazy_gettext as __
from aiogram.utils.keyboard import InlineKeyboardBuilder
from sqlalchemy.ext.asyncio import AsyncSession

from conversations.parking import clear_but_keep_form
from conversations.validators import format_datetime_id
from db import audit
from db.models.accounts import Account
from domain.money import format_rupiah
from domain.roles import PETUGAS, PSM, TKSK, WARGA
from handlers.callback_ids import RowId
from handlers.case_relay import family_words, tell_officers
from handlers.chat import remove_buttons
from handlers.commands import COMMANDS, CommandInfo
from handlers.keyboards import (
    MENU_ENTRIES,
    MenuButton,
    MenuEntry,
    is_menu_label,
    main_menu,
    show_menu,
)
from handlers.number_guard import guard_numbers, mask_id_numbers
from handlers.residents.household import linked_household
from services import aid_schedule, cases
from services.aid_schedule import NOT_YET, YES, Entry

RESIDENTS = frozenset({WARGA})
MENU_ENTRIES.append(MenuEntry("jadwal", __("📅 Aid schedule"), roles=RESIDENTS))
COMMANDS.append(
    CommandInfo(
        "jadwal",
        __("Aid schedule"),
        __("shows when and where your household's aid is paid, and what to bring."),
        roles=RESIDENTS,
    )
)


class ReminderCallback(CallbackData, prefix="rmd"):
    on: bool


class ReceivedCallback(CallbackData, prefix="aidq"):
    """An answer to "Sudah menerima bantuan?": `r` the recipient row (an opaque id), `a` ya |
    belum. The handler checks that the row belongs to the sender's household."""

    r: RowId
    a: str


class ComplaintCallback(CallbackData, prefix="aidc"):
    r: RowId


class NotACommandOrMenu(BaseFilter):
    """Typed words, not a command or a main-menu button (those go to their own handlers)."""

    async def __call__(self, message: Message) -> bool:
        text = message.text or ""
        if text.startswith("/"):
            return False
        return not is_menu_label(text)


class Complaint(StatesGroup):
    text = State()  # waiting for a short description of the missing aid


# --------------------------------------------------------------------------- texts


def _bring(entry: Entry) -> str:
    return entry.bring or _("KTP and KK (originals)")


def upcoming_text(entry: Entry) -> str:
    if entry.status == aid_schedule.CANCELLED:
        return _("❌ {program}: {title}\n{when}\nThis disbursement has been cancelled.").format(
            program=entry.program, title=entry.title, when=format_datetime_id(entry.scheduled_at)
        )
    return _(
        "📅 {program}: {title}\nAmount: {amount}\nWhen: {when}\nWhere: {place}\nBring: {bring}"
    ).format(
        program=entry.program,
        title=entry.title,
        amount=format_rupiah(entry.amount),
        when=format_datetime_id(entry.scheduled_at),
        place=entry.place,
        bring=_bring(entry),
    )


def past_text(entry: Entry) -> str:
    status = _("received") if entry.received else _("not collected yet")
    return _("• {program}, {when}, {amount}: {status}").format(
        program=entry.program,
        when=format_datetime_id(entry.scheduled_at),
        amount=format_rupiah(entry.amount),
        status=status,
    )


def reminder_keyboard(account: Account) -> InlineKeyboardMarkup:
    builder = InlineKeyboardBuilder()
    if account.reminders_enabled:
        builder.button(text=_("🔕 Turn off reminders"), callback_data=ReminderCallback(on=False))
    else:
        builder.button(text=_("🔔 Turn on reminders"), callback_data=ReminderCallback(on=True))
    return builder.as_markup()


def reminder_line(account: Account) -> str:
    if account.reminders_enabled:
        return _("We send you a reminder the day before each disbursement.")
    return _("Reminders are off: you get no message the day before a disbursement.")


def question_text(program: str, title: str, when: Any) -> str:
    return _("Have you received the aid {program} ({title}) of {when}?").format(
        program=program, title=title, when=format_datetime_id(when)
    )


def question_keyboard(recipient_id: int) -> InlineKeyboardMarkup:
    builder = InlineKeyboardBuilder()
    builder.button(
        text=_("✅ Yes, received"), callback_data=ReceivedCallback(r=recipient_id, a=YES)
    )
    builder.button(text=_("❌ Not yet"), callback_data=ReceivedCallback(r=recipient_id, a=NOT_YET))
    builder.adjust(2)
    return builder.as_markup()


# --------------------------------------------------------------------------- /jadwal


async def show_schedule(message: Message, account: Account, session: AsyncSession) -> None:
    household = await linked_household(message, account, session)
    if household is None:
        return
    schedule = await aid_schedule.schedule_of(session, household.id)
    parts = []
    if schedule.upcoming:
        parts.append(_("Your household's upcoming aid:"))
        parts.extend(upcoming_text(entry) for entry in schedule.upcoming)
    else:
        parts.append(
            _(
                "There is no aid scheduled for your household yet. We will send you a message "
                "as soon as there is one."
            )
        )
    if schedule.past:
        parts.append(_("Earlier aid:") + "\n" + "\n".join(past_text(e) for e in schedule.past))
    parts.append(reminder_line(account))
    await message.answer("\n\n".join(parts), reply_markup=reminder_keyboard(account))


async def switch_reminders(
    query: CallbackQuery, callback_data: ReminderCallback, account: Account
) -> None:
    aid_schedule.set_reminders(account, callback_data.on)
    done = _("Reminders are on.") if callback_data.on else _("Reminders are off.")
    await query.answer(done)
    if isinstance(query.message, Message):
        await query.message.answer(
            "\n".join([done, reminder_line(account)]), reply_markup=reminder_keyboard(account)
        )


# --------------------------------------------------------------------------- the follow-up


async def answer_received(
    query: CallbackQuery,
    callback_data: ReceivedCallback,
    account: Account,
    session: AsyncSession,
    state: FSMContext,
) -> None:
    answer = await aid_schedule.load_for_household(session, callback_data.r, account.household_id)
    if answer is None or callback_data.a not in (YES, NOT_YET):
        await query.answer(_("This question is not for your household."), show_alert=True)
        return
    if answer.already is not None:
        await query.answer(_("Your answer was already recorded. Thank you."))
        return
    await aid_schedule.record_answer(session, answer, callback_data.a, account)
    audit.record(
        session,
        account,
        "aid.answer",
        "disbursement_recipient",
        answer.recipient.id,
        answer=callback_data.a,
    )
    await query.answer()
    message = query.message if isinstance(query.message, Message) else None
    if message is not None:
        await remove_buttons(message)
    if callback_data.a == YES:
        if message is not None:
            await show_menu(
                message,
                _("Thank you. We have recorded that you received the aid."),
                account,
            )
        return
    await state.set_state(Complaint.text)
    await state.update_data(complaint_recipient=answer.recipient.id)
    builder = InlineKeyboardBuilder()
    builder.button(text=_("Skip"), callback_data=ComplaintCallback(r=answer.recipient.id))
    if message is not None:
        await message.answer(
            _(
                "We are sorry. Please tell us in a few words what happened (for example: "
                "name not on the list, place closed). Or tap “Skip”."
            ),
            reply_markup=builder.as_markup(),
        )


async def _finish_complaint(
    target: Message,
    recipient_id: int,
    text: str | None,
    account: Account,
    session: AsyncSession,
    state: FSMContext,
    bot: Bot,
) -> None:
    await clear_but_keep_form(state)
    answer = await aid_schedule.load_for_household(session, recipient_id, account.household_id)
    if answer is None:
        await target.answer(
            _("This question is not for your household."), reply_markup=main_menu(account)
        )
        return
    case = await aid_schedule.record_complaint(session, answer, text, account)
    alert = _(
        "🟠 Aid not received {number}: {family} says it has NOT received {program} of "
        "{when}.\nComplaint: {complaint}"
    ).format(
        number=cases.number(case),
        family=await family_words(session, case),
        program=answer.program.code,
        when=format_datetime_id(answer.disbursement.scheduled_at),
        complaint=answer.recipient.complaint or "—",
    )
    await tell_officers(session, bot, case, alert, roles=(PSM, TKSK, PETUGAS))
    await target.answer(
        _(
            "Thank you. Your complaint is recorded with number {number} and sent to the "
            "volunteers of your area and to Dinas Sosial. A volunteer will contact you."
        ).format(number=cases.number(case)),
        reply_markup=main_menu(account),
    )


async def complaint_text(
    message: Message, account: Account, session: AsyncSession, state: FSMContext, bot: Bot
) -> None:
    # Without it (state lost), 0 matches no row: "not for your household", as before.
    recipient_id: int = (await state.get_data()).get("complaint_recipient", 0)
    if not message.text:
        await message.answer(_("Please type a few words, or tap “Skip”."))
        return
    await guard_numbers(message)  # the TKSK and staff are sent the complaint: masked only
    text = mask_id_numbers(message.text)
    await _finish_complaint(message, recipient_id, text, account, session, state, bot)


async def complaint_skip(
    query: CallbackQuery,
    callback_data: ComplaintCallback,
    account: Account,
    session: AsyncSession,
    state: FSMContext,
    bot: Bot,
) -> None:
    await query.answer()
    if not isinstance(query.message, Message):
        return
    await remove_buttons(query.message)
    if await state.get_state() != Complaint.text.state:
        await query.message.answer(_("Your answer was already recorded. Thank you."))
        return
    await _finish_complaint(query.message, callback_data.r, None, account, session, state, bot)


def create_router() -> Router:
    router = Router(name="resident_schedule")
    router.message.register(show_schedule, Command("jadwal"))
    router.message.register(show_schedule, MenuButton("jadwal"))
    router.callback_query.register(switch_reminders, ReminderCallback.filter())
    router.callback_query.register(answer_received, ReceivedCallback.filter())
    router.callback_query.register(complaint_skip, ComplaintCallback.filter())
    # Typed words while a complaint is asked; a command is left to its own handler.
    router.message.register(complaint_text, StateFilter(Complaint.text), NotACommandOrMenu())
    return router
