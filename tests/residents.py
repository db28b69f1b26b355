"""Test helper for the residents' features: a household with members, linked to a Telegram
user directly in the database (the /daftar flow is another feature's).

`protected_household` and `protected_member` are the rows as the office's import writes them
(numbers as keyed hash, ciphertext and mask); the other seeding helpers build on them.
"""

from __future__ import annotations

import datetime as dt
import itertools
from dataclasses import dataclass
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from db.engine import account_cache
from db.models.accounts import Account
from db.models.households import Household, Member
from db.protect import Protector
from tests.harness import BotApp

DESA = "32.16.05.2001"  # Satriajaya, Tambun Utara
KECAMATAN = "32.16.05"
_serial = itertools.count(1)


@dataclass(frozen=True)
class Linked:
    household_id: int
    member_ids: list[int]


def _number(prefix: str) -> str:
    return f"{prefix}{next(_serial):06d}"


def protected_household(protector: Protector, kk: str, **columns: Any) -> Household:
    """A Household row whose No. KK is stored as in production."""
    kk_hash, kk_enc, kk_mask = protector.protect(kk)
    return Household(kk_hash=kk_hash, kk_encrypted=kk_enc, kk_masked=kk_mask, **columns)


def protected_member(protector: Protector, household_id: int, nik: str, **columns: Any) -> Member:
    """A Member row whose NIK is stored as in production."""
    nik_hash, nik_enc, nik_mask = protector.protect(nik)
    return Member(
        household_id=household_id,
        nik_hash=nik_hash,
        nik_encrypted=nik_enc,
        nik_masked=nik_mask,
        **columns,
    )


async def make_household(
    sessionmaker: async_sessionmaker[AsyncSession],
    protector: Protector,
    members: list[tuple[str, dt.date | None]],
    *,
    desa: str = DESA,
    kecamatan: str = KECAMATAN,
) -> Linked:
    async with sessionmaker() as session, session.begin():
        household = protected_household(
            protector, _number("3216051203"), desa_code=desa, kecamatan_code=kecamatan
        )
        session.add(household)
        await session.flush()
        ids = []
        for k, (name, born) in enumerate(members):
            member = protected_member(
                protector, household.id, _number("3216054107"),
                name=name, relationship_to_head="kepala" if k == 0 else "anak", birth_date=born,
            )  # fmt: skip
            session.add(member)
            await session.flush()
            ids.append(member.id)
        return Linked(household.id, ids)


async def link(app: BotApp, telegram_id: int, linked: Linked) -> None:
    """Link the (already consented) account of `telegram_id` to the household."""
    async with app.sessionmaker() as session, session.begin():
        account = await session.scalar(select(Account).where(Account.telegram_id == telegram_id))
        assert account is not None
        account.household_id = linked.household_id
        account.member_id = linked.member_ids[0] if linked.member_ids else None
    account_cache(app.sessionmaker).drop(telegram_id)


async def linked_resident(
    app: BotApp, telegram_id: int, members: list[tuple[str, dt.date | None]], **kw: str
) -> Linked:
    assert app.resources is not None
    household = await make_household(app.sessionmaker, app.resources.protector, members, **kw)
    await link(app, telegram_id, household)
    return household
