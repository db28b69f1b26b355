"""aiogram FSM storage in the SQL database (the default; Redis when REDIS_URL is set).

A half-finished conversation is a row in `fsm_records`, so it survives a restart and is shared
by every bot process that uses the same database.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from aiogram.fsm.state import State
from aiogram.fsm.storage.base import BaseStorage, DefaultKeyBuilder, KeyBuilder, StorageKey
from sqlalchemy import select
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from db.models import FsmRecord, utcnow


class SQLStorage(BaseStorage):
    def __init__(
        self,
        sessionmaker: async_sessionmaker[AsyncSession],
        key_builder: KeyBuilder | None = None,
    ) -> None:
        self._sessionmaker = sessionmaker
        self._key_builder = key_builder or DefaultKeyBuilder(with_destiny=True)
        dialect = sessionmaker.kw["bind"].dialect.name
        self._insert = pg_insert if dialect == "postgresql" else sqlite_insert

    async def _upsert(self, key: StorageKey, **values: Any) -> None:
        row_key = self._key_builder.build(key)
        values["updated_at"] = utcnow()
        stmt = self._insert(FsmRecord).values(key=row_key, **values)
        stmt = stmt.on_conflict_do_update(index_elements=[FsmRecord.key], set_=values)
        async with self._sessionmaker.begin() as session:
            await session.execute(stmt)

    async def set_state(self, key: StorageKey, state: str | State | None = None) -> None:
        value = state.state if isinstance(state, State) else state
        await self._upsert(key, state=value)

    async def get_state(self, key: StorageKey) -> str | None:
        async with self._sessionmaker() as session:
            return await session.scalar(
                select(FsmRecord.state).where(FsmRecord.key == self._key_builder.build(key))
            )

    async def set_data(self, key: StorageKey, data: Mapping[str, Any]) -> None:
        await self._upsert(key, data=dict(data))

    async def get_data(self, key: StorageKey) -> dict[str, Any]:
        async with self._sessionmaker() as session:
            data = await session.scalar(
                select(FsmRecord.data).where(FsmRecord.key == self._key_builder.build(key))
            )
        return dict(data or {})

    async def close(self) -> None:
        """The engine belongs to the application, which disposes of it."""
