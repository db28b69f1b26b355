"""How long staff wait on big lists: a schedule for a whole program or a KK file, marking a
file of collected households, and /statistik (queries and chart), on a seeded database.

    .venv/bin/python benchmarks/staff_schedules.py [--households 20000] [--database-url URL]

SQLite in a temporary directory by default; pass a PostgreSQL URL (an empty database) to
measure there. Prints one line per step with its wall time.
"""

from __future__ import annotations

import argparse
import asyncio
import datetime as dt
import random
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from sqlalchemy import insert, select

from db.engine import create_engine, create_sessionmaker
from db.migrate import upgrade
from db.models.accounts import Account
from db.models.base import utcnow
from db.models.field import StatusReport
from db.models.households import AidProgram, Household, HouseholdProgram, Region
from db.protect import Protector
from services import kk_list, schedules, stats

SECRET = b"benchmark-secret-key-0123456789-abcdef"


def kk(serial: int) -> str:
    """Distinct valid-looking numbers: 3216180101200001.. then 3216180101010000.."""
    return f"321618010120{serial:04d}" if serial < 10_000 else f"3216180101{serial:06d}"


async def seed(sessionmaker, protector: Protector, count: int) -> None:
    async with sessionmaker() as session, session.begin():
        desa = list(
            (
                await session.execute(
                    select(Region.code, Region.parent_code).where(
                        Region.level.in_(("desa", "kelurahan"))
                    )
                )
            ).all()
        )
        programs = {p.code: p.id for p in await session.scalars(select(AidProgram))}
        rows = []
        for serial in range(1, count + 1):
            code, parent = desa[serial % len(desa)]
            number = kk(serial)
            rows.append(
                {
                    "kk_hash": protector.lookup_hash(number),
                    "kk_encrypted": "-",  # not read here; Fernet for 20,000 rows is slow
                    "kk_masked": number[:4] + "********" + number[-4:],
                    "desa_code": code,
                    "kecamatan_code": parent,
                    "verification": "terdaftar",
                    "source": "bnba",
                }
            )
        await session.execute(insert(Household), rows)
        ids = list(await session.scalars(select(Household.id)))
        await session.execute(
            insert(HouseholdProgram),
            [{"household_id": h, "program_id": programs["BLT"]} for h in ids[::2]],
        )
        now = utcnow()
        await session.execute(
            insert(StatusReport),
            [
                {
                    "household_id": h,
                    "extreme_poor": random.random() < 0.3,
                    "urgent": False,
                    "answers": {},
                    "created_at": now - dt.timedelta(days=random.randint(0, 40)),
                }
                for h in ids[::3]
            ],
        )
        session.add(Account(telegram_id=1, role="petugas"))


async def timed(label: str, coro) -> object:
    start = time.perf_counter()
    result = await coro
    print(f"{label:<58} {time.perf_counter() - start:8.3f} s")
    return result


async def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--households", type=int, default=20_000)
    parser.add_argument("--database-url")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        url = args.database_url or f"sqlite+aiosqlite:///{Path(tmp) / 'bench.db'}"
        engine = create_engine(url)
        await upgrade(engine)
        sessionmaker = create_sessionmaker(engine)
        protector = Protector(SECRET)
        print(f"{engine.dialect.name}, {args.households:,} households")
        await timed("seed", seed(sessionmaker, protector, args.households))
        when = utcnow() + dt.timedelta(days=3)
        common = {
            "title": "BLT",
            "amount": 300_000,
            "scheduled_at": when,
            "place": "Balai",
            "bring": None,
        }
        half = args.households // 4
        file_content = "\n".join(kk(s) for s in range(1, half + 1)).encode()
        async with sessionmaker() as session, session.begin():
            actor = await session.scalar(select(Account))
            program = schedules.Target("program", program="BLT")
            await timed(
                "count households of a program", schedules.count_households(session, program)
            )
            _, count = await timed(
                "create a schedule for a program (INSERT .. SELECT)",
                schedules.create(session, actor, program_code="BLT", target=program, **common),
            )
            match = await timed(
                f"read + match a KK file of {half:,} numbers",
                kk_list.match_file(session, protector, file_content),
            )
            target = schedules.Target("list", household_ids=match.household_ids)
            listed, listed_count = await timed(
                f"create a schedule for {len(match.household_ids):,} listed households",
                schedules.create(session, actor, program_code="BLT", target=target, **common),
            )
            hashes = [protector.lookup_hash(n) for n in kk_list.read_kk_file(file_content).numbers]
            result = await timed(
                f"mark {len(hashes):,} households collected from a file",
                schedules.mark_collected(session, actor, listed, hashes, via="file"),
            )
            rows = await timed("statistics: grouped queries", stats.per_kecamatan(session))
        from handlers.staff.stats import chart_png

        labels = {"households": "a", "extreme": "b", "collected": "c", "title": "t"}
        for attempt in ("first, with matplotlib's import", "again"):
            start = time.perf_counter()
            chart_png(rows, labels)
            took = time.perf_counter() - start
            print(f"{f'statistics: chart PNG, {attempt}':<58} {took:8.3f} s")
        print(
            f"program schedule: {count:,} recipients; list schedule: {listed_count:,}; "
            f"marked: {result.marked:,}"
        )
        await engine.dispose()


if __name__ == "__main__":
    asyncio.run(main())
