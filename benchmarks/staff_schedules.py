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
from db.models.cases import Case
from db.models.field import FieldVisit, StatusReport
from db.models.households import AidProgram, Household, HouseholdProgram, Region
from db.protect import Protector
from services import kk_list, schedules, stats, stats_volunteers

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
        # A volunteer's visits (a quarter of the households, a third of them measured) and a
        # case for every tenth household, so "extreme poor" ranks reports against visits.
        volunteer = Account(telegram_id=2, role="psm", area_code=desa[0][0])
        session.add(volunteer)
        await session.flush()
        await session.execute(
            insert(FieldVisit),
            [
                {
                    "household_id": h, "volunteer_account_id": volunteer.id,
                    "outcome": "ditemui", "answers": {},
                    "extreme_poor": random.random() < 0.3 if h % 3 else None,
                    "visited_at": now - dt.timedelta(days=random.randint(0, 40)),
                }
                for h in ids[::4]
            ],
        )  # fmt: skip
        where = select(Household.id, Household.desa_code, Household.kecamatan_code)
        households = {h: (d, k) for h, d, k in (await session.execute(where)).all()}
        cases = []
        for h in ids[::10]:
            created = now - dt.timedelta(days=random.randint(0, 40))
            answered = created + dt.timedelta(hours=random.randint(1, 100))
            cases.append(
                {
                    "kind": "koreksi", "household_id": h, "desa_code": households[h][0],
                    "kecamatan_code": households[h][1], "state": "open" if h % 3 else "closed",
                    "level": "psm", "created_at": created, "last_message_at": created,
                    "first_answer_due_at": created + dt.timedelta(days=3),
                    "answered_at": None if h % 3 else answered,
                    "closed_at": None if h % 3 else answered,
                    "closed_by_account_id": None if h % 3 else volunteer.id,
                }
            )  # fmt: skip
        await session.execute(insert(Case), cases)


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
            await timed("statistics: one kecamatan's desa", stats.per_area(session, "32.16.18"))
            kecamatan = str((await session.scalar(select(Account.area_code).where(
                Account.role == "psm"))) or "").rsplit(".", 1)[0]  # fmt: skip
            await timed(
                "statistics: a kecamatan's volunteers",
                stats_volunteers.per_volunteer(session, kecamatan),
            )
        from handlers.staff.stats_chart import PANELS, chart_png

        labels = {key: key for panel in PANELS for key, _field, _color in panel}
        for attempt in ("first, with matplotlib's import", "again"):
            start = time.perf_counter()
            chart_png(rows, labels, "t")
            took = time.perf_counter() - start
            print(f"{f'statistics: chart PNG, {attempt}':<58} {took:8.3f} s")
        print(
            f"program schedule: {count:,} recipients; list schedule: {listed_count:,}; "
            f"marked: {result.marked:,}"
        )
        await engine.dispose()


if __name__ == "__main__":
    asyncio.run(main())
