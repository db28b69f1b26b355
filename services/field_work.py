"""What volunteers ask of the data: their task list, household search, a household's card
(what they bring back, visits and quick reports: services.field_reports). Everything is
scoped by `services.volunteer_area`.

No aiogram and no texts here; the handlers render. The update's unit of work commits.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import func, or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from db import audit
from db.models.accounts import Account
from db.models.base import utcnow
from db.models.field import FieldVisit, StatusReport, VolunteerTask
from db.models.households import AidProgram, Household, HouseholdProgram, Member, Region
from db.protect import Protector
from domain.roles import PETUGAS
from services import tasks
from services.reports import latest_report
from services.volunteer_area import area_condition

PAGE_SIZE = 8
MAX_TASK_ROWS = 2000  # open tasks of one area read at once; far more than a desa ever has

# A household's verification (Household.verification)
VERIFIED = "terverifikasi"
REJECTED = "ditolak"
WAITING = "menunggu_verifikasi"


def age_on(birth: dt.date | None, today: dt.date) -> int | None:
    if birth is None:
        return None
    return today.year - birth.year - ((today.month, today.day) < (birth.month, birth.day))


def head_of(members: Iterable[Member]) -> Member | None:
    members = list(members)
    for member in members:
        if member.relationship_to_head == "kepala":
            return member
    return members[0] if members else None


async def members_of(session: AsyncSession, household_ids: list[int]) -> dict[int, list[Member]]:
    found: dict[int, list[Member]] = {hid: [] for hid in household_ids}
    if not household_ids:
        return found
    rows = await session.scalars(
        select(Member).where(Member.household_id.in_(household_ids)).order_by(Member.id)
    )
    for member in rows:
        found[member.household_id].append(member)
    return found


async def head_names(session: AsyncSession, household_ids: list[int]) -> dict[int, str | None]:
    members = await members_of(session, household_ids)
    return {hid: (head.name if (head := head_of(ms)) else None) for hid, ms in members.items()}


# --------------------------------------------------------------------------- tasks


@dataclass(frozen=True)
class TaskItem:
    household: Household
    kind: str
    since: dt.datetime | None  # when the task was raised, or the last visit (None: never)
    detail: str | None = None


async def task_page(
    session: AsyncSession, account: Account, page: int, *, now: dt.datetime | None = None,
    kind: str | None = None,
) -> tuple[list[TaskItem], bool]:
    """One page of the area's visits to make, most urgent first: open tasks by priority
    then age (one line per household, its most urgent task), then households not visited
    for NOT_VISITED_DAYS (longest ago first; never visited last). With `kind`, only that
    kind of task (tasks.NOT_VISITED: only the households not visited)."""
    now = now or utcnow()
    raised_query = (
        select(VolunteerTask, Household)
        .join(Household, Household.id == VolunteerTask.household_id)
        .where(VolunteerTask.resolved_at.is_(None), area_condition(account))
        .order_by(VolunteerTask.priority, VolunteerTask.created_at, VolunteerTask.id)
        .limit(MAX_TASK_ROWS)
    )
    if kind is not None:
        raised_query = raised_query.where(VolunteerTask.kind == kind)
    rows = await session.execute(raised_query)
    seen: set[int] = set()
    raised: list[TaskItem] = []
    for task, household in rows.all():
        if household.id in seen:
            continue
        seen.add(household.id)
        raised.append(TaskItem(household, task.kind, task.created_at, task.detail))
    start = page * PAGE_SIZE
    items = raised[start : start + PAGE_SIZE + 1]
    wanted = PAGE_SIZE + 1 - len(items)
    if wanted > 0 and kind in (None, tasks.NOT_VISITED):
        cutoff = now - dt.timedelta(days=tasks.NOT_VISITED_DAYS)
        open_tasks = select(VolunteerTask.household_id).where(VolunteerTask.resolved_at.is_(None))
        stale = await session.scalars(
            select(Household)
            .where(
                area_condition(account),
                Household.verification != REJECTED,
                Household.status == "aktif",  # not found moved, died or gone by a visit
                or_(Household.last_visit_at.is_(None), Household.last_visit_at < cutoff),
                Household.id.not_in(open_tasks),
            )
            .order_by(Household.last_visit_at.is_(None), Household.last_visit_at, Household.id)
            .offset(max(0, start - len(raised)))
            .limit(wanted)
        )
        items += [TaskItem(h, tasks.NOT_VISITED, h.last_visit_at) for h in stale]
    return items[:PAGE_SIZE], len(items) > PAGE_SIZE


async def open_task_counts(session: AsyncSession, account: Account) -> dict[str, int]:
    """Households of the area with an open task, per kind (the filter's buttons)."""
    rows = await session.execute(
        select(VolunteerTask.kind, func.count(func.distinct(VolunteerTask.household_id)))
        .join(Household, Household.id == VolunteerTask.household_id)
        .where(VolunteerTask.resolved_at.is_(None), area_condition(account))
        .group_by(VolunteerTask.kind)
    )
    return {kind: int(count) for kind, count in rows.all()}


# --------------------------------------------------------------------------- search


def _like_pattern(text: str) -> str:
    escaped = text.lower().replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return f"%{escaped}%"


async def _page_of(
    session: AsyncSession, statement: Any, page: int
) -> tuple[list[Household], bool]:
    found = list(
        await session.scalars(
            statement.order_by(Household.id).offset(page * PAGE_SIZE).limit(PAGE_SIZE + 1)
        )
    )
    return found[:PAGE_SIZE], len(found) > PAGE_SIZE


async def search_name(
    session: AsyncSession, account: Account, text: str, page: int
) -> tuple[list[Household], bool]:
    """Households with a member whose name contains `text` (any case), in the area."""
    matching = select(Member.household_id).where(
        func.lower(Member.name).like(_like_pattern(" ".join(text.split())), escape="\\")
    )
    statement = select(Household).where(area_condition(account), Household.id.in_(matching))
    return await _page_of(session, statement, page)


async def search_number(
    session: AsyncSession, account: Account, number_hash: str, via: str | None = None
) -> Household | None:
    """The household whose No. KK, or one of whose members' NIK, has this keyed hash; only
    within the area (outside it the answer is the same as "does not exist"). A lookup of
    personal data by number: audited, never with the number."""
    by_member = select(Member.household_id).where(Member.nik_hash == number_hash)
    household = await session.scalar(
        select(Household).where(
            area_condition(account),
            or_(Household.kk_hash == number_hash, Household.id.in_(by_member)),
        )
    )
    detail: dict[str, object] = {"by": "number", "found": household is not None}
    if via is not None:
        detail["via"] = via
    audit.record(
        session, account, "household.searched", "household",
        household.id if household else None, **detail,
    )  # fmt: skip
    return household


async def desa_choices(
    session: AsyncSession, account: Account, kecamatan: str | None
) -> list[Region]:
    """The desa/kelurahan an account can browse (PSM: theirs; TKSK: their kecamatan's;
    staff: those of the chosen kecamatan), or the kecamatan list for staff first."""
    if account.role == PETUGAS:
        if kecamatan is None:
            query = select(Region).where(Region.level == "kecamatan")
        else:
            query = select(Region).where(Region.parent_code == kecamatan)
    elif account.area_code is None:
        return []
    elif account.area_code.count(".") == 3:  # PSM: a desa code
        query = select(Region).where(Region.code == account.area_code)
    else:
        query = select(Region).where(Region.parent_code == account.area_code)
    return list(await session.scalars(query.order_by(Region.name)))


async def rts_of(session: AsyncSession, account: Account, desa_code: str) -> list[str | None]:
    rows = await session.scalars(
        select(Household.rt)
        .where(area_condition(account), Household.desa_code == desa_code)
        .distinct()
    )
    return sorted(rows, key=lambda rt: (rt is None, rt or ""))


async def search_rt(
    session: AsyncSession, account: Account, desa_code: str, rt: str | None, page: int
) -> tuple[list[Household], bool]:
    statement = select(Household).where(
        area_condition(account),
        Household.desa_code == desa_code,
        Household.rt.is_(None) if rt is None else Household.rt == rt,
    )
    return await _page_of(session, statement, page)


# --------------------------------------------------------------------------- card


@dataclass
class Card:
    household: Household
    members: list[Member]
    desa: Region | None
    kecamatan: Region | None
    report: StatusReport | None
    visit: FieldVisit | None
    open_tasks: list[VolunteerTask] = field(default_factory=list)
    programs: list[str] = field(default_factory=list)  # aid_programs codes, sorted
    kk_full: str | None = None  # for staff only, who may see it (the view is audited)


async def card(
    session: AsyncSession, account: Account, household: Household,
    protector: Protector | None = None,
) -> Card:  # fmt: skip
    """Everything the card shows; opening it is an access to personal data (audited). Staff
    (and only staff) see the No. KK in full when `protector` is given; volunteers see it
    masked. Members a visit found gone are not on the card."""
    members = [
        m for m in (await members_of(session, [household.id]))[household.id] if m.left_at is None
    ]
    report = await latest_report(session, household.id)
    visit = await session.scalar(
        select(FieldVisit)
        .where(FieldVisit.household_id == household.id)
        .order_by(FieldVisit.visited_at.desc(), FieldVisit.id.desc())
        .limit(1)
    )
    open_tasks = list(
        await session.scalars(
            select(VolunteerTask)
            .where(VolunteerTask.household_id == household.id, VolunteerTask.resolved_at.is_(None))
            .order_by(VolunteerTask.priority)
        )
    )
    audit.record(session, account, "household.viewed", "household", household.id)
    return Card(
        household,
        members,
        await session.get(Region, household.desa_code),
        await session.get(Region, household.kecamatan_code),
        report,
        visit,
        open_tasks,
        list(await session.scalars(
            select(AidProgram.code).join(HouseholdProgram)
            .where(HouseholdProgram.household_id == household.id).order_by(AidProgram.code)
        )),
        protector.try_decrypt(household.kk_encrypted)
        if protector is not None and account.role == PETUGAS and household.kk_encrypted
        else None,
    )  # fmt: skip
