"""The schema, seeds, FSM storage and NIK protection, on SQLite and PostgreSQL."""

from __future__ import annotations

from typing import Any

from aiogram.fsm.storage.base import StorageKey
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import Connection, func, select

from db import accounts
from db.engine import create_engine, create_sessionmaker
from db.fsm_storage import SQLStorage
from db.migrate import upgrade
from db.models.base import Base
from db.models.households import AidProgram, Region
from db.protect import Protector, mask_name
from domain.identity import mask_number


async def test_migrations_match_models(empty_database_url: str) -> None:
    engine = create_engine(empty_database_url)
    try:
        await upgrade(engine)

        def diff(connection: Connection) -> list[Any]:
            return compare_metadata(MigrationContext.configure(connection), Base.metadata)

        async with engine.connect() as conn:
            assert await conn.run_sync(diff) == []
        await upgrade(engine)  # applying again is a no-op
    finally:
        await engine.dispose()


async def test_regions_and_programs_are_seeded(empty_database_url: str) -> None:
    engine = create_engine(empty_database_url)
    try:
        await upgrade(engine)
        async with create_sessionmaker(engine)() as session:
            counts = dict(
                (
                    await session.execute(select(Region.level, func.count()).group_by(Region.level))
                ).all()
            )
            assert counts == {"kabupaten": 1, "kecamatan": 23, "desa": 179, "kelurahan": 8}
            setu = await session.get(Region, "32.16.18")
            assert setu is not None and setu.name == "Setu" and setu.parent_code == "32.16"
            codes = set(await session.scalars(select(AidProgram.code)))
            assert {"BLT", "PKH", "BPNT", "RUTILAHU"} <= codes
    finally:
        await engine.dispose()


async def test_fsm_state_survives_a_restart(database_url: str) -> None:
    key = StorageKey(bot_id=1, chat_id=42, user_id=42)
    engine = create_engine(database_url)
    await upgrade(engine)
    storage = SQLStorage(create_sessionmaker(engine))
    await storage.set_state(key, "Form:active")
    await storage.set_data(key, {"form": {"name": "lapor", "answers": {"income": 750000}}})
    await storage.update_data(key, {"step": 3})
    await engine.dispose()

    engine = create_engine(database_url)  # a new process, as after a restart
    storage = SQLStorage(create_sessionmaker(engine))
    assert await storage.get_state(key) == "Form:active"
    data = await storage.get_data(key)
    assert data == {"form": {"name": "lapor", "answers": {"income": 750000}}, "step": 3}
    await storage.set_state(key, None)
    await storage.set_data(key, {})
    assert await storage.get_state(key) is None
    assert await storage.get_data(key) == {}
    other = StorageKey(bot_id=1, chat_id=43, user_id=43)
    assert await storage.get_state(other) is None
    await engine.dispose()


async def test_first_contact_creates_account_and_admins_are_staff(database_url: str) -> None:
    engine = create_engine(database_url)
    await upgrade(engine)
    async with create_sessionmaker(engine).begin() as session:
        resident = await accounts.load_for_update(session, 111, is_admin=False)
        staff = await accounts.load_for_update(session, 222, is_admin=True)
    async with create_sessionmaker(engine).begin() as session:
        again = await accounts.load_for_update(session, 111, is_admin=False)
        assert again.id == resident.id and again.role == "warga"
        assert again.consent == "none" and again.first_name is None
        assert staff.role == "petugas"
    await engine.dispose()


def test_nik_is_hashed_encrypted_and_masked() -> None:
    protector = Protector(b"k" * 40)
    nik = "3216065212850001"
    digest, token, masked = protector.protect(nik)
    assert digest == protector.lookup_hash(nik) and len(digest) == 64 and nik not in digest
    assert nik not in token and protector.decrypt(token) == nik
    assert masked == "3216********0001" == mask_number(nik)
    assert Protector(b"x" * 40).lookup_hash(nik) != digest  # keyed: useless without the key
    assert mask_name("Siti Aminah") == "S*** A*****"
