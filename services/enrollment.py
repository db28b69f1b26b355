"""Training sign-up with a seat limit that holds under concurrency, a waiting list, and
promotion from it when a seat frees.

Every change to a training's seats starts by locking the training row (a no-op UPDATE: a row
lock on PostgreSQL, the write lock on SQLite), so sign-ups and cancellations of one training
happen one after the other. The seat itself is taken with a conditional UPDATE
(`seats_taken < capacity`) whose row count decides: two people tapping for the last seat at
once cannot both get it, and `seats_taken` never exceeds `capacity`.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any, cast

from sqlalchemy import CursorResult, func, or_, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from db.models.accounts import Account
from db.models.aid import Enrollment, Training
from db.models.base import utcnow
from db.models.households import Member

OPEN = "open"
ENROLLED = "enrolled"
WAITING = "waiting"
CANCELLED = "cancelled"
ATTENDED = "attended"  # present on a day already (services/attendance.py): still has the seat
ACTIVE = (ENROLLED, WAITING)


def age_on(born: dt.date, day: dt.date) -> int:
    return day.year - born.year - ((day.month, day.day) < (born.month, born.day))


async def open_trainings(session: AsyncSession, now: dt.datetime | None = None) -> list[Training]:
    """Trainings one can still sign up for, soonest first."""
    now = now or utcnow()
    rows = await session.scalars(
        select(Training)
        .where(
            Training.status == OPEN,
            Training.starts_at > now,
            or_(Training.signup_deadline.is_(None), Training.signup_deadline > now),
        )
        .order_by(Training.starts_at, Training.id)
    )
    return list(rows)


async def waiting_count(session: AsyncSession, training_id: int) -> int:
    return int(
        await session.scalar(
            select(func.count())
            .select_from(Enrollment)
            .where(Enrollment.training_id == training_id, Enrollment.status == WAITING)
        )
        or 0
    )


async def position(session: AsyncSession, enrollment: Enrollment) -> int:
    """1-based place on the waiting list (first come, first served)."""
    ahead = await session.scalar(
        select(func.count())
        .select_from(Enrollment)
        .where(
            Enrollment.training_id == enrollment.training_id,
            Enrollment.status == WAITING,
            or_(
                Enrollment.created_at < enrollment.created_at,
                (Enrollment.created_at == enrollment.created_at) & (Enrollment.id < enrollment.id),
            ),
        )
    )
    return int(ahead or 0) + 1


@dataclass(frozen=True)
class SignUp:
    """`outcome`: enrolled | waiting | already | closed | too_young | too_old | not_found."""

    outcome: str
    enrollment: Enrollment | None = None
    position: int | None = None  # on the waiting list
    training: Training | None = None


async def _lock(session: AsyncSession, training_id: int) -> None:
    await session.execute(
        update(Training)
        .where(Training.id == training_id)
        .values(seats_taken=Training.seats_taken)
        .execution_options(synchronize_session=False)
    )


async def _take_seat(session: AsyncSession, training_id: int) -> bool:
    result = cast(CursorResult[Any], await session.execute(
        update(Training)
        .where(Training.id == training_id, Training.seats_taken < Training.capacity)
        .values(seats_taken=Training.seats_taken + 1)
        .execution_options(synchronize_session=False)
    ))
    return result.rowcount == 1


def eligibility(training: Training, member: Member, now: dt.datetime) -> str | None:
    """Why `member` may not join (an outcome of SignUp), or None. An unknown birth date is
    not refused: the officers check it at the training."""
    if training.status != OPEN or training.starts_at <= now:
        return "closed"
    if training.signup_deadline is not None and training.signup_deadline <= now:
        return "closed"
    if member.birth_date is not None:
        age = age_on(member.birth_date, training.starts_at.date())
        if age < training.min_age:
            return "too_young"
        if age > training.max_age:
            return "too_old"
    return None


async def sign_up(
    session: AsyncSession,
    training_id: int,
    member: Member,
    account: Account | None,
    now: dt.datetime | None = None,
) -> SignUp:
    """Take a seat for `member`, or a place on the waiting list when the training is full.
    Adds to the caller's transaction; the caller commits."""
    now = now or utcnow()
    training = await session.get(Training, training_id)
    if training is None:
        return SignUp("not_found")
    refused = eligibility(training, member, now)
    if refused:
        return SignUp(refused, training=training)
    existing = await session.scalar(
        select(Enrollment).where(
            Enrollment.training_id == training_id, Enrollment.member_id == member.id
        )
    )
    if existing is not None and existing.status in (*ACTIVE, ATTENDED):
        return await _already(session, existing, training)

    await _lock(session, training_id)
    status = ENROLLED if await _take_seat(session, training_id) else WAITING
    if existing is not None:  # signed up before and cancelled: the same row comes back
        existing.status, existing.created_at, existing.account_id = status, now, account_id(account)
        enrollment = existing
        await session.flush()
    else:
        enrollment = Enrollment(
            training_id=training_id,
            member_id=member.id,
            account_id=account_id(account),
            status=status,
            created_at=now,
        )
        try:
            async with session.begin_nested():
                session.add(enrollment)
        except IntegrityError:  # the same member signed up at the same moment elsewhere
            if status == ENROLLED:
                await _release_seat(session, training_id)
            found = await session.scalar(
                select(Enrollment).where(
                    Enrollment.training_id == training_id, Enrollment.member_id == member.id
                )
            )
            return await _already(session, found, training)
    await session.refresh(training)
    if status == WAITING:
        return SignUp(WAITING, enrollment, await position(session, enrollment), training)
    return SignUp(ENROLLED, enrollment, None, training)


def account_id(account: Account | None) -> int | None:
    return account.id if account is not None else None


async def _already(session: AsyncSession, found: Enrollment | None, training: Training) -> SignUp:
    place = await position(session, found) if found and found.status == WAITING else None
    return SignUp("already", found, place, training)


async def _release_seat(session: AsyncSession, training_id: int) -> None:
    await session.execute(
        update(Training)
        .where(Training.id == training_id, Training.seats_taken > 0)
        .values(seats_taken=Training.seats_taken - 1)
        .execution_options(synchronize_session=False)
    )


@dataclass(frozen=True)
class Cancelled:
    cancelled: Enrollment
    promoted: Enrollment | None  # who got the freed seat, to be told


async def cancel(session: AsyncSession, enrollment: Enrollment) -> Cancelled | None:
    """Cancel a sign-up. A freed seat goes to the first on the waiting list in the same
    transaction (their status becomes enrolled); with nobody waiting the seat is released.
    None when it was not active (already cancelled)."""
    await _lock(session, enrollment.training_id)
    await session.refresh(enrollment)
    if enrollment.status not in ACTIVE:
        return None
    was_enrolled = enrollment.status == ENROLLED
    enrollment.status = CANCELLED
    await session.flush()
    if not was_enrolled:
        return Cancelled(enrollment, None)
    first = await session.scalar(
        select(Enrollment)
        .where(Enrollment.training_id == enrollment.training_id, Enrollment.status == WAITING)
        .order_by(Enrollment.created_at, Enrollment.id)
        .limit(1)
    )
    if first is None:
        await _release_seat(session, enrollment.training_id)
        return Cancelled(enrollment, None)
    first.status = ENROLLED  # the seat passes on: seats_taken stays the same
    await session.flush()
    return Cancelled(enrollment, first)


@dataclass(frozen=True)
class MyTraining:
    enrollment: Enrollment
    training: Training
    member: Member
    position: int | None


async def household_enrollments(session: AsyncSession, household_id: int) -> list[MyTraining]:
    """Active sign-ups of the household's members (also those who came on a day already),
    soonest training first."""
    rows = await session.execute(
        select(Enrollment, Training, Member)
        .join(Training, Training.id == Enrollment.training_id)
        .join(Member, Member.id == Enrollment.member_id)
        .where(Member.household_id == household_id, Enrollment.status.in_((*ACTIVE, ATTENDED)))
        .order_by(Training.starts_at, Enrollment.id)
    )
    out = []
    for enrollment, training, member in rows:
        place = await position(session, enrollment) if enrollment.status == WAITING else None
        out.append(MyTraining(enrollment, training, member, place))
    return out
