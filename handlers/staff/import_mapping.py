"""Staff: a list whose columns no layout knows (/impor). For each identity field not found,
the staff member picks the column from buttons, with three rows' values beside each column
(masked when they look like a NIK/KK); a relation column of numbers asks which code system
it uses. Then the import runs, and the choice is remembered for files with the same headers
(services.import_mappings), so the next one imports without asking.

The conversation keeps only the file's Telegram id, the field being asked and the columns
chosen (headers, never a value): each step downloads the file into a private temporary
folder, reads what it needs and deletes it, so no list lingers on disk if the staff member
walks away.
"""

from __future__ import annotations

import shutil
import tempfile
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path

from aiogram import Bot
from aiogram.filters.callback_data import CallbackData
from aiogram.fsm.context import FSMContext
from aiogram.fsm.state import State, StatesGroup
from aiogram.types import CallbackQuery, InlineKeyboardButton, InlineKeyboardMarkup
from aiogram.utils.i18n import gettext as _
from aiogram.utils.i18n import lazy_gettext as __
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from domain.identity import has_id_number, mask_id_numbers
from handlers.callback_ids import Page
from services.bnba_file import BnbaFile
from services.bnba_import import Choice, FilePlan, plan_file

FIELD_LABELS = {
    "nik": __("the NIK (or, if there is none, the name)"),
    "no_kk": __("the No. KK (or the list's own family id)"),
    "desa": __("the desa/kelurahan (name or code)"),
}
PREVIEW_ROWS = 3
NO_COLUMN = 99_999  # the "no such column" button
MAX_TEXT = 3800  # Telegram allows 4096 characters in a message


class ImportMapStates(StatesGroup):
    choosing = State()


class ImportColumnCb(CallbackData, prefix="impcol"):
    column: Page


class ImportCodesCb(CallbackData, prefix="impcodes"):
    system: str  # dukcapil | bdt


@asynccontextmanager
async def downloaded(bot: Bot, file_id: str, name: str) -> AsyncIterator[Path]:
    """The file in a private temporary folder, removed on leaving."""
    folder = Path(tempfile.mkdtemp(prefix="bnba-"))
    try:
        path = folder / Path(name).name
        await bot.download(file_id, destination=path)
        yield path
    finally:
        shutil.rmtree(folder, ignore_errors=True)


def _shown(value: str) -> str:
    value = " ".join(value.split())[:24]
    return mask_id_numbers(value) if has_id_number(value) else value or "-"


def column_question(source: BnbaFile, field: str, optional: bool
                    ) -> tuple[str, InlineKeyboardMarkup]:  # fmt: skip
    preview = source.preview(PREVIEW_ROWS)
    lines = [
        _("The columns of this file are not the ones the bot knows. Which column holds {what}? "
          "Below each column are the values of its first rows.").format(
            what=FIELD_LABELS[field]),
        "",
    ]  # fmt: skip
    buttons = []
    for index, header in enumerate(source.header):
        values = " · ".join(_shown(row[index]) for row in preview if index < len(row))
        line = f"{index + 1}. {header}: {values}"
        if sum(len(x) + 1 for x in lines) + len(line) < MAX_TEXT:
            lines.append(line)
        label = f"{index + 1}. {header}"[:40]
        buttons.append(InlineKeyboardButton(
            text=label, callback_data=ImportColumnCb(column=index).pack()))  # fmt: skip
    rows = [buttons[i : i + 2] for i in range(0, len(buttons), 2)]
    if optional:
        rows.append([InlineKeyboardButton(
            text=_("The file has no such column"),
            callback_data=ImportColumnCb(column=NO_COLUMN).pack())])  # fmt: skip
    return "\n".join(lines), InlineKeyboardMarkup(inline_keyboard=rows)


def codes_question(column: str) -> tuple[str, InlineKeyboardMarkup]:
    text = _(
        "Column {column} holds relation numbers. The same number means different things in "
        "different lists: which codes does this file use?"
    ).format(column=column)
    choices = (("dukcapil", _("Dukcapil, as on the KK (3 = istri)")),
               ("bdt", _("BDT / Regsosek (3 = anak)")))  # fmt: skip
    keyboard = [[InlineKeyboardButton(text=label, callback_data=ImportCodesCb(system=code).pack())]
                for code, label in choices]  # fmt: skip
    return text, InlineKeyboardMarkup(inline_keyboard=keyboard)


def to_ask(plan: FilePlan, skipped: list[str]) -> tuple[BnbaFile, list[str]]:
    """The sheet being asked about, and what is still to ask: the identity fields it lacks
    (or its relation codes), and the NIK column when only names were found (a list with
    NIKs should not be imported by name; "no such column" skips it)."""
    source = plan.unread or plan.sheets[0].source
    assert source.reading is not None
    missing = plan.missing if not plan.sheets else []
    extra = []
    if "nik" not in source.reading.fields and "nik" not in skipped and "nik" not in missing:
        extra.append("nik")
    return source, extra + missing


async def ask_next(bot: Bot, chat_id: int, state: FSMContext, plan: FilePlan,
                   skipped: list[str]) -> bool:  # fmt: skip
    """Ask for the first thing the plan lacks (the state remembers what is asked); False
    when nothing is left to ask."""
    source, fields = to_ask(plan, skipped)
    if not fields:
        return False
    assert source.reading is not None
    field = fields[0]
    if field == "hubungan":
        index = source.reading.index("hubungan")
        text, markup = codes_question(source.header[index] if index is not None else field)
    else:
        text, markup = column_question(source, field, optional=field not in plan.missing)
    await state.set_state(ImportMapStates.choosing)
    await state.update_data(asking=field)
    await bot.send_message(chat_id, text, reply_markup=markup)
    return True


async def next_step(
    bot: Bot,
    query: CallbackQuery,
    state: FSMContext,
    sessionmaker: async_sessionmaker[AsyncSession],
    *,
    column: int | None = None,
    system: str | None = None,
) -> tuple[str, str, Choice] | None:
    """Record what was picked (a column, or a code system), then ask the next thing; the
    file's id, name and the full choice once nothing is missing any more."""
    data = await state.get_data()
    if "file_id" not in data or "asking" not in data:
        await query.answer(_("This question has expired. Please send the file again: /impor"))
        return None
    await query.answer()
    choice = Choice(dict(data.get("mapping", {})), None, system or data.get("codes"))
    skipped = list(data.get("skipped", []))
    async with downloaded(bot, data["file_id"], data["name"]) as path:
        if column == NO_COLUMN:
            skipped.append(data["asking"])
        elif column is not None:
            source = BnbaFile(path)
            try:
                header = source.read_header().headers
            finally:
                source.close()
            if column >= len(header):
                return None
            choice.mapping[data["asking"]] = header[column]
        plan = await plan_file(path, sessionmaker, choice)
        try:
            await state.update_data(mapping=choice.mapping, codes=choice.relation_codes,
                                    skipped=skipped)  # fmt: skip
            if await ask_next(bot, query.from_user.id, state, plan, skipped):
                return None
        finally:
            plan.close()
    await state.clear()
    return data["file_id"], data["name"], choice
