"""Staff: /statistik (menu "Statistik"): numbers per kecamatan as a short message and a chart.

matplotlib is imported when a chart is drawn, not at start-up (it costs time and memory), and
only its object API is used (no pyplot global state), drawn in a worker thread so the event
loop keeps serving others meanwhile."""

from __future__ import annotations

import asyncio
import io

from aiogram import Router
from aiogram.filters import Command
from aiogram.types import BufferedInputFile, Message
from aiogram.utils.i18n import gettext as _
from aiogram.utils.i18n import lazy_gettext as __
from babel.numbers import format_decimal
from sqlalchemy.ext.asyncio import AsyncSession

from domain.dates import format_date_long, today_wib
from handlers.access import STAFF, gated_router
from handlers.commands import COMMANDS, CommandInfo
from handlers.keyboards import MENU_ENTRIES, MenuButton, MenuEntry
from services import stats

MENU_ENTRIES.append(MenuEntry("staff_stats", __("📊 Statistics"), roles=STAFF))
COMMANDS.append(
    CommandInfo(
        "statistik",
        __("Statistics"),
        __("numbers per kecamatan, with a chart."),
        roles=STAFF,
    )
)


def _n(value: int) -> str:
    return format_decimal(value, locale="id")


def summary_text(rows: list[stats.AreaNumbers], desil: dict[int, int] | None = None) -> str:
    all_ = stats.total(rows)
    lines = [
        _("📊 Kabupaten Bekasi, {date}").format(date=format_date_long(today_wib())),
        _("Households on the list: {count} (verified {verified}, waiting {waiting})").format(
            count=_n(all_.households), verified=_n(all_.verified), waiting=_n(all_.waiting)
        ),
        _("Linked accounts: {count}").format(count=_n(all_.linked)),
        _("Self-reports, 7 / 30 days: {week} / {month}").format(
            week=_n(all_.reports_7), month=_n(all_.reports_30)
        ),
        _("Visits, 7 / 30 days: {week} / {month}").format(
            week=_n(all_.visits_7), month=_n(all_.visits_30)
        ),
        _("Extreme poor (latest report): {count}").format(count=_n(all_.extreme_poor)),
        _("Training sign-ups: {count}").format(count=_n(all_.trainings)),
        _("Aid collected: {collected} of {recipients}").format(
            collected=_n(all_.collected), recipients=_n(all_.recipients)
        ),
        "",
        _(
            "Per kecamatan: households · accounts · reports 7/30 · visits 7/30 · "
            "verified/waiting · extreme poor · training · collected"
        ),
    ]
    quiet = 0
    for row in rows:
        if not (row.households or row.linked or row.recipients or row.trainings):
            quiet += 1
            continue
        lines.append(
            f"{row.name}: {_n(row.households)} · {_n(row.linked)} · "
            f"{_n(row.reports_7)}/{_n(row.reports_30)} · {_n(row.visits_7)}/{_n(row.visits_30)} · "
            f"{_n(row.verified)}/{_n(row.waiting)} · {_n(row.extreme_poor)} · "
            f"{_n(row.trainings)} · {_n(row.collected)}"
        )
    if quiet:
        lines.append(_("{count} other kecamatan have no data yet.").format(count=quiet))
    if desil:
        counts = " · ".join(f"{n}: {_n(count)}" for n, count in desil.items())
        lines += ["", _("Households by desil (from the lists): {counts}").format(counts=counts)]
    return "\n".join(lines)


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


async def show_stats(message: Message, session: AsyncSession) -> None:
    rows = await stats.per_kecamatan(session)
    await message.answer(summary_text(rows, await stats.by_desil(session)))
    labels = {
        "households": _("Households on the list"),
        "extreme": _("Extreme poor (latest report)"),
        "collected": _("Aid collected"),
        "title": _("Kabupaten Bekasi per kecamatan"),
    }
    png = await asyncio.to_thread(chart_png, rows, labels)
    await message.answer_photo(BufferedInputFile(png, filename="statistik.png"))


def create_router() -> Router:
    router = gated_router("staff_stats", STAFF)
    router.message.register(show_stats, Command("statistik"))
    router.message.register(show_stats, MenuButton("staff_stats"))
    return router
