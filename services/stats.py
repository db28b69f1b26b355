"""Numbers per kecamatan for staff (/statistik): a few grouped queries, SQLite and PostgreSQL.

Self-reports and visits are counted over the last 7 and 30 days; "extreme poor" is taken
from each household's latest self-report (the report with the highest id, i.e. the latest
written); training sign-ups count enrolled, waiting and attended; disbursements count the
recipients of payouts that took place (not cancelled, not in the future) and those that
collected. Per kecamatan of the kabupaten, or per desa of one kecamatan.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, fields
from typing import Any

from sqlalchemy import Select, case, func, select, true
from sqlalchemy.ext.asyncio import AsyncSession

from db.models.accounts import Account
from db.models.aid import Disbursement, DisbursementRecipient, Enrollment
from db.models.base import utcnow
from db.models.field import FieldVisit, StatusReport
from db.models.households import Household, Member, Region

KABUPATEN = "32.16"
SIGNED_UP = ("enrolled", "waiting", "attended")


@dataclass
class AreaNumbers:
    code: str
    name: str
    households: int = 0  # on the list (not rejected)
    linked: int = 0  # accounts linked to a household
    reports_7: int = 0
    reports_30: int = 0
    visits_7: int = 0
    visits_30: int = 0
    verified: int = 0
    waiting: int = 0  # waiting for verification
    extreme_poor: int = 0  # by each household's latest self-report
    trainings: int = 0  # sign-ups (enrolled, waiting, attended)
    collected: int = 0  # disbursements collected
    recipients: int = 0  # disbursement recipients (collected or not)

    def add(self, other: AreaNumbers) -> None:
        for f in fields(self):
            if f.type == "int":  # a string under `from __future__ import annotations`
                setattr(self, f.name, getattr(self, f.name) + getattr(other, f.name))


def count_when(condition: Any) -> Any:
    """COUNT of the rows where the condition holds (portable: SUM of a CASE)."""
    return func.coalesce(func.sum(case((condition, 1), else_=0)), 0)


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
            # Not rejected, and not found moved, died or gone by a visit.
            count_when((Household.verification != "ditolak") & (Household.status == "aktif")),
            count_when((Household.verification == "terverifikasi") & (Household.status == "aktif")),
            count_when(
                (Household.verification == "menunggu_verifikasi") & (Household.status == "aktif")
            ),
        )
        .where(within)
        .group_by(kec),
    )
    linked = await _grouped(
        session,
        select(kec, func.count(Account.id))
        .join(Household, Household.id == Account.household_id)
        .where(within)
        .group_by(kec),
    )
    reports = await _recent(
        session, kec, StatusReport.created_at, StatusReport.household_id, week, month, within
    )
    visits = await _recent(
        session, kec, FieldVisit.visited_at, FieldVisit.household_id, week, month, within
    )
    latest = (
        select(func.max(StatusReport.id).label("id")).group_by(StatusReport.household_id).subquery()
    )
    extreme = await _grouped(
        session,
        select(kec, func.count(StatusReport.id))
        .join(latest, latest.c.id == StatusReport.id)
        .join(Household, Household.id == StatusReport.household_id)
        .where(StatusReport.extreme_poor.is_(True), within)
        .group_by(kec),
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
    regions = await session.execute(
        select(Region.code, Region.name)
        .where(Region.parent_code == parent_code)
        .order_by(Region.name)
    )
    out = []
    for code, name in regions.all():
        hh = households.get(code, (0, 0, 0))
        rep = reports.get(code, (0, 0))
        vis = visits.get(code, (0, 0))
        dis = disbursed.get(code, (0, 0))
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
                extreme_poor=int(extreme.get(code, (0,))[0]),
                trainings=int(trainings.get(code, (0,))[0]),
                collected=int(dis[0]),
                recipients=int(dis[1]),
            )
        )
    return out


async def by_desil(session: AsyncSession) -> dict[int, int]:
    """Households on the list (not rejected) per welfare decile, as the lists Dinsos
    receives give it (P3KE, DTSEN); households without a desil are not counted."""
    rows = await session.execute(
        select(Household.desil, func.count())
        .where(Household.desil.is_not(None), Household.verification != "ditolak")
        .group_by(Household.desil).order_by(Household.desil)
    )  # fmt: skip
    return {int(desil or 0): int(count) for desil, count in rows.all()}


def total(rows: list[AreaNumbers], code: str = KABUPATEN, name: str = "") -> AreaNumbers:
    result = AreaNumbers(code=code, name=name)
    for row in rows:
        result.add(row)
    return result
