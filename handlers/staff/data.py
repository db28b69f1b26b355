"""Staff: import the BNBA list (/impor) and export reports as XLSX (/ekspor; the steps are in
handlers/staff/export.py).

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
import logging
import shutil
import tempfile
import time
import weakref
from pathlib import Path

from aiogram import Bot, F, Router
from aiogram.exceptions import TelegramAPIError
from aiogram.filters import Command, StateFilter
from aiogram.fsm.context import FSMContext
from aiogram.fsm.state import State, StatesGroup
from aiogram.types import CallbackQuery, FSInputFile, Message
from aiogram.utils.i18n import gettext as _
from aiogram.utils.i18n import lazy_gettext as __
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from conversations.messages import edit_text
from conversations.parking import clear_but_keep_form
from db.engine import current_session
from db.models.accounts import Account
from db.protect import Protector
from handlers.access import STAFF, gated_router
from handlers.commands import COMMANDS, CommandInfo
from handlers.filters import HasDocument
from handlers.keyboards import MENU_ENTRIES, MenuButton, MenuEntry, main_menu
from handlers.staff.bnba_texts import describe, summary_text
from handlers.staff.export import (
    ExportCallback,
    ExportStates,
    export_step,
    receive_dates,
    start_export,
)
from handlers.staff.import_mapping import (
    ImportCodesCb,
    ImportColumnCb,
    ask_next,
    downloaded,
    next_step,
)
from services.bnba_import import Choice, FileProblem, import_file, plan_file

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
        "Send the list (CSV or XLSX) here as a document: one row per person. The bot reads "
        "P3KE (Keluarga and Individu sheets), DTKS/BDT, Regsosek/DTSEN, SIKS-NG and KPM files "
        "as they come, and its own format: no_kk, nik, nama, hubungan, jenis_kelamin, "
        "tanggal_lahir, alamat, rt, rw, kecamatan, desa, program (the sample below). Only "
        "the NIK or name, the No. KK (or the list's family id) and the desa are required; "
        "if the bot cannot find one of them, it asks which column holds it.\n\nTo stop: /batal"
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
    await clear_but_keep_form(state)
    # Can the file be read as it is (a known layout, or a choice remembered for its headers)?
    # If not, the staff member picks the missing columns first (handlers.staff.import_mapping).
    try:
        async with downloaded(bot, document.file_id, name) as path:
            plan = await plan_file(path, sessionmaker)
            try:
                if not plan.sheets and plan.unread is not None:
                    await state.update_data(file_id=document.file_id, name=name, mapping={})
                    await ask_next(bot, message.chat.id, state, plan, [])  # reads its rows
                    return
            finally:
                plan.close()
    except FileProblem:
        pass  # the import itself says what is wrong with the file
    await _start(bot, account, sessionmaker, protector, document.file_id, name, None)


async def mapping_chosen(
    query: CallbackQuery,
    callback_data: ImportColumnCb | ImportCodesCb,
    state: FSMContext,
    bot: Bot,
    account: Account,
    sessionmaker: async_sessionmaker[AsyncSession],
    protector: Protector,
) -> None:
    """A column picked for a field, or the relation-code system: the next question, or the
    import once every answer is in."""
    if isinstance(callback_data, ImportColumnCb):
        ready = await next_step(bot, query, state, sessionmaker, column=callback_data.column)
    else:
        ready = await next_step(bot, query, state, sessionmaker, system=callback_data.system)
    if ready is not None:
        await _start(bot, account, sessionmaker, protector, *ready)


async def _start(
    bot: Bot,
    account: Account,
    sessionmaker: async_sessionmaker[AsyncSession],
    protector: Protector,
    file_id: str,
    name: str,
    choice: Choice | None,
) -> None:
    waiting = _import_lock().locked()
    progress = await bot.send_message(
        account.telegram_id,
        _("Another import is running; yours starts after it.")
        if waiting
        else _("Importing… The bot will tell you when it is done."),
    )
    task = asyncio.create_task(
        _run_import(bot, account, sessionmaker, protector, file_id, name, progress, choice),
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
    choice: Choice | None,
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
                    choice=choice,
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


def create_router() -> Router:
    router = gated_router("staff_data", STAFF)
    router.message.register(start_import, Command("impor"))
    router.message.register(start_import, MenuButton("staff_import"))
    router.message.register(receive_file, StateFilter(ImportStates.waiting_file), HasDocument())
    router.message.register(not_a_file, StateFilter(ImportStates.waiting_file))
    # No state filter: a button pressed without its question (old, or not staff) must
    # reach the role gate and then next_step, which says the question has expired.
    router.callback_query.register(mapping_chosen, ImportColumnCb.filter())
    router.callback_query.register(
        mapping_chosen, ImportCodesCb.filter(F.system.in_({"dukcapil", "bdt"}))
    )
    router.message.register(start_export, Command("ekspor"))
    router.message.register(start_export, MenuButton("staff_export"))
    router.message.register(receive_dates, StateFilter(ExportStates.waiting_dates))
    router.callback_query.register(export_step, ExportCallback.filter())
    return router
