"""Cases in the statistics (/statistik): how many are open per area, how many of those are
overdue, and how long the first answer took. Every signal is a case (services.cases), so
these figures cover complaints and the volunteers' field work alike. SQLite and PostgreSQL.

"Overdue": not closed, not answered yet, and past its first-answer due time. A case answered
in time and now waiting for the resident is not late (the answer-time clock,
services.case_clock, stops at the first answer too).

Answer time: `answered_at - created_at` of the cases first answered in the last 30 days
(closing answers a case too). Kept as a sum of hours and a count, so that a kecamatan's mean
is the mean over its cases, not a mean of its desa's means.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from sqlalchemy import ColumnElement, case, extract, func, select
from sqlalchemy.ext.asyncio import AsyncSession

from db.models.cases import Case
from services.cases import CLOSED

MONTH = dt.timedelta(days=30)


def hours_between(session: AsyncSession, start: Any, end: Any) -> ColumnElement[Any]:
    """SQL for the hours from `start` to `end` (two timestamp columns). SQLite has no
    interval type: its day numbers (julianday) differ by fractions of a day."""
    if session.get_bind().dialect.name == "sqlite":
        return (func.julianday(end) - func.julianday(start)) * 24.0
    return extract("epoch", end - start) / 3600.0


def is_open() -> ColumnElement[bool]:
    return Case.state != CLOSED


def is_overdue(now: dt.datetime) -> ColumnElement[bool]:
    return (Case.state != CLOSED) & Case.answered_at.is_(None) & (Case.first_answer_due_at < now)


def answered_since(since: dt.datetime) -> ColumnElement[bool]:
    return Case.answered_at >= since


def sum_when(condition: Any, value: Any) -> Any:
    """SUM of `value` over the rows where the condition holds (0 when none)."""
    return func.coalesce(func.sum(case((condition, value), else_=0)), 0)


def count_when(condition: Any) -> Any:
    """COUNT of the rows where the condition holds (portable: SUM of a CASE)."""
    return sum_when(condition, 1)


def mean_hours(total: float, count: int) -> float | None:
    return total / count if count else None


@dataclass
class CaseNumbers:
    open: int = 0
    overdue: int = 0
    answered: int = 0  # first answered in the last 30 days
    answer_hours: float = 0.0  # their answer times added up


async def per_area(
    session: AsyncSession, area: Any, within: ColumnElement[bool], now: dt.datetime
) -> dict[str, CaseNumbers]:
    """Per value of `area` (Case.desa_code or Case.kecamatan_code), under `within`."""
    since = now - MONTH
    took = hours_between(session, Case.created_at, Case.answered_at)
    rows = await session.execute(
        select(
            area,
            count_when(is_open()),
            count_when(is_overdue(now)),
            count_when(answered_since(since)),
            sum_when(answered_since(since), took),
        )
        .where(within, is_open() | answered_since(since))
        .group_by(area)
    )
    return {
        code: CaseNumbers(int(o), int(late), int(answered), float(hours))
        for code, o, late, answered, hours in rows.all()
    }
