"""A resident's own data (`/dataku`): what is shown, correction requests, and withdrawal.

Withdrawal of consent (UU PDP 27/2022, Pasal 8-9) — from /dataku or /privasi — does, in one
unit of work:

- the account is unlinked (household and member cleared), consent becomes "withdrawn", the
  first name is forgotten and reminders are switched off;
- messages still queued for the account (deliveries pending) are dropped, so the only message
  left is the final confirmation;
- what the resident entered is anonymised: on their self-reports the photo, the location and
  every free-text answer are cleared and the report no longer points at the account (the
  household-level figures — income, members, the poverty flag — stay with the office, which
  needs them for its public task, Pasal 20(2)(e)); their open correction requests are closed
  and emptied; their training sign-ups are cancelled;
- a household they proposed that is still unverified loses its phone, description, address and
  the KK/NIK identifiers they typed, and its open tasks are closed (a verified one is the
  office's record now, like the BNBA list);
- their complaints (services.cases) lose what they wrote or sent, open ones are closed, and no
  case points at the account any more;
- BNBA households and members stay as they are.

Every step is in the audit log with counts only, never personal data.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field
from typing import Any, cast

from sqlalchemy import CursorResult, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from db import audit
from db.models.accounts import Account
from db.models.aid import Enrollment, Training
from db.models.base import utcnow
from db.models.broadcasts import Delivery
from db.models.cases import Case
from db.models.field import StatusReport
from db.models.households import Household, Member
from db.protect import mask_name
from domain.identity import mask_id_numbers
from services import cases, linking, tasks
from services import enrollment as enrollment_service
from services.proposals import FROM_RESIDENT, PENDING
from services.reports import latest_report

# A choice answer is a short code ("tani", "ya"); anything else in a report's answers is taken
# for text the resident typed and is removed on withdrawal.
_CODE = re.compile(r"[a-z0-9_]{1,30}")


@dataclass(frozen=True)
class MemberLine:
    name_masked: str
    relationship: str
    nik_masked: str
    is_me: bool


@dataclass(frozen=True)
class ReportLine:
    created_at: dt.datetime
    extreme_poor: bool | None
    income_per_person_day: int | None
    members_count: int | None
    urgent: bool


@dataclass(frozen=True)
class TrainingLine:
    title: str
    starts_at: dt.datetime
    status: str


@dataclass(frozen=True)
class MyData:
    household: linking.HouseholdView | None
    rt: str | None = None
    rw: str | None = None
    source: str | None = None
    verification_note: str | None = None
    members: list[MemberLine] = field(default_factory=list)
    latest_report: ReportLine | None = None
    trainings: list[TrainingLine] = field(default_factory=list)


async def my_data(session: AsyncSession, account: Account) -> MyData:
    household = await linking.linked_household(session, account)
    if household is None:
        return MyData(household=None)
    members = await session.scalars(
        select(Member).where(Member.household_id == household.id).order_by(Member.id)
    )
    report = await latest_report(session, household.id)
    trainings = await session.execute(
        select(Training.title, Training.starts_at, Enrollment.status)
        .join(Enrollment, Enrollment.training_id == Training.id)
        .join(Member, Member.id == Enrollment.member_id)
        .where(Member.household_id == household.id)
        .order_by(Training.starts_at.desc())
        .limit(10)
    )
    audit.record(session, account, "own_data.viewed", "household", household.id)
    return MyData(
        household=await linking.household_view(session, household),
        rt=household.rt,
        rw=household.rw,
        source=household.source,
        verification_note=household.verification_note,
        members=[
            MemberLine(
                mask_name(m.name),
                m.relationship_to_head,
                m.nik_masked or "",
                m.id == account.member_id,
            )
            for m in members
        ],
        latest_report=ReportLine(
            report.created_at,
            report.extreme_poor,
            report.income_per_person_day,
            report.members_count,
            report.urgent,
        )
        if report is not None
        else None,
        trainings=[TrainingLine(t, s, st) for t, s, st in trainings],
    )


def scrub_numbers(text: str) -> str:
    """A NIK or KK typed into free text is masked before it is stored."""
    return mask_id_numbers(text)


async def request_correction(session: AsyncSession, account: Account, text: str) -> Case | None:
    household = await linking.linked_household(session, account)
    if household is None:
        return None
    task = await tasks.open_task(
        session,
        household,
        tasks.CORRECTION,
        source_type="account",
        source_id=account.id,
        detail=scrub_numbers(text)[:1000],
        actor=account,
    )
    audit.record(session, account, "correction.requested", "case", task.id)
    return task


def _scrub_answers(answers: dict[str, Any]) -> dict[str, Any]:
    kept: dict[str, Any] = {}
    for key, value in (answers or {}).items():
        if isinstance(value, bool | int | float) or value is None:
            kept[key] = value
        elif isinstance(value, str) and _CODE.fullmatch(value):
            kept[key] = value
        elif isinstance(value, list) and all(
            isinstance(v, str) and _CODE.fullmatch(v) for v in value
        ):
            kept[key] = value
    return kept


async def withdraw(
    session: AsyncSession,
    account: Account,
    via: str,
    promoted: list[Enrollment] | None = None,
) -> dict[str, int]:
    """Withdraw consent, unlink and anonymise (see the module docstring). Returns counts.
    Sign-ups moved up from a waiting list into a seat this frees are added to `promoted`, for
    the caller to tell them."""
    counts: dict[str, int] = {}
    household_id = linking.unlink(session, account, reason="consent_withdrawn")
    counts["unlinked"] = int(household_id is not None)

    account.consent = "withdrawn"
    account.consent_at = utcnow()
    account.first_name = None
    account.reminders_enabled = False
    audit.record(session, account, "consent.withdrawn", "account", account.id, via=via)

    dropped = cast(
        CursorResult[Any],
        await session.execute(
            update(Delivery)
            .where(Delivery.account_id == account.id, Delivery.status == "pending")
            .values(status="failed", last_error="consent withdrawn")
        ),
    )
    counts["deliveries_dropped"] = dropped.rowcount or 0

    reports = list(
        await session.scalars(select(StatusReport).where(StatusReport.account_id == account.id))
    )
    for report in reports:
        report.answers = _scrub_answers(report.answers)
        report.photo_file_id = None
        report.latitude = report.longitude = None
        report.account_id = None
    counts["reports_anonymised"] = len(reports)

    enrollments = list(
        await session.scalars(
            select(Enrollment).where(
                Enrollment.account_id == account.id,
                Enrollment.status.in_(("enrolled", "waiting")),
            )
        )
    )
    for enrollment in enrollments:
        # The trainings' own cancel: a freed seat goes to the first on the waiting list.
        result = await enrollment_service.cancel(session, enrollment)
        if result is not None and result.promoted is not None and promoted is not None:
            promoted.append(result.promoted)
        enrollment.account_id = None
    counts["enrollments_cancelled"] = len(enrollments)

    proposals = list(
        await session.scalars(
            select(Household).where(
                Household.proposed_by_account_id == account.id,
                Household.source == FROM_RESIDENT,
                Household.verification == PENDING,
            )
        )
    )
    for household in proposals:
        household.phone = household.description = household.address = None
        household.kk_hash = household.kk_encrypted = household.kk_masked = None
        household.verification = "ditolak"  # nothing left to verify
        household.verification_note = "withdrawn_by_proposer"
        await session.execute(
            update(Member)
            .where(Member.household_id == household.id)
            .values(nik_hash=None, nik_encrypted=None, nik_masked=None, name="-")
        )
        await tasks.resolve_household_tasks(session, household.id, account, cases.CONSENT_WITHDRAWN)
    counts["proposals_anonymised"] = len(proposals)

    counts["complaints_anonymised"] = await cases.forget_resident(session, account, utcnow())

    audit.record(session, account, "personal_data.anonymised", "account", account.id, **counts)
    return counts
