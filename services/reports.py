"""Self-reports of a household (`/lapor`): saved with their computed figures, never overwritten.

Figures computed on save: income per person per day (monthly income / members / 30, rounded)
and whether the household is under the extreme-poverty line (income per person per month
below `Settings.extreme_poverty_line`). Urgent answers (no food, a severe illness, an unsafe
house) flag the household for a volunteer visit and raise a task in the volunteers' list.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from db.models.accounts import Account
from db.models.field import StatusReport
from db.models.households import Household
from services import findings, tasks

DAYS_PER_MONTH = 30

# The answers that mean "someone should come and see this household now".
URGENT_ANSWERS = {
    "food": "tidak_ada",  # no food at home today
    "sickness": "parah",  # someone severely ill and not treated
    "house_safety": "tidak_aman",  # the house may collapse / is unsafe to live in
}


@dataclass(frozen=True)
class Figures:
    income_per_person_day: int | None
    income_per_person_month: int | None
    extreme_poor: bool | None


def compute_figures(income_monthly: int | None, members: int | None, line: int) -> Figures:
    """Income per person per day and month; extreme poverty against `line` (per person per
    month). Unknown when the income or the number of members is missing."""
    if income_monthly is None or not members:
        return Figures(None, None, None)
    per_month = income_monthly / members
    return Figures(
        income_per_person_day=round(per_month / DAYS_PER_MONTH),
        income_per_person_month=round(per_month),
        extreme_poor=per_month < line,
    )


def urgent_reasons(answers: dict[str, Any]) -> list[str]:
    """Which urgent answers were given, e.g. ["food", "house_safety"]."""
    return [name for name, value in URGENT_ANSWERS.items() if answers.get(name) == value]


def _json_answers(answers: dict[str, Any]) -> dict[str, Any]:
    """The form's answers as stored in `status_reports.answers` (JSON, no photo/location:
    those have their own columns)."""
    out = {}
    for name, value in answers.items():
        if name in ("photo", "location"):
            continue
        out[name] = value.isoformat() if hasattr(value, "isoformat") else value
    return out


async def save_report(
    session: AsyncSession,
    household: Household,
    reporter: Account,
    answers: dict[str, Any],
    *,
    poverty_line: int,
) -> StatusReport:
    """Add a new report (history is kept: earlier reports stay as they were)."""
    income = answers.get("income")
    members = answers.get("members")
    figures = compute_figures(income, members, poverty_line)
    reasons = urgent_reasons(answers)
    location = answers.get("location") or {}
    report = StatusReport(
        household_id=household.id,
        account_id=reporter.id,
        answers=_json_answers(answers),
        income_monthly=income,
        members_count=members,
        income_per_person_day=figures.income_per_person_day,
        extreme_poor=figures.extreme_poor,
        urgent=bool(reasons),
        photo_file_id=answers.get("photo"),
        latitude=location.get("lat"),
        longitude=location.get("lon"),
    )
    session.add(report)
    await session.flush()
    findings.note(household, report.extreme_poor, report.created_at)
    if reasons:
        household.needs_visit = True
        household.needs_visit_reason = tasks.URGENT_REPORT
        await tasks.open_task(
            session,
            household,
            tasks.URGENT_REPORT,
            source_type="status_report",
            source_id=report.id,
            detail=", ".join(reasons),
            actor=reporter,
        )
    return report


async def reports_of(session: AsyncSession, household_id: int) -> list[StatusReport]:
    """The household's reports, oldest first."""
    rows = await session.scalars(
        select(StatusReport)
        .where(StatusReport.household_id == household_id)
        .order_by(StatusReport.created_at, StatusReport.id)
    )
    return list(rows)


async def latest_report(session: AsyncSession, household_id: int) -> StatusReport | None:
    """The household's latest report, or None."""
    return await session.scalar(
        select(StatusReport)
        .where(StatusReport.household_id == household_id)
        .order_by(StatusReport.created_at.desc(), StatusReport.id.desc())
        .limit(1)
    )
