"""Volunteer tasks: what a PSM/TKSK should go and see (`/tugas`).

Several features raise tasks (residents' proposals, urgent self-reports, correction requests,
"belum menerima" complaints, households a broadcast could not reach); a field visit resolves
them. These functions only add to the caller's session: the update's unit of work (or the
calling use case) commits.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any, cast

from sqlalchemy import CursorResult, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from db.models.accounts import Account
from db.models.base import utcnow
from db.models.field import VolunteerTask
from db.models.households import Household

USULAN = "usulan"  # a proposed household waiting for verification
URGENT_REPORT = "laporan_mendesak"  # a self-report said: no food, severe illness, house unsafe
CORRECTION = "koreksi"  # a resident asked to correct their data
NOT_RECEIVED = "belum_menerima"  # a resident said the aid did not arrive
UNREACHABLE = "tidak_terjangkau"  # a notice concerned them but the bot cannot reach them
# Not stored: households not visited for NOT_VISITED_DAYS are listed by the volunteers' query.
NOT_VISITED = "belum_dikunjungi"
NOT_VISITED_DAYS = 90

# Most urgent first in /tugas.
PRIORITY = {
    URGENT_REPORT: 10,
    NOT_RECEIVED: 20,
    USULAN: 30,
    CORRECTION: 40,
    UNREACHABLE: 50,
    NOT_VISITED: 60,
}
KINDS = tuple(PRIORITY)


async def open_task(
    session: AsyncSession,
    household: Household,
    kind: str,
    *,
    source_type: str | None = None,
    source_id: int | None = None,
    detail: str | None = None,
    actor: Account | None = None,
) -> VolunteerTask:
    """Raise a task, or return the open one already raised for the same household, kind and
    source (a re-sent complaint or a second failed broadcast does not pile up duplicates)."""
    if kind not in PRIORITY or kind == NOT_VISITED:
        raise ValueError(f"unknown task kind {kind!r}")
    existing = await session.scalar(
        select(VolunteerTask).where(
            VolunteerTask.household_id == household.id,
            VolunteerTask.kind == kind,
            VolunteerTask.source_type.is_(None)
            if source_type is None
            else VolunteerTask.source_type == source_type,
            VolunteerTask.source_id.is_(None)
            if source_id is None
            else VolunteerTask.source_id == source_id,
            VolunteerTask.resolved_at.is_(None),
        )
    )
    if existing is not None:
        if detail and detail != existing.detail:
            existing.detail = detail
        return existing
    task = VolunteerTask(
        household_id=household.id,
        desa_code=household.desa_code,
        kecamatan_code=household.kecamatan_code,
        kind=kind,
        priority=PRIORITY[kind],
        source_type=source_type,
        source_id=source_id,
        detail=detail,
        created_by_account_id=actor.id if actor is not None else None,
    )
    session.add(task)
    await session.flush()
    return task


async def resolve_household_tasks(
    session: AsyncSession,
    household_id: int,
    actor: Account | None,
    resolution: str,
    kinds: Iterable[str] | None = None,
) -> int:
    """Close the household's open tasks (all, or of the given kinds), e.g. after a visit."""
    statement = (
        update(VolunteerTask)
        .where(VolunteerTask.household_id == household_id, VolunteerTask.resolved_at.is_(None))
        .values(
            resolved_at=utcnow(),
            resolved_by_account_id=actor.id if actor is not None else None,
            resolution=resolution[:40],
        )
    )
    if kinds is not None:
        statement = statement.where(VolunteerTask.kind.in_(list(kinds)))
    result = cast(CursorResult[Any], await session.execute(statement))
    return result.rowcount or 0
