"""Finding a person on the list by NIK or by name, for staff who act for a family without
Telegram (signing a member up for a training). No aiogram, no gettext."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from rapidfuzz import fuzz, process, utils
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from db.models.households import Household, Member, Region
from db.protect import Protector
from domain.identity import strip_number

MAX_FOUND = 8
NAME_SCORE = 80
# Who may be signed up by staff: on the list (not rejected, not an open proposal).
LISTED = ("terdaftar", "terverifikasi")


@dataclass(frozen=True)
class Person:
    member_id: int
    name: str
    birth_date: dt.date | None
    desa: str
    rt: str | None
    rw: str | None


async def find(session: AsyncSession, protector: Protector, query: str) -> list[Person]:
    """Members matching a typed NIK (exactly) or a name (forgiving typos), best first."""
    rows = select(Member.id, Member.name, Member.birth_date, Region.name, Household.rt,
                  Household.rw).join(Household, Household.id == Member.household_id).join(
        Region, Region.code == Household.desa_code).where(
        Household.verification.in_(LISTED))  # fmt: skip
    number = strip_number(query.strip())
    if len(number) == 16 and number.isdigit():
        found = (
            await session.execute(rows.where(Member.nik_hash == protector.lookup_hash(number)))
        ).all()
        return [Person(*row) for row in found]
    everyone = (await session.execute(rows)).all()
    matches = process.extract(
        query, [row[1] for row in everyone], scorer=fuzz.token_set_ratio,
        processor=utils.default_process, score_cutoff=NAME_SCORE, limit=MAX_FOUND,
    )  # fmt: skip
    return [Person(*everyone[index]) for _name, _score, index in matches]
