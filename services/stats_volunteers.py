"""The volunteers' work in the statistics (/statistik, "Per pendamping"): per PSM and TKSK of
a kecamatan, the visits they made and the cases they closed in the last 30 days, the cases
open in their area (PSM: their desa; TKSK: the kecamatan, as services.case_queries scopes
them) and how many are overdue, and the mean time to the first answer of the cases that were
theirs. A few grouped queries for the whole kecamatan; SQLite and PostgreSQL.

"Theirs" for the answer time: the case's holder (who took it or answered it first: a reply
takes the case), else who closed it (a field task is closed by the visit, nobody holds it).
The first answer's author is not stored apart, and a case passed up loses its holder, so
this is the closest the data says.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from sqlalchemy import case, func, or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from db.models.accounts import Account
from db.models.base import utcnow
from db.models.cases import Case
from db.models.field import FieldVisit
from db.models.households import Region
from domain.roles import PSM, TKSK
from services.cases import CLOSED
from services.stats_cases import (
    MONTH,
    answered_since,
    count_when,
    hours_between,
    is_overdue,
    mean_hours,
)


@dataclass
class VolunteerNumbers:
    account_id: int
    name: str | None  # their Telegram first name, if any
    role: str  # psm | tksk
    area_code: str
    area_name: str
    visits_30: int = 0
    closed_30: int = 0  # cases they closed in the last 30 days
    area_open: int = 0  # cases not closed in their area
    area_overdue: int = 0  # of those, unanswered past the due time
    answered_30: int = 0  # their cases first answered in the last 30 days
    answer_hours: float = 0.0  # those cases' answer times added up (hours)

    @property
    def mean_answer_hours(self) -> float | None:
        return mean_hours(self.answer_hours, self.answered_30)


def kecamatan_of(account: Account) -> str | None:
    """The kecamatan a volunteer works in (a PSM's desa code is "<kecamatan>.<desa>")."""
    if not account.area_code or account.role not in (PSM, TKSK):
        return None
    return account.area_code if account.role == TKSK else account.area_code.rsplit(".", 1)[0]


async def per_volunteer(
    session: AsyncSession,
    kecamatan_code: str,
    now: dt.datetime | None = None,
    account_id: int | None = None,
) -> list[VolunteerNumbers]:
    """The PSM and TKSK of a kecamatan (or only `account_id` among them): the TKSK first,
    then the PSM by desa and name."""
    now = now or utcnow()
    since = now - MONTH
    in_kecamatan = or_(
        Account.area_code == kecamatan_code, Account.area_code.startswith(kecamatan_code + ".")
    )
    query = (
        select(Account.id, Account.first_name, Account.role, Account.area_code, Region.name)
        .join(Region, Region.code == Account.area_code)
        .where(Account.role.in_((PSM, TKSK)), in_kecamatan)
        .order_by(Account.role != TKSK, Region.name, Account.first_name, Account.id)
    )
    if account_id is not None:
        query = query.where(Account.id == account_id)
    people = [
        VolunteerNumbers(account_id=i, name=name, role=role, area_code=code or "", area_name=area)
        for i, name, role, code, area in (await session.execute(query)).all()
    ]
    if not people:
        return []
    ids = [p.account_id for p in people]
    visits = await _counts(
        session,
        select(FieldVisit.volunteer_account_id, func.count())
        .where(FieldVisit.volunteer_account_id.in_(ids), FieldVisit.visited_at >= since)
        .group_by(FieldVisit.volunteer_account_id),
    )
    closed = await _counts(
        session,
        select(Case.closed_by_account_id, func.count())
        .where(Case.closed_by_account_id.in_(ids), Case.state == CLOSED, Case.closed_at >= since)
        .group_by(Case.closed_by_account_id),
    )
    theirs = func.coalesce(Case.holder_account_id, Case.closed_by_account_id)
    answered = {
        who: (int(count), float(hours))
        for who, count, hours in (
            await session.execute(
                select(
                    theirs,
                    func.count(),
                    func.coalesce(
                        func.sum(hours_between(session, Case.created_at, Case.answered_at)), 0
                    ),
                )
                .where(theirs.in_(ids), answered_since(since))
                .group_by(theirs)
            )
        ).all()
    }
    # Open and overdue per desa of the kecamatan: a PSM's is their desa's, a TKSK's the sum.
    per_desa = {
        desa: (int(open_), int(late))
        for desa, open_, late in (
            await session.execute(
                select(Case.desa_code, func.count(), count_when(is_overdue(now)))
                .where(Case.kecamatan_code == kecamatan_code, Case.state != CLOSED)
                .group_by(Case.desa_code)
            )
        ).all()
    }
    for person in people:
        person.visits_30 = visits.get(person.account_id, 0)
        person.closed_30 = closed.get(person.account_id, 0)
        person.answered_30, person.answer_hours = answered.get(person.account_id, (0, 0.0))
        if person.role == TKSK:
            area = list(per_desa.values())
        else:
            area = [per_desa.get(person.area_code, (0, 0))]
        person.area_open = sum(o for o, _ in area)
        person.area_overdue = sum(late for _, late in area)
    return people


async def own_numbers(
    session: AsyncSession, account: Account, now: dt.datetime | None = None
) -> VolunteerNumbers | None:
    """A PSM's or TKSK's own line; None for anyone else or without an area."""
    kecamatan = kecamatan_of(account)
    if kecamatan is None:
        return None
    found = await per_volunteer(session, kecamatan, now, account_id=account.id)
    return found[0] if found else None


async def per_kecamatan(session: AsyncSession) -> dict[str, int]:
    """How many PSM and TKSK work in each kecamatan (a PSM's kecamatan is their desa's
    parent), for the list staff pick a kecamatan from."""
    kecamatan = case((Account.role == TKSK, Account.area_code), else_=Region.parent_code)
    rows = await session.execute(
        select(kecamatan, func.count())
        .join(Region, Region.code == Account.area_code)
        .where(Account.role.in_((PSM, TKSK)))
        .group_by(kecamatan)
    )
    return {str(code): int(count) for code, count in rows.all() if code}


async def _counts(session: AsyncSession, query: Any) -> dict[int, int]:
    return {int(who): int(count) for who, count in (await session.execute(query)).all()}
