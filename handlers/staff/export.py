"""Staff: export reports as XLSX (/ekspor, menu "Ekspor Data"): the report (and, for the
verification results in a list's own layout, the list), the area (kabupaten, a kecamatan or a
desa) and the period are chosen with buttons, or the dates typed; the file holds full NIK and
KK numbers, and each export is audited (services.export). Photo cells are links to this bot
(services.photo_links, answered by handlers.photo_links)."""

from __future__ import annotations

import datetime as dt
import re
import shutil
import tempfile
from pathlib import Path

from aiogram import Bot
from aiogram.filters.callback_data import CallbackData
from aiogram.fsm.context import FSMContext
from aiogram.fsm.state import State, StatesGroup
from aiogram.types import CallbackQuery, FSInputFile, InlineKeyboardMarkup, Message
from aiogram.utils.i18n import gettext as _
from aiogram.utils.i18n import lazy_gettext as __
from aiogram.utils.keyboard import InlineKeyboardBuilder
from sqlalchemy.ext.asyncio import AsyncSession

from conversations.messages import edit_text
from conversations.parking import clear_but_keep_form
from conversations.validators import ValidationError, parse_date
from db import regions
from db.models.accounts import Account
from db.protect import Protector
from domain.dates import format_date_long, today_wib
from handlers.keyboards import main_menu
from services.export import UNREADABLE_SHEET, Filters, export
from services.export_sources import SOURCE_KIND


class ExportCallback(CallbackData, prefix="exp"):
    step: str  # kind | area | desa | period
    # The report; for the verification report, with its list: "hasil_verifikasi-p3ke" (in
    # this field, so that buttons sent before it existed still read).
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
    "kasus": __("Complaints and cases, with outcomes"),
    "laporan_cepat": __("Volunteers' quick reports"),
    "bnba": __("BNBA list, one row per person (imports again as it is)"),
    SOURCE_KIND: __("Verification results in the source list's layout"),
    "status_keluarga": __("Families moved, died or not found"),
}
# The lists whose own layout the verification results go back in (services.export_sources):
# their own names, not translated.
SOURCE_LABELS = {"p3ke": "P3KE (Individu)", "dtks": "DTKS/BDT"}


def _report(choice: str) -> tuple[str, str] | None:
    """(report, list) of a button's ``kind``; None for one that is not (or no longer) valid.
    The verification report without its list yet is ``(SOURCE_KIND, "")``."""
    kind, _sep, source = choice.partition("-")
    if kind not in REPORT_LABELS or (source and (kind != SOURCE_KIND or
                                                 source not in SOURCE_LABELS)):
        return None
    return kind, source
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


def _sources_keyboard() -> InlineKeyboardMarkup:
    builder = InlineKeyboardBuilder()
    for source, label in SOURCE_LABELS.items():
        builder.button(
            text=label, callback_data=ExportCallback(step="kind", kind=f"{SOURCE_KIND}-{source}")
        )
    builder.adjust(1)
    return builder.as_markup()


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
    bot: Bot,
) -> None:
    data = callback_data
    message = query.message if isinstance(query.message, Message) else None
    report = _report(data.kind)
    # Past the first step, the verification report always carries its list.
    if report is None or message is None or (report == (SOURCE_KIND, "") and data.step != "kind"):
        await query.answer(_("This button is no longer active."))
        return
    await query.answer()
    if data.step == "kind" and report == (SOURCE_KIND, ""):
        await edit_text(message, _("Which list are the results for?"), _sources_keyboard())
    elif data.step == "kind" and data.kind != "siaran":
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
        await _send_export(message, session, account, protector, bot, data.kind, data.area,
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
    bot: Bot,
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
    await clear_but_keep_form(state)
    label = " – ".join(dict.fromkeys(format_date_long(d) for d in (date_from, date_to)))
    await message.answer(_("Preparing the file…"))
    await _send_export(message, session, account, protector, bot, data.get("export_kind", ""),
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
    bot: Bot,
    choice: str,
    area: str,
    date_from: dt.date | None,
    date_to: dt.date | None,
    period: str,
) -> None:
    region = await regions.by_code(session, area) if area else None
    report = _report(choice)
    # The verification report goes nowhere without its list (a crafted or broken button).
    if report is None or report == (SOURCE_KIND, "") or (area and region is None):
        await message.answer(_("This button is no longer active."))
        return
    kind, source = report
    kecamatan = desa = None
    if region is not None:
        if region.level == "kecamatan":
            kecamatan = region.code
        else:
            desa, kecamatan = region.code, region.parent_code
    today = today_wib()
    filters = Filters(kecamatan, desa, date_from, date_to, source or None)
    folder = Path(tempfile.mkdtemp(prefix="ekspor-"))
    try:
        name = f"{kind}_{source + '_' if source else ''}{today:%Y%m%d}.xlsx"
        # The photo cells are links to this bot (t.me/<username>?start=foto_...).
        username = (await bot.me()).username
        result = await export(
            session, protector, kind, filters, folder / name, actor=account, via="bot",
            bot_username=username,
        )  # fmt: skip
        where = region.name if region is not None else _("Kabupaten Bekasi")
        label = str(REPORT_LABELS[kind])
        if source:
            label = f"{label} ({SOURCE_LABELS[source]})"
        caption = _(
            "{report}: {rows} rows, {area}, {period}. It holds full NIK and KK numbers: "
            "keep it safe and do not share it."
        ).format(
            report=label, rows=result.rows, area=where, period=period,
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
