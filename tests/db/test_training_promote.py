"""A raised training capacity moves the waiting list up: concurrent promotions (two staff at
once) never give away more seats than there are, nor promote one person twice (SQLite and
PostgreSQL)."""

from __future__ import annotations

import asyncio
import datetime as dt

from sqlalchemy import func, select

from db.engine import create_engine, create_sessionmaker
from db.migrate import upgrade
from db.models.aid import Enrollment, Training
from db.models.base import utcnow
from db.models.households import Household, Member
from services import training_admin


async def _seed(sessionmaker) -> int:
    async with sessionmaker() as session, session.begin():
        household = Household(
            kk_hash="h" * 64,
            kk_encrypted="-",
            kk_masked="3216********0001",
            desa_code="32.16.18.2005",
            kecamatan_code="32.16.18",
        )
        session.add(household)
        await session.flush()
        training = Training(
            title="Menjahit",
            provider="PT",
            starts_at=utcnow() + dt.timedelta(days=3),
            place="BLK",
            capacity=4,
            seats_taken=2,
        )
        session.add(training)
        await session.flush()
        for k in range(5):
            member = Member(
                household_id=household.id,
                nik_hash=f"{k}" * 64,
                nik_encrypted="-",
                nik_masked="3216********000" + str(k),
                name=f"Anggota {k}",
                relationship_to_head="anak",
            )
            session.add(member)
            await session.flush()
            session.add(
                Enrollment(
                    training_id=training.id,
                    member_id=member.id,
                    status="enrolled" if k < 2 else "waiting",
                    created_at=utcnow() + dt.timedelta(seconds=k),
                )
            )
        return training.id


async def _promote(sessionmaker, training_id: int) -> list[int]:
    async with sessionmaker() as session, session.begin():
        training = await session.get(Training, training_id)
        promoted = await training_admin.promote_waiting(session, training)
        await asyncio.sleep(0.05)  # hold the transaction open so the two overlap
        return [e.id for e in promoted]


async def test_concurrent_promotions_respect_capacity(database_url: str):
    engine = create_engine(database_url)
    try:
        await upgrade(engine)
        sessionmaker = create_sessionmaker(engine)
        training_id = await _seed(sessionmaker)
        first, second = await asyncio.gather(
            _promote(sessionmaker, training_id), _promote(sessionmaker, training_id)
        )
        assert not set(first) & set(second)
        assert len(first) + len(second) == 2
        async with sessionmaker() as session:
            training = await session.get(Training, training_id)
            enrolled = await session.scalar(
                select(func.count(Enrollment.id)).where(Enrollment.status == "enrolled")
            )
            waiting = list(
                await session.scalars(
                    select(Member.name)
                    .join(Enrollment, Enrollment.member_id == Member.id)
                    .where(Enrollment.status == "waiting")
                )
            )
        assert (training.seats_taken, enrolled) == (4, 4)
        assert waiting == ["Anggota 4"]  # first come, first served
    finally:
        await engine.dispose()
