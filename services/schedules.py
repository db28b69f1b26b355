"""Disbursement schedules: who a schedule reaches, create / change / cancel it, and record who
collected. No aiogram, no gettext: texts (the notices) are rendered by the caller.

A target is one of: every household of a program, a kecamatan, some desa of a kecamatan (all
their households, or only one program's), or a list of No. KK numbers. Area and program
targets take households on the list that are not rejected or still waiting for verification;
a KK list is taken as the office gave it.
`Disbursement.target` keeps the description (never a KK number): type, codes, counts.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any, cast

from sqlalchemy import CursorResult, Select, and_, func, literal, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from db import audit
from db.models.accounts import Account
from db.models.aid import Disbursement, DisbursementRecipient
from db.models.base import utcnow
from db.models.households import AidProgram, Household, HouseholdProgram
from services.notices import queue_notice

TARGET_TYPES = ("program", "kecamatan", "desa", "list")
# Households that may receive aid by area or program (not rejected, not an open proposal).
ELIGIBLE = ("terdaftar", "terverifikasi")
CHANGEABLE = ("program_code", "title", "amount", "scheduled_at", "place", "bring")


class ScheduleError(Exception):
    """A rule was broken (e.g. changing a cancelled schedule); `code` names which."""

    def __init__(self, code: str) -> None:
        super().__init__(code)
        self.code = code


@dataclass
class Target:
    type: str
    program: str | None = None  # program code, for type "program"
    kecamatan: str | None = None  # kecamatan code, for "kecamatan" and "desa"
    desa: list[str] = field(default_factory=list)
    household_ids: list[int] | None = None  # for "list": resolved from the file, not stored

    def __post_init__(self) -> None:
        if self.type not in TARGET_TYPES:
            raise ValueError(f"unknown target type {self.type!r}")

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> Target:
        return cls(
            type=data["type"],
            program=data.get("program"),
            kecamatan=data.get("kecamatan"),
            desa=list(data.get("desa") or []),
        )

    def as_json(self) -> dict[str, Any]:
        """What is stored in Disbursement.target (and FSM data): no personal data."""
        out: dict[str, Any] = {"type": self.type}
        if self.program:
            out["program"] = self.program
        if self.kecamatan:
            out["kecamatan"] = self.kecamatan
        if self.desa:
            out["desa"] = list(self.desa)
        return out


def _households(target: Target) -> Select[Any]:
    query = select(Household.id)
    if target.type == "list":
        return query.where(Household.id.in_(target.household_ids or []))
    # On the list, and not found moved, died or gone by a visit.
    query = query.where(Household.verification.in_(ELIGIBLE), Household.status == "aktif")
    if target.program:  # a programme alone, or a programme in an area (PKH in one kecamatan)
        query = (
            query.join(HouseholdProgram, HouseholdProgram.household_id == Household.id)
            .join(AidProgram, AidProgram.id == HouseholdProgram.program_id)
            .where(AidProgram.code == target.program)
        )
    if target.type == "program":
        return query
    if target.type == "kecamatan":
        return query.where(Household.kecamatan_code == target.kecamatan)
    return query.where(Household.desa_code.in_(target.desa))


async def count_households(session: AsyncSession, target: Target) -> int:
    if target.type == "list":
        return len(set(target.household_ids or []))
    subquery = _households(target).subquery()
    return int(await session.scalar(select(func.count()).select_from(subquery)) or 0)


async def program_by_code(session: AsyncSession, code: str) -> AidProgram | None:
    return await session.scalar(select(AidProgram).where(AidProgram.code == code))


async def create(
    session: AsyncSession,
    actor: Account,
    *,
    program_code: str,
    title: str,
    amount: int,
    scheduled_at: dt.datetime,
    place: str,
    bring: str | None,
    target: Target,
    notice_text: str | None = None,
) -> tuple[Disbursement, int]:
    """The schedule and its recipients in the caller's transaction; returns the count. With
    `notice_text`, its households are told at once (a queued notice), not only the day
    before."""
    program = await program_by_code(session, program_code)
    if program is None:
        raise ScheduleError("unknown_program")
    disbursement = Disbursement(
        program_id=program.id,
        title=title,
        amount=amount,
        scheduled_at=scheduled_at,
        place=place,
        bring=bring,
        target=target.as_json(),
        status="scheduled",
        created_by_account_id=actor.id,
    )
    session.add(disbursement)
    await session.flush()
    recipients = DisbursementRecipient.__table__
    if target.type == "list":
        # Known ids: a batched multi-row insert (an IN list of 50,000 would exceed the
        # PostgreSQL driver's parameter limit).
        rows = [
            {"disbursement_id": disbursement.id, "household_id": household_id}
            for household_id in dict.fromkeys(target.household_ids or [])
        ]
        if rows:
            await session.execute(recipients.insert(), rows)
    else:
        households = _households(target).distinct().subquery()
        await session.execute(
            recipients.insert().from_select(
                ["disbursement_id", "household_id"],
                select(literal(disbursement.id), households.c.id),
            )
        )
    count = await recipients_count(session, disbursement.id)
    disbursement.target = {**target.as_json(), "households": count}
    if notice_text and count:
        await queue_notice(
            session, actor, "disbursement", disbursement.id, notice_text,
            dedup_key=f"notice:disbursement:{disbursement.id}:created",
        )  # fmt: skip
    audit.record(
        session,
        actor,
        "disbursement.created",
        "disbursement",
        disbursement.id,
        target=target.as_json(),
        households=count,
    )
    return disbursement, count


async def recipients_count(session: AsyncSession, disbursement_id: int) -> int:
    total = await session.scalar(
        select(func.count(DisbursementRecipient.id)).where(
            DisbursementRecipient.disbursement_id == disbursement_id
        )
    )
    return int(total or 0)


async def collected_count(session: AsyncSession, disbursement_id: int) -> int:
    total = await session.scalar(
        select(func.count(DisbursementRecipient.id)).where(
            DisbursementRecipient.disbursement_id == disbursement_id,
            DisbursementRecipient.collected_at.is_not(None),
        )
    )
    return int(total or 0)


async def not_received_count(session: AsyncSession, disbursement_id: int) -> int:
    """Households that answered "belum" (not received) to the residents' follow-up question."""
    total = await session.scalar(
        select(func.count(DisbursementRecipient.id)).where(
            DisbursementRecipient.disbursement_id == disbursement_id,
            DisbursementRecipient.resident_answer == "belum",
        )
    )
    return int(total or 0)


async def get(session: AsyncSession, disbursement_id: int) -> Disbursement | None:
    return await session.get(Disbursement, disbursement_id)


async def program_code_of(session: AsyncSession, disbursement: Disbursement) -> str:
    program = await session.get(AidProgram, disbursement.program_id)
    return program.code if program else ""


async def listing(
    session: AsyncSession, *, since: dt.datetime, limit: int = 20
) -> list[tuple[Disbursement, str]]:
    """Schedules from `since` on (cancelled ones too, so staff see what happened), soonest
    first, with their program code."""
    rows = await session.execute(
        select(Disbursement, AidProgram.code)
        .join(AidProgram, AidProgram.id == Disbursement.program_id)
        .where(Disbursement.scheduled_at >= since)
        .order_by(Disbursement.scheduled_at, Disbursement.id)
        .limit(limit)
    )
    return [(d, code) for d, code in rows.all()]


async def change(
    session: AsyncSession,
    actor: Account,
    disbursement: Disbursement,
    notice_text: str | None,
    **values: Any,
) -> list[str]:
    """Apply the changed values; when anything changed, queue `notice_text` (rendered by the
    caller from the new values) to the recipients. Returns the names that changed."""
    if disbursement.status != "scheduled":
        raise ScheduleError("not_scheduled")
    changed = []
    for name in CHANGEABLE:
        if name not in values:
            continue
        new = values[name]
        if name == "program_code":
            program = await program_by_code(session, new)
            if program is None:
                raise ScheduleError("unknown_program")
            if program.id != disbursement.program_id:
                disbursement.program_id = program.id
                changed.append(name)
            continue
        if getattr(disbursement, name) != new:
            setattr(disbursement, name, new)
            changed.append(name)
    if changed:
        disbursement.updated_at = utcnow()
        if notice_text:
            await queue_notice(session, actor, "disbursement", disbursement.id, notice_text)
        audit.record(
            session, actor, "disbursement.changed", "disbursement", disbursement.id, fields=changed
        )
    return changed


async def cancel(
    session: AsyncSession, actor: Account, disbursement: Disbursement, notice_text: str
) -> None:
    if disbursement.status != "scheduled":
        raise ScheduleError("not_scheduled")
    disbursement.status = "cancelled"
    disbursement.updated_at = utcnow()
    await queue_notice(
        session,
        actor,
        "disbursement",
        disbursement.id,
        notice_text,
        dedup_key=f"notice:disbursement:{disbursement.id}:cancelled",
    )
    audit.record(session, actor, "disbursement.cancelled", "disbursement", disbursement.id)


@dataclass
class CollectResult:
    marked: int = 0
    already: int = 0
    not_recipient: int = 0  # on our list, but not on this schedule
    unknown: int = 0  # not on our list at all


async def mark_collected(
    session: AsyncSession,
    actor: Account,
    disbursement: Disbursement,
    kk_hashes: list[str],
    *,
    via: str,
) -> CollectResult:
    """Mark the households (by KK hash) as having collected; one audit entry per call."""
    result = CollectResult()
    if disbursement.status != "scheduled":
        raise ScheduleError("not_scheduled")
    wanted = list(dict.fromkeys(kk_hashes))
    now = utcnow()
    for start in range(0, len(wanted), 500):
        chunk = wanted[start : start + 500]
        rows = (
            await session.execute(
                select(
                    Household.kk_hash, DisbursementRecipient.id, DisbursementRecipient.collected_at
                )
                .select_from(Household)
                .outerjoin(
                    DisbursementRecipient,
                    and_(
                        DisbursementRecipient.household_id == Household.id,
                        DisbursementRecipient.disbursement_id == disbursement.id,
                    ),
                )
                .where(Household.kk_hash.in_(chunk))
            )
        ).all()
        result.unknown += len(chunk) - len(rows)
        to_mark = []
        for _hash, recipient_id, collected_at in rows:
            if recipient_id is None:
                result.not_recipient += 1
            elif collected_at is not None:
                result.already += 1
            else:
                to_mark.append(recipient_id)
        if to_mark:
            # Conditional: a concurrent mark of the same household counts once.
            done = cast(CursorResult[Any], await session.execute(
                update(DisbursementRecipient)
                .where(
                    DisbursementRecipient.id.in_(to_mark),
                    DisbursementRecipient.collected_at.is_(None),
                )
                .values(collected_at=now)
            ))
            result.marked += done.rowcount or 0
            result.already += len(to_mark) - (done.rowcount or 0)
    audit.record(
        session,
        actor,
        "disbursement.collected",
        "disbursement",
        disbursement.id,
        via=via,
        marked=result.marked,
        already=result.already,
        not_recipient=result.not_recipient,
        unknown=result.unknown,
    )
    return result
