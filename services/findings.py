"""A household's latest finding on its income: "extreme poor" or not, from a self-report or a
field visit, whichever is newer (a report or visit without an income says nothing either way;
at the same moment the visit counts, a volunteer saw it). Kept on the household
(`households.extreme_poor`, `extreme_poor_at`) when a report or a visit is saved, so that the
statistics count one column instead of ranking every finding (benchmarks/cases.py).

No aiogram and no texts here; the caller commits.
"""

from __future__ import annotations

import datetime as dt

from sqlalchemy import bindparam, func, literal, select, union_all, update
from sqlalchemy.ext.asyncio import AsyncSession

from db.models.field import FieldVisit, StatusReport
from db.models.households import Household


def _aware(moment: dt.datetime) -> dt.datetime:
    return moment if moment.tzinfo is not None else moment.replace(tzinfo=dt.UTC)


def note(household: Household, extreme_poor: bool | None, at: dt.datetime) -> None:
    """A new finding (a report or a visit just saved): it becomes the household's when it
    measured the income and is not older than the one kept."""
    if extreme_poor is None:
        return
    kept = household.extreme_poor_at
    if kept is None or _aware(at) >= _aware(kept):
        household.extreme_poor, household.extreme_poor_at = extreme_poor, at


async def recompute(session: AsyncSession) -> int:
    """Every household's latest finding, from all its reports and visits (data written
    without `note`: a bulk load, a test's seed). Returns how many households have one."""
    reports = select(
        StatusReport.household_id.label("household_id"), StatusReport.created_at.label("at"),
        literal(0).label("by_visit"), StatusReport.id.label("id"),
        StatusReport.extreme_poor.label("extreme_poor"),
    ).where(StatusReport.extreme_poor.is_not(None))  # fmt: skip
    visits = select(
        FieldVisit.household_id, FieldVisit.visited_at, literal(1), FieldVisit.id,
        FieldVisit.extreme_poor,
    ).where(FieldVisit.extreme_poor.is_not(None))  # fmt: skip
    findings = union_all(reports, visits).subquery()
    newest = func.row_number().over(
        partition_by=findings.c.household_id,
        order_by=(findings.c.at.desc(), findings.c.by_visit.desc(), findings.c.id.desc()),
    ).label("newest")
    ranked = select(findings.c.household_id, findings.c.extreme_poor, findings.c.at,
                    newest).subquery()  # fmt: skip
    rows = (await session.execute(
        select(ranked.c.household_id, ranked.c.extreme_poor, ranked.c.at)
        .where(ranked.c.newest == 1)
    )).all()  # fmt: skip
    table = Household.__table__  # Core: an executemany of plain UPDATEs
    await session.execute(update(table).values(extreme_poor=None, extreme_poor_at=None))
    if rows:
        await session.execute(
            update(table)
            .where(table.c.id == bindparam("hid"))
            .values(extreme_poor=bindparam("poor"), extreme_poor_at=bindparam("at")),
            [{"hid": hid, "poor": poor, "at": at} for hid, poor, at in rows],
        )
    return len(rows)
