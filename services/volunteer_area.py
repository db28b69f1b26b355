"""Which households an account may see: the one place area scoping is decided.

PSM: households of their desa/kelurahan; TKSK: of their kecamatan; staff: all of the
kabupaten; anyone else: none. Tasks, search, the household card and the field visit all
go through `household_in_area`, so a household outside the area is "not found" on every path
(typed, searched, or a hand-crafted callback).
"""

from __future__ import annotations

from sqlalchemy import ColumnElement, false, select, true
from sqlalchemy.ext.asyncio import AsyncSession

from db import audit
from db.models.accounts import Account
from db.models.households import Household
from domain.roles import PETUGAS, PSM, TKSK


def area_condition(account: Account) -> ColumnElement[bool]:
    """SQL condition on `Household` for "in this account's area"."""
    if account.role == PETUGAS:
        return true()
    if account.role == PSM and account.area_code:
        return Household.desa_code == account.area_code
    if account.role == TKSK and account.area_code:
        return Household.kecamatan_code == account.area_code
    return false()


def covers(account: Account, desa_code: str, kecamatan_code: str) -> bool:
    """The same rule for a place already loaded (e.g. a desa picked from buttons)."""
    if account.role == PETUGAS:
        return True
    if account.role == PSM:
        return account.area_code == desa_code
    if account.role == TKSK:
        return account.area_code == kecamatan_code
    return False


async def household_in_area(
    session: AsyncSession, account: Account, household_id: int
) -> Household | None:
    """The household if it is in the account's area, else None. A request for one outside the
    area is audited (it can only come from a crafted callback or a stale button)."""
    household = await session.scalar(
        select(Household).where(Household.id == household_id, area_condition(account))
    )
    if household is None:
        exists = await session.scalar(select(Household.id).where(Household.id == household_id))
        if exists is not None:
            audit.record(session, account, "household.out_of_area", "household", household_id)
    return household
