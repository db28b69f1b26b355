"""/statistik (menu "Statistik"): staff get the kabupaten's numbers, each kecamatan and desa
one tap away, and a chart per kecamatan; a TKSK gets their kecamatan (desa one tap away), a
PSM their desa. Every number has its label, and a share where it helps.

matplotlib is imported when a chart is drawn, not at start-up (it costs time and memory), and
only its object API is used (no pyplot global state), drawn in a worker thread so the event
loop keeps serving others meanwhile."""

from __future__ import annotations

import asyncio
import io

from aiogram import Router
from aiogram.filters import Command
from aiogram.filters.callback_data import CallbackData
from aiogram.types import BufferedInputFile, CallbackQuery, InlineKeyboardMarkup, Message
from aiogram.utils.i18n import gettext as _
from aiogram.utils.i18n import lazy_gettext as __
from aiogram.utils.keyboard import InlineKeyboardBuilder
from babel.numbers import format_decimal, format_percent
from sqlalchemy.ext.asyncio import AsyncSession

from db import regions
from db.models.accounts import Account
from db.models.base import utcnow
from domain.dates import format_date_long, to_wib, today_wib
from domain.roles import PETUGAS, TKSK, VOLUNTEERS_AND_STAFF
from handlers.access import STAFF, gated_router, require_consent
from handlers.commands import COMMANDS, CommandInfo
from handlers.keyboards import MENU_ENTRIES, MenuButton, MenuEntry
from services import payout, stats

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


def _n(value: int) -> str:
    return format_decimal(value, locale="id")


def _share(part: int, whole: int) -> str:
    return format_percent(part / whole if whole else 0, locale="id")


def card_text(title: str, row: stats.AreaNumbers) -> str:
    """One area's numbers, each with its label (and a share where it helps): at most about
    400 characters, so a card fits one message."""
    lines = [
        _("📊 {area}, {date}").format(area=title, date=format_date_long(today_wib())),
        _("Households on the list: {count}").format(count=_n(row.households)),
        _("• verified {verified} ({share}), waiting for verification {waiting}").format(
            verified=_n(row.verified), share=_share(row.verified, row.households),
            waiting=_n(row.waiting),
        ),
        _("• extreme poor (latest report): {count} ({share})").format(
            count=_n(row.extreme_poor), share=_share(row.extreme_poor, row.households)
        ),
        _("• linked to the bot: {count} ({share})").format(
            count=_n(row.linked), share=_share(row.linked, row.households)
        ),
        _("Residents' reports, last 7 / 30 days: {week} / {month}").format(
            week=_n(row.reports_7), month=_n(row.reports_30)
        ),
        _("Volunteers' visits, last 7 / 30 days: {week} / {month}").format(
            week=_n(row.visits_7), month=_n(row.visits_30)
        ),
        _("Training sign-ups: {count}").format(count=_n(row.trainings)),
        _("Aid collected (payouts held): {collected} of {recipients} ({share})").format(
            collected=_n(row.collected), recipients=_n(row.recipients),
            share=_share(row.collected, row.recipients),
        ),
    ]  # fmt: skip
    return "\n".join(lines)


def summary_text(rows: list[stats.AreaNumbers], desil: dict[int, int] | None = None) -> str:
    """The kabupaten's numbers (the kecamatan are one tap away), and households by desil."""
    text = card_text(_("Kabupaten Bekasi"), stats.total(rows))
    quiet = sum(1 for row in rows if not (row.households or row.linked or row.recipients))
    if quiet:
        text += "\n" + _("{count} kecamatan have no data yet.").format(count=quiet)
    if desil:
        counts = " · ".join(f"{n}: {_n(count)}" for n, count in desil.items())
        text += "\n" + _("Households by desil (from the lists): {counts}").format(counts=counts)
    return text


def _area_buttons(rows: list[stats.AreaNumbers]) -> InlineKeyboardMarkup:
    builder = InlineKeyboardBuilder()
    for row in rows:
        if row.households or row.linked or row.recipients:
            builder.button(
                text=f"{row.name} ({_n(row.households)})",
                callback_data=StatsCb(code=row.code),
            )
    builder.adjust(2)
    return builder.as_markup()


def chart_png(rows: list[stats.AreaNumbers], labels: dict[str, str]) -> bytes:
    """Horizontal bars per kecamatan: households, extreme poor, aid collected."""
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure
    from matplotlib.ticker import MaxNLocator

    names = [row.name for row in rows][::-1]  # first name on top
    series = [
        (labels["households"], [row.households for row in rows][::-1], "#4C72B0"),
        (labels["extreme"], [row.extreme_poor for row in rows][::-1], "#C44E52"),
        (labels["collected"], [row.collected for row in rows][::-1], "#55A868"),
    ]
    figure = Figure(figsize=(8, 10), dpi=100)
    FigureCanvasAgg(figure)
    axes = figure.add_subplot()
    height = 0.27
    positions = range(len(names))
    for k, (label, values, color) in enumerate(series):
        axes.barh(
            [p + (1 - k) * height for p in positions], values, height, label=label, color=color
        )
    axes.set_yticks(list(positions), names)
    axes.set_title(labels["title"])
    axes.legend(loc="lower right")
    locator = axes.xaxis.get_major_locator()
    if isinstance(locator, MaxNLocator):  # the default AutoLocator is one
        locator.set_params(integer=True)
    figure.tight_layout()
    buffer = io.BytesIO()
    figure.savefig(buffer, format="png")
    return buffer.getvalue()


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
                collected=_n(p.collected), total=_n(p.total), share=share,
            )
        )  # fmt: skip
    return "\n".join(lines)


async def _area_card(
    session: AsyncSession, code: str
) -> tuple[str, InlineKeyboardMarkup | None] | None:
    """The card of a kecamatan (with its desa as buttons) or of a desa."""
    if code.count(".") == 2:  # a kecamatan: "32.16.18"
        desa_rows = await stats.per_area(session, code)
        name = await regions.name_of(session, code)
        row = stats.total(desa_rows, code, name)
        title = _("Kecamatan {name}").format(name=name)
        return card_text(title, row), _area_buttons(desa_rows)
    parent = code.rsplit(".", 1)[0]
    for row in await stats.per_area(session, parent):
        if row.code == code:
            return card_text(_("Desa {name}").format(name=row.name), row), None
    return None


def _may_see(account: Account, code: str) -> bool:
    """Staff see every area; a TKSK their kecamatan and its desa; a PSM their desa."""
    if account.role == PETUGAS:
        return True
    area = account.area_code or ""
    if not area:
        return False
    return code == area or (account.role == TKSK and code.startswith(area + "."))


async def show_stats(message: Message, session: AsyncSession, account: Account) -> None:
    if account.role != PETUGAS:  # a volunteer: their own area
        card = await _area_card(session, account.area_code or "")
        if card is None:
            await message.answer(_("Your area has no numbers yet."))
            return
        await message.answer(card[0], reply_markup=card[1])
        return
    rows = await stats.per_kecamatan(session)
    builder = InlineKeyboardBuilder()
    builder.button(text=_("Per kecamatan"), callback_data=StatsCb(code=stats.KABUPATEN))
    text = summary_text(rows, await stats.by_desil(session))
    await message.answer(text, reply_markup=builder.as_markup())
    labels = {
        "households": _("Households on the list"),
        "extreme": _("Extreme poor (latest report)"),
        "collected": _("Aid collected"),
        "title": _("Kabupaten Bekasi per kecamatan"),
    }
    png = await asyncio.to_thread(chart_png, rows, labels)
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
        await query.message.answer(_("Which kecamatan?"), reply_markup=_area_buttons(rows))
        return
    card = await _area_card(session, code)
    if card is None:
        await query.message.answer(_("This area has no numbers yet."))
        return
    await query.message.answer(card[0], reply_markup=card[1])


def create_router() -> Router:
    router = require_consent(gated_router("stats", VOLUNTEERS_AND_STAFF))
    router.message.register(show_stats, Command("statistik"))
    router.message.register(show_stats, MenuButton("staff_stats"))
    router.callback_query.register(area_tapped, StatsCb.filter())
    return router
