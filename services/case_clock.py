"""The clock of cases: which are due a reminder or to be passed up unanswered, and claiming
each one atomically (a conditional UPDATE: with several bot processes, one of them wins and
the others find nothing to do). The worker (bot.workers.cases) commits a claim before it
sends anything, so a crash means a reminder missed rather than sent twice.
"""

from __future__ import annotations

import datetime as dt
from typing import Any, cast

from sqlalchemy import CursorResult, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from db.models.cases import Case
from services import cases
from services.case_times import AnswerTimes

BATCH = 200


async def due_reminders(session: AsyncSession, now: dt.datetime) -> list[int]:
    found = await session.scalars(
        select(Case.id)
        .where(Case.next_reminder_at <= now, Case.state != cases.CLOSED)
        .order_by(Case.next_reminder_at, Case.id)
        .limit(BATCH)
    )
    return list(found)


async def claim_reminder(session: AsyncSession, case_id: int, now: dt.datetime) -> Case | None:
    """One reminder per due time: None when another process (or an answer) got there first."""
    result = cast(CursorResult[Any], await session.execute(
        update(Case)
        .where(Case.id == case_id, Case.next_reminder_at <= now, Case.state != cases.CLOSED)
        .values(next_reminder_at=None)
        .execution_options(synchronize_session=False)
    ))  # fmt: skip
    if result.rowcount != 1:
        return None
    return await session.get(Case, case_id, populate_existing=True)


async def due_escalations(session: AsyncSession, now: dt.datetime) -> list[int]:
    found = await session.scalars(
        select(Case.id)
        .where(
            Case.escalate_at <= now, Case.answered_at.is_(None), Case.state != cases.CLOSED
        )
        .order_by(Case.escalate_at, Case.id)
        .limit(BATCH)
    )
    return list(found)


async def claim_escalation(
    session: AsyncSession, case_id: int, now: dt.datetime, times: AnswerTimes
) -> tuple[Case, str] | None:
    """Pass an unanswered case up a level (and set when to pass it up again); None when it
    was answered, closed or passed up by another process meanwhile."""
    result = cast(CursorResult[Any], await session.execute(
        update(Case)
        .where(
            Case.id == case_id, Case.escalate_at <= now, Case.answered_at.is_(None),
            Case.state != cases.CLOSED,
        )
        .values(escalate_at=None)
        .execution_options(synchronize_session=False)
    ))  # fmt: skip
    if result.rowcount != 1:
        return None
    case = await session.get(Case, case_id, populate_existing=True)
    assert case is not None
    level = await cases.pass_up(session, case, None, now, times)
    return (case, level) if level is not None else None
