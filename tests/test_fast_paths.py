"""The hot path's short cuts keep the guarantees of the long way round.

- An update whose only write is its conversation step commits through the DirectConnection
  (SQLite file), without an ORM transaction; it survives a restart, waits for a write lock
  held elsewhere, and a failed write rolls the update back.
- An update that did anything else keeps everything in its one ORM transaction.
- Conversation data sealed with Fernet before AES-GCM was used still opens.
- A new user's account is created once, even when two sessions meet them at the same time.
"""

from __future__ import annotations

import asyncio
import json
import sqlite3
from pathlib import Path
from typing import Any

import pytest
from aiogram.fsm.storage.base import StorageKey
from aiogram.types import Update, User
from sqlalchemy import event, select

from bot.i18n import create_i18n
from bot.middlewares import UnitOfWork
from bot.roles import PETUGAS, WARGA
from db import accounts
from db.engine import (
    account_cache,
    close_session,
    create_engine,
    create_sessionmaker,
    direct_connection,
)
from db.fsm_storage import SQLStorage
from db.migrate import upgrade
from db.models import Account
from db.protect import Protector

KEY = StorageKey(bot_id=1, chat_id=301, user_id=301)
PROTECTOR = Protector(b"k" * 40)


class Bench:
    """A unit of work, an SQL storage and a count of the ORM transactions begun."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self.engine = create_engine(f"sqlite+aiosqlite:///{path}")
        self.sessionmaker = create_sessionmaker(self.engine)
        self.storage = SQLStorage(self.sessionmaker, protector=PROTECTOR)
        self.uow = UnitOfWork(
            self.sessionmaker, set(), account_cache(self.sessionmaker), create_i18n()
        )
        self.orm_transactions = 0

        def count(*_args: Any) -> None:
            self.orm_transactions += 1

        event.listen(self.engine.sync_engine, "begin", count)

    async def update(self, handler: Any, user_id: int | None = None) -> None:
        """Run `handler(data)` as an update's handler inside the unit of work (from the
        Telegram user `user_id`, whose account the unit of work then loads)."""

        async def wrapped(_event: Any, data: dict[str, Any]) -> None:
            await handler(data)

        data: dict[str, Any] = {}
        if user_id is not None:
            data["event_from_user"] = User(id=user_id, is_bot=False, first_name="Warga")
        await self.uow(wrapped, Update(update_id=1), data)

    async def row(self) -> tuple[str | None, Any] | None:
        with sqlite3.connect(self.path) as conn:
            found = conn.execute("SELECT state, data FROM fsm_records").fetchone()
        return None if found is None else (found[0], json.loads(found[1]))

    async def close(self) -> None:
        direct_connection(self.sessionmaker).close()
        await self.engine.dispose()


@pytest.fixture
async def bench(tmp_path: Path):  # type: ignore[no-untyped-def]
    setup = create_engine(f"sqlite+aiosqlite:///{tmp_path / 'fast.db'}")
    await upgrade(setup)
    await setup.dispose()
    running = Bench(tmp_path / "fast.db")
    yield running
    await running.close()


async def move_form(storage: SQLStorage, step: int) -> None:
    await storage.set_state(KEY, "FormFlow:active")
    await storage.set_data(KEY, {"form": {"step": step, "nik": "3216065212850001"}})


async def test_a_form_step_alone_commits_without_an_orm_transaction(bench: Bench) -> None:
    await bench.update(lambda _data: move_form(bench.storage, 1))
    assert bench.orm_transactions == 0
    stored = await bench.row()
    assert stored is not None and stored[0] == "FormFlow:active"
    assert set(stored[1]) == {"sealed"} and "3216065212850001" not in json.dumps(stored[1])
    # A restart: a new storage (empty cache) reads the committed step.
    fresh = SQLStorage(create_sessionmaker(bench.engine), protector=PROTECTOR)
    assert await fresh.get_data(KEY) == {"form": {"step": 1, "nik": "3216065212850001"}}
    direct_connection(fresh._sessionmaker).close()


async def test_a_form_step_with_other_work_shares_its_transaction(bench: Bench) -> None:
    await bench.update(lambda data: accounts.load_for_update(data["session"], 302, is_admin=False))
    before = bench.orm_transactions

    async def handler(data: dict[str, Any]) -> None:
        account = await accounts.load_for_update(data["session"], 302, is_admin=False)
        account.consent = "given"
        await move_form(bench.storage, 2)

    await bench.update(handler)
    assert bench.orm_transactions == before + 1  # the account and the step, one commit
    stored = await bench.row()
    assert stored is not None and stored[0] == "FormFlow:active"
    async with bench.sessionmaker() as session:
        consent = await session.scalar(select(Account.consent).where(Account.telegram_id == 302))
    assert consent == "given"


async def test_a_new_users_account_is_written_aside_and_is_the_stored_row(bench: Bench) -> None:
    cache = account_cache(bench.sessionmaker)
    async with bench.sessionmaker() as session:
        made = await accounts.load_for_update(session, 305, is_admin=False, cache=cache)
        assert not session.info.get("connected")  # no ORM statement was needed
    assert bench.orm_transactions == 0
    assert cache.get(305) is made  # committed already, so the next update needs no query
    columns = [c.key for c in Account.__table__.columns]
    async with bench.sessionmaker() as session:
        stored = await session.scalar(select(Account).where(Account.telegram_id == 305))
        assert stored is not None
        assert {k: getattr(stored, k) for k in columns} == {k: getattr(made, k) for k in columns}


async def test_a_direct_write_waits_for_a_write_lock_held_elsewhere(bench: Bench) -> None:
    other = sqlite3.connect(bench.path, isolation_level=None)
    other.execute("BEGIN IMMEDIATE")  # e.g. another process in the middle of a commit
    try:
        update = asyncio.create_task(bench.update(lambda _data: move_form(bench.storage, 3)))
        await asyncio.sleep(0.2)
        assert not update.done() and await bench.row() is None
    finally:
        other.execute("COMMIT")
        other.close()
    await asyncio.wait_for(update, 5)
    stored = await bench.row()
    assert stored is not None and stored[0] == "FormFlow:active"


async def test_a_failed_direct_write_rolls_the_step_back(bench: Bench) -> None:
    await bench.update(lambda _data: move_form(bench.storage, 1))
    with sqlite3.connect(bench.path) as conn:
        conn.execute(
            "CREATE TRIGGER refuse BEFORE UPDATE ON fsm_records "
            "BEGIN SELECT RAISE(ABORT, 'disk full'); END"
        )

    async def next_step(_data: dict[str, Any]) -> None:
        await bench.storage.set_state(KEY, "Other:state")
        await bench.storage.set_data(KEY, {"form": {"step": 2}})

    with pytest.raises(sqlite3.IntegrityError):
        await bench.update(next_step)
    # Neither the database nor the cache took the step that failed.
    assert await bench.storage.get_state(KEY) == "FormFlow:active"
    assert (await bench.storage.get_data(KEY))["form"]["step"] == 1
    stored = await bench.row()
    assert stored is not None and stored[0] == "FormFlow:active"


async def test_conversations_sealed_with_fernet_still_open(bench: Bench) -> None:
    old = {"form": {"answers": {"nik": "3216065212850001"}}}
    with sqlite3.connect(bench.path) as conn:
        conn.execute(
            "INSERT INTO fsm_records (key, state, data, updated_at) VALUES (?, ?, ?, ?)",
            (
                bench.storage._key_builder.build(KEY),
                "FormFlow:active",
                json.dumps({"sealed": PROTECTOR.encrypt(json.dumps(old))}),
                "2026-01-01 00:00:00.000000",
            ),
        )
    assert await bench.storage.get_state(KEY) == "FormFlow:active"
    assert await bench.storage.get_data(KEY) == old
    assert PROTECTOR.unseal(PROTECTOR.seal("halo")) == "halo"
    assert PROTECTOR.seal("halo") != PROTECTOR.seal("halo")  # a fresh nonce each time


async def test_a_held_account_is_what_queries_return_with_its_changes(bench: Bench) -> None:
    await bench.update(lambda _data: asyncio.sleep(0), user_id=306)  # created and cached
    seen: dict[str, Any] = {}

    async def handler(data: dict[str, Any]) -> None:
        account, session = data["account"], data["session"]
        account.consent = "given"  # changed before the session was used at all
        found = await session.scalar(select(Account).where(Account.telegram_id == 306))
        given = await session.scalar(
            select(Account.id).where(Account.telegram_id == 306, Account.consent == "given")
        )
        seen.update(same=found is account, flushed=given == account.id)

    await bench.update(handler, user_id=306)
    assert seen == {"same": True, "flushed": True}
    async with bench.sessionmaker() as session:
        consent = await session.scalar(select(Account.consent).where(Account.telegram_id == 306))
    assert consent == "given"


async def test_an_update_that_never_uses_its_session_begins_no_transaction(bench: Bench) -> None:
    await bench.update(lambda _data: asyncio.sleep(0), user_id=307)
    before = bench.orm_transactions
    accounts_seen: list[Any] = []

    async def handler(data: dict[str, Any]) -> None:
        accounts_seen.append(data["account"])

    await bench.update(handler, user_id=307)
    await bench.update(handler, user_id=307)
    assert bench.orm_transactions == before
    assert accounts_seen[0] is accounts_seen[1]  # the cached account, lent and given back


async def test_a_failed_update_forgets_the_changes_it_made_to_the_account(bench: Bench) -> None:
    await bench.update(lambda _data: asyncio.sleep(0), user_id=308)
    cache = account_cache(bench.sessionmaker)

    async def handler(data: dict[str, Any]) -> None:
        data["account"].consent = "given"
        raise RuntimeError("the handler failed")

    with pytest.raises(RuntimeError):
        await bench.update(handler, user_id=308)
    assert cache.get(308) is None  # the changed copy is not served again
    seen: list[str] = []

    async def read(data: dict[str, Any]) -> None:
        seen.append(data["account"].consent)

    await bench.update(read, user_id=308)
    assert seen == ["none"]


async def test_a_lent_account_is_not_handed_to_a_second_session(bench: Bench) -> None:
    await bench.update(lambda _data: asyncio.sleep(0), user_id=309)
    cache = account_cache(bench.sessionmaker)
    first, second = bench.sessionmaker(), bench.sessionmaker()
    mine = await accounts.load_for_update(first, 309, is_admin=False, cache=cache)
    theirs = await accounts.load_for_update(second, 309, is_admin=False, cache=cache)
    assert mine is not theirs and mine.id == theirs.id
    for session in (first, second):
        await session.commit()
        await close_session(session)
    assert cache.lend(309) is not None  # given back when the sessions closed


@pytest.fixture
async def engine(database_url: str):  # type: ignore[no-untyped-def]
    engine = create_engine(database_url)
    await upgrade(engine)
    yield engine
    await engine.dispose()


async def test_a_new_user_met_by_two_sessions_at_once_gets_one_account(engine) -> None:  # type: ignore[no-untyped-def]
    sessionmaker = create_sessionmaker(engine)
    first = sessionmaker()
    created = await accounts.load_for_update(first, 303, is_admin=False)
    # The second session meets the same new user before the first has committed (on SQLite
    # the row is written aside at once): it finds the row and reads it.
    second = sessionmaker()
    racing = asyncio.create_task(accounts.load_for_update(second, 303, is_admin=False))
    await asyncio.sleep(0.2)
    await first.commit()
    await first.close()
    found = await asyncio.wait_for(racing, 10)
    await second.commit()
    await second.close()
    assert found.id == created.id and found.role == WARGA
    async with sessionmaker() as session:
        rows = list(await session.scalars(select(Account).where(Account.telegram_id == 303)))
    assert len(rows) == 1
    # Residents use the default command list, so theirs is in step from the start; staff
    # (ADMIN_IDS) still get their own list sent on the first update.
    assert rows[0].commands_role == WARGA
    async with sessionmaker() as session:
        admin = await accounts.load_for_update(session, 304, is_admin=True)
        await session.commit()
    assert admin.role == PETUGAS and admin.commands_role is None


def test_fsm_rows_are_only_written_by_the_storage() -> None:
    """The direct path reads the committed row instead of the update's session: right only
    while nothing else writes fsm_records inside an update."""
    root = Path(__file__).resolve().parent.parent
    found = sorted(
        str(path.relative_to(root))
        for folder in ("bot", "handlers", "conversations", "services", "db")
        for path in (root / folder).rglob("*.py")
        if "migrations" not in path.parts
        and any(name in path.read_text() for name in ("FsmRecord", "fsm_records"))
    )
    assert found == ["db/fsm_storage.py", "db/models.py"], found
