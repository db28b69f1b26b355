"""Migration 0013 on a database with volunteer tasks in it: open tasks of one household and
kind become one open case with each task's detail in its thread; resolved tasks become closed
cases with an outcome; the volunteer_tasks table is gone. SQLite and PostgreSQL."""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import inspect, text

from db.engine import create_engine
from db.migrate import upgrade

DESA, KEC = "32.16.05.2001", "32.16.05"


async def _two_households(conn: Any, when: dt.datetime) -> None:
    """Households 1 and 2, written as the schema of that revision has them."""
    for household in (1, 2):
        await conn.execute(text(
            "INSERT INTO households (id, kk_masked, desa_code, kecamatan_code, source,"
            " verification, needs_visit, status, created_at, updated_at)"
            " VALUES (:id, '3216********0001', :desa, :kec, 'bnba', 'terdaftar',"
            " false, 'aktif', :when, :when)"
        ), {"id": household, "desa": DESA, "kec": KEC, "when": when})  # fmt: skip


async def test_open_and_resolved_tasks_become_cases(empty_database_url: str) -> None:
    engine = create_engine(empty_database_url)
    try:
        await upgrade(engine, "0012")
        when = dt.datetime(2026, 11, 20, 8, 0, tzinfo=dt.UTC)
        async with engine.begin() as conn:
            await _two_households(conn, when)
            tasks = [
                (1, "tidak_terjangkau", "#1: Jadwal BLT Senin", None),
                (1, "tidak_terjangkau", "#2: Pelatihan menjahit", None),
                (1, "koreksi", "Nama salah ketik", "visit:ditemui"),
                (2, "tidak_terjangkau", "#1: Jadwal BLT Senin", "disampaikan"),
            ]
            for n, (household, kind, detail, resolution) in enumerate(tasks):
                await conn.execute(text(
                    "INSERT INTO volunteer_tasks (household_id, desa_code, kecamatan_code, kind,"
                    " priority, detail, created_at, resolved_at, resolution)"
                    " VALUES (:h, :desa, :kec, :kind, 50, :detail, :created, :resolved, :res)"
                ), {
                    "h": household, "desa": DESA, "kec": KEC, "kind": kind, "detail": detail,
                    "created": when + dt.timedelta(minutes=n),
                    "resolved": when + dt.timedelta(days=1) if resolution else None,
                    "res": resolution,
                })  # fmt: skip
        await upgrade(engine)
        async with engine.connect() as conn:
            cases = (await conn.execute(text(
                "SELECT id, household_id, kind, state, open_key, outcome FROM cases ORDER BY id"
            ))).all()  # fmt: skip
            threads = {
                case_id: [row[0] for row in (await conn.execute(text(
                    "SELECT text FROM case_messages WHERE case_id = :c ORDER BY id"
                ), {"c": case_id})).all()]
                for case_id, *_rest in cases
            }  # fmt: skip
            tables = await conn.run_sync(lambda sync: inspect(sync).get_table_names())
        rows = [(h, kind, state, key, outcome) for _id, h, kind, state, key, outcome in cases]
        assert rows == [
            (1, "tidak_terjangkau", "open", "tidak_terjangkau:h1", None),
            (1, "koreksi", "closed", None, "visited"),
            (2, "tidak_terjangkau", "closed", None, "delivered"),
        ]
        assert list(threads.values()) == [
            ["#1: Jadwal BLT Senin", "#2: Pelatihan menjahit"],
            ["Nama salah ketik"],
            ["#1: Jadwal BLT Senin"],
        ]
        assert "volunteer_tasks" not in tables
    finally:
        await engine.dispose()


async def test_each_household_gets_its_latest_finding(empty_database_url: str) -> None:
    """Migration 0015: the newest of a household's reports and visits that measured the
    income is kept on it (here a visit after a report says no longer extreme poor)."""
    engine = create_engine(empty_database_url)
    try:
        await upgrade(engine, "0014")
        when = dt.datetime(2026, 11, 20, 8, 0, tzinfo=dt.UTC)
        async with engine.begin() as conn:
            await _two_households(conn, when)
            await conn.execute(text(
                "INSERT INTO accounts (id, telegram_id, role, consent, language,"
                " reminders_enabled, bot_blocked, created_at)"
                " VALUES (1, 1, 'psm', 'given', 'id', true, false, :when)"
            ), {"when": when})  # fmt: skip
            for household, poor, days in ((1, True, 0), (2, True, 0), (2, None, 5)):
                await conn.execute(text(
                    "INSERT INTO status_reports (household_id, answers, extreme_poor, urgent,"
                    " created_at) VALUES (:h, '{}', :poor, false, :at)"
                ), {"h": household, "poor": poor,
                    "at": when + dt.timedelta(days=days)})  # fmt: skip
            await conn.execute(text(
                "INSERT INTO field_visits (household_id, volunteer_account_id, outcome, answers,"
                " extreme_poor, visited_at) VALUES (1, 1, 'ditemui', '{}', false, :at)"
            ), {"at": when + dt.timedelta(days=1)})  # fmt: skip
        await upgrade(engine)
        async with engine.connect() as conn:
            rows = (await conn.execute(text(
                "SELECT id, extreme_poor FROM households ORDER BY id"
            ))).all()  # fmt: skip
        # 1: the later visit found it above the line; 2: its last report gave no income.
        assert [(hid, None if poor is None else bool(poor)) for hid, poor in rows] == [
            (1, False), (2, True)
        ]
    finally:
        await engine.dispose()
