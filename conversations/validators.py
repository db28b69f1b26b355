"""Pure parsers and formatters for form answers (no aiogram objects, no I/O).

Every parser takes what a person typed and returns a clean value or raises
:class:`ValidationError` whose ``message`` is a lazy gettext string; ``params`` are
filled in with ``str.format`` when the error is shown (:meth:`ValidationError.render`).

Rules for NIK / No. KK and phone numbers follow DOMAIN.md sections 1 and 6.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import date, datetime, time, timedelta
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from typing import Any, TypeAlias
from zoneinfo import ZoneInfo

import phonenumbers
from aiogram.utils.i18n import gettext as _
from aiogram.utils.i18n import lazy_gettext as __
from babel import Locale
from babel.dates import format_date
from babel.numbers import parse_pattern

from db import protect

WIB = ZoneInfo("Asia/Jakarta")  # Western Indonesian Time: UTC+7 all year, no DST

MAX_RUPIAH = 1_000_000_000  # "absurd" above 1 miliar


class ValidationError(ValueError):
    """A friendly, translatable reason why an answer was not accepted."""

    def __init__(self, message: Any, **params: Any) -> None:
        # the untranslated msgid, so logs and tracebacks never need an i18n context
        super().__init__(getattr(message, "_args", (message,))[0])
        self.message = message
        self.params = params

    def render(self) -> str:
        """The message in the current gettext locale, with params filled in."""
        text = str(self.message)
        return text.format(**self.params) if self.params else text


def today_wib() -> date:
    """Today's date in Asia/Jakarta (WIB)."""
    return datetime.now(WIB).date()


# --------------------------------------------------------------------------- NIK / KK

PROVINCE_CODES = frozenset(  # the 38 provinces (Kemendagri codes)
    (*range(11, 20), 21, *range(31, 37), *range(51, 54), *range(61, 66), *range(71, 77),
     81, 82, *range(91, 97))
)  # fmt: skip
KABUPATEN_BEKASI = "3216"
KOTA_BEKASI = "3275"

_SEPARATORS = re.compile(r"[\s.\-\u00a0]+")
_DIGITS16 = re.compile(r"[0-9]{16}")

_NUMBER_MESSAGES: dict[str, dict[str, Any]] = {
    "nik": {
        "digits_only": __("The NIK may contain only digits (16 digits)."),
        "length": __("NIK must be 16 digits; you typed {count}."),
        "province": __(
            "The first two digits of the NIK ({code}) are not a province code. "
            "Please check the NIK on the KTP or KK."
        ),
        "region": __(
            "Digits 3 to 6 of the NIK (the region code) cannot be 00. Please check again."
        ),
        "date": __(
            "Digits 7 to 12 of the NIK must be the birth date (DDMMYY), "
            "but {part} is not a valid date. Please check again."
        ),
        "serial": __("The last four digits of the NIK cannot be 0000. Please check again."),
    },
    "kk": {
        "digits_only": __("The KK number may contain only digits (16 digits)."),
        "length": __("The KK number must be 16 digits; you typed {count}."),
        "province": __(
            "The first two digits of the KK number ({code}) are not a province code. "
            "Please check the Kartu Keluarga."
        ),
        "region": __(
            "Digits 3 to 6 of the KK number (the region code) cannot be 00. Please check again."
        ),
        "date": __(
            "Digits 7 to 12 of the KK number must be a date (DDMMYY), "
            "but {part} is not a valid date. Please check again."
        ),
        "serial": __("The last four digits of the KK number cannot be 0000. Please check again."),
    },
}


def _strip_number(text: str) -> str:
    return _SEPARATORS.sub("", text or "")


def _real_day_month(dd: int, mm: int, yy: int) -> bool:
    """True if dd-mm exists in 19yy or 20yy (the century only matters for 29 Feb 1900/2000)."""
    for century in (2000, 1900):
        try:
            date(century + yy, mm, dd)
        except ValueError:
            continue
        return True
    return False


def _parse_population_number(text: str, *, kind: str) -> str:
    msgs = _NUMBER_MESSAGES[kind]
    number = _strip_number(text)
    if not number or not all(c.isdigit() for c in number):
        raise ValidationError(msgs["digits_only"])
    if not _DIGITS16.fullmatch(number):
        if not number.isascii():
            raise ValidationError(msgs["digits_only"])
        raise ValidationError(msgs["length"], count=len(number))
    province = int(number[0:2])
    if province not in PROVINCE_CODES:
        raise ValidationError(msgs["province"], code=number[0:2])
    if number[2:4] == "00" or number[4:6] == "00":
        raise ValidationError(msgs["region"])
    dd, mm, yy = int(number[6:8]), int(number[8:10]), int(number[10:12])
    if kind == "nik" and dd > 40:
        dd -= 40
    if not (1 <= mm <= 12 and 1 <= dd <= 31 and _real_day_month(dd, mm, yy)):
        raise ValidationError(msgs["date"], part=number[6:12])
    if number[12:16] == "0000":
        raise ValidationError(msgs["serial"])
    return number


def parse_nik(text: str) -> str:
    """16-digit NIK with the hard checks of DOMAIN.md §1. Non-Bekasi NIKs are valid."""
    return _parse_population_number(text, kind="nik")


def parse_kk(text: str) -> str:
    """16-digit Nomor KK: same checks as NIK but the date has no +40 offset."""
    return _parse_population_number(text, kind="kk")


def nik_is_female(nik: str) -> bool:
    """Women's NIKs carry birth day + 40."""
    return int(nik[6:8]) > 40


def nik_birth_date(nik: str, today: date | None = None) -> date:
    """Birth date encoded in a (valid) NIK: 20YY unless that is in the future, else 19YY."""
    today = today or today_wib()
    dd, mm, yy = int(nik[6:8]), int(nik[8:10]), int(nik[10:12])
    if dd > 40:
        dd -= 40
    try:
        born = date(2000 + yy, mm, dd)
    except ValueError:  # 29 Feb in a year that is leap only in the other century
        return date(1900 + yy, mm, dd)
    if born > today:
        return date(1900 + yy, mm, dd)
    return born


def is_kota_bekasi(number: str) -> bool:
    """True for a NIK/KK first registered in Kota Bekasi (32.75), not Kabupaten Bekasi."""
    return _strip_number(number).startswith(KOTA_BEKASI)


def mask_number(number: str) -> str:
    """``3216 0652.1285-0001`` -> ``3216********0001``: typed input tolerated, then the one
    masking rule of the stored numbers (db.protect)."""
    return protect.mask_number(_strip_number(number))


# A NIK or KK inside free text: 16 digits, single spaces, dots or dashes between them
# tolerated (as people group them: "3216 0615 0320 0001"), not part of a longer number.
_ID_NUMBER = re.compile(r"(?<![0-9])(?:[0-9][\s.\-\u00a0]?){15}[0-9](?![0-9])")


def has_id_number(text: str | None) -> bool:
    """True when free text carries something shaped like a NIK or KK."""
    return bool(text) and _ID_NUMBER.search(text) is not None


def mask_id_numbers(text: str) -> str:
    """Free text with every NIK/KK-shaped number masked (``3216********0001``): what may be
    stored of it, or sent on to volunteers and staff."""
    return _ID_NUMBER.sub(lambda found: mask_number(found.group(0)), text)


# --------------------------------------------------------------------------- rupiah

_MULTIPLIERS = {
    "rb": 1_000,
    "ribu": 1_000,
    "k": 1_000,
    "rbu": 1_000,
    "jt": 1_000_000,
    "juta": 1_000_000,
    "jta": 1_000_000,
    "miliar": 1_000_000_000,
    "milyar": 1_000_000_000,
}
_RUPIAH_RE = re.compile(
    r"(?P<num>[0-9][0-9.,]*?)\s*(?P<mult>ribu|rbu|rb|k|juta|jta|jt|miliar|milyar)?\.?"
)
_RUPIAH_MSG = __("Please type an amount in rupiah, for example 1.500.000 or 1,5 juta.")


def _decimal_from_grouped(num: str) -> Decimal:
    """Read '1.500.000', '750.000,00', '1,5', '1.5', '1,500,000' the Indonesian way."""
    has_dot, has_comma = "." in num, "," in num
    if has_dot and has_comma:
        decimal_sep = "," if num.rfind(",") > num.rfind(".") else "."
        group_sep = "." if decimal_sep == "," else ","
        whole, _, frac = num.rpartition(decimal_sep)
        groups = whole.split(group_sep)
    elif has_dot or has_comma:
        sep = "." if has_dot else ","
        parts = num.split(sep)
        if len(parts) > 2 or len(parts[1]) == 3:
            groups, frac = parts, ""  # grouping: 1.500 / 1.500.000
        else:
            groups, frac = [parts[0]], parts[1]  # decimal: 1,5 / 1.5
    else:
        groups, frac = [num], ""
    if len(groups) > 1 and (not 1 <= len(groups[0]) <= 3 or any(len(g) != 3 for g in groups[1:])):
        raise ValidationError(_RUPIAH_MSG)
    if not all(g.isdigit() for g in groups) or (frac and not frac.isdigit()):
        raise ValidationError(_RUPIAH_MSG)
    return Decimal("".join(groups) + ("." + frac if frac else ""))


def parse_rupiah(text: str) -> int:
    """Amount in whole rupiah from '1,5 juta', '1.5jt', 'Rp750.000,00', '1500rb', '0'…"""
    s = (text or "").strip().lower().replace("\u00a0", " ")
    if re.match(r"(rp\.?|idr)?\s*(-|min\s|minus\s)\s*(rp\.?)?\s*[0-9]", s):
        raise ValidationError(__("The amount cannot be negative."))
    s = re.sub(r"^(rp|idr)\.?\s*", "", s)
    s = re.sub(r"\s*(rupiah|idr)$", "", s)
    s = re.sub(r"[,.]-$", "", s)  # "Rp 1.500.000,-"
    if re.fullmatch(r"[0-9]{1,3}( [0-9]{3})+", s):  # "1 500 000"
        s = s.replace(" ", "")
    m = _RUPIAH_RE.fullmatch(s)
    if not m:
        raise ValidationError(_RUPIAH_MSG)
    value = _decimal_from_grouped(
        m.group("num").rstrip(".,") if m.group("mult") else m.group("num")
    )
    if m.group("mult"):
        value *= _MULTIPLIERS[m.group("mult")]
    elif value != value.to_integral_value():  # "1,5" or "1.50" alone: ambiguous, not rupiah
        raise ValidationError(_RUPIAH_MSG)
    try:
        amount = int(value.quantize(Decimal(1), rounding=ROUND_HALF_UP))
    except InvalidOperation as exc:  # pragma: no cover - absurd exponent
        raise ValidationError(_RUPIAH_MSG) from exc
    if amount > MAX_RUPIAH:
        raise ValidationError(
            __("That amount is too large (more than {limit}). Please check again."),
            limit=format_rupiah(MAX_RUPIAH),
        )
    return amount


# Parsed once: format_currency parses its pattern and the locale on every call, which was
# most of the time of showing an amount (a form summary shows several).
_ID_LOCALE = Locale.parse("id")
_RUPIAH_PATTERN = parse_pattern("¤#,##0")


def format_rupiah(amount: int) -> str:
    """1500000 -> 'Rp1.500.000' (as format_currency(amount, "IDR", locale="id",
    format="¤#,##0", currency_digits=False))."""
    return str(_RUPIAH_PATTERN.apply(amount, _ID_LOCALE, currency="IDR", currency_digits=False))


# --------------------------------------------------------------------------- integers

_NUMBER_WORDS = {
    "nol": 0, "satu": 1, "dua": 2, "tiga": 3, "empat": 4, "lima": 5, "enam": 6,
    "tujuh": 7, "delapan": 8, "sembilan": 9, "sepuluh": 10,
}  # fmt: skip
_NUMBER_TAIL_WORDS = frozenset(
    {"setengah", "seperempat", "koma", "belas", "puluh", "ratus", "ribu", "rb", "juta", "jt"}
)
_INT_RE = re.compile(r"(?P<sign>[-+]?)\s*(?P<num>[0-9]{1,3}(?:\.[0-9]{3})+(?![0-9])|[0-9]+)")


def parse_int(text: str, min: int | None = None, max: int | None = None) -> int:
    """Whole number from '3', ' 12 ', '3 orang', '1.000', '36 m2', 'tiga'."""
    s = (text or "").strip().lower()
    first, _sp, rest = s.partition(" ")
    if first in _NUMBER_WORDS:
        value = _NUMBER_WORDS[first]
    elif m := _INT_RE.match(s):
        value = int(m.group("num").replace(".", ""))
        if m.group("sign") == "-":
            value = -value
        rest = re.sub(r"m2\b", "m²", s[m.end() :])
    else:
        rest = "?"
    # after the number only unit words may follow ("3 orang", "36 m2"): no digits,
    # no decimals, no number words that change the value ("2 setengah", "2 ribu")
    if (
        re.search(r"[0-9]", rest)
        or (rest and rest[0] in ".,?")
        or _NUMBER_TAIL_WORDS.intersection(re.findall(r"[^\W\d_]+", rest))
    ):
        raise ValidationError(__("Please type a whole number, for example 3."))
    check_range(value, min, max)
    return value


def check_range(value: int, min: int | None, max: int | None, fmt: Any = str) -> None:
    """Raise a friendly error when value is outside [min, max] (either bound optional)."""
    too_low = min is not None and value < min
    too_high = max is not None and value > max
    if not (too_low or too_high):
        return
    if min is not None and max is not None:
        raise ValidationError(
            __("Please type a number from {min} to {max}."), min=fmt(min), max=fmt(max)
        )
    if too_low:
        raise ValidationError(__("The number must be at least {min}."), min=fmt(min))
    raise ValidationError(__("The number must be at most {max}."), max=fmt(max))


# --------------------------------------------------------------------------- phones

_PHONE_STRIP = re.compile(r"[\s\-.()/\u00a0]+")
_PHONE_MSG = __("That phone number does not look right. Please type it like 0812-3456-7890.")


def parse_phone(text: str) -> str:
    """Normalise an Indonesian (or international) phone number to E.164, e.g. +6281234567890."""
    s = _PHONE_STRIP.sub("", text or "")
    if s.startswith("00"):
        s = "+" + s[2:]
    if s.startswith("+620"):
        s = "+62" + s[4:]
    elif s.startswith("620"):
        s = "+62" + s[3:]
    elif s.startswith("62"):
        s = "+" + s
    elif s.startswith("8"):
        s = "+62" + s
    if not re.fullmatch(r"\+?[0-9]{5,17}", s):
        raise ValidationError(_PHONE_MSG)
    try:
        number = phonenumbers.parse(s, "ID")
    except phonenumbers.NumberParseException as exc:
        raise ValidationError(_PHONE_MSG) from exc
    if not phonenumbers.is_valid_number(number):
        raise ValidationError(_PHONE_MSG)
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)


def format_phone_national(e164: str) -> str:
    """'+6281234567890' -> '0812-3456-7890'; foreign numbers stay international."""
    try:
        number = phonenumbers.parse(e164, "ID")
    except phonenumbers.NumberParseException:
        return e164
    fmt = (
        phonenumbers.PhoneNumberFormat.NATIONAL
        if number.country_code == 62
        else phonenumbers.PhoneNumberFormat.INTERNATIONAL
    )
    return phonenumbers.format_number(number, fmt)


# --------------------------------------------------------------------------- dates

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
_DATE_MSG = __("Please type the date like 17-08-2025 or 17 Agustus 2025.")
_NUMERIC_DMY = re.compile(r"(\d{1,2})[-/.](\d{1,2})[-/.](\d{2}|\d{4})")
_ISO = re.compile(r"(\d{4})-(\d{1,2})-(\d{1,2})")
_NAMED_DMY = re.compile(r"(\d{1,2})[\s\-/.]*([a-z]+)\.?[\s\-/.,]*(\d{2}|\d{4})")
_NAMED_MDY = re.compile(r"([a-z]+)\.?\s+(\d{1,2}),?\s+(\d{4})")


# A bound of parse_date: a date, or a function of today giving one, or none.
DateBound: TypeAlias = date | Callable[[date], date] | None


def _bound(value: DateBound, today: date) -> date | None:
    if value is None or isinstance(value, date):
        return value
    return value(today)  # callable(today) -> date


def parse_date(
    text: str,
    today: date | None = None,
    min: DateBound = None,
    max: DateBound = None,
) -> date:
    """Indonesian date input -> date. ``min``/``max`` are dates or callables(today) -> date."""
    today = today or today_wib()
    lo, hi = _bound(min, today), _bound(max, today)
    s = re.sub(r"\s+", " ", (text or "").strip().lower())
    s = re.sub(r"^(" + "|".join(_WEEKDAYS) + r"),?\s+", "", s)
    two_digit_year = False
    if s in ("hari ini", "today", "sekarang"):
        y, mth, d = today.year, today.month, today.day
    elif s in ("kemarin", "yesterday"):
        yesterday = today - timedelta(days=1)
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
        raise ValidationError(_DATE_MSG)
    if two_digit_year:
        # 20YY unless that is beyond the latest allowed date (or far future), then 19YY.
        limit = hi or date(today.year + 20, 12, 31)
        y = 2000 + y if 2000 + y <= limit.year else 1900 + y
    if not 1 <= mth <= 12:
        raise ValidationError(_DATE_MSG)
    try:
        result = date(y, mth, d)
    except ValueError as exc:
        raise ValidationError(
            __("The date {day}-{month}-{year} does not exist. Please check again."),
            day=f"{d:02d}",
            month=f"{mth:02d}",
            year=y,
        ) from exc
    if lo is not None and result < lo:
        raise ValidationError(__("The date cannot be before {date}."), date=format_date_long(lo))
    if hi is not None and result > hi:
        raise ValidationError(__("The date cannot be after {date}."), date=format_date_long(hi))
    return result


def format_date_id(d: date) -> str:
    """date(2024, 3, 19) -> 'Selasa, 19 Maret 2024'."""
    return format_date(d, "EEEE, d MMMM y", locale="id")


def to_wib(when: datetime) -> datetime:
    """An aware datetime (stored as UTC) in Western Indonesian Time, what people read."""
    if when.tzinfo is None:
        raise ValueError("naive datetime; give an aware one (UTC from the database)")
    return when.astimezone(WIB)


def format_datetime_id(when: datetime) -> str:
    """An aware datetime -> 'Selasa, 19 Maret 2024, pukul 09.00 WIB' (in Jakarta time)."""
    local = to_wib(when)
    return _("{date}, at {time} WIB").format(
        date=format_date_id(local.date()), time=local.strftime("%H.%M")
    )


def format_date_long(d: date) -> str:
    """date(2024, 3, 19) -> '19 Maret 2024'."""
    return format_date(d, "d MMMM y", locale="id")


# --------------------------------------------------------------------------- times of day

_TIME_MSG = __("Please type the time like 09.00 or 13.30 (WIB).")
_TIME_RE = re.compile(r"(\d{1,2})(?:[.:](\d{2})|(\d{2}))?")
# Words for the part of the day, as people say it: "jam 2 siang" is 14.00.
_PART_OF_DAY = {"pagi": "am", "siang": "pm", "sore": "pm", "petang": "pm", "malam": "pm"}


def parse_time(text: str) -> time:
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
        raise ValidationError(_TIME_MSG)
    hour = int(m[1])
    minute = int(m[2] or m[3] or 0)
    if part is not None and hour <= 12:
        if _PART_OF_DAY[part] == "pm" and hour < 12 and not (part == "siang" and hour >= 10):
            hour += 12
        elif part == "malam" and hour == 12:
            hour = 0
        elif part == "pagi" and hour == 12:
            hour = 0
    if hour > 23 or minute > 59:
        raise ValidationError(_TIME_MSG)
    return time(hour, minute)


def format_time_id(value: time) -> str:
    """time(9, 0) -> '09.00 WIB' (Indonesian writes the time with a dot)."""
    return value.strftime("%H.%M") + " WIB"


def wib_datetime(day: date, at: time) -> datetime:
    """A WIB date and time of day -> an aware datetime (stored as UTC by the models)."""
    return datetime.combine(day, at, tzinfo=WIB)
