"""Staff: disbursement schedules. /jadwalbaru (menu "Jadwal Baru") chooses who a schedule
reaches, counts the households, then runs the schedule form (`conversations/schedule_form`):
handlers/staff/schedule_target.py. /daftarjadwal lists schedules to change, cancel (recipients
are told through a queued notice) or mark households as having collected (a typed No. KK,
deleted once read, or a file: handlers/staff/schedule_collected.py). This module lists them,
acts on the buttons, saves the confirmed form and routes the feature's updates."""

from __future__ import annotations

import datetime as dt
from typing import Any

from aiogram import F, Router
from aiogram.filters import Command, StateFilter
from aiogram.filters.callback_data import CallbackData
from aiogram.fsm.context import FSMContext
from aiogram.types import CallbackQuery, InlineKeyboardMarkup, Message
from aiogram.utils.i18n import gettext as _
from aiogram.utils.i18n import lazy_gettext as __
from aiogram.utils.keyboard import InlineKeyboardBuilder
from babel.numbers import format_decimal
from sqlalchemy.ext.asyncio import AsyncSession

from conversations import begin
from conversations.i18n import pgettext
from conversations.messages import edit_text
from conversations.parking import clear_but_keep_form
from conversations.schedule_form import (
    FORM_NAME,
    cancelled_notice,
    changed_notice,
    details,
    initial_of,
    new_notice,
    program_label,
)
from db.models.accounts import Account
from db.models.aid import Disbursement
from db.models.base import utcnow
from domain.dates import format_date_long, to_wib, wib_datetime
from handlers.access import STAFF, gated_router
from handlers.callback_ids import RowId
from handlers.chat import download, remove_buttons
from handlers.commands import COMMANDS, CommandInfo
from handlers.filters import HasDocument, HasText, NotACommand
from handlers.forms import on_submit
from handlers.keyboards import MENU_ENTRIES, MenuButton, MenuEntry
from handlers.staff.payout_buttons import payout_buttons
from handlers.staff.schedule_collected import collect_file, collect_prompt, collect_typed
from handlers.staff.schedule_flow import ScheduleFlow
from handlers.staff.schedule_target import (
    TargetCb,
    choose_area_program,
    choose_desa_kecamatan,
    choose_kecamatan,
    choose_program,
    choose_type,
    desa_done,
    kk_file,
    kk_file_not_a_document,
    new_schedule,
    toggle_desa,
)
from services import kk_list, schedules
from services.bnba_file import FileProblem

LIST_PAST_DAYS = 30

MENU_ENTRIES.append(MenuEntry("staff_schedule_new", __("🗓 New schedule"), roles=STAFF))
MENU_ENTRIES.append(MenuEntry("staff_schedules", __("📋 Schedules"), roles=STAFF))
COMMANDS.append(
    CommandInfo(
        "jadwalbaru",
        __("New aid schedule"),
        __("makes a new aid disbursement schedule."),
        roles=STAFF,
    )
)
COMMANDS.append(
    CommandInfo(
        "daftarjadwal",
        __("Aid schedules"),
        __("lists schedules: change, cancel, mark who collected."),
        roles=STAFF,
    )
)


class ScheduleCb(CallbackData, prefix="js"):
    a: str  # view | edit | cancel | cancel_yes | collect | list
    id: RowId = 0


# --------------------------------------------------------------------------- list and detail


async def _list_view(session: AsyncSession) -> tuple[str, InlineKeyboardMarkup | None]:
    since = utcnow() - dt.timedelta(days=LIST_PAST_DAYS)
    found = await schedules.listing(session, since=since)
    if not found:
        return _("There are no schedules yet. Make one with /jadwalbaru."), None
    builder = InlineKeyboardBuilder()
    for disbursement, code in found:
        mark = "✖️ " if disbursement.status == "cancelled" else ""
        when = format_date_long(to_wib(disbursement.scheduled_at).date())
        label = f"{mark}#{disbursement.id} {when} · {program_label(code)} · {disbursement.title}"
        builder.button(text=label[:60], callback_data=ScheduleCb(a="view", id=disbursement.id))
    builder.adjust(1)
    return _("Aid schedules (from {days} days ago). Tap one:").format(
        days=LIST_PAST_DAYS
    ), builder.as_markup()


async def list_schedules(message: Message, state: FSMContext, session: AsyncSession) -> None:
    await state.set_state(None)
    text, markup = await _list_view(session)
    await message.answer(text, reply_markup=markup)


async def _detail_view(
    session: AsyncSession, disbursement: Disbursement
) -> tuple[str, InlineKeyboardMarkup]:
    code = await schedules.program_code_of(session, disbursement)
    total = await schedules.recipients_count(session, disbursement.id)
    collected = await schedules.collected_count(session, disbursement.id)
    lines = [
        _("Schedule #{id}").format(id=disbursement.id),
        details(disbursement, code),
        "",
        _("Households: {total}, collected: {collected}.").format(
            total=format_decimal(total, locale="id"),
            collected=format_decimal(collected, locale="id"),
        ),
    ]
    not_received = await schedules.not_received_count(session, disbursement.id)
    if not_received:
        lines.append(
            _("{count} households said they have not received it.").format(
                count=format_decimal(not_received, locale="id")
            )
        )
    if disbursement.status == "cancelled":
        lines.append(_("✖️ This schedule is cancelled."))
    builder = InlineKeyboardBuilder()
    if disbursement.status == "scheduled":
        builder.button(text=_("✏️ Change"), callback_data=ScheduleCb(a="edit", id=disbursement.id))
        builder.button(
            text=_("✔️ Mark collected"), callback_data=ScheduleCb(a="collect", id=disbursement.id)
        )
        payout_buttons(builder, disbursement.id)
        builder.button(
            text=_("✖️ Cancel schedule"), callback_data=ScheduleCb(a="cancel", id=disbursement.id)
        )
    builder.button(text=_("« All schedules"), callback_data=ScheduleCb(a="list"))
    builder.adjust(1)
    return "\n".join(lines), builder.as_markup()


async def schedule_action(
    query: CallbackQuery,
    callback_data: ScheduleCb,
    state: FSMContext,
    session: AsyncSession,
    account: Account,
) -> None:
    message = query.message
    if not isinstance(message, Message):
        await query.answer()
        return
    if callback_data.a == "list":
        await query.answer()
        text, markup = await _list_view(session)
        await edit_text(message, text, markup)
        return
    disbursement = await schedules.get(session, callback_data.id)
    if disbursement is None:
        await query.answer(_("This schedule does not exist."), show_alert=True)
        return
    action = callback_data.a
    if action != "view" and disbursement.status != "scheduled":
        await query.answer(_("This schedule is cancelled; it cannot be changed."), show_alert=True)
        action = "view"
    else:
        await query.answer()
    code = await schedules.program_code_of(session, disbursement)
    if action == "view":
        text, markup = await _detail_view(session, disbursement)
        await edit_text(message, text, markup)
    elif action == "edit":
        await remove_buttons(message)
        total = await schedules.recipients_count(session, disbursement.id)
        await clear_but_keep_form(state)  # begin() replaces a kept form, and says so
        await begin(
            FORM_NAME,
            message,
            state,
            initial=initial_of(disbursement, code),
            context={
                "disbursement_id": disbursement.id,
                "households": total,
                "target_label": _("schedule #{id}").format(id=disbursement.id),
            },
            review=True,
        )
    elif action == "cancel":
        total = await schedules.recipients_count(session, disbursement.id)
        builder = InlineKeyboardBuilder()
        builder.button(
            text=_("Yes, cancel it"), callback_data=ScheduleCb(a="cancel_yes", id=disbursement.id)
        )
        builder.button(
            # TRANSLATORS: staff cancelling a disbursement schedule: no, do not cancel it.
            text=pgettext("schedule cancel", "No, keep it"),
            callback_data=ScheduleCb(a="view", id=disbursement.id),
        )
        builder.adjust(2)
        await edit_text(
            message,
            _("Cancel schedule #{id}? The {count} households will be told.").format(
                id=disbursement.id, count=format_decimal(total, locale="id")
            )
            + "\n\n"
            + details(disbursement, code),
            builder.as_markup(),
        )
    elif action == "cancel_yes":
        await schedules.cancel(session, account, disbursement, cancelled_notice(disbursement, code))
        total = await schedules.recipients_count(session, disbursement.id)
        await edit_text(
            message,
            _("Schedule #{id} is cancelled. The {count} households will be told.").format(
                id=disbursement.id, count=format_decimal(total, locale="id")
            ),
        )
    elif action == "collect":
        await clear_but_keep_form(state, {"collect_id": disbursement.id})
        await state.set_state(ScheduleFlow.collecting)
        await message.answer(collect_prompt(disbursement.id))


# --------------------------------------------------------------------------- the form confirmed


@on_submit(FORM_NAME)
async def submit(answers: dict[str, Any], data: dict[str, Any]) -> str:
    session, account = data["session"], data["account"]
    context = data.get("form_context") or {}
    when = wib_datetime(answers["date"], answers["time"])
    if when <= dt.datetime.now(dt.UTC):
        return _("That time has already passed, so nothing was saved. Please start again.")
    values = {
        "program_code": answers["program"],
        "title": answers["title"],
        "amount": answers["amount"],
        "scheduled_at": when,
        "place": answers["place"],
        "bring": answers.get("bring"),
    }
    if "disbursement_id" in context:
        return await _submit_change(session, account, int(context["disbursement_id"]), values)
    target = schedules.Target.from_json(context["target"])
    if target.type == "list":
        content = await download(data["bot"], context["file_id"])
        try:
            match = await kk_list.match_file(session, data["protector"], content)
        except FileProblem:  # it was read once already, when it was sent: not expected
            return _("The file of KK numbers can no longer be read, so nothing was saved.")
        target.household_ids = match.household_ids
    preview = Disbursement(**{k: v for k, v in values.items() if k != "program_code"})
    disbursement, count = await schedules.create(
        session, account, target=target, notice_text=new_notice(preview, values["program_code"]),
        **values,
    )  # fmt: skip
    return _(
        "Saved: schedule #{id} for {count} households. Residents with the bot are told now and "
        "reminded the day before. See all schedules with /daftarjadwal."
    ).format(id=disbursement.id, count=format_decimal(count, locale="id"))


async def _submit_change(session: Any, account: Any, disbursement_id: int, values: dict) -> str:
    disbursement = await schedules.get(session, disbursement_id)
    if disbursement is None or disbursement.status != "scheduled":
        return _("This schedule can no longer be changed (it was cancelled).")
    # The notice is rendered from the new values; the service queues it only if any changed.
    preview = Disbursement(**{k: v for k, v in values.items() if k != "program_code"})
    notice = changed_notice(preview, values["program_code"])
    changed = await schedules.change(session, account, disbursement, notice, **values)
    if not changed:
        return _("Nothing was changed.")
    count = await schedules.recipients_count(session, disbursement.id)
    return _("Saved. The {count} households of schedule #{id} will be told of the change.").format(
        count=format_decimal(count, locale="id"), id=disbursement.id
    )


def create_router() -> Router:
    router = gated_router("staff_schedule", STAFF)
    router.message.register(new_schedule, Command("jadwalbaru"))
    router.message.register(new_schedule, MenuButton("staff_schedule_new"))
    router.message.register(list_schedules, Command("daftarjadwal"))
    router.message.register(list_schedules, MenuButton("staff_schedules"))
    router.callback_query.register(choose_type, TargetCb.filter(F.s == "type"))
    router.callback_query.register(choose_program, TargetCb.filter(F.s == "prog"))
    router.callback_query.register(choose_kecamatan, TargetCb.filter(F.s == "kec"))
    router.callback_query.register(choose_desa_kecamatan, TargetCb.filter(F.s == "dkec"))
    router.callback_query.register(toggle_desa, TargetCb.filter(F.s == "dtog"))
    router.callback_query.register(desa_done, TargetCb.filter(F.s == "ddone"))
    router.callback_query.register(choose_area_program, TargetCb.filter(F.s == "aprog"))
    router.callback_query.register(schedule_action, ScheduleCb.filter())
    # In these states a file or a number is expected; other commands (/statistik...) still
    # reach their own routers, and /batal (common router) leaves the state.
    router.message.register(kk_file, StateFilter(ScheduleFlow.kk_file), HasDocument())
    router.message.register(
        kk_file_not_a_document, StateFilter(ScheduleFlow.kk_file), NotACommand()
    )
    router.message.register(collect_file, StateFilter(ScheduleFlow.collecting), HasDocument())
    router.message.register(
        collect_typed, StateFilter(ScheduleFlow.collecting), HasText(), NotACommand()
    )
    return router
