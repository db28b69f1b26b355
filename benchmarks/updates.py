"""Updates per second through the full stack vs aiogram's bare dispatcher, in one run.

Full stack: `create_dispatcher()` on SQLite (dedup, unit of work, account, i18n, throttle,
SQL FSM storage, routers) with scripted users doing what residents do: /start, agree to the
privacy notice, tap menu buttons, fill a short form (choice, rupiah, number, multi-choice,
text, confirm), type something the bot does not understand, /menu, /batal.
Baseline: a bare `Dispatcher()` with one echo handler, fed the same texts and taps.
Both answer through an in-process Bot API session (no network), so the figures compare the
framework plus our stack against the framework alone. The two run in alternating blocks of
residents in one process, so that other work on the machine slows both alike.

    .venv/bin/python benchmarks/updates.py [--users 400] [--concurrency 1] [--block 100]
        [--database-url postgresql+asyncpg://postgres@127.0.0.1/postgres]
        [--redis-url redis://127.0.0.1:6379/14]

With --database-url a PostgreSQL server, the full stack runs on a fresh database made on it
for the run (and dropped after); with --redis-url, on Redis for conversations, dedup and
throttling, as several instances would (that Redis database is emptied first and after).
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import itertools
import logging
import os
import statistics
import sys
import tempfile
import time
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from aiogram import Bot, Dispatcher, Router
from aiogram.filters import Command
from aiogram.fsm.context import FSMContext
from aiogram.methods import TelegramMethod
from aiogram.types import CallbackQuery, Message, Update
from redis.asyncio import Redis
from sqlalchemy import text
from sqlalchemy.engine import make_url
from sqlalchemy.ext.asyncio import create_async_engine

from bot.app import create_bot, create_dispatcher, create_resources
from bot.key_check import check_secret_key
from bot.local_session import LocalSession
from bot.settings import load_settings
from conversations import Field, Form, Option, begin, register_form
from db.migrate import upgrade

SURVEY = register_form(
    Form(
        name="bench_survey",
        title="Survei singkat",
        fields=[
            Field("work", "choice", "Pekerjaan kepala keluarga?",
                  options=(Option("buruh", "Buruh"), Option("tani", "Petani"),
                           Option("none", "Tidak bekerja"))),
            Field("income", "rupiah", "Penghasilan sebulan?"),
            Field("members", "integer", "Jumlah anggota keluarga?", min=1, max=30),
            Field("needs", "multi", "Kebutuhan mendesak?",
                  options=(Option("food", "Pangan"), Option("health", "Kesehatan"),
                           Option("house", "Rumah"))),
            Field("note", "text", "Catatan?", required=False, max_length=500),
        ],
    )
)

bench_router = Router(name="bench")


@bench_router.message(Command("survei"))
async def start_survey(message: Message, state: FSMContext) -> None:
    await begin(SURVEY.name, message, state)


class Users:
    """Scripted users: each step becomes an update; taps use the buttons the bot last sent."""

    def __init__(self) -> None:
        self.update_ids = itertools.count(1)
        self.message_ids = itertools.count(1)
        self.keyboards: dict[int, list[tuple[str, str]]] = {}
        # With a bot, updates are made as long polling delivers them: already bound to the
        # bot. Without, aiogram's feed_update binds each one with a JSON round trip, which
        # both sides then pay (webhook and polling never do).
        self.bot: Any = None

    def on_call(self, method: TelegramMethod[Any]) -> None:
        markup = getattr(method, "reply_markup", None)
        chat_id = getattr(method, "chat_id", None)
        if chat_id is not None and markup is not None and hasattr(markup, "inline_keyboard"):
            self.keyboards[chat_id] = [
                (b.text, b.callback_data) for row in markup.inline_keyboard for b in row
                if b.callback_data
            ]

    def _user(self, uid: int) -> dict[str, Any]:
        return {"id": uid, "is_bot": False, "first_name": "Warga", "language_code": "id"}

    def text(self, uid: int, text: str) -> Update:
        message: dict[str, Any] = {
            "message_id": next(self.message_ids), "date": int(time.time()),
            "chat": {"id": uid, "type": "private"}, "from": self._user(uid), "text": text,
        }
        if text.startswith("/"):
            message["entities"] = [{"type": "bot_command", "offset": 0,
                                    "length": len(text.split()[0])}]
        return self._update({"update_id": next(self.update_ids), "message": message})

    def _update(self, data: dict[str, Any]) -> Update:
        if self.bot is None:
            return Update.model_validate(data)
        return Update.model_validate(data, context={"bot": self.bot})

    def tap(self, uid: int, index: int) -> Update:
        buttons = self.keyboards.get(uid) or [("?", "none")]
        _label, data = buttons[min(index, len(buttons) - 1)]
        return self._update({
            "update_id": next(self.update_ids),
            "callback_query": {
                "id": str(next(self.update_ids)), "from": self._user(uid),
                "chat_instance": "bench", "data": data,
                "message": {"message_id": next(self.message_ids), "date": int(time.time()),
                            "chat": {"id": uid, "type": "private"},
                            "from": {"id": 1, "is_bot": True, "first_name": "Nirmiskin"},
                            "text": "…"},
            },
        })


# What one resident does, in order: ("text", str) or ("tap", button index).
SCRIPT: list[tuple[str, Any]] = [
    ("text", "/start"), ("tap", 0), ("text", "❓ Bantuan"), ("text", "/survei"),
    ("tap", 0), ("text", "1,5 juta"), ("text", "4"), ("tap", 0), ("tap", 1), ("tap", 3),
    ("text", "Atap bocor"), ("tap", 0), ("text", "kapan bansos cair"), ("text", "/menu"),
    ("text", "/batal"),
]


async def next_update_arrives() -> None:
    """A user's next update is a new event, as in polling, where each update is a task of its
    own: the loop may serve the other users first. Without this, an update that never waits
    (all from the caches) would let one scripted user run the whole script while the others
    wait, and their latency would measure that, not the bot (same on both sides)."""
    await asyncio.sleep(0)


async def drive(
    dp: Dispatcher, bot: Any, users: Users, uids: list[int], concurrency: int,
    script: list[tuple[str, Any]] | None = None,
) -> list[float]:
    """Run the script for `uids`, `concurrency` residents at a time; latency per update."""
    latencies: list[float] = []

    async def one_user(uid: int) -> None:
        for kind, value in script or SCRIPT:
            update = users.text(uid, value) if kind == "text" else users.tap(uid, value)
            started = time.perf_counter()
            await dp.feed_update(bot, update)
            latencies.append(time.perf_counter() - started)
            await next_update_arrives()

    for i in range(0, len(uids), concurrency):
        await asyncio.gather(*(one_user(uid) for uid in uids[i : i + concurrency]))
    return latencies


def bare_dispatcher() -> Dispatcher:
    dp = Dispatcher()
    router = Router()

    @router.message()
    async def echo(message: Message) -> None:
        await message.answer(message.text or "")

    @router.callback_query()
    async def tapped(query: CallbackQuery) -> None:
        await query.answer()

    dp.include_router(router)
    return dp


# The bare side sends the same kinds of update (texts and taps) in the same order.
BARE_SCRIPT: list[tuple[str, Any]] = [
    ("text", value) if kind == "text" else ("tap", 0) for kind, value in SCRIPT
]


class Side:
    """One side's totals over its blocks."""

    def __init__(self) -> None:
        self.elapsed = 0.0
        self.cpu = 0.0
        self.latencies: list[float] = []
        self.block_rates: list[float] = []

    async def measure(self, run: Any) -> None:
        started, cpu = time.perf_counter(), time.process_time()
        latencies = await run
        elapsed = time.perf_counter() - started
        self.elapsed += elapsed
        self.cpu += time.process_time() - cpu
        self.latencies += latencies
        self.block_rates.append(len(latencies) / elapsed)


async def _admin_sql(url: str, statement: str) -> None:
    admin = create_async_engine(url, isolation_level="AUTOCOMMIT")
    try:
        async with admin.connect() as connection:
            await connection.execute(text(statement))
    finally:
        await admin.dispose()


async def _flush_redis(url: str) -> None:
    client = Redis.from_url(url)
    await client.flushdb()
    await client.aclose()


@contextlib.asynccontextmanager
async def fresh_database(server_url: str | None) -> AsyncIterator[str | None]:
    """None (the SQLite default), or a new PostgreSQL database on `server_url` for this run."""
    if server_url is None or make_url(server_url).get_backend_name() != "postgresql":
        yield server_url
        return
    name = f"nirmiskin_bench_{os.getpid()}"
    await _admin_sql(server_url, f'DROP DATABASE IF EXISTS "{name}"')
    await _admin_sql(server_url, f'CREATE DATABASE "{name}"')
    try:
        yield make_url(server_url).set(database=name).render_as_string(hide_password=False)
    finally:
        await _admin_sql(server_url, f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


async def compare(
    n_users: int,
    concurrency: int,
    block: int,
    attached: bool = False,
    database_url: str | None = None,
    redis_url: str | None = None,
) -> tuple[Side, Side, int]:
    """Both sides in the same process, in alternating blocks of `block` residents each, so a
    slow moment of the machine (other work on the cores) falls on both alike."""
    data_dir = Path(tempfile.mkdtemp(prefix="nirmiskin-bench-"))
    # Throttling is part of the stack but scripted users tap faster than people: lift it.
    extra: dict[str, Any] = {}
    if database_url:
        extra["database_url"] = database_url
        extra["secret_key"] = "benchmark-secret-0123456789-abcdefghijklmnop"
    if redis_url:
        extra["redis_url"] = redis_url
        await _flush_redis(redis_url)
    settings = load_settings(_env_file=None, data_dir=data_dir, throttle_rate=10_000, **extra)
    await check_secret_key(settings)  # a fresh database: the key is generated, as on a first run
    resources = create_resources(settings)
    resources.extra_routers.append(bench_router)
    await upgrade(resources.engine)
    users, bare_users = Users(), Users()
    sent = 0

    def count(method: TelegramMethod[Any]) -> None:
        nonlocal sent
        sent += 1
        users.on_call(method)

    bot = create_bot(settings, LocalSession(count))
    # The bare side is aiogram alone: its own Bot, without the app's session middleware.
    bare_bot = Bot(token=bot.token, session=LocalSession(bare_users.on_call))
    dp, bare_dp = create_dispatcher(resources), bare_dispatcher()
    if attached:
        users.bot, bare_users.bot = bot, bare_bot
    warm = max(1, n_users // 10)
    await drive(dp, bot, users, list(range(700_000_000, 700_000_000 + warm)), concurrency)
    await drive(bare_dp, bare_bot, bare_users, list(range(warm)), concurrency, BARE_SCRIPT)
    sent = 0
    full, bare = Side(), Side()
    for first in range(0, n_users, block):
        uids = list(range(first, min(first + block, n_users)))
        await full.measure(drive(dp, bot, users, [800_000_000 + u for u in uids], concurrency))
        await bare.measure(
            drive(bare_dp, bare_bot, bare_users, [900_000_000 + u for u in uids], concurrency,
                  BARE_SCRIPT)
        )
    await resources.close()
    if redis_url:
        await _flush_redis(redis_url)
    return full, bare, sent


def describe(name: str, elapsed: float, cpu: float, latencies: list[float]) -> tuple[float, float]:
    rate = len(latencies) / elapsed
    ordered = sorted(latencies)
    p50 = statistics.median(ordered) * 1000
    p99 = ordered[int(len(ordered) * 0.99) - 1] * 1000
    cpu_per_update = cpu / len(latencies) * 1e6
    print(f"{name:<12} {len(latencies):>7} updates  {rate:>8.0f} updates/s  "
          f"p50 {p50:6.2f} ms  p99 {p99:6.2f} ms  CPU {cpu_per_update:5.0f} µs/update")
    return rate, cpu_per_update


async def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--users", type=int, default=400, help="scripted residents (default 400)")
    parser.add_argument("--concurrency", type=int, default=1,
                        help="residents active at the same time (default 1)")
    parser.add_argument("--block", type=int, default=100,
                        help="residents per block; the two sides alternate blocks (default 100)")
    parser.add_argument("--attached", action="store_true",
                        help="updates bound to the bot, as long polling delivers them")
    parser.add_argument("--database-url", default=None,
                        help="a PostgreSQL server to run on (a fresh database is made on it)")
    parser.add_argument("--redis-url", default=None,
                        help="a Redis database to use (emptied before and after the run)")
    args = parser.parse_args()
    logging.disable(logging.WARNING)

    async with fresh_database(args.database_url) as database_url:
        full, bare, sent = await compare(
            args.users, args.concurrency, args.block, args.attached, database_url, args.redis_url
        )
    where = "PostgreSQL" if args.database_url else "SQLite"
    where += " + Redis" if args.redis_url else ""
    goal = 0.25 if args.database_url and args.redis_url else 0.20
    print(f"mix: {len(SCRIPT)} updates per resident ({', '.join(k for k, _ in SCRIPT[:4])}, ...),"
          f" {args.users} residents, concurrency {args.concurrency}, alternating blocks of "
          f"{args.block}{', updates bound to the bot' if args.attached else ''}, {where}; "
          f"full stack made {sent} Bot API calls")
    bare_rate, bare_cpu = describe("bare echo", bare.elapsed, bare.cpu, bare.latencies)
    full_rate, full_cpu = describe("full stack", full.elapsed, full.cpu, full.latencies)
    print(f"ratio full/bare: {full_rate / bare_rate:.1%} (goal on {where}: at least {goal:.0%})")
    # The same ratio from CPU time: steadier when other processes share the cores.
    print(f"ratio by CPU time: {bare_cpu / full_cpu:.1%}")
    per_block = sorted(f / b for f, b in zip(full.block_rates, bare.block_rates, strict=True))
    quartile = len(per_block) // 4
    print(f"ratio per block: median {statistics.median(per_block):.1%}, "
          f"middle half {per_block[quartile]:.1%}–{per_block[-quartile - 1]:.1%} "
          f"({len(per_block)} blocks)")


if __name__ == "__main__":
    asyncio.run(main())
