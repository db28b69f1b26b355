"""Staff: disbursement schedules. /jadwalbaru (menu "Jadwal Baru") chooses who a schedule
reaches, counts the households, then runs the schedule form (`conversations/schedule_form`).
/daftarjadwal lists schedules to change, cancel (recipients are told through a queued notice)
or mark households as having collected (a typed No. KK, deleted once read, or a file)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from aiogram import Bot, F, Router
from aiogram.filters import Command, StateFilter
from aiogram.filters.callback_data import CallbackData
from aiogram.fsm.context import FSMContext
from aiogram.fsm.state import State, StatesGroup
from aiogram.types import (
    CallbackQuery,
    Document,
    InlineKeyboardButton,
    InlineKeyboardMarkup,
    Message,
)
from aiogram.utils.i18n import gettext as _
from aiogram.utils.i18n import lazy_gettext as __
from aiogram.utils.keyboard import InlineKeyboardBuilder
from babel.numbers import format_decimal
from sqlalchemy.ext.asyncio import AsyncSession

from conversations import begin
from conversations.i18n import pgettext
from conversations.messages import edit_markup, edit_text
from conversations.schedule_form import (
    FORM_NAME,
    MAX_FILE_BYTES,
    PROGRAMS,
    cancelled_notice,
    details,
    download,
    initial_of,
    program_label,
)
from conversations.validators import ValidationError, parse_kk
from db import regions
from db.models import Account, Disbursement, utcnow
from db.protect import Protector
from domain.dates import format_date_long, to_wib
from domain.identity import mask_number
from handlers.access import STAFF, gated_router
from handlers.callback_ids import RowId
from handlers.chat import delete_secret, remove_buttons
from handlers.commands import COMMANDS, CommandInfo
from handlers.filters import HasDocument, HasText, NotACommand
from handlers.keyboards import MENU_ENTRIES, MenuButton, MenuEntry, show_menu
from handlers.staff.bnba_texts import describe
from services import kk_list, schedules
from services.bnba_file import FileProblem

KABUPATEN = "32.16"
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


class TargetCb(CallbackData, prefix="jt"):
    """Choosing who a new schedule reaches: `s` step, `v` a program or region code."""

    s: str
    v: str = ""


class ScheduleCb(CallbackData, prefix="js"):
    a: str  # view | edit | cancel | cancel_yes | collect | list
    id: RowId = 0


class ScheduleFlow(StatesGroup):
    desa = State()  # picking desa of a kecamatan
    kk_file = State()  # waiting for the file of KK numbers
    collecting = State()  # marking households as having collected


# --------------------------------------------------------------------------- new: target


def _target_kinds() -> InlineKeyboardMarkup:
    builder = InlineKeyboardBuilder()
    builder.button(
        text=_("All households of a program"), callback_data=TargetCb(s="type", v="program")
    )
    builder.button(text=_("One kecamatan"), callback_data=TargetCb(s="type", v="kecamatan"))
    builder.button(text=_("Some desa"), callback_data=TargetCb(s="type", v="desa"))
    builder.button(
        text=_("A list of KK numbers (file)"), callback_data=TargetCb(s="type", v="list")
    )
    builder.adjust(1)
    return builder.as_markup()


async def new_schedule(message: Message, state: FSMContext) -> None:
    await state.set_state(None)
    await message.answer(_("Who should this schedule reach?"), reply_markup=_target_kinds())


async def _kecamatan_keyboard(session: AsyncSession, step: str) -> InlineKeyboardMarkup:
    builder = InlineKeyboardBuilder()
    for region in await regions.children(session, KABUPATEN):
        builder.button(text=region.name, callback_data=TargetCb(s=step, v=region.code))
    builder.adjust(2)
    return builder.as_markup()


async def choose_type(
    query: CallbackQuery, callback_data: TargetCb, state: FSMContext, session: AsyncSession
) -> None:
    await query.answer()
    message = query.message
    if not isinstance(message, Message):
        return
    kind = callback_data.v
    if kind == "program":
        builder = InlineKeyboardBuilder()
        for option in PROGRAMS:
            builder.button(text=str(option.label), callback_data=TargetCb(s="prog", v=option.value))
        builder.adjust(3)
        await edit_text(message, _("Which program?"), builder.as_markup())
    elif kind in ("kecamatan", "desa"):
        step = "kec" if kind == "kecamatan" else "dkec"
        await edit_text(message, _("Which kecamatan?"), await _kecamatan_keyboard(session, step))
    elif kind == "list":
        await state.set_state(ScheduleFlow.kk_file)
        await edit_text(
            message,
            _(
                "Send the file with the KK numbers as a document: a text or CSV file with one "
                "number per line (or in one column), or an Excel file (.xlsx). Send /batal to stop."
            ),
        )


async def _start_form(
    message: Message,
    state: FSMContext,
    session: AsyncSession,
    target: schedules.Target,
    label: str,
    extra: dict[str, Any] | None = None,
) -> None:
    count = await schedules.count_households(session, target)
    if count == 0:
        await state.set_state(None)
        await message.answer(
            _("No household on the list matches this. Please choose again."),
            reply_markup=_target_kinds(),
        )
        return
    await state.set_data({})
    context = {"target": target.as_json(), "households": count, "target_label": label}
    context.update(extra or {})
    initial = {"program": target.program} if target.program else None
    await begin(FORM_NAME, message, state, initial=initial, context=context)


async def choose_program(
    query: CallbackQuery, callback_data: TargetCb, state: FSMContext, session: AsyncSession
) -> None:
    await query.answer()
    if isinstance(query.message, Message):
        await remove_buttons(query.message)
        target = schedules.Target("program", program=callback_data.v)
        label = _("every household in {program}").format(program=program_label(callback_data.v))
        await _start_form(query.message, state, session, target, label)


async def choose_kecamatan(
    query: CallbackQuery, callback_data: TargetCb, state: FSMContext, session: AsyncSession
) -> None:
    await query.answer()
    region = await regions.by_code(session, callback_data.v)
    if region is None or not isinstance(query.message, Message):
        return
    await remove_buttons(query.message)
    target = schedules.Target("kecamatan", kecamatan=region.code)
    label = _("Kecamatan {name}").format(name=region.name)
    await _start_form(query.message, state, session, target, label)


async def _desa_keyboard(session: AsyncSession, kecamatan: str, chosen: list[str]) -> Any:
    builder = InlineKeyboardBuilder()
    for region in await regions.children(session, kecamatan):
        mark = "✅ " if region.code in chosen else "◻️ "
        builder.button(text=mark + region.name, callback_data=TargetCb(s="dtog", v=region.code))
    builder.adjust(2)
    done = TargetCb(s="ddone").pack()
    builder.row(InlineKeyboardButton(text=_("Done"), callback_data=done))
    return builder.as_markup()


async def choose_desa_kecamatan(
    query: CallbackQuery, callback_data: TargetCb, state: FSMContext, session: AsyncSession
) -> None:
    await query.answer()
    if not isinstance(query.message, Message):
        return
    await state.set_state(ScheduleFlow.desa)
    await state.set_data({"sched_kec": callback_data.v, "sched_desa": []})
    await edit_text(
        query.message,
        _("Tap the desa this schedule is for, then tap “Done”."),
        await _desa_keyboard(session, callback_data.v, []),
    )


async def toggle_desa(
    query: CallbackQuery, callback_data: TargetCb, state: FSMContext, session: AsyncSession
) -> None:
    data = await state.get_data()
    kecamatan = data.get("sched_kec")
    region = await regions.by_code(session, callback_data.v)
    if not kecamatan or region is None or region.parent_code != kecamatan:
        await query.answer(_("This button is no longer active."))
        return
    chosen = list(data.get("sched_desa") or [])
    if region.code in chosen:
        chosen.remove(region.code)
    else:
        chosen.append(region.code)
    await state.update_data({"sched_desa": chosen})
    await query.answer()
    if isinstance(query.message, Message):
        await edit_markup(query.message, await _desa_keyboard(session, kecamatan, chosen))


async def desa_done(query: CallbackQuery, state: FSMContext, session: AsyncSession) -> None:
    data = await state.get_data()
    chosen = list(data.get("sched_desa") or [])
    if not chosen:
        await query.answer(_("Please tap at least one desa, then “Done”."), show_alert=True)
        return
    await query.answer()
    if not isinstance(query.message, Message):
        return
    await remove_buttons(query.message)
    names = [r.name for r in await regions.children(session, data["sched_kec"]) if r.code in chosen]
    target = schedules.Target("desa", kecamatan=data["sched_kec"], desa=chosen)
    label = _("desa {names}").format(names=", ".join(names))
    await _start_form(query.message, state, session, target, label)


def _file_name(document: Document) -> str:
    return document.file_name or _("the file")


def _file_problem(exc: FileProblem) -> str:
    """What is wrong with an uploaded KK list, in words staff can act on."""
    return _("The file could not be read: {reason} Send another file, or /batal.").format(
        reason=describe(exc.code, exc.params)
    )


async def kk_file(
    message: Message, state: FSMContext, session: AsyncSession, protector: Protector, bot: Bot
) -> None:
    document = message.document
    assert document is not None
    if (document.file_size or 0) > MAX_FILE_BYTES:
        await message.answer(_("That file is too large (more than 5 MB). Please split it."))
        return
    content = await download(bot, document.file_id)
    try:
        match = await kk_list.match_file(session, protector, content, _file_name(document))
    except FileProblem as exc:
        await message.answer(_file_problem(exc))
        return
    if not match.household_ids:
        await message.answer(
            _(
                "None of the numbers in the file is on our list ({unknown} unknown, {invalid} "
                "lines without a 16-digit number). Please check the file and send it again, "
                "or /batal."
            ).format(unknown=match.unknown, invalid=match.invalid_rows)
        )
        return
    target = schedules.Target("list", household_ids=match.household_ids)
    label = _(
        "a list of KK numbers ({unknown} numbers not on our list, {invalid} lines without "
        "a 16-digit number)"
    ).format(unknown=match.unknown, invalid=match.invalid_rows)
    await _start_form(message, state, session, target, label, {"file_id": document.file_id})


async def kk_file_not_a_document(message: Message) -> None:
    await message.answer(
        _("Please send the KK numbers as a file (📎, then File), or /batal to stop.")
    )


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
        await state.set_data({})
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
        await state.set_state(ScheduleFlow.collecting)
        await state.set_data({"collect_id": disbursement.id})
        await message.answer(_collect_prompt(disbursement.id))


# --------------------------------------------------------------------------- collected


def _collect_prompt(disbursement_id: int) -> str:
    return _(
        "Schedule #{id}: type the KK number of a household that collected (the message is "
        "deleted once read), or send a file of KK numbers. Send /batal when you are done."
    ).format(id=disbursement_id)


async def _collecting(session: AsyncSession, state: FSMContext) -> Disbursement | None:
    disbursement_id = (await state.get_data()).get("collect_id")
    disbursement = await schedules.get(session, int(disbursement_id or 0))
    if disbursement is None or disbursement.status != "scheduled":
        await state.clear()
        return None
    return disbursement


async def _progress(session: AsyncSession, disbursement: Disbursement) -> str:
    total = await schedules.recipients_count(session, disbursement.id)
    collected = await schedules.collected_count(session, disbursement.id)
    return _("{collected} of {total} households have collected.").format(
        collected=format_decimal(collected, locale="id"), total=format_decimal(total, locale="id")
    )


async def collect_typed(
    message: Message,
    state: FSMContext,
    session: AsyncSession,
    account: Account,
    protector: Protector,
) -> None:
    text = message.text or ""
    await delete_secret(message)
    disbursement = await _collecting(session, state)
    if disbursement is None:
        await show_menu(message, _("This schedule is no longer active."), account)
        return
    if not any(char.isdigit() for char in text):
        # Not a KK number (e.g. a menu button): stop marking rather than insist.
        await state.clear()
        await show_menu(
            message,
            _("Stopped marking schedule #{id}. Choose from the menu.").format(id=disbursement.id),
            account,
        )
        return
    try:
        number = parse_kk(text)
    except ValidationError as exc:
        await message.answer(exc.render() + "\n\n" + _collect_prompt(disbursement.id))
        return
    result = await schedules.mark_collected(
        session, account, disbursement, [protector.lookup_hash(number)], via="typed"
    )
    masked = mask_number(number)
    if result.marked:
        head = _("✔️ {kk}: marked as collected.").format(kk=masked)
    elif result.already:
        head = _("{kk} was already marked as collected.").format(kk=masked)
    elif result.not_recipient:
        head = _("{kk} is on our list but not on this schedule.").format(kk=masked)
    else:
        head = _("{kk} is not on our list.").format(kk=masked)
    progress = await _progress(session, disbursement)
    await message.answer(
        head + " " + progress + "\n" + _("Send the next KK number, a file, or /batal.")
    )


async def collect_file(
    message: Message,
    state: FSMContext,
    session: AsyncSession,
    account: Account,
    protector: Protector,
    bot: Bot,
) -> None:
    document = message.document
    assert document is not None
    disbursement = await _collecting(session, state)
    if disbursement is None:
        await show_menu(message, _("This schedule is no longer active."), account)
        return
    if (document.file_size or 0) > MAX_FILE_BYTES:
        await message.answer(_("That file is too large (more than 5 MB). Please split it."))
        return
    try:
        parsed = kk_list.read_kk_file(await download(bot, document.file_id), _file_name(document))
    except FileProblem as exc:
        await message.answer(_file_problem(exc))
        return
    hashes = [protector.lookup_hash(number) for number in parsed.numbers]
    result = await schedules.mark_collected(session, account, disbursement, hashes, via="file")
    lines = [
        _(
            "From the file: {marked} marked as collected, {already} already marked, "
            "{other} not on this schedule, {unknown} not on our list, {invalid} lines without a "
            "16-digit number."
        ).format(
            marked=result.marked,
            already=result.already,
            other=result.not_recipient,
            unknown=result.unknown,
            invalid=parsed.invalid_rows,
        ),
        await _progress(session, disbursement),
    ]
    await message.answer("\n".join(lines))


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
