"""NIK and Nomor KK: reading what people type, the facts the numbers carry, and masking
(docs/domain.md §1).

A number that breaks a hard rule raises `Invalid` with the code `nik.<rule>` or `kk.<rule>`:
`digits_only`, `length` (count), `province` (code), `region`, `date` (part), `serial`.
"""

from __future__ import annotations

import datetime as dt
import re
from functools import lru_cache

from domain.dates import today_wib
from domain.errors import Invalid

PROVINCE_CODES = frozenset(  # the 38 provinces (Kemendagri codes)
    (*range(11, 20), 21, *range(31, 37), *range(51, 54), *range(61, 66), *range(71, 77),
     81, 82, *range(91, 97))
)  # fmt: skip
KABUPATEN_BEKASI = "3216"
KOTA_BEKASI = "3275"

_SEPARATORS = re.compile(r"[\s.\-\u00a0]+")
_DIGITS16 = re.compile(r"[0-9]{16}")
# A NIK or KK inside free text: 16 digits, single spaces, dots or dashes between them
# tolerated (as people group them: "3216 0615 0320 0001"), not part of a longer number.
_ID_NUMBER = re.compile(r"(?<![0-9])(?:[0-9][\s.\-\u00a0]?){15}[0-9](?![0-9])")


def strip_number(text: str) -> str:
    """The digits as typed, without the spaces, dots and dashes people group them with."""
    return _SEPARATORS.sub("", text or "")


@lru_cache(maxsize=4096)  # an import checks hundreds of thousands of numbers
def real_day_month(dd: int, mm: int, yy: int) -> bool:
    """True if dd-mm exists in 19yy or 20yy (the century only matters for 29 Feb 1900/2000)."""
    for century in (2000, 1900):
        try:
            dt.date(century + yy, mm, dd)
        except ValueError:
            continue
        return True
    return False


def _parse_population_number(text: str, kind: str) -> str:
    number = strip_number(text)
    if not number or not all(c.isdigit() for c in number):
        raise Invalid(f"{kind}.digits_only")
    if not _DIGITS16.fullmatch(number):
        if not number.isascii():
            raise Invalid(f"{kind}.digits_only")
        raise Invalid(f"{kind}.length", count=len(number))
    if int(number[0:2]) not in PROVINCE_CODES:
        raise Invalid(f"{kind}.province", code=number[0:2])
    if number[2:4] == "00" or number[4:6] == "00":
        raise Invalid(f"{kind}.region")
    dd, mm, yy = int(number[6:8]), int(number[8:10]), int(number[10:12])
    if kind == "nik" and dd > 40:
        dd -= 40
    if not (1 <= mm <= 12 and 1 <= dd <= 31 and real_day_month(dd, mm, yy)):
        raise Invalid(f"{kind}.date", part=number[6:12])
    if number[12:16] == "0000":
        raise Invalid(f"{kind}.serial")
    return number


def parse_nik(text: str) -> str:
    """16-digit NIK with the hard checks (docs/domain.md §1). Non-Bekasi NIKs are valid."""
    return _parse_population_number(text, "nik")


def parse_kk(text: str) -> str:
    """16-digit Nomor KK: the same checks as a NIK, but the date has no +40 offset."""
    return _parse_population_number(text, "kk")


def nik_is_female(nik: str) -> bool:
    """Women's NIKs carry birth day + 40."""
    return int(nik[6:8]) > 40


def nik_birth_date(nik: str, today: dt.date | None = None) -> dt.date:
    """Birth date encoded in a (valid) NIK: 20YY unless that is in the future, else 19YY."""
    today = today or today_wib()
    dd, mm, yy = int(nik[6:8]), int(nik[8:10]), int(nik[10:12])
    if dd > 40:
        dd -= 40
    try:
        born = dt.date(2000 + yy, mm, dd)
    except ValueError:  # 29 Feb in a year that is leap only in the other century
        return dt.date(1900 + yy, mm, dd)
    if born > today:
        return dt.date(1900 + yy, mm, dd)
    return born


def is_kota_bekasi(number: str) -> bool:
    """True for a NIK/KK first registered in Kota Bekasi (32.75), not Kabupaten Bekasi."""
    return strip_number(number).startswith(KOTA_BEKASI)


def mask_number(number: str) -> str:
    """``3216 0652.1285-0001`` -> ``3216********0001``: the first and last four digits."""
    number = strip_number(number)
    if len(number) <= 8:
        return "*" * len(number)
    return number[:4] + "*" * (len(number) - 8) + number[-4:]


def has_id_number(text: str | None) -> bool:
    """True when free text carries something shaped like a NIK or KK."""
    return bool(text) and _ID_NUMBER.search(text or "") is not None


def mask_id_numbers(text: str) -> str:
    """Free text with every NIK/KK-shaped number masked (``3216********0001``): what may be
    stored of it, or sent on to volunteers and staff."""
    return _ID_NUMBER.sub(lambda found: mask_number(found.group(0)), text)
