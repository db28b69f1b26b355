"""Numbers per kecamatan for staff (/statistik): a few grouped queries, SQLite and PostgreSQL.

Households count when they are on the list and still there: not rejected, status "aktif"
(not found moved, died or gone by a visit). Self-reports and visits are counted over the last
7 and 30 days. "Extreme poor" is each household's latest finding on its income, from a
self-report or a volunteer's visit, whichever is newer (kept on the household by
services.findings). Cases (every signal is one): open, overdue and the first answer's time
(services.stats_cases). Training sign-ups count enrolled, waiting and attended; disbursements
count the recipients of payouts that took place (not cancelled, not in the future) and those
that collected. Per kecamatan of the kabupaten, or per desa of one kecamatan.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, fields
from typing import Any

from sqlalchemy import ColumnElement, Select, distinct, func, select, true
from sqlalchemy.ext.asyncio import AsyncSession

from db.models.accounts import Account
from db.models.aid import Disbursement, DisbursementRecipient, Enrollment
from db.models.base import utcnow
from db.models.cases import Case
from db.models.field import FieldVisit, StatusReport
from db.models.households import Household, Member, Region
from services import stats_cases
from services.stats_cases import count_when, mean_hours

KABUPATEN = "32.16"
SIGNED_UP = ("enrolled", "waiting", "attended")


@dataclass
class AreaNumbers:
    code: str
    name: str
    households: int = 0  # on the list (not rejected) and still there (status aktif)
    linked: int = 0  # of those households, how many have an account linked
    reports_7: int = 0
    reports_30: int = 0
    visits_7: int = 0
    visits_30: int = 0
    verified: int = 0
    waiting: int = 0  # waiting for verification
    extreme_poor: int = 0  # by each household's latest self-report or visit
    trainings: int = 0  # sign-ups (enrolled, waiting, attended)
    collected: int = 0  # disbursements collected
    recipients: int = 0  # disbursement recipients (collected or not)
    cases_open: int = 0  # not closed
    cases_overdue: int = 0  # of those, unanswered past the due time
    answered_30: int = 0  # cases first answered in the last 30 days
    answer_hours: float = 0.0  # their answer times added up (hours)

    @property
    def mean_answer_hours(self) -> float | None:
        return mean_hours(self.answer_hours, self.answered_30)

    def add(self, other: AreaNumbers) -> None:
        for f in fields(self):
            if f.type in ("int", "float"):  # strings under `from __future__ import annotations`
                setattr(self, f.name, getattr(self, f.name) + getattr(other, f.name))


def active(within: ColumnElement[bool]) -> ColumnElement[bool]:
    """Households counted: on the list (not rejected), still there, in the area."""
    return (Household.verification != "ditolak") & (Household.status == "aktif") & within


async def _grouped(
    session: AsyncSession, query: Select[*tuple[Any, ...]]
) -> dict[str, tuple[Any, ...]]:
    return {row[0]: tuple(row[1:]) for row in (await session.execute(query)).all()}


async def _recent(
    session: AsyncSession,
    area: Any,
    when: Any,
    household_id: Any,
    week: dt.datetime,
    month: dt.datetime,
    within: Any,
) -> dict[str, tuple[Any, ...]]:
    """Per area: how many rows of a household's table are dated since `week` and since
    `month` (`when` the date column, `household_id` the column joining the household)."""
    return await _grouped(
        session,
        select(area, count_when(when >= week), count_when(when >= month))
        .join(Household, Household.id == household_id)
        .where(when >= month, within)
        .group_by(area),
    )  # fmt: skip


async def per_kecamatan(session: AsyncSession, now: dt.datetime | None = None) -> list[AreaNumbers]:
    """One row per kecamatan of the kabupaten, in name order."""
    return await per_area(session, KABUPATEN, now)


async def per_area(
    session: AsyncSession, parent_code: str, now: dt.datetime | None = None
) -> list[AreaNumbers]:
    """One row per area under `parent_code`, in name order: the kecamatan of the kabupaten,
    or the desa of a kecamatan."""
    now = now or utcnow()
    week, month = now - dt.timedelta(days=7), now - dt.timedelta(days=30)
    by_desa = parent_code != KABUPATEN
    kec = Household.desa_code if by_desa else Household.kecamatan_code
    within = Household.kecamatan_code == parent_code if by_desa else true()
    households = await _grouped(
        session,
        select(
            kec,
            func.count(),
            count_when(Household.verification == "terverifikasi"),
            count_when(Household.verification == "menunggu_verifikasi"),
            # The latest finding of a report or a visit (services.findings keeps it).
            count_when(Household.extreme_poor.is_(True)),
        )
        .where(active(within))
        .group_by(kec),
    )
    # Households, not accounts: two family members linked are one household linked.
    linked = await _grouped(
        session,
        select(kec, func.count(distinct(Account.household_id)))
        .join(Household, Household.id == Account.household_id)
        .where(active(within))
        .group_by(kec),
    )
    reports = await _recent(
        session, kec, StatusReport.created_at, StatusReport.household_id, week, month, within
    )
    visits = await _recent(
        session, kec, FieldVisit.visited_at, FieldVisit.household_id, week, month, within
    )
    trainings = await _grouped(
        session,
        select(kec, func.count(Enrollment.id))
        .join(Member, Member.id == Enrollment.member_id)
        .join(Household, Household.id == Member.household_id)
        .where(Enrollment.status.in_(SIGNED_UP), within)
        .group_by(kec),
    )
    disbursed = await _grouped(
        session,
        select(
            kec,
            count_when(DisbursementRecipient.collected_at.is_not(None)),
            func.count(DisbursementRecipient.id),
        )
        .join(Household, Household.id == DisbursementRecipient.household_id)
        .join(Disbursement, Disbursement.id == DisbursementRecipient.disbursement_id)
        # Only payouts that took place: a cancelled or future one has nobody to collect yet.
        .where(Disbursement.status != "cancelled", Disbursement.scheduled_at <= now, within)
        .group_by(kec),
    )
    case_area = Case.desa_code if by_desa else Case.kecamatan_code
    case_within = Case.kecamatan_code == parent_code if by_desa else true()
    cases = await stats_cases.per_area(session, case_area, case_within, now)
    regions = await session.execute(
        select(Region.code, Region.name)
        .where(Region.parent_code == parent_code)
        .order_by(Region.name)
    )
    out = []
    for code, name in regions.all():
        hh = households.get(code, (0, 0, 0, 0))
        rep = reports.get(code, (0, 0))
        vis = visits.get(code, (0, 0))
        dis = disbursed.get(code, (0, 0))
        work = cases.get(code, stats_cases.CaseNumbers())
        out.append(
            AreaNumbers(
                code=code,
                name=name,
                households=int(hh[0]),
                verified=int(hh[1]),
                waiting=int(hh[2]),
                linked=int(linked.get(code, (0,))[0]),
                reports_7=int(rep[0]),
                reports_30=int(rep[1]),
                visits_7=int(vis[0]),
                visits_30=int(vis[1]),
                extreme_poor=int(hh[3]),
                trainings=int(trainings.get(code, (0,))[0]),
                collected=int(dis[0]),
                recipients=int(dis[1]),
                cases_open=work.open,
                cases_overdue=work.overdue,
                answered_30=work.answered,
                answer_hours=work.answer_hours,
            )
        )
    return out


async def by_desil(session: AsyncSession) -> dict[int, int]:
    """Households counted (not rejected, still there) per welfare decile, as the lists Dinsos
    receives give it (P3KE, DTSEN); households without a desil are not counted."""
    rows = await session.execute(
        select(Household.desil, func.count())
        .where(Household.desil.is_not(None), active(true()))
        .group_by(Household.desil).order_by(Household.desil)
    )  # fmt: skip
    return {int(desil or 0): int(count) for desil, count in rows.all()}


def total(rows: list[AreaNumbers], code: str = KABUPATEN, name: str = "") -> AreaNumbers:
    result = AreaNumbers(code=code, name=name)
    for row in rows:
        result.add(row)
    return result
