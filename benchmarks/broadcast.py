"""Broadcast sender throughput against the fake Bot API (in its own process, over HTTP).

1. Baseline: a raw `sendMessage` loop (aiogram Bot, 50 concurrent requests, no database),
   the most the fake and the HTTP client give on this machine.
2. Unlimited: the real sender (bot/workers/broadcast_sender.py), 10,000 recipients in a fresh SQLite
   database, the fake without flood control; once with pacing off (a rate it never reaches)
   and once at `BROADCAST_RATE=1000`, the top of the setting (paid broadcasts). Goal: at least
   1,000 messages/s.
3. Limited: the fake enforcing 30 messages/s (429 beyond), the sender at its default rate
   (25/s) and at 28/s. Goal: at least 90% of the limit with zero 429 errors.

    .venv/bin/python benchmarks/broadcast.py [--recipients 10000] [--limited-recipients 600]
"""

from __future__ import annotations

import argparse
import asyncio
import json
import logging
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from aiogram import Bot
from aiogram.client.session.aiohttp import AiohttpSession
from aiogram.client.telegram import TelegramAPIServer
from sqlalchemy import insert, select

from bot.i18n import create_i18n
from bot.workers.broadcast_sender import Sender
from db.engine import create_engine, create_sessionmaker
from db.migrate import upgrade
from db.models.accounts import Account
from db.models.broadcasts import Broadcast
from db.models.households import Household
from services import broadcasts

ROOT = sys.path[0]
TOKEN = "1000:bench"
UNPACED = 1_000_000  # "no rate limit": the pacing never waits (the setting stops at 1000)
TEXT = "Penyaluran BLT tahap 2: Sabtu, 09.00 WIB di balai desa. Bawa KTP dan KK."

FAKE_SERVER = """
import asyncio, json, sys
sys.path.insert(0, {root!r})
from tests.fake_telegram import FakeTelegram

async def main():
    async with FakeTelegram(rate_limit_per_s={limit}) as tg:
        print(tg.base_url, flush=True)
        loop = asyncio.get_running_loop()
        while True:
            line = await loop.run_in_executor(None, sys.stdin.readline)
            if not line:
                return
            sends = [c for c in tg.calls if c.method.lower() == "sendmessage"]
            ok = [c.time for c in sends if c.ok]
            print(json.dumps({{"ok": len(ok), "too_many": tg.too_many_requests,
                               "first": min(ok, default=0), "last": max(ok, default=0)}}),
                  flush=True)
            tg.calls.clear()
            tg.too_many_requests = 0

asyncio.run(main())
"""


class FakeProcess:
    """The fake Bot API in a child process, so that it does not share the sender's CPU."""

    def __init__(self, limit: int | None) -> None:
        self.limit = limit

    async def __aenter__(self) -> FakeProcess:
        code = FAKE_SERVER.format(root=ROOT, limit=self.limit)
        self.proc = await asyncio.create_subprocess_exec(
            sys.executable, "-c", code,
            stdin=asyncio.subprocess.PIPE, stdout=asyncio.subprocess.PIPE,
        )
        assert self.proc.stdout is not None
        self.base_url = (await self.proc.stdout.readline()).decode().strip()
        return self

    async def stats(self) -> dict:
        assert self.proc.stdin is not None and self.proc.stdout is not None
        self.proc.stdin.write(b"stats\n")
        await self.proc.stdin.drain()
        return json.loads(await self.proc.stdout.readline())

    async def __aexit__(self, *exc: object) -> None:
        assert self.proc.stdin is not None
        self.proc.stdin.close()
        try:
            await asyncio.wait_for(self.proc.wait(), 5)
        except TimeoutError:
            self.proc.kill()
            await self.proc.wait()


def make_bot(base_url: str) -> Bot:
    return Bot(TOKEN, session=AiohttpSession(api=TelegramAPIServer.from_base(base_url)))


async def baseline(fake: FakeProcess, count: int, concurrency: int = 50) -> float:
    bot = make_bot(fake.base_url)
    chats = iter(range(1, count + 1))

    async def worker() -> None:
        for chat in chats:
            await bot.send_message(chat, TEXT)

    start = time.perf_counter()
    await asyncio.gather(*(worker() for _ in range(concurrency)))
    elapsed = time.perf_counter() - start
    await bot.session.close()
    await fake.stats()
    return count / elapsed


async def seeded_db(directory: Path, recipients: int):
    engine = create_engine(f"sqlite+aiosqlite:///{directory / 'bench.db'}")
    await upgrade(engine)
    sessionmaker = create_sessionmaker(engine, 0)
    async with sessionmaker() as s, s.begin():
        await s.execute(
            insert(Household),
            [
                {"kk_hash": f"h{i}", "kk_encrypted": "x", "kk_masked": "3216********0001",
                 "desa_code": "32.16.18.2001", "kecamatan_code": "32.16.18"}
                for i in range(recipients)
            ],
        )
        ids = list(await s.scalars(select(Household.id).order_by(Household.id)))
        await s.execute(
            insert(Account),
            [
                {"telegram_id": 1_000_000 + i, "consent": "given", "household_id": hid}
                for i, hid in enumerate(ids)
            ],
        )
        await broadcasts.queue(s, text=TEXT, audience={"type": "residents"}, created_by=None)
    return engine, sessionmaker


async def run_sender(fake: FakeProcess, recipients: int, rate: float) -> dict:
    with tempfile.TemporaryDirectory() as tmp:
        engine, sessionmaker = await seeded_db(Path(tmp), recipients)
        bot = make_bot(fake.base_url)
        sender = Sender(bot, sessionmaker, create_i18n(), rate)
        start, cpu = time.perf_counter(), time.process_time()
        task = asyncio.create_task(sender.run())
        while True:
            await asyncio.sleep(0.05)
            async with sessionmaker() as s:
                status = await s.scalar(select(Broadcast.status))
            if status == "done":
                break
        wall = time.perf_counter() - start
        cpu = time.process_time() - cpu
        task.cancel()
        await asyncio.gather(task, return_exceptions=True)
        async with sessionmaker() as s:
            counts = await broadcasts.counts(s, 1)
        await bot.session.close()
        await engine.dispose()
    stats = await fake.stats()
    sustained = (stats["ok"] - 1) / (stats["last"] - stats["first"]) if stats["ok"] > 1 else 0
    return {"wall_rate": recipients / wall, "sustained": sustained, "sent": counts["sent"],
            "too_many": stats["too_many"], "wall": wall, "cpu_ms": cpu * 1000 / recipients}


async def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--recipients", type=int, default=10_000)
    parser.add_argument("--limited-recipients", type=int, default=600)
    args = parser.parse_args()
    logging.basicConfig(level=logging.WARNING)

    async with FakeProcess(None) as fake:
        raw = await baseline(fake, args.recipients)
        print(f"baseline raw sendMessage loop (50 concurrent): {raw:,.0f} msgs/s")
        for rate, label in ((UNPACED, "no pacing"), (1000, "BROADCAST_RATE=1000")):
            result = await run_sender(fake, args.recipients, rate)
            print(
                f"sender, {label}, {args.recipients:,} recipients: "
                f"{result['sustained']:,.0f} msgs/s sustained (first to last send), "
                f"{result['wall_rate']:,.0f} msgs/s wall incl. queueing ({result['wall']:.1f} s);"
                f" sent {result['sent']:,}; {result['sustained'] / raw:.0%} of the raw loop; "
                f"CPU {result['cpu_ms']:.2f} ms per message "
                f"(= {1000 / result['cpu_ms']:,.0f} msgs/s on one free core)"
            )
    for rate in (25, 28):
        async with FakeProcess(30) as fake:
            result = await run_sender(fake, args.limited_recipients, rate)
            print(
                f"fake limit 30/s, BROADCAST_RATE={rate}, {args.limited_recipients} recipients: "
                f"{result['sustained']:.2f} msgs/s = {result['sustained'] / 30:.1%} of the limit, "
                f"429 errors: {result['too_many']}, sent {result['sent']}"
            )


if __name__ == "__main__":
    asyncio.run(main())
