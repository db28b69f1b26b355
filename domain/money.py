"""Rupiah as people type and read it (docs/domain.md §4).

Input that breaks a rule raises `Invalid`: `rupiah.invalid`, `rupiah.negative`,
`rupiah.too_large` (limit).
"""

from __future__ import annotations

import re
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

from babel import Locale
from babel.numbers import parse_pattern

from domain.errors import Invalid

MAX_RUPIAH = 1_000_000_000  # "absurd" above 1 miliar

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
# Parsed once: format_currency parses its pattern and the locale on every call, which was
# most of the time of showing an amount (a form summary shows several).
_ID_LOCALE = Locale.parse("id")
_RUPIAH_PATTERN = parse_pattern("¤#,##0")


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
        raise Invalid("rupiah.invalid")
    if not all(g.isdigit() for g in groups) or (frac and not frac.isdigit()):
        raise Invalid("rupiah.invalid")
    return Decimal("".join(groups) + ("." + frac if frac else ""))


def parse_rupiah(text: str) -> int:
    """Amount in whole rupiah from '1,5 juta', '1.5jt', 'Rp750.000,00', '1500rb', '0'…"""
    s = (text or "").strip().lower().replace("\u00a0", " ")
    if re.match(r"(rp\.?|idr)?\s*(-|min\s|minus\s)\s*(rp\.?)?\s*[0-9]", s):
        raise Invalid("rupiah.negative")
    s = re.sub(r"^(rp|idr)\.?\s*", "", s)
    s = re.sub(r"\s*(rupiah|idr)$", "", s)
    s = re.sub(r"[,.]-$", "", s)  # "Rp 1.500.000,-"
    if re.fullmatch(r"[0-9]{1,3}( [0-9]{3})+", s):  # "1 500 000"
        s = s.replace(" ", "")
    m = _RUPIAH_RE.fullmatch(s)
    if not m:
        raise Invalid("rupiah.invalid")
    value = _decimal_from_grouped(
        m.group("num").rstrip(".,") if m.group("mult") else m.group("num")
    )
    if m.group("mult"):
        value *= _MULTIPLIERS[m.group("mult")]
    elif value != value.to_integral_value():  # "1,5" or "1.50" alone: ambiguous, not rupiah
        raise Invalid("rupiah.invalid")
    try:
        amount = int(value.quantize(Decimal(1), rounding=ROUND_HALF_UP))
    except InvalidOperation as exc:  # pragma: no cover - absurd exponent
        raise Invalid("rupiah.invalid") from exc
    if amount > MAX_RUPIAH:
        raise Invalid("rupiah.too_large", limit=format_rupiah(MAX_RUPIAH))
    return amount


def format_rupiah(amount: int) -> str:
    """1500000 -> 'Rp1.500.000' (as format_currency(amount, "IDR", locale="id",
    format="¤#,##0", currency_digits=False))."""
    return str(_RUPIAH_PATTERN.apply(amount, _ID_LOCALE, currency="IDR", currency_digits=False))
