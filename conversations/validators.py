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

from domain import dates, identity, money, numbers, phone
from domain.errors import Invalid
from texts.rules import MESSAGES

P = ParamSpec("P")
T = TypeVar("T")

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
parse_when = _explained(dates.parse_when)


def format_datetime_id(when: dt.datetime) -> str:
    """An aware datetime -> 'Selasa, 19 Maret 2024, pukul 09.00 WIB' (in Jakarta time)."""
    local = dates.to_wib(when)
    return _("{date}, at {time} WIB").format(
        date=dates.format_date_id(local.date()), time=local.strftime("%H.%M")
    )
