"""The payout day: who is on a schedule, by desa; finding a family by name or KK; marking it
collected (and undoing a mistake); who has not collected yet; adding or removing one family
with a reason. Every change is audited. No aiogram, no gettext: the caller words it.

A family without a KK (a proposal, a P3KE household known by its id only) is found by name
and marked like any other: nothing here needs its number.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any, cast

from rapidfuzz import fuzz, process, utils
from sqlalchemy import CursorResult, and_, delete, func, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from db import audit
from db.models.accounts import Account
from db.models.aid import Disbursement, DisbursementRecipient
from db.models.base import utcnow
from db.models.households import Household, Member, Region
from db.protect import Protector
from domain.identity import strip_number
from services.schedules import ELIGIBLE, ScheduleError

# A name search offers at most this many families; a score under this is not a match.
MAX_MATCHES = 8
NAME_SCORE = 80


@dataclass(frozen=True)
class Line:
    """One family on a schedule, as the payout list shows it."""

    household_id: int
    head: str  # the head's name, or the first member's
    address: str
    rt: str | None
    rw: str | None
    desa_code: str
    desa: str
    kk: str | None  # in full (staff only), None when the family has no KK
    kk_masked: str | None
    collected_at: dt.datetime | None


def _head_name() -> Any:
    """The head's name for each household (the first member when no head is recorded)."""
    ranked = (
        select(
            Member.household_id,
            Member.name,
            func.row_number()
            .over(
                partition_by=Member.household_id,
                order_by=((Member.relationship_to_head != "kepala"), Member.id),
            )
            .label("rank"),
        )
    ).subquery()
    return select(ranked.c.household_id, ranked.c.name).where(ranked.c.rank == 1).subquery()


async def lines(
    session: AsyncSession,
    protector: Protector,
    disbursement_id: int,
    *,
    desa_code: str | None = None,
    only_waiting: bool = False,
    household_ids: list[int] | None = None,
    on_schedule: bool = True,
) -> list[Line]:
    """The schedule's families (of one desa), by desa, RT/RW and name. With
    `on_schedule=False`, the families `household_ids` whether on the schedule or not."""
    head = _head_name()
    recipient = and_(
        DisbursementRecipient.household_id == Household.id,
        DisbursementRecipient.disbursement_id == disbursement_id,
    )
    query = (
        select(Household, head.c.name, Region.name, DisbursementRecipient.collected_at)
        .join(Region, Region.code == Household.desa_code)
        .outerjoin(head, head.c.household_id == Household.id)
    )
    if on_schedule:
        query = query.join(DisbursementRecipient, recipient)
    else:
        query = query.outerjoin(DisbursementRecipient, recipient)
    if desa_code is not None:
        query = query.where(Household.desa_code == desa_code)
    if only_waiting:
        query = query.where(DisbursementRecipient.collected_at.is_(None))
    if household_ids is not None:
        query = query.where(Household.id.in_(household_ids))
    rows = (await session.execute(query)).all()
    found = [
        Line(
            household_id=household.id,
            head=name or "",
            address=household.address or "",
            rt=household.rt,
            rw=household.rw,
            desa_code=household.desa_code,
            desa=desa,
            kk=protector.try_decrypt(household.kk_encrypted) if household.kk_encrypted else None,
            kk_masked=household.kk_masked,
            collected_at=collected_at,
        )
        for household, name, desa, collected_at in rows
    ]
    found.sort(key=lambda x: (x.desa, x.rw or "", x.rt or "", x.head.casefold()))
    return found


@dataclass(frozen=True)
class DesaCount:
    code: str
    name: str
    total: int
    collected: int


async def by_desa(session: AsyncSession, disbursement_id: int) -> list[DesaCount]:
    """Families and collections per desa of the schedule, for the payout lists' buttons."""
    collected = func.count(DisbursementRecipient.collected_at)
    rows = (
        await session.execute(
            select(Household.desa_code, Region.name, func.count(), collected)
            .join(DisbursementRecipient, DisbursementRecipient.household_id == Household.id)
            .join(Region, Region.code == Household.desa_code)
            .where(DisbursementRecipient.disbursement_id == disbursement_id)
            .group_by(Household.desa_code, Region.name)
            .order_by(Region.name)
        )
    ).all()
    return [DesaCount(code, name, int(total), int(done)) for code, name, total, done in rows]


async def find(
    session: AsyncSession,
    protector: Protector,
    disbursement_id: int,
    query: str,
    *,
    on_schedule: bool = True,
) -> list[Line]:
    """Families matching a typed KK number (exactly) or a name (any member's, forgiving typos
    and word order), best first: the schedule's, or (`on_schedule=False`) any family that
    may receive aid, for adding one."""
    number = strip_number(query.strip())
    if len(number) == 16 and number.isdigit():
        household_id = await session.scalar(
            select(Household.id).where(Household.kk_hash == protector.lookup_hash(number))
        )
        ids = [household_id] if household_id is not None else []
        return await lines(
            session, protector, disbursement_id, household_ids=ids, on_schedule=on_schedule
        )
    names = select(Member.household_id, Member.name)
    if on_schedule:
        names = names.join(
            DisbursementRecipient, DisbursementRecipient.household_id == Member.household_id
        ).where(DisbursementRecipient.disbursement_id == disbursement_id)
    else:
        names = names.join(Household, Household.id == Member.household_id).where(
            Household.verification.in_(ELIGIBLE)
        )
    members = (await session.execute(names)).all()
    matches = process.extract(
        query,
        [name for _id, name in members],
        scorer=fuzz.token_set_ratio,
        processor=utils.default_process,
        score_cutoff=NAME_SCORE,
        limit=MAX_MATCHES * 3,
    )
    ranked: dict[int, float] = {}
    for _name, score, index in matches:
        household_id = members[index][0]
        ranked[household_id] = max(ranked.get(household_id, 0.0), score)
    best = sorted(ranked, key=lambda h: -ranked[h])[:MAX_MATCHES]
    found = {x.household_id: x for x in await lines(
        session, protector, disbursement_id, household_ids=best, on_schedule=on_schedule
    )}  # fmt: skip
    return [found[h] for h in best if h in found]


async def set_collected(
    session: AsyncSession,
    actor: Account,
    disbursement: Disbursement,
    household_id: int,
    collected: bool,
) -> bool:
    """Mark one family collected (or undo it); False when nothing changed (already so, or
    not on the schedule). Conditional, so a double tap or two staff at once count once."""
    if disbursement.status != "scheduled":
        raise ScheduleError("not_scheduled")
    column = DisbursementRecipient.collected_at
    done = cast(CursorResult[Any], await session.execute(
        update(DisbursementRecipient)
        .where(
            DisbursementRecipient.disbursement_id == disbursement.id,
            DisbursementRecipient.household_id == household_id,
            column.is_(None) if collected else column.is_not(None),
        )
        .values(collected_at=utcnow() if collected else None)
    ))  # fmt: skip
    changed = bool(done.rowcount)
    if changed:
        action = "disbursement.collected" if collected else "disbursement.collected_undone"
        audit.record(
            session, actor, action, "disbursement", disbursement.id,
            via="name", household_id=household_id, marked=1 if collected else 0,
        )  # fmt: skip
    return changed


async def add_family(
    session: AsyncSession,
    actor: Account,
    disbursement: Disbursement,
    household_id: int,
    reason: str,
) -> bool:
    """Put one family on the schedule (e.g. verified after the list was made); False when it
    is on it already. Refused for a rejected family or an open proposal."""
    if disbursement.status != "scheduled":
        raise ScheduleError("not_scheduled")
    household = await session.get(Household, household_id)
    if household is None or household.verification not in ELIGIBLE:
        raise ScheduleError("not_eligible")
    exists = await session.scalar(
        select(DisbursementRecipient.id).where(
            DisbursementRecipient.disbursement_id == disbursement.id,
            DisbursementRecipient.household_id == household_id,
        )
    )
    if exists is not None:
        return False
    session.add(DisbursementRecipient(disbursement_id=disbursement.id, household_id=household_id))
    audit.record(
        session, actor, "disbursement.family_added", "disbursement", disbursement.id,
        household_id=household_id, reason=reason,
    )  # fmt: skip
    return True


async def remove_family(
    session: AsyncSession,
    actor: Account,
    disbursement: Disbursement,
    household_id: int,
    reason: str,
) -> bool:
    """Take one family off the schedule (e.g. moved away); not once it has collected."""
    if disbursement.status != "scheduled":
        raise ScheduleError("not_scheduled")
    done = cast(CursorResult[Any], await session.execute(
        delete(DisbursementRecipient).where(
            and_(
                DisbursementRecipient.disbursement_id == disbursement.id,
                DisbursementRecipient.household_id == household_id,
                DisbursementRecipient.collected_at.is_(None),
            )
        )
    ))  # fmt: skip
    if not done.rowcount:
        return False
    audit.record(
        session, actor, "disbursement.family_removed", "disbursement", disbursement.id,
        household_id=household_id, reason=reason,
    )  # fmt: skip
    return True


@dataclass(frozen=True)
class Progress:
    disbursement_id: int
    title: str
    scheduled_at: dt.datetime
    total: int
    collected: int


async def progress_around(
    session: AsyncSession, now: dt.datetime, days: int = 7, limit: int = 5
) -> list[Progress]:
    """How far the payouts of the days around `now` are (not cancelled), soonest first."""
    collected = func.count(DisbursementRecipient.collected_at)
    rows = (
        await session.execute(
            select(
                Disbursement.id, Disbursement.title, Disbursement.scheduled_at, func.count(),
                collected,
            )
            .join(DisbursementRecipient, DisbursementRecipient.disbursement_id == Disbursement.id)
            .where(
                Disbursement.status == "scheduled",
                Disbursement.scheduled_at >= now - dt.timedelta(days=days),
                Disbursement.scheduled_at <= now + dt.timedelta(days=days),
            )
            .group_by(Disbursement.id, Disbursement.title, Disbursement.scheduled_at)
            .order_by(Disbursement.scheduled_at)
            .limit(limit)
        )
    ).all()  # fmt: skip
    return [Progress(i, title, at, int(total), int(done)) for i, title, at, total, done in rows]
