"""Trainings from the staff side: create, change, close sign-ups, cancel, the sign-up list and
its XLSX export (attendance per day: services/attendance.py). Residents' sign-ups (with the
seat quota) are written by the residents' feature; here a raised capacity moves people up from
the waiting list with the same kind of conditional UPDATE, so two processes can never give
away more seats than there are. No aiogram, no gettext: notices and column titles come from
the caller."""

from __future__ import annotations

import datetime as dt
import io
import re
from dataclasses import dataclass
from typing import Any, cast

from sqlalchemy import CursorResult, func, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from db import audit
from db.models.accounts import Account
from db.models.aid import Enrollment, Training
from db.models.base import utcnow
from db.models.households import Household, Member, Region
from services.notices import queue_notice

CHANGEABLE = (
    "title",
    "provider",
    "description",
    "starts_at",
    "ends_at",
    "place",
    "capacity",
    "min_age",
    "max_age",
    "signup_deadline",
)


class TrainingError(Exception):
    def __init__(self, code: str) -> None:
        super().__init__(code)
        self.code = code


@dataclass
class Signup:
    enrollment_id: int
    account_id: int | None
    status: str
    name: str
    nik_masked: str
    birth_date: dt.date | None
    desa: str
    kecamatan: str
    signed_up_at: dt.datetime


async def create(session: AsyncSession, actor: Account, **values: Any) -> Training:
    training = Training(status="open", seats_taken=0, created_by_account_id=actor.id, **values)
    session.add(training)
    await session.flush()
    audit.record(session, actor, "training.created", "training", training.id)
    return training


async def get(session: AsyncSession, training_id: int) -> Training | None:
    return await session.get(Training, training_id)


async def listing(session: AsyncSession, *, since: dt.datetime, limit: int = 20) -> list[Training]:
    rows = await session.scalars(
        select(Training)
        .where(Training.starts_at >= since)
        .order_by(Training.starts_at, Training.id)
        .limit(limit)
    )
    return list(rows)


async def counts(session: AsyncSession, training_id: int) -> dict[str, int]:
    rows = await session.execute(
        select(Enrollment.status, func.count(Enrollment.id))
        .where(Enrollment.training_id == training_id)
        .group_by(Enrollment.status)
    )
    return {status: int(n) for status, n in rows.all()}


async def change(
    session: AsyncSession,
    actor: Account,
    training: Training,
    notice_text: str | None,
    **values: Any,
) -> tuple[list[str], list[Enrollment]]:
    """Apply changed values; queue the notice when anything changed. Returns the changed
    names and the enrollments moved up from the waiting list by a raised capacity."""
    if training.status == "cancelled":
        raise TrainingError("cancelled")
    if "capacity" in values and values["capacity"] < training.seats_taken:
        raise TrainingError("capacity_below_taken")
    changed = []
    for name in CHANGEABLE:
        if name in values and getattr(training, name) != values[name]:
            setattr(training, name, values[name])
            changed.append(name)
    promoted: list[Enrollment] = []
    if changed:
        await session.flush()
        if "capacity" in changed:
            promoted = await promote_waiting(session, training)
        if notice_text:
            await queue_notice(session, actor, "training", training.id, notice_text)
        audit.record(session, actor, "training.changed", "training", training.id, fields=changed)
    return changed, promoted


async def promote_waiting(session: AsyncSession, training: Training) -> list[Enrollment]:
    """Give free seats to the waiting list, first come first served.

    Each step is a conditional UPDATE, so concurrent promotions (two staff, or a resident's
    cancellation) neither promote one person twice nor give away more seats than there are:
    first claim the person (still waiting?), then the seat (still one free?); without a seat
    the claim is undone and we stop."""
    waiting = list(
        await session.scalars(
            select(Enrollment.id)
            .where(Enrollment.training_id == training.id, Enrollment.status == "waiting")
            .order_by(Enrollment.created_at, Enrollment.id)
        )
    )
    promoted_ids = []
    now = utcnow()
    for enrollment_id in waiting:
        claimed = cast(CursorResult[Any], await session.execute(
            update(Enrollment)
            .where(Enrollment.id == enrollment_id, Enrollment.status == "waiting")
            .values(status="enrolled", updated_at=now)
        ))
        if not claimed.rowcount:
            continue  # promoted (or cancelled) by someone else meanwhile
        seat = cast(CursorResult[Any], await session.execute(
            update(Training)
            .where(Training.id == training.id, Training.seats_taken < Training.capacity)
            .values(seats_taken=Training.seats_taken + 1)
        ))
        if not seat.rowcount:
            await session.execute(
                update(Enrollment).where(Enrollment.id == enrollment_id).values(status="waiting")
            )
            break
        promoted_ids.append(enrollment_id)
    await session.refresh(training, ["seats_taken"])
    if not promoted_ids:
        return []
    promoted = await session.scalars(
        select(Enrollment)
        .where(Enrollment.id.in_(promoted_ids))
        .order_by(Enrollment.id)
        .execution_options(populate_existing=True)
    )
    return list(promoted)


async def close_signups(session: AsyncSession, actor: Account, training: Training) -> None:
    if training.status != "open":
        raise TrainingError("not_open")
    training.status = "closed"
    audit.record(session, actor, "training.closed", "training", training.id)


async def cancel(
    session: AsyncSession, actor: Account, training: Training, notice_text: str
) -> None:
    if training.status == "cancelled":
        raise TrainingError("cancelled")
    training.status = "cancelled"
    await queue_notice(
        session,
        actor,
        "training",
        training.id,
        notice_text,
        dedup_key=f"notice:training:{training.id}:cancelled",
    )
    audit.record(session, actor, "training.cancelled", "training", training.id)


async def signups(
    session: AsyncSession, training_id: int, statuses: tuple[str, ...]
) -> list[Signup]:
    desa = Region.__table__.alias("desa")
    kecamatan = Region.__table__.alias("kecamatan")
    rows = await session.execute(
        select(
            Enrollment.id,
            Enrollment.account_id,
            Enrollment.status,
            Member.name,
            Member.nik_masked,
            Member.birth_date,
            desa.c.name,
            kecamatan.c.name,
            Enrollment.created_at,
        )
        .join(Member, Member.id == Enrollment.member_id)
        .join(Household, Household.id == Member.household_id)
        .join(desa, desa.c.code == Household.desa_code)
        .join(kecamatan, kecamatan.c.code == Household.kecamatan_code)
        .where(Enrollment.training_id == training_id, Enrollment.status.in_(statuses))
        .order_by(Enrollment.created_at, Enrollment.id)
    )
    return [Signup(*row) for row in rows.all()]


def export_xlsx(title: str, headers: list[str], rows: list[list[Any]]) -> bytes:
    """A one-sheet workbook: a title line, column headers, then the rows."""
    from openpyxl import Workbook  # only when exporting
    from openpyxl.utils import get_column_letter
    from openpyxl.worksheet.worksheet import Worksheet

    book = Workbook()
    sheet = book.active
    assert isinstance(sheet, Worksheet)  # a new workbook comes with one worksheet
    sheet.title = re.sub(r"[\[\]:*?/\\]", " ", title)[:31].strip() or "Sheet1"
    sheet.append([title])
    sheet.append(headers)
    for row in rows:
        sheet.append(row)
    for number, (column, header) in enumerate(zip(sheet.columns, headers, strict=False), 1):
        width = max([len(str(header))] + [len(str(cell.value or "")) for cell in column[2:]])
        sheet.column_dimensions[get_column_letter(number)].width = min(width + 2, 60)
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()
