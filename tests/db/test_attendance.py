"""Attendance per day (services.attendance) on SQLite and PostgreSQL: the training's days,
marking present and absent (idempotent, audited), the enrollment "attended" while present on at
least one day, two days marked at once, and the `pelatihan` report's attendance columns."""

from __future__ import annotations

import asyncio
import datetime as dt
from collections.abc import AsyncIterator
from pathlib import Path

import pytest
from openpyxl import load_workbook
from sqlalchemy import func, select

from db.engine import create_engine, create_sessionmaker
from db.migrate import upgrade
from db.models.accounts import Account
from db.models.aid import Enrollment, Training, TrainingAttendance
from db.models.system import AuditLog
from db.protect import Protector
from domain.dates import WIB
from services import attendance
from services.export import Filters, export
from tests import broadcast_seed as seed
from tests.conftest import TEST_SECRET

DAY1, DAY2, DAY3 = dt.date(2030, 5, 6), dt.date(2030, 5, 7), dt.date(2030, 5, 8)


@pytest.fixture
async def db(database_url: str) -> AsyncIterator:
    engine = create_engine(database_url)
    await upgrade(engine)
    yield create_sessionmaker(engine, 0)
    await engine.dispose()


async def _world(db) -> dict[str, int]:
    """A three-day training (08.00-15.00 WIB): Ani and Budi have a seat (Budi's family has no
    Telegram), Citra waits; a staff account."""
    async with db() as s, s.begin():
        staff = Account(telegram_id=9900, role="petugas", consent="given")
        s.add(staff)
        course = Training(
            title="Menjahit", provider="BLK", place="BLK Cikarang", capacity=2, seats_taken=2,
            starts_at=dt.datetime.combine(DAY1, dt.time(8), WIB),
            ends_at=dt.datetime.combine(DAY3, dt.time(15), WIB),
        )  # fmt: skip
        s.add(course)
        await s.flush()
        ids = {"staff": staff.id, "training": course.id}
        for name, status in (("Citra", "waiting"), ("Budi", "enrolled"), ("Ani", "enrolled")):
            member = await seed.member(s, await seed.household(s, seed.SETU_DESA))
            member.name = name
            enrollment = Enrollment(training_id=course.id, member_id=member.id, status=status)
            s.add(enrollment)
            await s.flush()
            ids[name] = enrollment.id
        return ids


async def _mark(db, ids, name: str, day: dt.date, present: bool) -> Enrollment | None:
    async with db() as s, s.begin():
        staff = await s.get(Account, ids["staff"])
        course = await s.get(Training, ids["training"])
        return await attendance.mark(s, staff, course, ids[name], day, present)


async def _status(db, enrollment_id: int) -> str:
    async with db() as s:
        return (await s.get(Enrollment, enrollment_id)).status


async def test_days_roster_and_the_attended_rule(db) -> None:
    ids = await _world(db)
    async with db() as s:
        course = await s.get(Training, ids["training"])
        assert attendance.training_days(course) == [DAY1, DAY2, DAY3]
        assert attendance.days_today_first(course, DAY2) == [DAY2, DAY1, DAY3]
        assert attendance.days_today_first(course, dt.date(2030, 6, 1)) == [DAY1, DAY2, DAY3]
        people = await attendance.roster(s, course.id, DAY1)
    assert [(p.name, p.present) for p in people] == [("Ani", False), ("Budi", False)]

    assert (await _mark(db, ids, "Ani", DAY1, True)).status == "attended"
    assert (await _mark(db, ids, "Ani", DAY1, True)).status == "attended"  # a double tap
    await _mark(db, ids, "Budi", DAY2, True)
    await _mark(db, ids, "Ani", DAY2, False)
    assert await _status(db, ids["Ani"]) == "attended"  # came on day 1
    async with db() as s:
        assert [(p.name, p.present) for p in await attendance.roster(s, ids["training"], DAY2)
                ] == [("Ani", False), ("Budi", True)]  # fmt: skip
        assert await attendance.present_per_day(s, ids["training"]) == {DAY1: 1, DAY2: 1}
        rows = await s.scalar(select(func.count()).select_from(TrainingAttendance))
        assert rows == 3  # one row per person and day, whatever the taps
    # Not present on any day any more: signed up (enrolled) again, seat kept.
    assert (await _mark(db, ids, "Ani", DAY1, False)).status == "enrolled"
    # Not a day of the training, someone on the waiting list: refused.
    assert await _mark(db, ids, "Ani", dt.date(2030, 5, 9), True) is None
    assert await _mark(db, ids, "Citra", DAY1, True) is None
    assert await _status(db, ids["Citra"]) == "waiting"
    async with db() as s:
        audited = await s.scalar(
            select(func.count()).where(AuditLog.action == "training.attendance")
        )
    assert audited == 5


async def test_two_days_marked_at_once_keep_the_status_right(db) -> None:
    ids = await _world(db)
    await _mark(db, ids, "Ani", DAY1, True)
    # Staff at the door mark day 2 present while someone corrects day 1 to absent.
    await asyncio.gather(_mark(db, ids, "Ani", DAY2, True), _mark(db, ids, "Ani", DAY1, False))
    assert await _status(db, ids["Ani"]) == "attended"
    await asyncio.gather(_mark(db, ids, "Ani", DAY2, False), _mark(db, ids, "Ani", DAY3, False))
    assert await _status(db, ids["Ani"]) == "enrolled"


async def test_the_training_report_has_the_days_present(db, tmp_path: Path) -> None:
    ids = await _world(db)
    await _mark(db, ids, "Ani", DAY1, True)
    await _mark(db, ids, "Ani", DAY3, True)
    await _mark(db, ids, "Budi", DAY1, False)
    path = tmp_path / "pelatihan.xlsx"
    async with db() as s, s.begin():
        await export(s, Protector(TEST_SECRET.encode()), "pelatihan", Filters(), path)
    rows = list(load_workbook(path).worksheets[0].iter_rows(values_only=True))
    assert rows[0][-3:] == ("jumlah_hari", "hari_hadir", "tanggal_hadir")
    found = {(row[9], row[11], row[12], row[13]) for row in rows[1:]}
    assert found == {
        ("hadir", 3, 2, "06/05/2030, 08/05/2030"),  # Ani: attended
        ("terdaftar", 3, 0, None),  # Budi: marked absent on day 1
        ("daftar tunggu", 3, 0, None),  # Citra
    }
