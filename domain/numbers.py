"""Whole numbers as people type them ("3", "3 orang", "tiga", "1.000").

Input that breaks a rule raises `Invalid`: `number.invalid`, `number.range` (min, max),
`number.min` (min), `number.max` (max).
"""

from __future__ import annotations

import re
from collections.abc import Callable

from domain.errors import Invalid

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
        raise Invalid("number.invalid")
    check_range(value, min, max)
    return value


def check_range(
    value: int, min: int | None, max: int | None, fmt: Callable[[int], str] = str
) -> None:
    """Raise `Invalid` when value is outside [min, max] (either bound optional); the bounds
    are shown through `fmt` (e.g. as rupiah)."""
    too_low = min is not None and value < min
    too_high = max is not None and value > max
    if not (too_low or too_high):
        return
    if min is not None and max is not None:
        raise Invalid("number.range", min=fmt(min), max=fmt(max))
    if too_low and min is not None:
        raise Invalid("number.min", min=fmt(min))
    assert max is not None
    raise Invalid("number.max", max=fmt(max))
