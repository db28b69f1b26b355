"""Test helper for the residents' features: a household with members, linked to a Telegram
user directly in the database (the /daftar flow is another feature's)."""

from __future__ import annotations

import datetime as dt
import itertools
from dataclasses import dataclass

from sqlalchemy import select

from db.engine import account_cache
from db.models import Account, Household, Member
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


async def make_household(
    sessionmaker: object,
    protector: Protector,
    members: list[tuple[str, dt.date | None]],
    *,
    desa: str = DESA,
    kecamatan: str = KECAMATAN,
) -> Linked:
    async with sessionmaker() as session, session.begin():  # type: ignore[operator]
        kk_hash, kk_enc, kk_mask = protector.protect(_number("3216051203"))
        household = Household(
            kk_hash=kk_hash, kk_encrypted=kk_enc, kk_masked=kk_mask,
            desa_code=desa, kecamatan_code=kecamatan,
        )  # fmt: skip
        session.add(household)
        await session.flush()
        ids = []
        for k, (name, born) in enumerate(members):
            nik_hash, nik_enc, nik_mask = protector.protect(_number("3216054107"))
            member = Member(
                household_id=household.id, nik_hash=nik_hash, nik_encrypted=nik_enc,
                nik_masked=nik_mask, name=name, relationship_to_head="kepala" if k == 0 else "anak",
                birth_date=born,
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
