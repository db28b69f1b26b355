"""Households, linked residents, disbursements and trainings for the broadcast tests."""

from __future__ import annotations

import datetime as dt
import itertools

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from db.models.accounts import Account
from db.models.aid import Disbursement, DisbursementRecipient, Enrollment, Training
from db.models.households import AidProgram, Household, HouseholdProgram, Member

SETU = "32.16.18"
SETU_DESA = "32.16.18.2001"
SETU_DESA_2 = "32.16.18.2002"
TAMBUN = "32.16.06"
TAMBUN_DESA = "32.16.06.2002"
_numbers = itertools.count(1)


async def household(session: AsyncSession, desa: str, programs: tuple[str, ...] = ()
                    ) -> Household:
    n = next(_numbers)
    kecamatan = desa.rsplit(".", 1)[0]
    found = Household(
        kk_hash=f"hash-{n:06d}-{desa}",
        kk_encrypted="sealed",
        kk_masked="3216********" + f"{n:04d}"[-4:],
        desa_code=desa,
        kecamatan_code=kecamatan,
    )
    session.add(found)
    await session.flush()
    for code in programs:
        program = await session.scalar(select(AidProgram).where(AidProgram.code == code))
        assert program is not None, code
        session.add(HouseholdProgram(household_id=found.id, program_id=program.id))
    return found


async def member(session: AsyncSession, home: Household) -> Member:
    n = next(_numbers)
    found = Member(
        household_id=home.id,
        nik_hash=f"nik-{n:06d}",
        nik_encrypted="sealed",
        nik_masked="3216********0001",
        name=f"Warga {n}",
        relationship_to_head="kepala",
    )
    session.add(found)
    await session.flush()
    return found


async def resident(
    session: AsyncSession,
    telegram_id: int,
    home: Household | None,
    *,
    reminders: bool = True,
    blocked: bool = False,
    consent: str = "given",
    role: str = "warga",
    area: str | None = None,
) -> Account:
    account = Account(
        telegram_id=telegram_id,
        first_name=f"U{telegram_id}",
        consent=consent,
        household_id=home.id if home is not None else None,
        reminders_enabled=reminders,
        bot_blocked=blocked,
        role=role,
        area_code=area,
    )
    session.add(account)
    await session.flush()
    return account


async def disbursement(
    session: AsyncSession, when: dt.datetime, households: list[Household], program: str = "BLT"
) -> Disbursement:
    aid = await session.scalar(select(AidProgram).where(AidProgram.code == program))
    assert aid is not None
    event = Disbursement(
        program_id=aid.id,
        title=f"{program} tahap 1",
        amount=300_000,
        scheduled_at=when,
        place="Balai Desa",
        bring="KTP dan KK",
    )
    session.add(event)
    await session.flush()
    for home in households:
        session.add(DisbursementRecipient(disbursement_id=event.id, household_id=home.id))
    return event


async def training(
    session: AsyncSession, when: dt.datetime, enrolled: list[tuple[Member, Account | None]]
) -> Training:
    event = Training(
        title="Menjahit", provider="BLK Bekasi", starts_at=when, place="BLK Cikarang",
        capacity=20,
    )
    session.add(event)
    await session.flush()
    for person, account in enrolled:
        session.add(
            Enrollment(
                training_id=event.id,
                member_id=person.id,
                account_id=account.id if account is not None else None,
                status="enrolled",
            )
        )
    return event
