"""What /statistik says: an area's card, the kabupaten's summary, and the volunteers' lines.
Every number sits next to its label, with a share where one makes sense (verified, extreme
poor and linked of the households, overdue of the open cases, collected of the recipients).

The chart (handlers.staff.stats_chart) draws some of these figures under the very same labels
(LABELS), so its legend reads like the message. Messages are packed into pages of at most
LIMIT characters, cut between lines (or between volunteers), never inside one.
"""

from __future__ import annotations

from aiogram.utils.i18n import gettext as _
from aiogram.utils.i18n import lazy_gettext as __
from babel.numbers import format_decimal, format_percent

from domain.dates import format_date_long, today_wib
from services import stats
from services.stats_volunteers import VolunteerNumbers

LIMIT = 600  # characters of one message, so it reads without scrolling on a small phone

LABELS = {
    "households": __("Households on the list"),
    "extreme": __("Extreme poor (latest report or visit)"),
    "recipients": __("Aid recipients (payouts held)"),
    "collected": __("Aid collected"),
    "open": __("Open cases"),
    # Unanswered past the due date: a case answered in time and waiting for the resident is
    # not late (services.stats_cases).
    "overdue": __("Overdue, not answered"),
}


def n(value: int) -> str:
    return format_decimal(value, locale="id")


def share(part: int, whole: int) -> str:
    return format_percent(part / whole if whole else 0, locale="id")


def duration(hours: float) -> str:
    """An answer time: hours up to two days, then days (one decimal, Indonesian comma)."""
    if hours < 48:
        return _("{hours} hours").format(hours=format_decimal(round(hours, 1), locale="id"))
    return _("{days} days").format(days=format_decimal(round(hours / 24, 1), locale="id"))


def _label(key: str, value: str) -> str:
    return f"{LABELS[key]}: {value}"


def _part(key: str, part: int, whole: int) -> str:
    """A label, its number and the number's share of `whole`."""
    return _label(key, f"{n(part)} ({share(part, whole)})")


def answer_line(answered: int, mean: float | None) -> str:
    if not answered or mean is None:
        return _("First answer: no case answered in the last 30 days")
    return _("First answer, last 30 days: {time} on average ({count} cases)").format(
        count=n(answered), time=duration(mean)
    )


def card_lines(title: str, row: stats.AreaNumbers) -> list[str]:
    """One area's numbers, a line each."""
    return [
        _("📊 {area}, {date}").format(area=title, date=format_date_long(today_wib())),
        _label("households", n(row.households)),
        _("• verified {verified} ({share}), waiting for verification {waiting}").format(
            verified=n(row.verified), share=share(row.verified, row.households),
            waiting=n(row.waiting),
        ),
        "• " + _part("extreme", row.extreme_poor, row.households),
        _("• linked to the bot: {count} ({share})").format(
            count=n(row.linked), share=share(row.linked, row.households)
        ),
        _("Residents' reports, last 7 / 30 days: {week} / {month}").format(
            week=n(row.reports_7), month=n(row.reports_30)
        ),
        _("Volunteers' visits, last 7 / 30 days: {week} / {month}").format(
            week=n(row.visits_7), month=n(row.visits_30)
        ),
        _label("open", n(row.cases_open)) + " · "
        + _part("overdue", row.cases_overdue, row.cases_open),
        answer_line(row.answered_30, row.mean_answer_hours),
        _("Training sign-ups: {count}").format(count=n(row.trainings)),
        _label("recipients", n(row.recipients)) + " · "
        + _part("collected", row.collected, row.recipients),
    ]  # fmt: skip


def card_pages(title: str, row: stats.AreaNumbers) -> list[str]:
    """One area's card: one message (about 450 characters), two only with very large
    numbers."""
    return ["\n".join(page) for page in pack(card_lines(title, row), LIMIT)]


def has_data(row: stats.AreaNumbers) -> bool:
    return bool(row.households or row.linked or row.recipients or row.cases_open)


def summary_pages(rows: list[stats.AreaNumbers], desil: dict[int, int] | None = None) -> list[str]:
    """The kabupaten's numbers (the kecamatan are one tap away), and households by desil."""
    lines = card_lines(_("Kabupaten Bekasi"), stats.total(rows))
    quiet = sum(1 for row in rows if not has_data(row))
    if quiet:
        lines.append(_("{count} kecamatan have no data yet.").format(count=quiet))
    if desil:
        counts = " · ".join(f"{k}: {n(count)}" for k, count in desil.items())
        lines.append(_("Households by desil (from the lists): {counts}").format(counts=counts))
    return ["\n".join(page) for page in pack(lines, LIMIT)]


def pack(blocks: list[str], room: int) -> list[list[str]]:
    """Blocks (lines, or a volunteer's lines) into pages of at most `room` characters once
    joined by newlines; a block longer than `room` gets a page of its own."""
    pages: list[list[str]] = [[]]
    used = 0
    for block in blocks:
        needed = len(block) + (1 if pages[-1] else 0)
        if pages[-1] and used + needed > room:
            pages.append([])
            used, needed = 0, len(block)
        pages[-1].append(block)
        used += needed
    return pages


def volunteer_block(person: VolunteerNumbers) -> str:
    """One PSM's or TKSK's line (two lines of text): their work, then their area's cases."""
    name = (person.name or _("(no name)"))[:30]
    mean = person.mean_answer_hours
    return "\n".join([
        f"👤 {name} · {person.role.upper()} {person.area_name}",
        _("visits {visits} · cases closed {closed} · first answer {time} ({count} cases)").format(
            visits=n(person.visits_30), closed=n(person.closed_30),
            time=duration(mean) if mean is not None else "–", count=n(person.answered_30),
        ),
        _("area: open cases {open}, overdue {overdue} ({share})").format(
            open=n(person.area_open), overdue=n(person.area_overdue),
            share=share(person.area_overdue, person.area_open),
        ),
    ])  # fmt: skip


def volunteer_pages(kecamatan: str, people: list[VolunteerNumbers]) -> list[str]:
    """The volunteers of a kecamatan, paged; each page says which page it is."""
    if not people:
        return [_("No PSM or TKSK registered in Kecamatan {name} yet.").format(name=kecamatan)]

    def header(page: int, count: int) -> str:
        text = _("👥 Volunteers of Kecamatan {name}, last 30 days (page {page} of {pages}):")
        return text.format(name=kecamatan, page=page, pages=count)

    # Room for the longest header this list could have ("page 99 of 99").
    room = LIMIT - len(header(99, 99)) - 1
    pages = pack([volunteer_block(p) for p in people], room)
    return [header(k, len(pages)) + "\n" + "\n".join(page) for k, page in enumerate(pages, 1)]


def own_text(person: VolunteerNumbers) -> str:
    return _("Your numbers, last 30 days:") + "\n" + volunteer_block(person)
