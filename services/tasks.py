"""The volunteers' work as cases (`/tugas`): what a PSM/TKSK should go and see or do.

Several features raise them (residents' proposals, urgent self-reports, correction requests,
"belum menerima" complaints, households a broadcast could not reach). Each is a case of the one
model (db.models.cases, services.cases): at most one open per household and kind, a new signal
of the kind adds a message to its thread, and it ends with an outcome of the kind's list
(services.cases.OUTCOMES) chosen by the volunteer, not by any visit. Households not visited for
NOT_VISITED_DAYS are listed by the volunteers' query, not stored.

These functions only add to the caller's session: the update's unit of work (or the calling use
case) commits.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from db import audit
from db.models.accounts import Account
from db.models.base import utcnow
from db.models.cases import Case, CaseMessage
from db.models.households import Household
from domain.roles import WARGA
from services import cases

USULAN = "usulan"  # a proposed household waiting for verification
URGENT_REPORT = "laporan_mendesak"  # a self-report said: no food, severe illness, house unsafe
CORRECTION = "koreksi"  # a resident asked to correct their data
NOT_RECEIVED = "belum_menerima"  # a resident said the aid did not arrive
UNREACHABLE = "tidak_terjangkau"  # a notice concerned them but the bot cannot reach them
# Not stored: households not visited for NOT_VISITED_DAYS are listed by the volunteers' query.
NOT_VISITED = "belum_dikunjungi"
NOT_VISITED_DAYS = 90

# Most urgent first in /tugas (a complaint sits between a missing payment and a proposal).
PRIORITY = {
    URGENT_REPORT: 10,
    NOT_RECEIVED: 20,
    cases.ADUAN: 25,
    USULAN: 30,
    CORRECTION: 40,
    UNREACHABLE: 50,
    NOT_VISITED: 60,
}
KINDS = (URGENT_REPORT, NOT_RECEIVED, USULAN, CORRECTION, UNREACHABLE, NOT_VISITED)
STORED_KINDS = KINDS[:-1]

# By when a volunteer should have dealt with it (shown as overdue in lists and numbers).
DUE = {
    URGENT_REPORT: dt.timedelta(days=1),
    NOT_RECEIVED: dt.timedelta(days=3),
    USULAN: dt.timedelta(days=14),
    CORRECTION: dt.timedelta(days=14),
    UNREACHABLE: dt.timedelta(days=7),
}


async def open_task(
    session: AsyncSession,
    household: Household,
    kind: str,
    *,
    source_type: str | None = None,
    source_id: int | None = None,
    detail: str | None = None,
    actor: Account | None = None,
    now: dt.datetime | None = None,
) -> Case:
    """Open the household's case of this kind, or add to the one open already: `detail` (the
    resident's words, the report's reasons, the message to pass on) becomes a message of its
    thread unless the thread has it already (a re-sent complaint or a second failed broadcast
    does not pile up duplicates)."""
    if kind not in STORED_KINDS:
        raise ValueError(f"unknown task kind {kind!r}")
    now = now or utcnow()
    key = f"{kind}:h{household.id}"
    case = await session.scalar(select(Case).where(Case.open_key == key))
    if case is None:
        level = await cases.first_level(session, household.desa_code, household.kecamatan_code)
        case = Case(
            kind=kind, household_id=household.id, desa_code=household.desa_code,
            kecamatan_code=household.kecamatan_code,
            raised_by_account_id=actor.id if actor is not None else None, open_key=key,
            state=cases.OPEN, level=level, urgent=kind == URGENT_REPORT, created_at=now,
            first_answer_due_at=now + DUE[kind], last_message_at=now, escalations=0,
            reopened_count=0, priority=PRIORITY[kind],
        )  # fmt: skip
        try:
            async with session.begin_nested():
                session.add(case)
        except IntegrityError:  # the same signal raised it at this very moment
            case = await session.scalar(select(Case).where(Case.open_key == key))
            if case is None:
                raise
        else:
            audit.record(session, actor, "case.raised", "case", case.id, kind=kind)
    if source_type is not None:
        case.source_type, case.source_id = source_type, source_id
    if detail:
        known = await session.scalar(
            select(CaseMessage.id).where(CaseMessage.case_id == case.id, CaseMessage.text == detail)
        )
        if known is None:
            # The resident's own words, or the bot's note (an urgent report's reasons are
            # codes, said in words where they are shown).
            said = actor is not None and actor.role == WARGA and kind != URGENT_REPORT
            role = cases.RESIDENT if said else cases.SYSTEM
            cases.add_message(session, case, actor, role, cases.Item(text=detail), now)
    await session.flush()
    return case


async def details(session: AsyncSession, case_ids: Iterable[int]) -> dict[int, list[str]]:
    """The texts of each case's thread, oldest first (what a task line or card shows)."""
    ids = list(case_ids)
    found: dict[int, list[str]] = {case_id: [] for case_id in ids}
    if not ids:
        return found
    rows = await session.execute(
        select(CaseMessage.case_id, CaseMessage.text)
        .where(CaseMessage.case_id.in_(ids), CaseMessage.text.is_not(None))
        .order_by(CaseMessage.id)
    )
    for case_id, text in rows.all():
        if text:
            found[case_id].append(text)
    return found


async def open_cases_of(
    session: AsyncSession, household_id: int, kinds: Iterable[str] | None = None
) -> list[Case]:
    """The household's open cases, most urgent first."""
    query = (
        select(Case)
        .where(Case.household_id == household_id, Case.state != cases.CLOSED)
        .order_by(Case.priority, Case.created_at, Case.id)
    )
    if kinds is not None:
        query = query.where(Case.kind.in_(list(kinds)))
    return list(await session.scalars(query))


async def resolve_household_tasks(
    session: AsyncSession,
    household_id: int,
    actor: Account | None,
    outcome: str,
    kinds: Iterable[str] | None = None,
    note: str | None = None,
) -> list[Case]:
    """Close the household's open cases (all, or of the given kinds) with `outcome`: a
    proposer's consent withdrawn, an unreachable household told at the door."""
    closed = await open_cases_of(session, household_id, kinds)
    now = utcnow()
    for case in closed:
        cases.close_with(session, case, actor, outcome[:30], note, now)
    return closed
