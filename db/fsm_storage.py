"""aiogram FSM storage in the SQL database (the default; Redis when REDIS_URL is set).

A half-finished conversation is a row in `fsm_records`, so it survives a restart.

Inside an update, writes join the update's unit of work: they are written just before its
single commit (db.engine.on_commit), so an update costs one transaction, not one per
`set_data`, and no second connection waits on the first (SQLite has one writer). Outside an
update (tests, workers) each write commits at once.

Conversation data is encrypted at rest (`protector`): a half-filled form may hold a NIK or
No. KK, which UU PDP and our rules say are never stored in clear. The row keeps
`{"sealed": <AES-GCM token>}` (db.protect.Protector.seal); memory keeps the plain JSON. A
record that cannot be opened (written under another key) is dropped, not fatal: the person
starts afresh and is told so (`conversation_lost`, read by the unit of work).

With `cache=True` reads come from memory, filled only with committed values. That is right
when one process owns the conversations: long polling (Telegram allows one poller per bot).
Several webhook instances without Redis must run with the cache off.
"""

from __future__ import annotations

import datetime as dt
import json
from collections import OrderedDict
from collections.abc import Mapping
from contextvars import ContextVar
from typing import Any

from aiogram.fsm.state import State
from aiogram.fsm.storage.base import BaseStorage, DefaultKeyBuilder, KeyBuilder, StorageKey
from cryptography.exceptions import InvalidTag
from cryptography.fernet import InvalidToken
from sqlalchemy import delete, select
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker
from sqlalchemy.orm import Session

from db.engine import current_session, on_commit
from db.models.base import utcnow
from db.models.system import FsmRecord
from db.protect import Protector

# Set when this update met a conversation that could not be opened and was dropped.
conversation_lost: ContextVar[bool] = ContextVar("conversation_lost", default=False)
UNOPENABLE = (InvalidTag, InvalidToken, ValueError, UnicodeDecodeError)

# A record as kept in memory: state and the data as JSON text (a parsed copy is handed out
# on every read, so a caller mutating what it got cannot change the cache).
Record = tuple[str | None, str]
EMPTY: Record = (None, "{}")


class SQLStorage(BaseStorage):
    def __init__(
        self,
        sessionmaker: async_sessionmaker[AsyncSession],
        key_builder: KeyBuilder | None = None,
        cache: bool = True,
        cache_size: int = 50_000,
        protector: Protector | None = None,
    ) -> None:
        self._sessionmaker = sessionmaker
        self._protector = protector
        self._key_builder = key_builder or DefaultKeyBuilder(with_destiny=True)
        dialect = sessionmaker.kw["bind"].dialect.name
        self._insert = pg_insert if dialect == "postgresql" else sqlite_insert
        self._use_cache = cache
        self._cache: OrderedDict[str, Record] = OrderedDict()
        self._cache_size = cache_size
        self._row_keys: dict[StorageKey, str] = {}  # built once per chat, not on every read
        self._hook = f"fsm:{id(self)}"
        self._upsert_stmt = self._build_upsert()

    # -- reading -------------------------------------------------------------------------
    async def _read(self, row_key: str) -> Record:
        session = current_session.get()
        if session is not None:
            pending = session.info.get(self._hook + ":pending")
            if pending is not None and row_key in pending:
                record: Record = pending[row_key]
                return record
        if self._use_cache and row_key in self._cache:
            self._cache.move_to_end(row_key)
            return self._cache[row_key]
        query = select(FsmRecord.state, FsmRecord.data).where(FsmRecord.key == row_key)
        if session is not None:  # inside an update: its transaction, no second connection
            row = (await session.execute(query)).first()
        else:
            async with self._sessionmaker() as own:
                row = (await own.execute(query)).first()
        if row is None:
            record = EMPTY
        else:
            try:
                record = (row[0], self._open(row[1]))
            except UNOPENABLE:
                # Sealed under another key: the form cannot go on. Forget it (written with
                # the update) rather than fail every message of this person from now on.
                conversation_lost.set(True)
                await self._write(row_key, EMPTY)
                return EMPTY
        self._remember(row_key, record)
        return record

    def _row_key(self, key: StorageKey) -> str:
        row_key = self._row_keys.get(key)
        if row_key is None:
            if len(self._row_keys) >= self._cache_size:
                self._row_keys.clear()
            row_key = self._row_keys[key] = self._key_builder.build(key)
        return row_key

    def _remember(self, row_key: str, record: Record) -> None:
        if not self._use_cache:
            return
        self._cache[row_key] = record
        self._cache.move_to_end(row_key)
        if len(self._cache) > self._cache_size:
            self._cache.popitem(last=False)

    async def get_state(self, key: StorageKey) -> str | None:
        return (await self._read(self._row_key(key)))[0]

    async def get_data(self, key: StorageKey) -> dict[str, Any]:
        data: dict[str, Any] = json.loads((await self._read(self._row_key(key)))[1])
        return data

    # -- writing -------------------------------------------------------------------------
    async def set_state(self, key: StorageKey, state: str | State | None = None) -> None:
        row_key = self._row_key(key)
        value = state.state if isinstance(state, State) else state
        current = await self._read(row_key)
        if value != current[0]:
            await self._write(row_key, (value, current[1]))

    async def set_data(self, key: StorageKey, data: Mapping[str, Any]) -> None:
        row_key = self._row_key(key)
        current = await self._read(row_key)
        text = json.dumps(dict(data))
        if text != current[1]:  # aiogram's update_data often writes back what it read
            await self._write(row_key, (current[0], text))

    async def _write(self, row_key: str, record: Record) -> None:
        session = current_session.get()
        if session is None:
            await self._write_now(row_key, record)
            self._remember(row_key, record)
            return
        pending: dict[str, Record] = session.info.setdefault(self._hook + ":pending", {})
        on_commit(session, self._hook, self._flush, self._committed, self._rolled_back)
        pending[row_key] = record

    def _build_upsert(self) -> Any:
        """One statement, built once: compiling a fresh one per write cost more than the
        write itself."""
        table = FsmRecord.__table__
        stmt = self._insert(table)
        return stmt.on_conflict_do_update(
            index_elements=[table.c.key],
            set_={
                "state": stmt.excluded.state,
                "data": stmt.excluded.data,
                "updated_at": stmt.excluded.updated_at,
            },
        )

    def _seal(self, text: str) -> dict[str, Any]:
        if self._protector is None or text == EMPTY[1]:
            data: dict[str, Any] = json.loads(text)
            return data
        return {"sealed": self._protector.seal(text)}

    def _open(self, stored: dict[str, Any] | None) -> str:
        if not stored:
            return EMPTY[1]
        if "sealed" in stored:
            if self._protector is None:
                raise RuntimeError("conversation data is encrypted but no key was given")
            return self._protector.unseal(stored["sealed"])
        return json.dumps(stored)

    def _rows(self, pending: Mapping[str, Record]) -> list[dict[str, Any]]:
        now = utcnow()
        return [
            {"key": key, "state": state, "data": self._seal(data), "updated_at": now}
            for key, (state, data) in pending.items()
        ]

    async def _write_now(self, row_key: str, record: Record) -> None:
        async with self._sessionmaker.begin() as own:
            connection = await own.connection()
            await connection.execute(self._upsert_stmt, self._rows({row_key: record}))

    # Session hooks (sync: they run inside the session's commit).
    def _flush(self, session: Session) -> None:
        pending = session.info.get(self._hook + ":pending")
        if pending:
            session.connection().execute(self._upsert_stmt, self._rows(pending))

    def _committed(self, session: Session) -> None:
        for row_key, record in session.info.pop(self._hook + ":pending", {}).items():
            self._remember(row_key, record)

    def _rolled_back(self, session: Session) -> None:
        session.info.pop(self._hook + ":pending", None)

    async def purge_idle(self, older_than: dt.timedelta) -> int:
        """Forget conversations nobody touched for `older_than` (a half-filled form may hold
        a NIK: UU PDP says keep it no longer than needed). Returns how many were removed."""
        cutoff = utcnow() - older_than
        async with self._sessionmaker.begin() as session:
            keys = list(
                await session.scalars(select(FsmRecord.key).where(FsmRecord.updated_at < cutoff))
            )
            if keys:
                await session.execute(delete(FsmRecord).where(FsmRecord.key.in_(keys)))
        for key in keys:
            self._cache.pop(key, None)
        return len(keys)

    async def close(self) -> None:
        """The engine belongs to the application, which closes it."""


def sealed_json(protector: Protector) -> tuple[Any, Any]:
    """`json_dumps`/`json_loads` for aiogram's RedisStorage that encrypt at rest as well."""

    def dumps(data: Any) -> str:
        return protector.seal(json.dumps(data))

    def loads(value: str | bytes) -> Any:
        text = value.decode() if isinstance(value, bytes) else value
        try:
            return json.loads(protector.unseal(text))
        except UNOPENABLE:
            conversation_lost.set(True)  # the unit of work clears the state and says so
            return {}

    return dumps, loads
