"""Reading cases: the area's inbox, a case within an account's area, a thread, a resident's
own cases. Area scoping follows services.volunteer_area (PSM: desa; TKSK: kecamatan; staff:
all). No aiogram and no texts here."""

from __future__ import annotations

from sqlalchemy import ColumnElement, false, func, select, true
from sqlalchemy.ext.asyncio import AsyncSession

from db import audit
from db.models.accounts import Account
from db.models.cases import Case, CaseMessage
from domain.roles import PETUGAS, PSM, TKSK
from services.cases import CLOSED, LEVEL_STAFF, WRITTEN

PAGE_SIZE = 6  # a page of the inbox fits one message (600 characters)


def area_condition(account: Account) -> ColumnElement[bool]:
    """SQL condition on `Case` for "in this account's area" (as services.volunteer_area)."""
    if account.role == PETUGAS:
        return true()
    if account.role == PSM and account.area_code:
        return Case.desa_code == account.area_code
    if account.role == TKSK and account.area_code:
        return Case.kecamatan_code == account.area_code
    return false()


async def in_area(session: AsyncSession, account: Account, case_id: int) -> Case | None:
    """The case if it is in the account's area, else None (audited when it exists: only a
    crafted callback or a volunteer moved to another area asks for one)."""
    case = await session.scalar(select(Case).where(Case.id == case_id, area_condition(account)))
    if case is None and await session.get(Case, case_id) is not None:
        audit.record(session, account, "case.out_of_area", "case", case_id)
    return case


async def inbox(session: AsyncSession, account: Account, page: int) -> tuple[list[Case], int]:
    """One page of the area's complaints and objections not closed, and their total: for
    staff those passed up to staff first; then urgent first, then oldest. (The other kinds
    are the volunteers' field work, in /tugas: services.field_work.task_page.)"""
    where = (area_condition(account), Case.state != CLOSED, Case.kind.in_(WRITTEN))
    total = int(await session.scalar(select(func.count(Case.id)).where(*where)) or 0)
    order = [Case.urgent.desc(), Case.created_at, Case.id]
    if account.role == PETUGAS:
        order.insert(0, (Case.level != LEVEL_STAFF))
    found = await session.scalars(
        select(Case).where(*where).order_by(*order).offset(page * PAGE_SIZE).limit(PAGE_SIZE)
    )
    return list(found), total


async def thread(session: AsyncSession, case_id: int) -> list[CaseMessage]:
    found = await session.scalars(
        select(CaseMessage).where(CaseMessage.case_id == case_id).order_by(CaseMessage.id)
    )
    return list(found)


async def residents_cases(session: AsyncSession, account: Account, limit: int = 10) -> list[Case]:
    """The cases a resident raised, newest activity first."""
    found = await session.scalars(
        select(Case)
        .where(Case.raised_by_account_id == account.id)
        .order_by(Case.last_message_at.desc(), Case.id.desc())
        .limit(limit)
    )
    return list(found)
