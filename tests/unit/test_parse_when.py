"""A day and a time typed in one message (`domain.dates.parse_when`, staff's "Kirim nanti"):
as forgiving as the date and time fields, with a reason when it cannot be used."""

from __future__ import annotations

import datetime as dt

import pytest

from bot.i18n import create_i18n
from conversations.validators import ValidationError, parse_when
from domain.dates import WIB
from domain.dates import parse_when as parse_when_rule
from domain.errors import Invalid

NOW = dt.datetime(2025, 8, 10, 9, 0, tzinfo=WIB)  # a Sunday morning


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("17-08-2025 09.30", dt.datetime(2025, 8, 17, 9, 30)),
        ("17/8/2025 9", dt.datetime(2025, 8, 17, 9, 0)),
        ("17 Agustus 2025 jam 9 pagi", dt.datetime(2025, 8, 17, 9, 0)),
        ("Senin, 11 Agustus 2025 pukul 13.30", dt.datetime(2025, 8, 11, 13, 30)),
        ("besok 8", dt.datetime(2025, 8, 11, 8, 0)),
        ("besok jam 2 siang", dt.datetime(2025, 8, 11, 14, 0)),
        ("lusa 14.00 WIB", dt.datetime(2025, 8, 12, 14, 0)),
        ("hari ini 16.00", dt.datetime(2025, 8, 10, 16, 0)),
        ("2025-08-20 07:15", dt.datetime(2025, 8, 20, 7, 15)),
    ],
)
def test_read(text: str, expected: dt.datetime) -> None:
    assert parse_when_rule(text, NOW) == expected.replace(tzinfo=WIB)


@pytest.mark.parametrize(
    ("text", "code"),
    [
        ("hari ini 08.00", "when.past"),
        ("kemarin 9", "when.past"),
        ("17-08-2025", "when.no_time"),
        ("17 agustus 2025", "when.no_time"),
        ("jam 9", "when.invalid"),
        ("Sabtu pagi", "when.invalid"),
        ("", "when.invalid"),
        ("31-02-2025 09.00", "date.not_exist"),
        ("17-08-2027 09.00", "when.after"),
    ],
)
def test_refused(text: str, code: str) -> None:
    with pytest.raises(Invalid) as refused:
        parse_when_rule(text, NOW)
    assert refused.value.code == code


def test_the_reason_is_in_indonesian() -> None:
    i18n = create_i18n()
    with i18n.context(), i18n.use_locale("id"), pytest.raises(ValidationError) as refused:
        parse_when("17-08-2027 09.00", NOW)
    assert refused.value.render() == "Tanggal tidak boleh sesudah 11 Agustus 2026."
