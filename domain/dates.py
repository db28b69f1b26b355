"""Dates and times as people in Bekasi write and read them, in WIB (docs/domain.md §4).

Everything a person sees is Western Indonesian Time (Asia/Jakarta, UTC+7, no daylight
saving); the database keeps UTC. Input that breaks a rule raises `Invalid`: `date.invalid`,
`date.not_exist` (day, month, year), `date.before` / `date.after` (date), `time.invalid`;
a moment typed in one message (`parse_when`) also `when.invalid`, `when.no_time`,
`when.past`, `when.after` (date).
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable
from typing import TypeAlias
from zoneinfo import ZoneInfo

from babel.dates import format_date

from domain.errors import Invalid

WIB = ZoneInfo("Asia/Jakarta")

_MONTHS = {
    1: ("januari", "jan", "january"),
    2: ("februari", "pebruari", "feb", "peb", "february"),
    3: ("maret", "mar", "march", "mrt"),
    4: ("april", "apr"),
    5: ("mei", "may"),
    6: ("juni", "jun", "june"),
    7: ("juli", "jul", "july"),
    8: ("agustus", "agu", "agt", "agst", "ags", "aug", "august"),
    9: ("september", "sep", "sept"),
    10: ("oktober", "okt", "oct", "october"),
    11: ("november", "nopember", "nov", "nop"),
    12: ("desember", "des", "dec", "december"),
}
MONTH_NAMES = {name: num for num, names in _MONTHS.items() for name in names}
_WEEKDAYS = (
    "senin", "selasa", "rabu", "kamis", "jumat", "jum'at", "sabtu", "minggu", "ahad",
    "monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday",
)  # fmt: skip
_NUMERIC_DMY = re.compile(r"(\d{1,2})[-/.](\d{1,2})[-/.](\d{2}|\d{4})")
_ISO = re.compile(r"(\d{4})-(\d{1,2})-(\d{1,2})")
_NAMED_DMY = re.compile(r"(\d{1,2})[\s\-/.]*([a-z]+)\.?[\s\-/.,]*(\d{2}|\d{4})")
_NAMED_MDY = re.compile(r"([a-z]+)\.?\s+(\d{1,2}),?\s+(\d{4})")
_TIME_RE = re.compile(r"(\d{1,2})(?:[.:](\d{2})|(\d{2}))?")
# Words for the part of the day, as people say it: "jam 2 siang" is 14.00.
_PART_OF_DAY = {"pagi": "am", "siang": "pm", "sore": "pm", "petang": "pm", "malam": "pm"}

# A bound of parse_date: a date, or a function of today giving one, or none.
DateBound: TypeAlias = dt.date | Callable[[dt.date], dt.date] | None


def today_wib() -> dt.date:
    """Today's date in Asia/Jakarta (WIB)."""
    return dt.datetime.now(WIB).date()


def _bound(value: DateBound, today: dt.date) -> dt.date | None:
    if value is None or isinstance(value, dt.date):
        return value
    return value(today)


def parse_date(
    text: str,
    today: dt.date | None = None,
    min: DateBound = None,
    max: DateBound = None,
) -> dt.date:
    """Indonesian date input -> date. ``min``/``max`` are dates or callables(today) -> date."""
    today = today or today_wib()
    lo, hi = _bound(min, today), _bound(max, today)
    s = re.sub(r"\s+", " ", (text or "").strip().lower())
    s = re.sub(r"^(" + "|".join(_WEEKDAYS) + r"),?\s+", "", s)
    two_digit_year = False
    if s in ("hari ini", "today", "sekarang"):
        y, mth, d = today.year, today.month, today.day
    elif s in ("kemarin", "yesterday"):
        yesterday = today - dt.timedelta(days=1)
        y, mth, d = yesterday.year, yesterday.month, yesterday.day
    elif m := _ISO.fullmatch(s):
        y, mth, d = int(m[1]), int(m[2]), int(m[3])
    elif m := _NUMERIC_DMY.fullmatch(s):
        d, mth, y = int(m[1]), int(m[2]), int(m[3])
        two_digit_year = len(m[3]) == 2
    elif (m := _NAMED_DMY.fullmatch(s)) and m[2] in MONTH_NAMES:
        d, mth, y = int(m[1]), MONTH_NAMES[m[2]], int(m[3])
        two_digit_year = len(m[3]) == 2
    elif (m := _NAMED_MDY.fullmatch(s)) and m[1] in MONTH_NAMES:
        mth, d, y = MONTH_NAMES[m[1]], int(m[2]), int(m[3])
    else:
        raise Invalid("date.invalid")
    if two_digit_year:
        # 20YY unless that is beyond the latest allowed date (or far future), then 19YY.
        limit = hi or dt.date(today.year + 20, 12, 31)
        y = 2000 + y if 2000 + y <= limit.year else 1900 + y
    if not 1 <= mth <= 12:
        raise Invalid("date.invalid")
    try:
        result = dt.date(y, mth, d)
    except ValueError as exc:
        raise Invalid("date.not_exist", day=f"{d:02d}", month=f"{mth:02d}", year=y) from exc
    if lo is not None and result < lo:
        raise Invalid("date.before", date=format_date_long(lo))
    if hi is not None and result > hi:
        raise Invalid("date.after", date=format_date_long(hi))
    return result


def format_date_id(d: dt.date) -> str:
    """date(2024, 3, 19) -> 'Selasa, 19 Maret 2024'."""
    return format_date(d, "EEEE, d MMMM y", locale="id")


def format_date_long(d: dt.date) -> str:
    """date(2024, 3, 19) -> '19 Maret 2024'."""
    return format_date(d, "d MMMM y", locale="id")


def to_wib(when: dt.datetime) -> dt.datetime:
    """An aware datetime (stored as UTC) in Western Indonesian Time, what people read."""
    if when.tzinfo is None:
        raise ValueError("naive datetime; give an aware one (UTC from the database)")
    return when.astimezone(WIB)


def parse_time(text: str) -> dt.time:
    """A time of day in WIB from '9', '09.00', '9:30', '0930', 'jam 9 pagi', 'pukul 2 siang',
    '19.00 WIB'. A bare hour means that hour on the 24-hour clock."""
    s = " ".join((text or "").lower().replace("wib", " ").split())
    s = re.sub(r"^(jam|pukul|pkl\.?)\s*", "", s)
    part = None
    words = s.split(" ")
    if len(words) == 2 and words[1] in _PART_OF_DAY:
        part, s = words[1], words[0]
    m = _TIME_RE.fullmatch(s)
    if not m:
        raise Invalid("time.invalid")
    hour = int(m[1])
    minute = int(m[2] or m[3] or 0)
    if part is not None and hour <= 12:
        if _PART_OF_DAY[part] == "pm" and hour < 12 and not (part == "siang" and hour >= 10):
            hour += 12
        elif part in ("malam", "pagi") and hour == 12:
            hour = 0
    if hour > 23 or minute > 59:
        raise Invalid("time.invalid")
    return dt.time(hour, minute)


def format_time_id(value: dt.time) -> str:
    """time(9, 0) -> '09.00 WIB' (Indonesian writes the time with a dot)."""
    return value.strftime("%H.%M") + " WIB"


def wib_datetime(day: dt.date, at: dt.time) -> dt.datetime:
    """A WIB date and time of day -> an aware datetime (stored as UTC by the models)."""
    return dt.datetime.combine(day, at, tzinfo=WIB)


# Days people name instead of a date when they plan ahead.
_NAMED_DAYS = {"hari ini": 0, "today": 0, "sekarang": 0, "besok": 1, "tomorrow": 1, "lusa": 2}


def _day_of(text: str, today: dt.date) -> dt.date:
    named = _NAMED_DAYS.get(text)
    if named is not None:
        return today + dt.timedelta(days=named)
    return parse_date(text, today)


def parse_when(text: str, now: dt.datetime, max_days: int = 366) -> dt.datetime:
    """A day and a time of day in WIB typed in one message, as forgiving as the date and time
    fields: '17-08-2025 09.30', '17 Agustus 2025 jam 9 pagi', 'besok 8', 'lusa 14.00 WIB'.
    The time is the last one to three words; the rest is the day. Must be after `now` and at
    most `max_days` days ahead. Returns an aware datetime."""
    s = " ".join((text or "").lower().replace(",", " ").split())
    today = to_wib(now).date()
    words = s.split(" ")
    date_error: Invalid | None = None
    found = None
    for count in (1, 2, 3):
        if count >= len(words):
            break
        try:
            at = parse_time(" ".join(words[-count:]))
        except Invalid:
            continue
        try:
            found = wib_datetime(_day_of(" ".join(words[:-count]), today), at)
            break
        except Invalid as error:
            date_error = date_error or error
    if found is None:
        try:
            _day_of(s, today)
        except Invalid:
            # A date that does not exist is worth saying; anything else gets the example.
            if date_error is not None and date_error.code != "date.invalid":
                raise date_error from None
            raise Invalid("when.invalid") from None
        raise Invalid("when.no_time")
    if found <= now:
        raise Invalid("when.past")
    latest = today + dt.timedelta(days=max_days)
    if found.date() > latest:
        raise Invalid("when.after", date=format_date_long(latest))
    return found
