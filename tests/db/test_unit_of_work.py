"""The unit of work and its caches: only committed data is served from memory."""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest
from aiogram.fsm.storage.base import StorageKey
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncEngine

from db import accounts
from db.engine import account_cache, create_engine, create_sessionmaker, current_session
from db.fsm_storage import SQLStorage
from db.migrate import upgrade
from db.models.accounts import Account
from db.models.system import FsmRecord

KEY = StorageKey(bot_id=1, chat_id=77, user_id=77)


@pytest.fixture
async def engine(database_url: str) -> AsyncIterator[AsyncEngine]:
    engine = create_engine(database_url)
    await upgrade(engine)
    yield engine
    await engine.dispose()


async def test_change_by_this_process_is_seen_at_once(engine: AsyncEngine) -> None:
    sessionmaker = create_sessionmaker(engine, account_cache_seconds=60)
    cache = account_cache(sessionmaker)
    async with sessionmaker() as session:
        account = await accounts.load_for_update(session, 501, is_admin=False, cache=cache)
        await session.commit()
    cache.put(account)  # as the unit of work does after an update
    # Another unit of work changes the account without keeping a reference to it.
    async with sessionmaker.begin() as session:
        await accounts.mark_unreachable(session, 501)
    cached = cache.get(501)
    assert cached is not None and cached.bot_blocked


async def test_change_by_another_process_is_seen_after_the_ttl(engine: AsyncEngine) -> None:
    bot_side = create_sessionmaker(engine, account_cache_seconds=0.3)
    cache = account_cache(bot_side)
    async with bot_side() as session:
        # The middleware holds the account for the whole update (data["account"]).
        held = await accounts.load_for_update(session, 502, is_admin=False, cache=cache)
        await session.commit()
    cache.put(held)
    assert cache.get(502) is held
    cli_side = create_sessionmaker(engine)  # e.g. `python -m bot grant`
    async with cli_side.begin() as session:
        await accounts.grant_role(session, 502, "tksk", "32.16.18")
    async with bot_side() as session:
        stale = await accounts.load_for_update(session, 502, is_admin=False, cache=cache)
        assert stale.role == "warga"
    await asyncio.sleep(0.35)
    async with bot_side() as session:
        fresh = await accounts.load_for_update(session, 502, is_admin=False, cache=cache)
        assert fresh.role == "tksk" and fresh.area_code == "32.16.18"


async def test_rollback_forgets_the_account_and_fsm_writes(engine: AsyncEngine) -> None:
    sessionmaker = create_sessionmaker(engine)
    cache = account_cache(sessionmaker)
    storage = SQLStorage(sessionmaker)
    async with sessionmaker() as session:
        cache.put(await accounts.load_for_update(session, 503, is_admin=False, cache=cache))
        await session.commit()
    async with sessionmaker() as session:
        token = current_session.set(session)
        account = await accounts.load_for_update(session, 503, is_admin=False, cache=cache)
        assert account is not cache.get(503)  # the session works on its own copy
        account.consent = "given"
        await session.flush()
        await storage.set_state(KEY, "Form:active")
        assert await storage.get_state(KEY) == "Form:active"  # visible inside the update
        await session.rollback()
        current_session.reset(token)
    assert cache.get(503) is None  # written, then rolled back: read again next time
    assert await storage.get_state(KEY) is None
    async with sessionmaker() as session:
        row = await session.scalar(select(Account).where(Account.telegram_id == 503))
        assert row is not None and row.consent == "none"


async def test_fsm_writes_land_with_the_update_commit(engine: AsyncEngine) -> None:
    sessionmaker = create_sessionmaker(engine)
    storage = SQLStorage(sessionmaker)
    async with sessionmaker() as session:
        token = current_session.set(session)
        await storage.set_state(KEY, "Form:active")
        await storage.update_data(KEY, {"form": {"i": 2}})
        async with sessionmaker() as other:  # not yet visible to anyone else
            assert await other.scalar(select(FsmRecord).where(FsmRecord.key.contains("77"))) is None
        await session.commit()
        current_session.reset(token)
    async with sessionmaker() as other:
        row = await other.scalar(select(FsmRecord).where(FsmRecord.key.contains("77")))
        assert row is not None and row.state == "Form:active" and row.data == {"form": {"i": 2}}
    # A restart: a fresh storage (no cache) reads the committed row.
    fresh = SQLStorage(create_sessionmaker(engine))
    assert json.dumps(await fresh.get_data(KEY)) == '{"form": {"i": 2}}'


async def test_idle_conversations_are_forgotten(engine: AsyncEngine) -> None:
    import datetime as dt

    from sqlalchemy import update

    storage = SQLStorage(create_sessionmaker(engine))
    old, fresh = StorageKey(1, 81, 81), StorageKey(1, 82, 82)
    await storage.set_data(old, {"form": {"answers": {"nik": "3216065212850001"}}})
    await storage.set_data(fresh, {"form": {"answers": {}}})
    async with create_sessionmaker(engine).begin() as session:
        long_ago = dt.datetime.now(dt.UTC) - dt.timedelta(days=31)
        await session.execute(
            update(FsmRecord).where(FsmRecord.key.contains(":81:")).values(updated_at=long_ago)
        )
    assert await storage.purge_idle(dt.timedelta(days=30)) == 1
    assert await storage.get_data(old) == {}  # gone from the cache too
    assert await storage.get_data(fresh) == {"form": {"answers": {}}}


async def test_core_writes_through_the_session_connection_are_committed(tmp_path: Path) -> None:
    """The unit of work must not lose a write the ORM does not track."""
    from sqlalchemy import insert

    from bot.i18n import create_i18n
    from bot.middlewares import UnitOfWork

    engine = create_engine(f"sqlite+aiosqlite:///{tmp_path / 'uow.db'}")
    await upgrade(engine)
    sessionmaker = create_sessionmaker(engine)
    uow = UnitOfWork(sessionmaker, set(), account_cache(sessionmaker), create_i18n())

    async def handler(_event: Any, data: dict[str, Any]) -> None:
        connection = await data["session"].connection()
        await connection.execute(insert(FsmRecord).values(key="core-write", data={}))

    from aiogram.types import Update

    await uow(handler, Update(update_id=1), {})
    async with sessionmaker() as session:
        assert await session.scalar(select(FsmRecord.key).where(FsmRecord.key == "core-write"))
    await engine.dispose()


NIK = "3216065212850001"


async def test_conversation_data_is_encrypted_at_rest_in_sql(engine: AsyncEngine) -> None:
    from db.protect import Protector

    protector = Protector(b"s" * 40)
    key = StorageKey(1, 91, 91)
    await SQLStorage(create_sessionmaker(engine), protector=protector).set_data(
        key, {"form": {"answers": {"nik": NIK}}}
    )
    async with create_sessionmaker(engine)() as session:
        stored = await session.scalar(select(FsmRecord.data).where(FsmRecord.key.contains(":91:")))
    assert stored is not None and set(stored) == {"sealed"} and NIK not in json.dumps(stored)
    # After a restart (no cache), the same key opens it again.
    fresh = SQLStorage(create_sessionmaker(engine), protector=protector)
    assert (await fresh.get_data(key))["form"]["answers"]["nik"] == NIK


async def test_conversation_data_is_encrypted_at_rest_in_redis(redis_url: str) -> None:
    from aiogram.fsm.storage.redis import RedisStorage
    from redis.asyncio import Redis

    from db.fsm_storage import sealed_json
    from db.protect import Protector

    dumps, loads = sealed_json(Protector(b"s" * 40))
    redis = Redis.from_url(redis_url)
    try:
        storage = RedisStorage(redis, json_dumps=dumps, json_loads=loads)
        await storage.set_data(KEY, {"form": {"answers": {"nik": NIK}}})
        raw = b"".join([await redis.get(k) or b"" for k in await redis.keys("*")])
        assert raw and NIK.encode() not in raw
        assert (await storage.get_data(KEY))["form"]["answers"]["nik"] == NIK
    finally:
        await redis.aclose()


async def test_the_unit_of_work_gives_back_its_connection_and_caches_the_account(
    engine: AsyncEngine,
) -> None:
    """After each update the connection is back in the pool, and the account is cached only
    as committed; a failed update leaves the cache without it."""
    from aiogram.types import Update

    from bot.i18n import create_i18n
    from bot.middlewares import UnitOfWork

    sessionmaker = create_sessionmaker(engine, account_cache_seconds=60)
    cache = account_cache(sessionmaker)
    uow = UnitOfWork(sessionmaker, set(), cache, create_i18n())
    user = {"id": 503, "is_bot": False, "first_name": "A"}
    from aiogram.types import User

    async def reads(_event: Any, data: dict[str, Any]) -> str:
        return data["account"].consent

    async def changes(_event: Any, data: dict[str, Any]) -> None:
        data["account"].consent = "given"

    async def fails(_event: Any, data: dict[str, Any]) -> None:
        data["account"].consent = "declined"
        raise RuntimeError("handler failed")

    data = {"event_from_user": User(**user)}
    assert await uow(reads, Update(update_id=1), dict(data)) == "none"
    assert engine.sync_engine.pool.checkedout() == 0
    assert cache.get(503) is not None and cache.get(503).consent == "none"
    await uow(changes, Update(update_id=2), dict(data))
    assert cache.get(503).consent == "given"
    with pytest.raises(RuntimeError):
        await uow(fails, Update(update_id=3), dict(data))
    assert cache.get(503) is None and engine.sync_engine.pool.checkedout() == 0
    async with sessionmaker() as again:
        row = await again.scalar(select(Account).where(Account.telegram_id == 503))
        assert row is not None and row.consent == "given"


async def test_audit_entries_commit_with_the_change_and_go_with_a_rollback(
    engine: AsyncEngine,
) -> None:
    from db import audit
    from db.models.system import AuditLog

    sessionmaker = create_sessionmaker(engine)
    async with sessionmaker() as session:
        actor = await accounts.load_for_update(session, 7101, is_admin=False)
        await session.commit()
        actor_id = actor.id
        audit.record(session, actor, "test.kept", "account", actor.id, why="kept")
        audit.record(session, None, "test.system")
        await session.commit()
        audit.record(session, actor, "test.dropped")
        await session.rollback()
        # Nothing is left over from the rolled-back entry; and the account, expired by the
        # rollback, does not make the commit's cache refresh load it (no SQL after a commit).
        await session.commit()
    async with sessionmaker() as session:
        rows = (await session.scalars(select(AuditLog).order_by(AuditLog.id))).all()
    assert [(r.action, r.actor_role, r.subject_id, r.detail) for r in rows] == [
        ("test.kept", "warga", actor_id, {"why": "kept"}),
        ("test.system", None, None, {}),
    ]
    assert rows[0].actor_account_id == actor_id and rows[0].at is not None


async def test_an_account_changed_on_one_instance_is_fresh_on_the_other(  # type: ignore[no-untyped-def]
    engine, redis_url: str
) -> None:
    """Two instances keep accounts in memory; a change on one (a consent, a revoked role) is
    seen by the other on its very next update, through the version kept in Redis."""
    from aiogram import Bot
    from aiogram.types import Update, User
    from redis.asyncio import Redis

    from bot.i18n import create_i18n
    from bot.local_session import LocalSession
    from bot.middlewares import UnitOfWork
    from db.account_versions import AccountVersions
    from db.engine import account_versions

    redis = Redis.from_url(redis_url)
    try:
        instances = []
        for _ in range(2):
            sessionmaker = create_sessionmaker(engine, 60, AccountVersions(redis))
            instances.append(
                UnitOfWork(
                    sessionmaker, set(), account_cache(sessionmaker), create_i18n(),
                    account_versions(sessionmaker),
                )
            )  # fmt: skip
        a, b = instances
        bot = Bot(token="1:local", session=LocalSession())  # the role's command list goes here
        data = {"event_from_user": User(id=504, is_bot=False, first_name="A"), "bot": bot}

        async def role(_event, data):  # type: ignore[no-untyped-def]
            return data["account"].role

        async def revoke(_event, data):  # type: ignore[no-untyped-def]
            data["account"].role = "psm"

        assert await a(role, Update(update_id=1), dict(data)) == "warga"
        assert await b(role, Update(update_id=2), dict(data)) == "warga"
        assert await a(role, Update(update_id=3), dict(data)) == "warga"  # from A's memory
        await b(revoke, Update(update_id=4), dict(data))
        assert await a(role, Update(update_id=5), dict(data)) == "psm"
        assert await b(role, Update(update_id=6), dict(data)) == "psm"
    finally:
        await redis.aclose()
