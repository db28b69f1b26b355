"""Staff: import the BNBA list (/impor) and export reports as XLSX (/ekspor).

The import runs as a task beside the update that delivered the file: it commits batch by
batch with its own sessions (one update's transaction would hold SQLite's write lock for the
whole file) and edits a progress message while it works, so the bot keeps answering. One
import runs at a time per process; a second waits for the first. If the process stops
midway, the batches already written stay, and sending the file again finishes the job
(importing is idempotent).
"""

from __future__ import annotations

import asyncio
import contextlib
import datetime as dt
import logging
import re
import shutil
import tempfile
import time
import weakref
from pathlib import Path

from aiogram import Bot, Router
from aiogram.exceptions import TelegramAPIError
from aiogram.filters import Command, StateFilter
from aiogram.filters.callback_data import CallbackData
from aiogram.fsm.context import FSMContext
from aiogram.fsm.state import State, StatesGroup
from aiogram.types import CallbackQuery, FSInputFile, InlineKeyboardMarkup, Message
from aiogram.utils.i18n import gettext as _
from aiogram.utils.i18n import lazy_gettext as __
from aiogram.utils.keyboard import InlineKeyboardBuilder
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from conversations.messages import edit_text
from conversations.validators import ValidationError, parse_date
from db import regions
from db.engine import current_session
from db.models.accounts import Account
from db.protect import Protector
from domain.dates import format_date_long, today_wib
from handlers.access import STAFF, gated_router
from handlers.commands import COMMANDS, CommandInfo
from handlers.filters import HasDocument
from handlers.keyboards import MENU_ENTRIES, MenuButton, MenuEntry, main_menu
from handlers.staff.bnba_texts import describe, summary_text
from services.bnba_import import FileProblem, import_file
from services.export import UNREADABLE_SHEET, Filters, export

log = logging.getLogger(__name__)

MENU_ENTRIES.extend(
    [
        MenuEntry("staff_import", __("📥 Import BNBA"), roles=STAFF),
        MenuEntry("staff_export", __("📤 Export data"), roles=STAFF),
    ]
)
COMMANDS.extend(
    [
        CommandInfo(
            "impor",
            __("Import the BNBA list"),
            __("imports the BNBA list from a CSV or XLSX file."),
            roles=STAFF,
        ),
        CommandInfo(
            "ekspor",
            __("Export data (XLSX)"),
            __("sends a report as an Excel file, by area and period."),
            roles=STAFF,
        ),
    ]
)

# Telegram lets bots download files up to 20 MB (about 150,000 BNBA rows as CSV).
MAX_DOWNLOAD = 20 * 1024 * 1024
PROGRESS_EVERY = 2.0  # seconds between edits of the progress message
SAMPLE = Path(__file__).resolve().parents[2] / "docs" / "contoh_bnba.csv"
ACCEPTED = (".csv", ".xlsx", ".txt")

# One import at a time per event loop (a lock belongs to the loop that first waits on it).
_import_locks: weakref.WeakKeyDictionary[asyncio.AbstractEventLoop, asyncio.Lock] = (
    weakref.WeakKeyDictionary()
)
_running: set[asyncio.Task[None]] = set()  # strong references: tasks are not lost to the GC


def _import_lock() -> asyncio.Lock:
    loop = asyncio.get_running_loop()
    lock = _import_locks.get(loop)
    if lock is None:
        lock = _import_locks[loop] = asyncio.Lock()
    return lock


class ImportStates(StatesGroup):
    waiting_file = State()


# --------------------------------------------------------------------------- import


async def start_import(message: Message, state: FSMContext) -> None:
    await state.set_state(ImportStates.waiting_file)
    text = _(
        "Send the BNBA file (CSV or XLSX) here as a document: one row per person, grouped by "
        "No. KK. Required columns: no_kk, nik, nama, hubungan, jenis_kelamin, tanggal_lahir, "
        "alamat, rt, rw, kecamatan, desa, program. The sample below shows the format.\n\n"
        "To stop: /batal"
    )
    if SAMPLE.is_file():
        await message.answer_document(FSInputFile(SAMPLE, filename=SAMPLE.name), caption=text)
    else:
        await message.answer(text)


async def not_a_file(message: Message) -> None:
    await message.answer(
        _("Please send the CSV or XLSX file as a document (📎, then File). To stop: /batal")
    )


async def receive_file(
    message: Message,
    state: FSMContext,
    bot: Bot,
    account: Account,
    sessionmaker: async_sessionmaker[AsyncSession],
    protector: Protector,
) -> None:
    document = message.document
    assert document is not None
    name = document.file_name or "bnba.csv"
    if Path(name).suffix.lower() not in ACCEPTED:
        await message.answer(
            _("The file {name} is not CSV or XLSX. Please send a .csv or .xlsx file.").format(
                name=name
            )
        )
        return
    if (document.file_size or 0) > MAX_DOWNLOAD:
        await message.answer(
            _(
                "The file is larger than 20 MB, the most Telegram lets a bot receive. Please "
                "split it, or ask the administrator to import it on the server "
                "(python -m bot import)."
            )
        )
        return
    await state.clear()
    waiting = _import_lock().locked()
    progress = await message.answer(
        _("Another import is running; yours starts after it.")
        if waiting
        else _("Importing… The bot will tell you when it is done.")
    )
    task = asyncio.create_task(
        _run_import(bot, account, sessionmaker, protector, document.file_id, name, progress),
        name="bnba-import",
    )
    _running.add(task)
    task.add_done_callback(_running.discard)


async def _run_import(
    bot: Bot,
    account: Account,
    sessionmaker: async_sessionmaker[AsyncSession],
    protector: Protector,
    file_id: str,
    name: str,
    progress_message: Message,
) -> None:
    # This task inherited the update's context: it must not write into that update's session.
    current_session.set(None)
    chat_id = account.telegram_id
    folder = Path(tempfile.mkdtemp(prefix="bnba-"))
    try:
        async with _import_lock():
            path = folder / Path(name).name
            await bot.download(file_id, destination=path)
            last_edit = time.monotonic()

            async def progress(rows: int) -> None:
                nonlocal last_edit
                if time.monotonic() - last_edit < PROGRESS_EVERY:
                    return
                last_edit = time.monotonic()
                with contextlib.suppress(TelegramAPIError):
                    await edit_text(
                        progress_message, _("Importing… {rows} rows read so far.").format(rows=rows)
                    )

            try:
                summary = await import_file(
                    path, sessionmaker, protector, describe, actor=account, via="bot",
                    rejected_path=folder / _("rows_to_check.xlsx"), progress=progress,
                )  # fmt: skip
            except FileProblem as exc:
                await bot.send_message(
                    chat_id,
                    _("The file could not be imported: {reason}").format(
                        reason=describe(exc.code, exc.params)
                    ),
                    reply_markup=main_menu(account),
                )
                return
            with contextlib.suppress(TelegramAPIError):
                await edit_text(progress_message, _("Import finished."))
            await bot.send_message(chat_id, summary_text(summary), reply_markup=main_menu(account))
            if summary.rejected_file is not None:
                await bot.send_document(
                    chat_id,
                    FSInputFile(summary.rejected_file, filename=summary.rejected_file.name),
                    caption=_("Rows not imported, or imported but to check, with the reason."),
                )
    except Exception:
        log.exception("bnba import failed account=%s", account.id)
        with contextlib.suppress(TelegramAPIError):
            await bot.send_message(
                chat_id,
                _(
                    "Sorry, the import stopped because of an error. What was already saved "
                    "stays; send the file again to finish it."
                ),
                reply_markup=main_menu(account),
            )
    finally:
        shutil.rmtree(folder, ignore_errors=True)


# --------------------------------------------------------------------------- export


class ExportCallback(CallbackData, prefix="exp"):
    step: str  # kind | area | desa | period
    kind: str = ""
    area: str = ""  # a region code: kecamatan or desa, never personal data
    period: str = ""


REPORT_LABELS = {
    "rumah_tangga": __("Households: latest status, verification"),
    "laporan": __("Self-reports"),
    "kunjungan": __("Field visits"),
    "pelatihan": __("Training enrollments"),
    "penyaluran": __("Aid recipients and collection"),
    "siaran": __("Broadcast delivery"),
}
PERIOD_LABELS = {
    "all": __("All time"),
    "7": __("Last 7 days"),
    "30": __("Last 30 days"),
    "month": __("This month"),
    "year": __("This year"),
    "custom": __("📅 Type the dates"),
}
_DATE_TOKEN = re.compile(r"\d{4}-\d{1,2}-\d{1,2}|\d{1,2}[-/.]\d{1,2}[-/.]\d{2,4}")


class ExportStates(StatesGroup):
    waiting_dates = State()


def _kinds_keyboard() -> InlineKeyboardMarkup:
    builder = InlineKeyboardBuilder()
    for kind, label in REPORT_LABELS.items():
        builder.button(text=str(label), callback_data=ExportCallback(step="kind", kind=kind))
    builder.adjust(1)
    return builder.as_markup()


async def start_export(message: Message) -> None:
    await message.answer(_("Which report do you need?"), reply_markup=_kinds_keyboard())


async def _area_keyboard(session: AsyncSession, kind: str, parent: str) -> InlineKeyboardMarkup:
    builder = InlineKeyboardBuilder()
    whole = _("Whole kabupaten") if parent == "32.16" else _("Whole kecamatan")
    step = "area" if parent == "32.16" else "desa"
    builder.button(
        text=whole,
        callback_data=ExportCallback(step="desa", kind=kind, area="" if step == "area" else parent),
    )
    for region in await regions.children(session, parent):
        builder.button(
            text=region.name, callback_data=ExportCallback(step=step, kind=kind, area=region.code)
        )
    builder.adjust(1, 2)
    return builder.as_markup()


def _period_keyboard(kind: str, area: str) -> InlineKeyboardMarkup:
    builder = InlineKeyboardBuilder()
    for period, label in PERIOD_LABELS.items():
        builder.button(
            text=str(label),
            callback_data=ExportCallback(step="period", kind=kind, area=area, period=period),
        )
    builder.adjust(1)
    return builder.as_markup()


async def export_step(
    query: CallbackQuery,
    callback_data: ExportCallback,
    session: AsyncSession,
    account: Account,
    protector: Protector,
    state: FSMContext,
) -> None:
    data = callback_data
    message = query.message if isinstance(query.message, Message) else None
    if data.kind not in REPORT_LABELS or message is None:
        await query.answer(_("This button is no longer active."))
        return
    await query.answer()
    if data.step == "kind" and data.kind != "siaran":
        await edit_text(
            message, _("Which area?"), await _area_keyboard(session, data.kind, "32.16")
        )
    elif data.step == "area" and data.area:
        await edit_text(
            message,
            _("Which desa/kelurahan?"),
            await _area_keyboard(session, data.kind, data.area),
        )
    elif data.step in ("kind", "area", "desa"):
        await edit_text(message, _("Which period?"), _period_keyboard(data.kind, data.area))
    elif data.step == "period" and data.period == "custom":
        await state.set_state(ExportStates.waiting_dates)
        await state.update_data(export_kind=data.kind, export_area=data.area)
        await edit_text(message, str(DATES_PROMPT))
    elif data.step == "period" and data.period in PERIOD_LABELS:
        await edit_text(message, _("Preparing the file…"))
        date_from, date_to = _dates(data.period, today_wib())
        label = str(PERIOD_LABELS[data.period])
        await _send_export(message, session, account, protector, data.kind, data.area,
                           date_from, date_to, label)  # fmt: skip


DATES_PROMPT = __(
    "Type the first and the last day, for example: 01-10-2026 sampai 31-10-2026 "
    "(or one date for a single day). To stop: /batal"
)


async def receive_dates(
    message: Message,
    state: FSMContext,
    session: AsyncSession,
    account: Account,
    protector: Protector,
) -> None:
    tokens = _DATE_TOKEN.findall(message.text or "")
    try:
        if not 1 <= len(tokens) <= 2:
            raise ValidationError(DATES_PROMPT)
        days = [parse_date(token, max=today_wib()) for token in tokens]
    except ValidationError as error:
        await message.answer(error.render())
        return
    date_from, date_to = min(days), max(days)
    data = await state.get_data()
    await state.clear()
    label = " – ".join(dict.fromkeys(format_date_long(d) for d in (date_from, date_to)))
    await message.answer(_("Preparing the file…"))
    await _send_export(message, session, account, protector, data.get("export_kind", ""),
                       data.get("export_area", ""), date_from, date_to, label)  # fmt: skip


def _dates(period: str, today: dt.date) -> tuple[dt.date | None, dt.date | None]:
    if period in ("7", "30"):
        return today - dt.timedelta(days=int(period) - 1), today
    if period == "month":
        return today.replace(day=1), today
    if period == "year":
        return today.replace(month=1, day=1), today
    return None, None


async def _send_export(
    message: Message,
    session: AsyncSession,
    account: Account,
    protector: Protector,
    kind: str,
    area: str,
    date_from: dt.date | None,
    date_to: dt.date | None,
    period: str,
) -> None:
    region = await regions.by_code(session, area) if area else None
    if kind not in REPORT_LABELS or (area and region is None):
        await message.answer(_("This button is no longer active."))
        return
    kecamatan = desa = None
    if region is not None:
        if region.level == "kecamatan":
            kecamatan = region.code
        else:
            desa, kecamatan = region.code, region.parent_code
    today = today_wib()
    filters = Filters(kecamatan, desa, date_from, date_to)
    folder = Path(tempfile.mkdtemp(prefix="ekspor-"))
    try:
        name = f"{kind}_{today:%Y%m%d}.xlsx"
        result = await export(
            session, protector, kind, filters, folder / name, actor=account, via="bot"
        )
        where = region.name if region is not None else _("Kabupaten Bekasi")
        caption = _(
            "{report}: {rows} rows, {area}, {period}. It holds full NIK and KK numbers: "
            "keep it safe and do not share it."
        ).format(
            report=REPORT_LABELS[kind], rows=result.rows, area=where, period=period,
        )
        if result.unreadable:
            caption += "\n\n" + _(
                "{count} rows hold a NIK or KK that could not be opened (the key differs or "
                "the data is damaged); they are listed on the sheet \"{sheet}\"."
            ).format(count=len(result.unreadable), sheet=UNREADABLE_SHEET)
        await message.answer_document(
            FSInputFile(folder / name, filename=name),
            caption=caption,
            reply_markup=main_menu(account),
        )
    finally:
        shutil.rmtree(folder, ignore_errors=True)


def create_router() -> Router:
    router = gated_router("staff_data", STAFF)
    router.message.register(start_import, Command("impor"))
    router.message.register(start_import, MenuButton("staff_import"))
    router.message.register(receive_file, StateFilter(ImportStates.waiting_file), HasDocument())
    router.message.register(not_a_file, StateFilter(ImportStates.waiting_file))
    router.message.register(start_export, Command("ekspor"))
    router.message.register(start_export, MenuButton("staff_export"))
    router.message.register(receive_dates, StateFilter(ExportStates.waiting_dates))
    router.callback_query.register(export_step, ExportCallback.filter())
    return router
