"""Attendance of a training, day by day: the training's days, who is expected on a day and who
came, and marking one person present or absent (staff, audited).

The rule: an enrollment is "attended" while it is present on at least one day, else
"enrolled" again (both hold a seat, so seats do not move). Marking is idempotent (the button
carries the state it sets, not "toggle"), so a double tap or two staff marking the same person
agree, and the enrollment row is locked first so that its status follows every day's marks
even when two days are marked at once. No aiogram, no gettext.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from sqlalchemy import func, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from db import audit
from db.models.accounts import Account
from db.models.aid import Enrollment, Training, TrainingAttendance
from db.models.base import utcnow
from db.models.households import Household, Member, Region
from domain.dates import to_wib

EXPECTED = ("enrolled", "attended")  # who has a seat: the people on a day's list
MAX_DAYS = 400  # a training longer than this is a typo; its list of days stops here


def training_days(training: Training) -> list[dt.date]:
    """Every WIB calendar day from the first to the last day (one when it has no end)."""
    first = to_wib(training.starts_at).date()
    last = to_wib(training.ends_at).date() if training.ends_at else first
    count = min(max((last - first).days + 1, 1), MAX_DAYS)
    return [first + dt.timedelta(days=k) for k in range(count)]


def days_today_first(training: Training, today: dt.date) -> list[dt.date]:
    """The training's days for a staff member to choose from: today first when it is one."""
    days = training_days(training)
    if today in days:
        days.remove(today)
        days.insert(0, today)
    return days


@dataclass(frozen=True)
class Participant:
    enrollment_id: int
    name: str
    desa: str
    present: bool  # on the day asked; False when not marked yet


async def roster(session: AsyncSession, training_id: int, day: dt.date) -> list[Participant]:
    """Everyone with a seat (with or without Telegram), by name, and whether they came."""
    marked = (
        select(TrainingAttendance.enrollment_id, TrainingAttendance.present)
        .where(TrainingAttendance.day == day)
        .subquery()
    )
    rows = await session.execute(
        select(Enrollment.id, Member.name, Region.name, marked.c.present)
        .join(Member, Member.id == Enrollment.member_id)
        .join(Household, Household.id == Member.household_id)
        .join(Region, Region.code == Household.desa_code)
        .outerjoin(marked, marked.c.enrollment_id == Enrollment.id)
        .where(Enrollment.training_id == training_id, Enrollment.status.in_(EXPECTED))
        .order_by(func.lower(Member.name), Enrollment.id)
    )
    return [Participant(eid, name, desa, bool(present)) for eid, name, desa, present in rows]


async def present_per_day(session: AsyncSession, training_id: int) -> dict[dt.date, int]:
    """How many of those with a seat were marked present, per day."""
    rows = await session.execute(
        select(TrainingAttendance.day, func.count())
        .join(Enrollment, Enrollment.id == TrainingAttendance.enrollment_id)
        .where(
            Enrollment.training_id == training_id,
            Enrollment.status.in_(EXPECTED),
            TrainingAttendance.present.is_(True),
        )
        .group_by(TrainingAttendance.day)
    )
    return {day: int(n) for day, n in rows.all()}


async def marks(session: AsyncSession, enrollment_ids: list[int]) -> dict[int, dict[dt.date, bool]]:
    """Each enrollment's marks by day (for the exports)."""
    found: dict[int, dict[dt.date, bool]] = {}
    if not enrollment_ids:
        return found
    rows = await session.execute(
        select(TrainingAttendance.enrollment_id, TrainingAttendance.day, TrainingAttendance.present)
        .where(TrainingAttendance.enrollment_id.in_(enrollment_ids))
        .order_by(TrainingAttendance.day)
    )
    for enrollment_id, day, present in rows:
        found.setdefault(enrollment_id, {})[day] = bool(present)
    return found


async def mark(
    session: AsyncSession,
    actor: Account,
    training: Training,
    enrollment_id: int,
    day: dt.date,
    present: bool,
) -> Enrollment | None:
    """Mark one participant present or absent on one day of `training`. None when the
    enrollment is not one with a seat in this training or the day is not one of its days
    (a stale or crafted button)."""
    if day not in training_days(training):
        return None
    enrollment = await session.get(Enrollment, enrollment_id)
    if enrollment is None or enrollment.training_id != training.id:
        return None
    now = utcnow()
    # Lock the enrollment (a row lock on PostgreSQL, the write lock on SQLite) before reading
    # its other days, so the status below sees every mark committed before ours.
    locked = await session.execute(
        update(Enrollment)
        .where(Enrollment.id == enrollment_id, Enrollment.status.in_(EXPECTED))
        .values(updated_at=now)
        .execution_options(synchronize_session=False)
        .returning(Enrollment.id)
    )
    if locked.first() is None:
        return None  # cancelled meanwhile (or on the waiting list)
    await _set(session, actor, enrollment_id, day, present, now)
    came = await session.scalar(
        select(func.count()).where(
            TrainingAttendance.enrollment_id == enrollment_id,
            TrainingAttendance.present.is_(True),
        )
    )
    await session.refresh(enrollment)
    status = "attended" if came else "enrolled"
    if enrollment.status != status:
        enrollment.status = status
    audit.record(
        session, actor, "training.attendance", "enrollment", enrollment.id,
        training=training.id, day=day.isoformat(), present=present,
    )  # fmt: skip
    return enrollment


async def _set(
    session: AsyncSession,
    actor: Account,
    enrollment_id: int,
    day: dt.date,
    present: bool,
    now: dt.datetime,
) -> None:
    values = {"present": present, "marked_by_account_id": actor.id, "marked_at": now}
    where = (TrainingAttendance.enrollment_id == enrollment_id, TrainingAttendance.day == day)
    done = await session.execute(
        update(TrainingAttendance).where(*where).values(**values).returning(TrainingAttendance.id)
    )
    if done.first() is not None:
        return
    try:
        async with session.begin_nested():
            session.add(TrainingAttendance(enrollment_id=enrollment_id, day=day, **values))
    except IntegrityError:  # the same person and day marked elsewhere at this moment
        await session.execute(update(TrainingAttendance).where(*where).values(**values))
