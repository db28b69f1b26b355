"""What volunteers ask of the data: their task list, household search, a household's card
(what they bring back, visits and quick reports: services.field_reports). Everything is
scoped by `services.volunteer_area`.

No aiogram and no texts here; the handlers render. The update's unit of work commits.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import func, literal, or_, select, union_all
from sqlalchemy.ext.asyncio import AsyncSession

from db import audit
from db.models.accounts import Account
from db.models.base import utcnow
from db.models.cases import Case
from db.models.field import FieldVisit, StatusReport
from db.models.households import AidProgram, Household, HouseholdProgram, Member, Region
from db.protect import Protector
from domain.roles import PETUGAS
from services import cases, tasks
from services.reports import latest_report
from services.volunteer_area import area_condition

PAGE_SIZE = 8

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
    since: dt.datetime | None  # when the case was raised, or the last visit (None: never)
    case: Case | None = None  # the household's most urgent open case (None: not visited)
    overdue: bool = False


@dataclass(frozen=True)
class TaskFilter:
    """What a volunteer narrowed their list to: a kind, a desa, an RT (of that desa)."""

    kind: str | None = None
    desa: str | None = None
    rt: str | None = None


def _household_filter(account: Account, where: TaskFilter) -> list[Any]:
    conditions: list[Any] = [area_condition(account)]
    if where.desa:
        conditions.append(Household.desa_code == where.desa)
        if where.rt:
            conditions.append(Household.rt == where.rt)
    return conditions


def _open_cases(account: Account, where: TaskFilter) -> Any:
    """Open cases of the volunteers' kinds, of households in the area (and filter)."""
    kinds = [where.kind] if where.kind else list(tasks.STORED_KINDS)
    return (
        select(Case.household_id)
        .join(Household, Household.id == Case.household_id)
        .where(Case.state != cases.CLOSED, Case.kind.in_(kinds), *_household_filter(account, where))
    )


def _not_visited(account: Account, where: TaskFilter, now: dt.datetime) -> Any:
    """Ids of the area's households not visited for NOT_VISITED_DAYS with no open case (ids
    only: sorting and skipping whole rows cost SQLite several times more, benchmarks/cases.py)."""
    cutoff = now - dt.timedelta(days=tasks.NOT_VISITED_DAYS)
    open_case = select(Case.household_id).where(
        Case.state != cases.CLOSED, Case.household_id.is_not(None),
        Case.kind.in_(list(tasks.STORED_KINDS)),
    )  # fmt: skip
    return select(Household.id).where(
        *_household_filter(account, where),
        Household.verification != REJECTED,
        Household.status == "aktif",  # not found moved, died or gone by a visit
        or_(Household.last_visit_at.is_(None), Household.last_visit_at < cutoff),
        Household.id.not_in(open_case),
    )


async def task_page(
    session: AsyncSession,
    account: Account,
    page: int,
    *,
    now: dt.datetime | None = None,
    kind: str | None = None,
    where: TaskFilter | None = None,
) -> tuple[list[TaskItem], bool]:
    """One page of the area's work, most urgent first: households with open cases, by their
    most urgent case then its age (one line per household); then households not visited for
    NOT_VISITED_DAYS (longest ago first; never visited last). Within one desa the lines are
    grouped by RT and RW. With a kind, only that kind (tasks.NOT_VISITED: only the
    households not visited)."""
    now = now or utcnow()
    where = where or TaskFilter(kind=kind)
    if where.desa:
        return await _desa_page(session, account, page, where, now)
    start = page * PAGE_SIZE
    items: list[TaskItem] = []
    raised_total = 0
    if where.kind != tasks.NOT_VISITED:
        ranked = _ranked_cases(account, where)
        # How many households have open cases: counted past the first page only (there, a
        # page that is not full tells), and a page past them all does not ask for their rows.
        raised_total = start + PAGE_SIZE + 1
        if page > 0:
            raised_total = int(
                await session.scalar(select(func.count()).select_from(ranked.subquery())) or 0
            )
        rows: Sequence[Any] = ()
        if start < raised_total:
            rows = (
                await session.execute(
                    ranked.order_by("priority", "since", Case.household_id)
                    .offset(start)
                    .limit(PAGE_SIZE + 1)
                )
            ).all()
            if page == 0:
                raised_total = len(rows)
        items = await _items(session, [(row[0], int(row[1])) for row in rows], where, now)
    wanted = PAGE_SIZE + 1 - len(items)
    if wanted > 0 and where.kind in (None, tasks.NOT_VISITED):
        order = [Household.last_visit_at.is_(None), Household.last_visit_at, Household.id]
        stale = list(
            await session.scalars(
                _not_visited(account, where, now)
                .order_by(*order)
                .offset(max(0, start - raised_total))
                .limit(wanted)
            )
        )
        loaded = await _households(session, stale)
        items += [
            TaskItem(loaded[hid], tasks.NOT_VISITED, loaded[hid].last_visit_at) for hid in stale
        ]
    return items[:PAGE_SIZE], len(items) > PAGE_SIZE


def _ranked_cases(account: Account, where: TaskFilter) -> Any:
    """Households with open cases: each with its most urgent case's priority and the age of
    its oldest case."""
    return _open_cases(account, where).add_columns(
        func.min(Case.priority).label("priority"), func.min(Case.created_at).label("since")
    ).group_by(Case.household_id)  # fmt: skip


async def _desa_page(
    session: AsyncSession, account: Account, page: int, where: TaskFilter, now: dt.datetime
) -> tuple[list[TaskItem], bool]:
    """One desa's page, grouped by RT and RW as a volunteer walks it: within each RT/RW the
    open cases by urgency, then the households not visited (one query over both)."""
    parts = []
    if where.kind != tasks.NOT_VISITED:
        parts.append(
            _open_cases(account, where).add_columns(
                Household.rt, Household.rw, func.min(Case.priority).label("priority"),
                func.min(Case.created_at).label("since"),
            ).group_by(Case.household_id, Household.rt, Household.rw)
        )  # fmt: skip
    if where.kind in (None, tasks.NOT_VISITED):
        parts.append(
            _not_visited(account, where, now).with_only_columns(
                Household.id, Household.rt, Household.rw,
                literal(tasks.PRIORITY[tasks.NOT_VISITED]).label("priority"),
                Household.last_visit_at.label("since"),
            )
        )  # fmt: skip
    both = union_all(*parts).subquery()
    c = both.columns
    rows = (
        await session.execute(
            select(c[0], c.priority)
            .order_by(c.rt.is_(None), c.rt, c.rw.is_(None), c.rw, c.priority,
                      c.since.is_(None), c.since, c[0])
            .offset(page * PAGE_SIZE)
            .limit(PAGE_SIZE + 1)
        )
    ).all()  # fmt: skip
    items = await _items(session, [(row[0], int(row[1])) for row in rows], where, now)
    return items[:PAGE_SIZE], len(items) > PAGE_SIZE


async def _items(
    session: AsyncSession, ranked: list[tuple[int, int]], where: TaskFilter, now: dt.datetime
) -> list[TaskItem]:
    """The list's lines, in the order of `ranked` (household id, priority): each household
    with its most urgent open case, or as not visited."""
    households = await _households(session, [hid for hid, _p in ranked])
    first_cases = await _first_cases(session, [hid for hid, _p in ranked], where.kind)
    items = []
    for hid, _priority in ranked:
        case = first_cases.get(hid)
        household = households[hid]
        if case is None:
            items.append(TaskItem(household, tasks.NOT_VISITED, household.last_visit_at))
        else:
            items.append(TaskItem(household, case.kind, case.created_at, case,
                                  overdue=_due(case) < now))  # fmt: skip
    return items


def _due(case: Case) -> dt.datetime:
    due = case.first_answer_due_at
    return due if due.tzinfo is not None else due.replace(tzinfo=dt.UTC)


async def _households(session: AsyncSession, ids: list[int]) -> dict[int, Household]:
    if not ids:
        return {}
    return {h.id: h for h in await session.scalars(select(Household).where(Household.id.in_(ids)))}


async def _first_cases(
    session: AsyncSession, household_ids: list[int], kind: str | None
) -> dict[int, Case]:
    """Each household's most urgent open case (of the kind, when filtered)."""
    if not household_ids:
        return {}
    query = (
        select(Case)
        .where(
            Case.household_id.in_(household_ids), Case.state != cases.CLOSED,
            Case.kind.in_([kind] if kind else list(tasks.STORED_KINDS)),
        )
        .order_by(Case.priority, Case.created_at, Case.id)
    )  # fmt: skip
    found: dict[int, Case] = {}
    for case in await session.scalars(query):
        if case.household_id is not None:
            found.setdefault(case.household_id, case)
    return found


async def task_totals(
    session: AsyncSession, account: Account, where: TaskFilter, now: dt.datetime | None = None
) -> dict[str, int]:
    """Households per kind of open case in the area and filter (kind ignored: the filter's
    buttons), households not visited, and the total of the list as filtered."""
    now = now or utcnow()
    every = TaskFilter(desa=where.desa, rt=where.rt)
    open_rows = _open_cases(account, every).add_columns(Case.kind).subquery()
    rows = await session.execute(
        select(open_rows.c.kind, func.count(func.distinct(open_rows.c.household_id))).group_by(
            open_rows.c.kind
        )
    )
    counts = {kind: int(count) for kind, count in rows.all()}
    counts[tasks.NOT_VISITED] = int(
        await session.scalar(
            select(func.count()).select_from(_not_visited(account, every, now).subquery())
        ) or 0
    )  # fmt: skip
    if where.kind:
        counts["total"] = counts.get(where.kind, 0)
    else:
        households_open = int(
            await session.scalar(
                select(func.count(func.distinct(open_rows.c.household_id)))
            ) or 0
        )  # fmt: skip
        counts["total"] = households_open + counts[tasks.NOT_VISITED]
    return counts


async def open_task_counts(session: AsyncSession, account: Account) -> dict[str, int]:
    """Households of the area with an open case, per kind (the filter's buttons)."""
    totals = await task_totals(session, account, TaskFilter())
    return {k: v for k, v in totals.items() if k in tasks.STORED_KINDS}


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
    open_tasks: list[Case] = field(default_factory=list)  # its open cases, most urgent first
    programs: list[str] = field(default_factory=list)  # aid_programs codes, sorted
    kk_full: str | None = None  # for staff only, who may see it (the view is audited)
    details: dict[int, list[str]] = field(default_factory=dict)  # each case's thread texts


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
    open_tasks = await tasks.open_cases_of(session, household.id)
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
        await tasks.details(session, [c.id for c in open_tasks]),
    )  # fmt: skip
