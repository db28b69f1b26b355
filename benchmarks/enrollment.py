"""Training sign-ups at once for a few seats: throughput and the seat invariant, on SQLite and
(when reachable) PostgreSQL.

Each sign-up is one transaction through `services.enrollment.sign_up` in its own session, all
started together (a burst of residents tapping "Daftar" the moment a training is announced).
Prints sign-ups per second and the latency spread, and checks that exactly `capacity` seats
were taken and that the waiting list is numbered 1..n without gaps.

    .venv/bin/python benchmarks/enrollment.py [--people 200] [--capacity 30]
        [--postgres postgresql+asyncpg://postgres@127.0.0.1:5432/postgres]
"""

from __future__ import annotations

import argparse
import asyncio
import datetime as dt
import statistics
import sys
import tempfile
import time
import uuid
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from sqlalchemy import func, select, text
from sqlalchemy.engine import make_url
from sqlalchemy.ext.asyncio import (
    AsyncEngine,
    AsyncSession,
    async_sessionmaker,
    create_async_engine,
)

from db.engine import create_engine, create_sessionmaker
from db.migrate import upgrade
from db.models.aid import Enrollment, Training
from db.models.base import utcnow
from db.models.households import Household, Member
from db.protect import Protector
from services import enrollment

SECRET = b"benchmark-secret-key-0123456789-abcdefghijklmnop"


async def _prepare(
    url: str, people: int, capacity: int
) -> tuple[AsyncEngine, async_sessionmaker[AsyncSession], int, list[int]]:
    engine = create_engine(url)
    await upgrade(engine)
    sessionmaker = create_sessionmaker(engine)
    protector = Protector(SECRET)
    async with sessionmaker() as session, session.begin():
        members = []
        for k in range(people):
            kk_hash, kk_enc, kk_mask = protector.protect(f"3216051203{k:06d}")
            household = Household(
                kk_hash=kk_hash, kk_encrypted=kk_enc, kk_masked=kk_mask,
                desa_code="32.16.05.2001", kecamatan_code="32.16.05",
            )  # fmt: skip
            session.add(household)
            await session.flush()
            nik_hash, nik_enc, nik_mask = protector.protect(f"3216054107{k:06d}")
            member = Member(
                household_id=household.id, nik_hash=nik_hash, nik_encrypted=nik_enc,
                nik_masked=nik_mask, name=f"Warga {k}", relationship_to_head="kepala",
                birth_date=dt.date(1990, 1, 1),
            )  # fmt: skip
            session.add(member)
            members.append(member)
        training = Training(
            title="Menjahit", provider="BLK", place="BLK Cikarang", capacity=capacity,
            starts_at=utcnow() + dt.timedelta(days=10),
        )  # fmt: skip
        session.add(training)
        await session.flush()
        return engine, sessionmaker, training.id, [m.id for m in members]


async def _one(
    sessionmaker: async_sessionmaker[AsyncSession], training_id: int, member_id: int
) -> tuple[str, float]:
    started = time.perf_counter()
    async with sessionmaker() as session:
        member = await session.get(Member, member_id)
        assert member is not None
        result = await enrollment.sign_up(session, training_id, member, None)
        await session.commit()
    return result.outcome, time.perf_counter() - started


async def run(label: str, url: str, people: int, capacity: int) -> None:
    engine, sessionmaker, training_id, members = await _prepare(url, people, capacity)
    try:
        started = time.perf_counter()
        results = await asyncio.gather(*(_one(sessionmaker, training_id, m) for m in members))
        elapsed = time.perf_counter() - started
        outcomes = [o for o, _ in results]
        latencies = sorted(s for _, s in results)
        async with sessionmaker() as session:
            training = await session.get(Training, training_id)
            assert training is not None
            taken = training.seats_taken
            waiting = list(
                await session.scalars(select(Enrollment).where(Enrollment.status == "waiting"))
            )
            places = sorted([await enrollment.position(session, e) for e in waiting])
            enrolled = await session.scalar(
                select(func.count()).select_from(Enrollment).where(Enrollment.status == "enrolled")
            )
        ok = (
            taken == capacity == enrolled == outcomes.count("enrolled")
            and places == list(range(1, people - capacity + 1))
        )
        print(
            f"{label:10s} {people} sign-ups at once for {capacity} seats: "
            f"{people / elapsed:7.0f} sign-ups/s, median {statistics.median(latencies) * 1000:6.1f}"
            f" ms, p95 {latencies[int(len(latencies) * 0.95) - 1] * 1000:6.1f} ms; "
            f"seats taken {taken}, waiting {len(waiting)}: {'OK' if ok else 'BROKEN'}"
        )
    finally:
        await engine.dispose()


async def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--people", type=int, default=200)
    parser.add_argument("--capacity", type=int, default=30)
    parser.add_argument(
        "--postgres", default="postgresql+asyncpg://postgres@127.0.0.1:5432/postgres"
    )
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        await run("SQLite", f"sqlite+aiosqlite:///{tmp}/bench.db", args.people, args.capacity)
    admin_url = args.postgres
    name = f"nirmiskin_bench_{uuid.uuid4().hex[:8]}"
    admin = create_async_engine(admin_url, isolation_level="AUTOCOMMIT")
    try:
        async with admin.connect() as conn:
            await conn.execute(text(f'CREATE DATABASE "{name}"'))
    except OSError:
        print("PostgreSQL not reachable: skipped")
        await admin.dispose()
        return
    try:
        url = make_url(admin_url).set(database=name).render_as_string(hide_password=False)
        await run("PostgreSQL", url, args.people, args.capacity)
    finally:
        async with admin.connect() as conn:
            await conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        await admin.dispose()


if __name__ == "__main__":
    asyncio.run(main())
