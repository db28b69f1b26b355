"""Kill and resume: `python -m bot run` is SIGKILLed in the middle of a broadcast, started
again, and finishes it; nobody gets the message twice.

What the fake records is the truth about what arrived. The guarantee tested is the one the
README states: every delivery ends "sent" (exactly one message arrived) or "unknown" (it
was in flight at the kill: at most one arrived), the uncertain ones are at most one
micro-batches in flight, and no chat has two.
"""

from __future__ import annotations

import asyncio
import sqlite3
from collections import Counter
from pathlib import Path

from bot.workers.broadcast_sender import batch_size, pipeline_depth
from db.engine import create_engine
from db.migrate import upgrade
from services import broadcasts
from tests import broadcast_seed as seed
from tests.conftest import TEST_SECRET
from tests.fake_telegram import FakeTelegram

from .test_e2e_process import TOKEN, BotProcess, bot_env

RECIPIENTS = 300
RATE = 40
RESUME_TIMEOUT = 90.0
TEXT = "Jadwal posyandu berubah ke hari Kamis."


async def _seed(db_file: Path) -> None:
    from db.engine import create_sessionmaker

    engine = create_engine(f"sqlite+aiosqlite:///{db_file}")
    await upgrade(engine)
    sessionmaker = create_sessionmaker(engine, 0)
    async with sessionmaker() as s, s.begin():
        for i in range(RECIPIENTS):
            await seed.resident(s, 60_000 + i, await seed.household(s, seed.SETU_DESA))
        await broadcasts.queue(s, text=TEXT, audience={"type": "residents"}, created_by=None)
    await engine.dispose()


def _statuses(db_file: Path) -> Counter:
    db = sqlite3.connect(db_file)
    try:
        return Counter(dict(db.execute("SELECT status, COUNT(*) FROM deliveries GROUP BY status")))
    finally:
        db.close()


def _delivery_status(db_file: Path) -> dict[int, str]:
    db = sqlite3.connect(db_file)
    try:
        return dict(db.execute("SELECT chat_id, status FROM deliveries"))
    finally:
        db.close()


def _broadcast_status(db_file: Path) -> str | None:
    db = sqlite3.connect(db_file)
    try:
        row = db.execute("SELECT status FROM broadcasts").fetchone()
        return row[0] if row else None
    finally:
        db.close()


async def test_killed_mid_broadcast_resumes_and_nobody_gets_it_twice(tmp_path: Path):
    data_dir = tmp_path / "data"
    db_file = data_dir / "nirmiskin.db"
    await _seed(db_file)
    async with FakeTelegram() as tg:
        env = bot_env(
            BOT_TOKEN=TOKEN,
            TELEGRAM_API_BASE=tg.base_url,
            DATA_DIR=str(data_dir),
            BROADCAST_RATE=str(RATE),
            # The database was filled before the first start: without the key it was filled
            # with, the bot refuses to start (bot.key_check).
            SECRET_KEY=TEST_SECRET,
        )

        def sent() -> int:
            return sum(1 for c in tg.calls_of("sendMessage") if c.params.get("text") == TEXT)

        async with BotProcess(tmp_path, env) as bot:
            await bot.started(tg, lambda: sent() >= 100)
            bot.proc.kill()  # SIGKILL: no clean-up of any kind
            await bot.proc.wait()
            first_output = await bot.output()
        at_kill = sent()
        assert 100 <= at_kill < RECIPIENTS, first_output
        middle = _statuses(db_file)
        assert middle["pending"] > 0, middle

        async with BotProcess(tmp_path, env) as bot:
            # Start-up, then the dead holder's lease runs out (<= 10 s), then the rest.
            finished = await tg.wait_for(
                lambda: bot.proc.returncode is not None or _broadcast_status(db_file) == "done",
                RESUME_TIMEOUT,
            )
            assert finished and bot.proc.returncode is None, await bot.output()
            await asyncio.sleep(0.2)
            code = await bot.terminate()
            output = await bot.output()
        assert code == 0, output
        assert "Traceback" not in output, output

        arrived = Counter(
            int(c.params["chat_id"])
            for c in tg.calls_of("sendMessage", ok=True)
            if c.params.get("text") == TEXT
        )
    statuses = _delivery_status(db_file)
    assert len(statuses) == RECIPIENTS
    assert max(arrived.values()) == 1, "someone got the message twice"
    uncertain = [chat for chat, status in statuses.items() if status == "unknown"]
    assert set(statuses.values()) <= {"sent", "unknown"}, Counter(statuses.values())
    for chat, status in statuses.items():
        if status == "sent":
            assert arrived[chat] == 1, chat
    # Only what was in flight at the kill is uncertain: at most the micro-batches in flight.
    assert len(uncertain) <= pipeline_depth(batch_size(RATE)) * batch_size(RATE), uncertain
    assert sum(arrived.values()) >= RECIPIENTS - len(uncertain)
    print(f"sent before the kill: {at_kill}; uncertain after restart: {len(uncertain)}")
