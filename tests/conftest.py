"""Shared fixtures: real SQLite always; real PostgreSQL and Redis when reachable.

In CI (CI=true) PostgreSQL and Redis must be reachable: their tests fail instead of skipping,
so a broken service cannot turn the suite silently green.
"""

from __future__ import annotations

import asyncio
import itertools
import os
import socket
import uuid
from collections.abc import AsyncIterator, Iterator
from pathlib import Path
from typing import TYPE_CHECKING

import pytest
from sqlalchemy import text
from sqlalchemy.engine import make_url
from sqlalchemy.ext.asyncio import create_async_engine

from bot.settings import Settings, load_settings
from tests.databases import PgDatabases, ensure_migrated_sqlite

if TYPE_CHECKING:  # imported inside the fixtures at run time: tests.harness imports this
    from tests.fake_telegram import FakeTelegram
    from tests.harness import BotApp

PG_ADMIN_URL = os.environ.get(
    "TEST_POSTGRES_URL", "postgresql+asyncpg://postgres@127.0.0.1:5432/postgres"
)
REDIS_URL = os.environ.get("TEST_REDIS_URL", "redis://127.0.0.1:6379/15")
TEST_SECRET = "test-secret-key-0123456789-abcdefghijklmnopqrstuvwxyz"
IN_CI = os.environ.get("CI", "").lower() in {"1", "true", "yes"}
_counter = itertools.count()


def _reachable(url: str, default_port: int) -> bool:
    parsed = make_url(url)
    try:
        with socket.create_connection((parsed.host or "127.0.0.1", parsed.port or default_port), 1):
            return True
    except OSError:
        return False


def _need(service: str, url: str, port: int) -> None:
    if _reachable(url, port):
        return
    if IN_CI:
        pytest.fail(f"{service} is not reachable at {url}; CI must run these tests")
    pytest.skip(f"{service} not reachable at {url}")


async def _admin_sql(statement: str) -> None:
    admin = create_async_engine(PG_ADMIN_URL, isolation_level="AUTOCOMMIT")
    try:
        async with admin.connect() as conn:
            await conn.execute(text(statement))
    finally:
        await admin.dispose()


# Service fixtures are synchronous (their setup runs in a short loop of its own) so that the
# parametrised `database_url` can ask for them by name.
@pytest.fixture
def postgres_url() -> Iterator[str]:
    """A fresh, empty PostgreSQL database for one test, dropped afterwards."""
    _need("PostgreSQL", PG_ADMIN_URL, 5432)
    name = f"nirmiskin_test_{os.getpid()}_{next(_counter)}_{uuid.uuid4().hex[:6]}"
    asyncio.run(_admin_sql(f'CREATE DATABASE "{name}"'))
    try:
        yield make_url(PG_ADMIN_URL).set(database=name).render_as_string(hide_password=False)
    finally:
        asyncio.run(_admin_sql(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))


async def _flush_redis() -> None:
    from redis.asyncio import Redis

    client = Redis.from_url(REDIS_URL)
    await client.flushdb()
    await client.aclose()


@pytest.fixture
def redis_url() -> Iterator[str]:
    _need("Redis", REDIS_URL, 6379)
    asyncio.run(_flush_redis())
    yield REDIS_URL
    asyncio.run(_flush_redis())


@pytest.fixture(scope="session")
def pg_databases() -> Iterator[PgDatabases]:
    """Migrated PostgreSQL databases made ahead in the background (tests.databases)."""
    _need("PostgreSQL", PG_ADMIN_URL, 5432)
    databases = PgDatabases(PG_ADMIN_URL)
    yield databases
    databases.close()


@pytest.fixture
def migrated_postgres_url(pg_databases: PgDatabases) -> Iterator[str]:
    """A fresh PostgreSQL database with the schema applied, dropped afterwards."""
    url = pg_databases.take()
    yield url
    pg_databases.give_back(url)


@pytest.fixture(params=["sqlite", "postgresql"])
def database_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    """Each database test runs on SQLite and on PostgreSQL, on a migrated, empty database
    (a copy of one migrated at the start of the run: upgrade() finds nothing to do)."""
    if request.param == "sqlite":
        url = f"sqlite+aiosqlite:///{tmp_path / 'test.db'}"
        ensure_migrated_sqlite(url)
        return url
    return str(request.getfixturevalue("migrated_postgres_url"))


@pytest.fixture(params=["sqlite", "postgresql"])
def empty_database_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    """SQLite and PostgreSQL without any table: for the migrations themselves."""
    if request.param == "sqlite":
        return f"sqlite+aiosqlite:///{tmp_path / 'empty.db'}"
    return str(request.getfixturevalue("postgres_url"))


def make_settings(tmp_path: Path, **overrides: object) -> Settings:
    """Settings for a test, never read from a developer's `.env`."""
    values: dict[str, object] = {
        "_env_file": None,
        "data_dir": tmp_path / "data",
        "secret_key": TEST_SECRET,
        "bot_token": "123456:TEST-token",
    }
    values.update(overrides)
    return load_settings(**values)


# The end-to-end tests' fixtures: a fake Telegram server, and the bot running against it with
# the settings of `e2e_settings`. A test module that needs other settings or routers defines
# its own `app`. (Imported inside: tests.harness imports this module.)
@pytest.fixture
async def tg(request: pytest.FixtureRequest):
    from tests.fake_telegram import FakeTelegram
    from tests.harness import LONG_TEXTS_ALLOWED, append_report, spoken_texts, text_problems

    async with FakeTelegram() as fake:
        yield fake
    # Every test that talks to the bot also checks what people read (issue: nothing internal
    # reaches a person, every message at most 600 characters).
    if "test_fake_telegram" in request.node.nodeid:  # tests of the fake itself, not the bot
        return
    found = {
        text[:80]: problems
        for text in spoken_texts(fake)
        if (problems := text_problems(text, LONG_TEXTS_ALLOWED))
    }
    report = os.environ.get("NIRMISKIN_TEXT_REPORT")
    if report:
        append_report(report, request.node.nodeid, found)
    elif found:
        pytest.fail(f"the bot said something internal or too long: {found}", pytrace=False)


@pytest.fixture
async def app(tg: FakeTelegram, tmp_path: Path) -> AsyncIterator[BotApp]:
    from tests.harness import BotApp, e2e_settings

    async with BotApp(tg, e2e_settings(tmp_path, tg)) as running:
        yield running
