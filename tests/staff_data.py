"""Seed data for the staff features' tests: households (KK protected as in production),
members, programs, reports, visits, enrollments. Written straight to the database."""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import select

from db.models.households import AidProgram, HouseholdProgram
from tests.harness import BotApp
from tests.residents import protected_household, protected_member

SETU = "32.16.18"
CIBENING = "32.16.18.2005"
CIJENGKOL = "32.16.18.2001"
BURANGKENG = "32.16.18.2003"
TAMBUN_UTARA = "32.16.05"
SRIJAYA = "32.16.05.2006"


def kk(serial: int) -> str:
    """A valid-looking No. KK registered in Setu on 1 January 2020."""
    return f"3216180101200{serial:03d}"


def nik(serial: int) -> str:
    return f"3216185505900{serial:03d}"


async def add_household(
    app: BotApp,
    serial: int,
    desa: str,
    *,
    verification: str = "terdaftar",
    programs: tuple[str, ...] = (),
    members: list[dict[str, Any]] | None = None,
) -> int:
    protector = app.resources.protector
    async with app.sessionmaker() as session, session.begin():
        household = protected_household(
            protector,
            kk(serial),
            desa_code=desa,
            kecamatan_code=desa.rsplit(".", 1)[0],
            verification=verification,
        )
        session.add(household)
        await session.flush()
        for code in programs:
            program = await session.scalar(select(AidProgram).where(AidProgram.code == code))
            session.add(HouseholdProgram(household_id=household.id, program_id=program.id))
        for k, member in enumerate(members or []):
            session.add(
                protected_member(
                    protector,
                    household.id,
                    nik(serial * 10 + k),
                    name=member["name"],
                    relationship_to_head=member.get("rel", "kepala"),
                    birth_date=member.get("born", dt.date(1990, 5, 15)),
                )
            )
        return household.id
