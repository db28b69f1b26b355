"""What people type, read by the field's rules, with the reason in their language.

The rules live in `domain/` and raise `domain.errors.Invalid` with a code; this module gives
each code its text (gettext) and raises `ValidationError`, which the form engine and the
handlers show to the person. Formatting that needs no words is used from `domain/` directly.
"""

from __future__ import annotations

import datetime as dt
import functools
from collections.abc import Callable
from typing import Any, ParamSpec, TypeVar

from aiogram.utils.i18n import gettext as _
from aiogram.utils.i18n import lazy_gettext as __

from domain import dates, identity, money, numbers, phone
from domain.errors import Invalid

P = ParamSpec("P")
T = TypeVar("T")

# Each rule of domain/ and what a person is told when an answer breaks it.
MESSAGES: dict[str, Any] = {
    "nik.digits_only": __("The NIK may contain only digits (16 digits)."),
    "nik.length": __("NIK must be 16 digits; you typed {count}."),
    "nik.province": __(
        "The first two digits of the NIK ({code}) are not a province code. "
        "Please check the NIK on the KTP or KK."
    ),
    "nik.region": __(
        "Digits 3 to 6 of the NIK (the region code) cannot be 00. Please check again."
    ),
    "nik.date": __(
        "Digits 7 to 12 of the NIK must be the birth date (DDMMYY), "
        "but {part} is not a valid date. Please check again."
    ),
    "nik.serial": __("The last four digits of the NIK cannot be 0000. Please check again."),
    "kk.digits_only": __("The KK number may contain only digits (16 digits)."),
    "kk.length": __("The KK number must be 16 digits; you typed {count}."),
    "kk.province": __(
        "The first two digits of the KK number ({code}) are not a province code. "
        "Please check the Kartu Keluarga."
    ),
    "kk.region": __(
        "Digits 3 to 6 of the KK number (the region code) cannot be 00. Please check again."
    ),
    "kk.date": __(
        "Digits 7 to 12 of the KK number must be a date (DDMMYY), "
        "but {part} is not a valid date. Please check again."
    ),
    "kk.serial": __("The last four digits of the KK number cannot be 0000. Please check again."),
    "rupiah.invalid": __("Please type an amount in rupiah, for example 1.500.000 or 1,5 juta."),
    "rupiah.negative": __("The amount cannot be negative."),
    "rupiah.too_large": __("That amount is too large (more than {limit}). Please check again."),
    "number.invalid": __("Please type a whole number, for example 3."),
    "number.range": __("Please type a number from {min} to {max}."),
    "number.min": __("The number must be at least {min}."),
    "number.max": __("The number must be at most {max}."),
    "phone.invalid": __(
        "That phone number does not look right. Please type it like 0812-3456-7890."
    ),
    "date.invalid": __("Please type the date like 17-08-2025 or 17 Agustus 2025."),
    "date.not_exist": __("The date {day}-{month}-{year} does not exist. Please check again."),
    "date.before": __("The date cannot be before {date}."),
    "date.after": __("The date cannot be after {date}."),
    "time.invalid": __("Please type the time like 09.00 or 13.30 (WIB)."),
}


class ValidationError(Invalid):
    """A friendly, translatable reason why an answer was not accepted."""

    def __init__(self, message: Any, **params: Any) -> None:
        # the untranslated msgid, so logs and tracebacks never need an i18n context
        super().__init__(str(getattr(message, "_args", (message,))[0]), **params)
        self.message = message

    def render(self) -> str:
        """The message in the current gettext locale, with params filled in."""
        text = str(self.message)
        return text.format(**self.params) if self.params else text


def explain(error: Invalid) -> ValidationError:
    """The broken rule as a message for the person."""
    return ValidationError(MESSAGES[error.code], **error.params)


def _explained(rule: Callable[P, T]) -> Callable[P, T]:
    """`rule`, raising ValidationError (with words) instead of Invalid (with a code)."""

    @functools.wraps(rule)
    def read(*args: P.args, **kwargs: P.kwargs) -> T:
        try:
            return rule(*args, **kwargs)
        except ValidationError:
            raise
        except Invalid as error:
            raise explain(error) from None

    return read


parse_nik = _explained(identity.parse_nik)
parse_kk = _explained(identity.parse_kk)
parse_rupiah = _explained(money.parse_rupiah)
parse_int = _explained(numbers.parse_int)
check_range = _explained(numbers.check_range)
parse_phone = _explained(phone.parse_phone)
parse_date = _explained(dates.parse_date)
parse_time = _explained(dates.parse_time)


def format_datetime_id(when: dt.datetime) -> str:
    """An aware datetime -> 'Selasa, 19 Maret 2024, pukul 09.00 WIB' (in Jakarta time)."""
    local = dates.to_wib(when)
    return _("{date}, at {time} WIB").format(
        date=dates.format_date_id(local.date()), time=local.strftime("%H.%M")
    )
