"""Staff: a new aid schedule (/jadwalbaru, menu "Jadwal Baru"). Who it reaches is chosen first
(every household of a program, a kecamatan, some desa, or a file of KK numbers), the
households are counted, then the schedule form (conversations/schedule_form) asks the rest."""

from __future__ import annotations

from typing import Any

from aiogram import Bot
from aiogram.filters.callback_data import CallbackData
from aiogram.fsm.context import FSMContext
from aiogram.types import (
    CallbackQuery,
    Document,
    InlineKeyboardButton,
    InlineKeyboardMarkup,
    Message,
)
from aiogram.utils.i18n import gettext as _
from aiogram.utils.keyboard import InlineKeyboardBuilder
from sqlalchemy.ext.asyncio import AsyncSession

from conversations import begin
from conversations.messages import edit_markup, edit_text
from conversations.parking import clear_but_keep_form
from conversations.schedule_form import FORM_NAME, PROGRAMS, program_label
from db import regions
from db.protect import Protector
from handlers.chat import download, remove_buttons
from handlers.staff.bnba_texts import describe
from handlers.staff.schedule_flow import ScheduleFlow
from services import kk_list, schedules
from services.bnba_file import FileProblem

KABUPATEN = "32.16"
MAX_FILE_BYTES = 5 * 1024 * 1024


class TargetCb(CallbackData, prefix="jt"):
    """Choosing who a new schedule reaches: `s` step, `v` a program or region code."""

    s: str
    v: str = ""


def target_kinds() -> InlineKeyboardMarkup:
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
    await message.answer(_("Who should this schedule reach?"), reply_markup=target_kinds())


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


async def start_form(
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
            reply_markup=target_kinds(),
        )
        return
    await clear_but_keep_form(state)  # the picker's choices go; begin() replaces a kept form
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
        await start_form(query.message, state, session, target, label)


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
    await ask_area_program(query.message, state, target, label)


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
    await clear_but_keep_form(state, {"sched_kec": callback_data.v, "sched_desa": []})
    await state.set_state(ScheduleFlow.desa)
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
    await ask_area_program(query.message, state, target, label)


async def ask_area_program(
    message: Message, state: FSMContext, target: schedules.Target, label: str
) -> None:
    """An area target reaches every household there, or only those of one programme (PKH in
    one kecamatan): asked before the form, whose programme question is then answered."""
    await state.set_state(ScheduleFlow.area_program)
    await state.set_data({"sched_area": target.as_json(), "sched_label": label})
    builder = InlineKeyboardBuilder()
    builder.button(text=_("All households there"), callback_data=TargetCb(s="aprog", v="*"))
    for option in PROGRAMS:
        builder.button(
            text=_("Only {program}").format(program=option.label),
            callback_data=TargetCb(s="aprog", v=option.value),
        )
    builder.adjust(1, 3)
    await message.answer(
        _("Which households of {area}?").format(area=label), reply_markup=builder.as_markup()
    )


async def choose_area_program(
    query: CallbackQuery, callback_data: TargetCb, state: FSMContext, session: AsyncSession
) -> None:
    data = await state.get_data()
    area = data.get("sched_area")
    codes = {option.value for option in PROGRAMS}
    if await state.get_state() != ScheduleFlow.area_program.state or not area or (
        callback_data.v != "*" and callback_data.v not in codes
    ):
        await query.answer(_("This button is no longer active."))
        return
    await query.answer()
    if not isinstance(query.message, Message):
        return
    await remove_buttons(query.message)
    target = schedules.Target.from_json(area)
    label = str(data.get("sched_label") or "")
    if callback_data.v != "*":
        target.program = callback_data.v
        label = _("{program} households in {area}").format(
            program=program_label(callback_data.v), area=label
        )
    await start_form(query.message, state, session, target, label)


def file_name(document: Document) -> str:
    return document.file_name or _("the file")


def file_problem(exc: FileProblem) -> str:
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
        match = await kk_list.match_file(session, protector, content, file_name(document))
    except FileProblem as exc:
        await message.answer(file_problem(exc))
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
    await start_form(message, state, session, target, label, {"file_id": document.file_id})


async def kk_file_not_a_document(message: Message) -> None:
    await message.answer(
        _("Please send the KK numbers as a file (📎, then File), or /batal to stop.")
    )
