"""Indonesian phone numbers, stored as E.164, shown the national way (docs/domain.md §3).

A number that cannot be read raises `Invalid("phone.invalid")`.
"""

from __future__ import annotations

import re

import phonenumbers

from domain.errors import Invalid

_PHONE_STRIP = re.compile(r"[\s\-.()/\u00a0]+")


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
        raise Invalid("phone.invalid")
    try:
        number = phonenumbers.parse(s, "ID")
    except phonenumbers.NumberParseException as exc:
        raise Invalid("phone.invalid") from exc
    if not phonenumbers.is_valid_number(number):
        raise Invalid("phone.invalid")
    return str(phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164))


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
    return str(phonenumbers.format_number(number, fmt))
