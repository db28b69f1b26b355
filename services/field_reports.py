"""What volunteers bring back from the field: a visit (its outcome, a proposed household's
verification, the household's tasks resolved) and a quick report. Scoped and audited like
services.field_work; no aiogram and no texts here. The update's unit of work commits.
"""

from __future__ import annotations

import datetime as dt
import math
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from db import audit
from db.models.accounts import Account
from db.models.base import utcnow
from db.models.cases import Case
from db.models.field import FieldVisit, QuickReport, StatusReport
from db.models.households import Household, Member
from services import case_outcomes, findings, tasks
from services.field_work import REJECTED, VERIFIED, WAITING, age_on, members_of
from services.reports import compute_figures

# Field visit outcomes (FieldVisit.outcome)
MET = "ditemui"
NOBODY_HOME = "tidak_ada_orang"
MOVED = "pindah"
DIED = "meninggal"
NOT_FOUND = "alamat_tidak_ditemukan"
DATA_WRONG = "data_salah"
OUTCOMES = (MET, NOBODY_HOME, MOVED, DIED, NOT_FOUND, DATA_WRONG)

# A location far from where the household was seen before is flagged (not refused).
FAR_KM = 2.0
# Kabupaten Bekasi with a margin (there are no desa boundaries in the data).
BEKASI_BOX = (-6.56, -5.85, 106.90, 107.36)  # lat min, lat max, lon min, lon max


def in_bekasi(lat: float, lon: float) -> bool:
    lat_min, lat_max, lon_min, lon_max = BEKASI_BOX
    return lat_min <= lat <= lat_max and lon_min <= lon <= lon_max


def distance_km(a: tuple[float, float], b: tuple[float, float]) -> float:
    lat1, lon1, lat2, lon2 = map(math.radians, (*a, *b))
    h = (
        math.sin((lat2 - lat1) / 2) ** 2
        + math.cos(lat1) * math.cos(lat2) * math.sin((lon2 - lon1) / 2) ** 2
    )
    return 2 * 6371.0 * math.asin(math.sqrt(h))


def visit_context(household: Household, members: list[Member], today: dt.date) -> dict[str, Any]:
    """What the visit form needs to know (kept in the FSM state, encrypted at rest)."""
    return {
        "household_id": household.id,
        "kk": household.kk_masked,
        "proposed": household.verification == WAITING,
        "members": [
            {
                "id": str(m.id),
                "name": m.name,
                "age": age_on(m.birth_date, today),
                "difabel": bool(m.severe_disability),
            }
            for m in members
        ],
    }


async def earlier_location(session: AsyncSession, household_id: int) -> tuple[float, float] | None:
    """Where the household was last located (a visit, else a self-report), if ever."""
    for model, order in (
        (FieldVisit, FieldVisit.visited_at),
        (StatusReport, StatusReport.created_at),
    ):
        row = (
            await session.execute(
                select(model.latitude, model.longitude)
                .where(
                    model.household_id == household_id,
                    model.latitude.is_not(None),
                    model.longitude.is_not(None),
                )
                .order_by(order.desc())
                .limit(1)
            )
        ).first()
        if row is not None:
            latitude, longitude = row
            if latitude is not None and longitude is not None:  # as the WHERE above asks
                return float(latitude), float(longitude)
    return None


@dataclass
class VisitResult:
    visit: FieldVisit
    decision: str | None = None  # terverifikasi | ditolak, for a proposed household
    proposer: Account | None = None
    far_km: float | None = None  # distance from the earlier location, when far
    open_cases: list[Case] = field(default_factory=list)  # still open: did the visit end any?
    proposal_case: Case | None = None  # the proposal's case the decision closed


# A visit's finding that takes the household out of new schedules, area broadcasts and the
# statistics (kept for history and exports).
STATUS_OF = {MOVED: "pindah", DIED: "meninggal", NOT_FOUND: "tidak_ditemukan"}
ACTIVE = "aktif"


async def record_visit(
    session: AsyncSession,
    account: Account,
    household: Household,
    answers: dict[str, Any],
    *,
    now: dt.datetime | None = None,
    poverty_line: int | None = None,
) -> VisitResult:
    """Save the visit and what it changes: members found gone leave the household, a moved,
    died or not-found household gets that status, a proposal's decision closes its case, and
    the income found counts like a self-report. The household's other open cases stay open:
    the volunteer says which of them the visit resolved (services.case_outcomes)."""
    now = now or utcnow()
    outcome = answers["outcome"]
    location = answers.get("location")
    lat = lon = None
    far_km = None
    if location and answers.get("location_ok") != "drop":
        lat, lon = float(location["lat"]), float(location["lon"])
        before = await earlier_location(session, household.id)
        if before is not None:
            distance = distance_km(before, (lat, lon))
            far_km = round(distance, 1) if distance > FAR_KM else None
    stored = {
        key: value
        for key, value in answers.items()
        if key not in ("photo", "location", "note") and value is not None
    }
    visit = FieldVisit(
        household_id=household.id,
        volunteer_account_id=account.id,
        outcome=outcome,
        answers=stored,
        photo_file_id=answers.get("photo"),
        latitude=lat,
        longitude=lon,
        note=answers.get("note"),
        visited_at=now,
    )
    session.add(visit)
    if outcome == MET:
        members_now = len(
            [m for m in (await members_of(session, [household.id]))[household.id]
             if m.left_at is None and str(m.id) not in {str(g) for g in answers.get("gone") or []}]
        )  # fmt: skip
        income = answers.get("income")
        if isinstance(income, int) and members_now:
            figures = compute_figures(income, members_now, poverty_line) if poverty_line else None
            visit.income_monthly, visit.members_count = income, members_now
            if figures is not None:
                visit.income_per_person_day = figures.income_per_person_day
                visit.extreme_poor = figures.extreme_poor
                findings.note(household, figures.extreme_poor, now)
        difabel = set(answers.get("difabel") or [])
        gone = {str(g) for g in answers.get("gone") or []}
        for member in (await members_of(session, [household.id]))[household.id]:
            member.severe_disability = str(member.id) in difabel
            if str(member.id) in gone and member.left_at is None:
                # No longer living here: off the household's members, kept for history.
                member.left_at, member.left_reason = now, "tidak_tinggal"
                audit.record(session, account, "member.left", "household", household.id,
                             member_id=member.id, reason="tidak_tinggal")  # fmt: skip
    new_status = STATUS_OF.get(outcome)
    if new_status is not None and household.status != new_status:
        audit.record(
            session, account, "household.status_changed", "household", household.id,
            before=household.status, after=new_status,
        )  # fmt: skip
        household.status = new_status
    result = VisitResult(visit, far_km=far_km)
    if outcome != NOBODY_HOME:  # nobody met: the visit still has to be made
        household.last_visit_at = now
        household.needs_visit = False
        household.needs_visit_reason = None
    decision = answers.get("decision")
    if household.verification == WAITING and decision in (VERIFIED, REJECTED):
        # The proposer stays linked: they see the reason and may object once (sanggah);
        # they are never sent back to /daftar into the rejected family.
        closed = await case_outcomes.verify_proposal(
            session, household, account, decision, answers.get("reject_reason"), now
        )
        result.decision = decision
        if household.proposed_by_account_id is not None:
            result.proposer = await session.get(Account, household.proposed_by_account_id)
        result.proposal_case = closed.case if closed is not None else None
    await session.flush()
    result.open_cases = await tasks.open_cases_of(session, household.id)
    audit.record(
        session,
        account,
        "visit.recorded",
        "household",
        household.id,
        visit_id=visit.id,
        outcome=outcome,
        decision=result.decision,
    )
    return result


async def record_quick_report(
    session: AsyncSession,
    account: Account,
    text: str,
    photo_file_id: str | None,
    location: tuple[float, float] | None,
) -> QuickReport:
    report = QuickReport(
        account_id=account.id,
        role=account.role,
        area_code=account.area_code,
        text=text,
        photo_file_id=photo_file_id,
        latitude=location[0] if location else None,
        longitude=location[1] if location else None,
    )
    session.add(report)
    await session.flush()
    audit.record(session, account, "quick_report.sent", "quick_report", report.id)
    return report
