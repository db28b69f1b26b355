"""Answer times of cases (SP4N-LAPOR!, docs/domain.md §9): a first answer within 3 days; a
reminder after 24 hours unanswered; passed up to the kecamatan's TKSK after 3 days unanswered
and to the office's staff after 5 working days. The numbers come from the settings.

Working days are Monday to Friday in WIB; national holidays are not known to the bot (a
holiday counts as a working day: the case goes up a day early, never late).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from domain.dates import WIB

LEVEL_PSM, LEVEL_TKSK = "psm", "tksk"  # as services.cases (which imports this module)


@dataclass(frozen=True)
class AnswerTimes:
    first_answer: dt.timedelta = dt.timedelta(days=3)
    reminder_after: dt.timedelta = dt.timedelta(hours=24)
    to_tksk_after: dt.timedelta = dt.timedelta(days=3)
    to_staff_after_working_days: int = 5


@dataclass(frozen=True)
class Deadlines:
    first_answer: dt.datetime
    reminder: dt.datetime
    escalate: dt.datetime | None  # when to pass it up if still unanswered (None: with staff)


def add_working_days(start: dt.datetime, days: int) -> dt.datetime:
    """`start` plus `days` working days (Monday-Friday, WIB), at the same time of day."""
    local = start.astimezone(WIB)
    left = days
    while left > 0:
        local += dt.timedelta(days=1)
        if local.weekday() < 5:
            left -= 1
    return local.astimezone(dt.UTC)


def deadlines_from(start: dt.datetime, level: str, times: AnswerTimes) -> Deadlines:
    if level == LEVEL_PSM:
        escalate: dt.datetime | None = start + times.to_tksk_after
    elif level == LEVEL_TKSK:
        escalate = add_working_days(start, times.to_staff_after_working_days)
    else:
        escalate = None
    return Deadlines(start + times.first_answer, start + times.reminder_after, escalate)
