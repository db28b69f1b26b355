"""/statistik (menu "Statistik"): staff get the kabupaten's numbers, each kecamatan and desa
one tap away, each kecamatan's volunteers ("👥 Per pendamping"), and a chart per kecamatan; a
TKSK gets their kecamatan (its desa and its volunteers one tap away), a PSM their desa, and
both their own line.
The texts: handlers.staff.stats_text; the chart: handlers.staff.stats_chart (drawn in a worker
thread, so the event loop keeps serving others meanwhile)."""

from __future__ import annotations

import asyncio

from aiogram import Router
from aiogram.filters import Command
from aiogram.filters.callback_data import CallbackData
from aiogram.types import BufferedInputFile, CallbackQuery, InlineKeyboardMarkup, Message
from aiogram.utils.i18n import gettext as _
from aiogram.utils.i18n import lazy_gettext as __
from aiogram.utils.keyboard import InlineKeyboardBuilder
from babel.numbers import format_percent
from sqlalchemy.ext.asyncio import AsyncSession

from db import regions
from db.models.accounts import Account
from db.models.base import utcnow
from domain.dates import format_date_long, to_wib, today_wib
from domain.roles import PETUGAS, TKSK, VOLUNTEERS_AND_STAFF
from handlers.access import STAFF, gated_router, require_consent
from handlers.chat import show_page
from handlers.commands import COMMANDS, CommandInfo
from handlers.keyboards import MENU_ENTRIES, MenuButton, MenuEntry
from handlers.staff import stats_text as text
from handlers.staff.stats_chart import chart_png
from handlers.volunteers.ui import pager
from services import payout, stats, stats_volunteers

MENU_ENTRIES.append(MenuEntry("staff_stats", __("📊 Statistics"), roles=STAFF))
COMMANDS.append(
    CommandInfo(
        "statistik",
        __("Statistics"),
        __("numbers of your area (staff: the kabupaten, each kecamatan and desa, a chart)."),
        roles=VOLUNTEERS_AND_STAFF,
    )
)


class StatsCb(CallbackData, prefix="st"):
    code: str  # a kecamatan or desa code; the kabupaten's for the list of kecamatan


class VolunteersCb(CallbackData, prefix="stv"):
    """Staff only: the volunteers of a kecamatan (the kabupaten's code: pick a kecamatan)."""

    code: str
    page: int = 0
    turn: bool = False  # a page turned (edited in place), not the list opened


def _area_buttons(rows: list[stats.AreaNumbers]) -> InlineKeyboardBuilder:
    builder = InlineKeyboardBuilder()
    for row in rows:
        if text.has_data(row):
            builder.button(
                text=f"{row.name} ({text.n(row.households)})", callback_data=StatsCb(code=row.code)
            )
    builder.adjust(2)
    return builder


def _per_volunteer_button(code: str) -> InlineKeyboardBuilder:
    builder = InlineKeyboardBuilder()
    builder.button(text=_("👥 Per volunteer"), callback_data=VolunteersCb(code=code))
    return builder


async def payout_text(session: AsyncSession) -> str | None:
    """The payouts of the week before and after today: how many families have collected."""
    found = await payout.progress_around(session, utcnow())
    if not found:
        return None
    lines = [_("Payouts of these days:")]
    for p in found:
        share = format_percent(p.collected / p.total if p.total else 0, locale="id")
        lines.append(
            _("#{id} {title}, {date}: {collected} of {total} collected ({share})").format(
                id=p.disbursement_id, title=p.title[:40],
                date=format_date_long(to_wib(p.scheduled_at).date()),
                collected=text.n(p.collected), total=text.n(p.total), share=share,
            )
        )  # fmt: skip
    return "\n".join(lines)


async def _area_card(
    session: AsyncSession, code: str, account: Account
) -> tuple[list[str], InlineKeyboardMarkup | None] | None:
    """The card of a kecamatan (its desa as buttons, and its volunteers for staff) or of a
    desa."""
    if code.count(".") == 2:  # a kecamatan: "32.16.18"
        desa_rows = await stats.per_area(session, code)
        name = await regions.name_of(session, code)
        row = stats.total(desa_rows, code, name)
        buttons = _area_buttons(desa_rows)
        if _may_list_volunteers(account, code):
            buttons.attach(_per_volunteer_button(code))
        card = text.card_pages(_("Kecamatan {name}").format(name=name), row)
        return card, buttons.as_markup()
    parent = code.rsplit(".", 1)[0]
    for row in await stats.per_area(session, parent):
        if row.code == code:
            return text.card_pages(_("Desa {name}").format(name=row.name), row), None
    return None


def _may_list_volunteers(account: Account, code: str) -> bool:
    """Staff see every kecamatan's volunteers; a TKSK their own kecamatan's (the PSM they
    support); a PSM only their own line."""
    return account.role == PETUGAS or (account.role == TKSK and code == account.area_code)


def _may_see(account: Account, code: str) -> bool:
    """Staff see every area; a TKSK their kecamatan and its desa; a PSM their desa."""
    if account.role == PETUGAS:
        return True
    area = account.area_code or ""
    if not area:
        return False
    return code == area or (account.role == TKSK and code.startswith(area + "."))


async def _send(message: Message, pages: list[str], markup: InlineKeyboardMarkup | None) -> None:
    """A card's pages, its buttons under the last one."""
    for k, page in enumerate(pages, 1):
        await message.answer(page, reply_markup=markup if k == len(pages) else None)


async def _show_own(message: Message, session: AsyncSession, account: Account) -> None:
    """A volunteer: their area's card, then their own line."""
    card = await _area_card(session, account.area_code or "", account)
    if card is None:
        await message.answer(_("Your area has no numbers yet."))
        return
    await _send(message, card[0], card[1])
    own = await stats_volunteers.own_numbers(session, account)
    if own is not None:
        await message.answer(text.own_text(own))


async def show_stats(message: Message, session: AsyncSession, account: Account) -> None:
    if account.role != PETUGAS:
        await _show_own(message, session, account)
        return
    rows = await stats.per_kecamatan(session)
    builder = InlineKeyboardBuilder()
    builder.button(text=_("Per kecamatan"), callback_data=StatsCb(code=stats.KABUPATEN))
    builder.attach(_per_volunteer_button(stats.KABUPATEN))
    await _send(message, text.summary_pages(rows, await stats.by_desil(session)),
                builder.as_markup())  # fmt: skip
    labels = {key: str(label) for key, label in text.LABELS.items()}
    title = _("Kabupaten Bekasi per kecamatan, {date}").format(date=format_date_long(today_wib()))
    png = await asyncio.to_thread(chart_png, rows, labels, title)
    await message.answer_photo(BufferedInputFile(png, filename="statistik.png"))
    progress = await payout_text(session)
    if progress is not None:
        await message.answer(progress)


async def area_tapped(
    query: CallbackQuery, callback_data: StatsCb, session: AsyncSession, account: Account
) -> None:
    code = callback_data.code
    if not _may_see(account, code) and not (account.role == PETUGAS and code == stats.KABUPATEN):
        await query.answer(_("These numbers are not for your area."), show_alert=True)
        return
    await query.answer()
    if not isinstance(query.message, Message):
        return
    if code == stats.KABUPATEN:
        rows = await stats.per_kecamatan(session)
        await query.message.answer(
            _("Which kecamatan?"), reply_markup=_area_buttons(rows).as_markup()
        )
        return
    card = await _area_card(session, code, account)
    if card is None:
        await query.message.answer(_("This area has no numbers yet."))
        return
    await _send(query.message, card[0], card[1])


async def volunteers_tapped(
    query: CallbackQuery, callback_data: VolunteersCb, session: AsyncSession, account: Account
) -> None:
    """Staff: pick a kecamatan, then its PSM and TKSK a page at a time (a TKSK: their own
    kecamatan's)."""
    code = callback_data.code
    if not _may_list_volunteers(account, code) or (
        account.role != PETUGAS and code == stats.KABUPATEN
    ):
        await query.answer(_("These numbers are not for your area."), show_alert=True)
        return
    await query.answer()
    if not isinstance(query.message, Message):
        return
    if code == stats.KABUPATEN:
        counts = await stats_volunteers.per_kecamatan(session)
        if not counts:
            await query.message.answer(_("No PSM or TKSK registered yet."))
            return
        builder = InlineKeyboardBuilder()
        for region in await regions.children(session, stats.KABUPATEN):
            if counts.get(region.code):
                builder.button(
                    text=f"{region.name} ({text.n(counts[region.code])})",
                    callback_data=VolunteersCb(code=region.code),
                )
        builder.adjust(2)
        await query.message.answer(
            _("Volunteers of which kecamatan?"), reply_markup=builder.as_markup()
        )
        return
    people = await stats_volunteers.per_volunteer(session, code)
    pages = text.volunteer_pages(await regions.name_of(session, code), people)
    page = min(max(callback_data.page, 0), len(pages) - 1)
    nav = pager(page, page + 1 < len(pages), lambda p: VolunteersCb(code=code, page=p, turn=True))
    markup = InlineKeyboardMarkup(inline_keyboard=[nav] if nav else [])
    # Turning a page replaces the one shown; opening the list (from a card) sends a new one.
    await show_page(query.message, pages[page], markup, edit=callback_data.turn)


def create_router() -> Router:
    router = require_consent(gated_router("stats", VOLUNTEERS_AND_STAFF))
    router.message.register(show_stats, Command("statistik"))
    router.message.register(show_stats, MenuButton("staff_stats"))
    router.callback_query.register(area_tapped, StatsCb.filter())
    router.callback_query.register(volunteers_tapped, VolunteersCb.filter())
    return router
