"""Training seats under concurrency, on SQLite and PostgreSQL: people signing up at the same
moment never get more seats than there are; the rest wait in order; a cancellation promotes
the first waiting person in the same transaction."""

from __future__ import annotations

import asyncio
import datetime as dt

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker

from db.engine import create_engine, create_sessionmaker
from db.migrate import upgrade
from db.models.aid import Enrollment, Training
from db.models.base import utcnow
from db.models.households import Member
from db.protect import Protector
from services import enrollment
from tests.conftest import TEST_SECRET
from tests.residents import make_household


async def _setup(
    database_url: str, capacity: int, people: int
) -> tuple[AsyncEngine, async_sessionmaker[AsyncSession], int, list[int]]:
    engine = create_engine(database_url)
    await upgrade(engine)
    sessionmaker = create_sessionmaker(engine)
    protector = Protector(TEST_SECRET.encode())
    member_ids = []
    for k in range(people):
        linked = await make_household(
            sessionmaker, protector, [(f"Warga {k}", dt.date(1990, 1, 1))]
        )
        member_ids.extend(linked.member_ids)
    async with sessionmaker() as session, session.begin():
        training = Training(
            title="Menjahit", provider="BLK Bekasi", place="BLK Cikarang",
            starts_at=utcnow() + dt.timedelta(days=10), capacity=capacity,
        )  # fmt: skip
        session.add(training)
        await session.flush()
        training_id = training.id
    return engine, sessionmaker, training_id, member_ids


async def _sign_up(
    sessionmaker: async_sessionmaker[AsyncSession], training_id: int, member_id: int
) -> str:
    async with sessionmaker() as session:
        member = await session.get(Member, member_id)
        result = await enrollment.sign_up(session, training_id, member, None)
        await asyncio.sleep(0)  # let the others run while this transaction is still open
        await session.commit()
        return result.outcome


async def test_last_seat_goes_to_exactly_one(database_url: str) -> None:
    engine, sessionmaker, training_id, members = await _setup(database_url, 1, 2)
    try:
        outcomes = await asyncio.gather(*(_sign_up(sessionmaker, training_id, m) for m in members))
        assert sorted(outcomes) == ["enrolled", "waiting"]
        async with sessionmaker() as session:
            training = await session.get(Training, training_id)
            assert training.seats_taken == 1
    finally:
        await engine.dispose()


async def test_many_at_once_fill_the_seats_then_wait_in_order(database_url: str) -> None:
    engine, sessionmaker, training_id, members = await _setup(database_url, 3, 10)
    try:
        outcomes = await asyncio.gather(*(_sign_up(sessionmaker, training_id, m) for m in members))
        assert outcomes.count("enrolled") == 3 and outcomes.count("waiting") == 7
        async with sessionmaker() as session:
            training = await session.get(Training, training_id)
            assert training.seats_taken == 3
            waiting = list(
                await session.scalars(select(Enrollment).where(Enrollment.status == "waiting"))
            )
            places = sorted([await enrollment.position(session, e) for e in waiting])
            assert places == list(range(1, 8))
            first = min(waiting, key=lambda e: (e.created_at, e.id))

            # A cancellation passes the seat to the first waiting person.
            enrolled = await session.scalar(
                select(Enrollment).where(Enrollment.status == "enrolled").limit(1)
            )
            result = await enrollment.cancel(session, enrolled)
            await session.commit()
            assert result is not None and result.promoted is not None
            assert result.promoted.id == first.id
        async with sessionmaker() as session:
            training = await session.get(Training, training_id)
            assert training.seats_taken == 3
            counts = dict(
                (
                    await session.execute(
                        select(Enrollment.status, func.count()).group_by(Enrollment.status)
                    )
                ).all()
            )
            assert counts == {"enrolled": 3, "waiting": 6, "cancelled": 1}
    finally:
        await engine.dispose()


async def test_same_member_twice_at_once_is_one_sign_up(database_url: str) -> None:
    engine, sessionmaker, training_id, members = await _setup(database_url, 5, 1)
    try:
        outcomes = await asyncio.gather(
            *(_sign_up(sessionmaker, training_id, members[0]) for _ in range(2))
        )
        assert sorted(outcomes) == ["already", "enrolled"]
        async with sessionmaker() as session:
            training = await session.get(Training, training_id)
            assert training.seats_taken == 1
    finally:
        await engine.dispose()
