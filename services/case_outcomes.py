"""What closing a case changes in the data, per kind, each change audited with before and
after; the caller tells the resident (handlers.volunteers.case_close).

- usulan (a proposal): verified (to be proposed to DTKS/DTSEN; no promise of aid) or rejected
  with a reason; the proposer stays linked, sees the reason and may object once (`sanggah`);
- sanggah (the proposer's objection, answered by the TKSK): upheld puts the family back to
  "waiting for verification" with a new proposal case; dismissed keeps the rejection;
- belum_menerima: collected after all marks the schedule's row collected; not on the list,
  a payment problem (passed to the paying bank or post office) or other only close it;
- laporan_mendesak: handled, referred or not urgent; the household no longer waits for a visit;
- koreksi: the edits themselves are made before (services.household_edit); closing says
  whether the data was changed;
- tidak_terjangkau: the messages were passed on at the door.

No aiogram and no texts here.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from db import audit
from db.models.accounts import Account
from db.models.aid import DisbursementRecipient
from db.models.cases import Case
from db.models.households import Household
from services import cases, tasks

SANGGAH = cases.SANGGAH
# Outcomes that need the officer's words (the resident is told why).
NOTE_REQUIRED = {("usulan", cases.REJECTED), ("belum_menerima", cases.OTHER),
                 (SANGGAH, cases.DISMISSED)}  # fmt: skip

VERIFIED_STATUS, REJECTED_STATUS, WAITING_STATUS = (
    "terverifikasi", "ditolak", "menunggu_verifikasi"
)  # fmt: skip


@dataclass
class Closed:
    case: Case
    resident: Account | None  # whom to tell (the one who raised it), if anyone
    reopened_proposal: Case | None = None  # a sanggah upheld: the proposal to verify again


async def close(
    session: AsyncSession, case: Case, actor: Account, outcome: str, note: str | None,
    now: dt.datetime,
) -> Closed | None:  # fmt: skip
    """Close the case with its outcome and carry the outcome out; None when it cannot be
    closed (closed already, an outcome not of its kind, a missing reason)."""
    if (case.kind, outcome) in NOTE_REQUIRED and not (note or "").strip():
        return None
    if not cases.close(session, case, actor, outcome, note, now):
        return None
    household = (
        await session.get(Household, case.household_id) if case.household_id is not None
        else None
    )  # fmt: skip
    result = Closed(case, await _raiser(session, case))
    if household is None:
        return result
    if case.kind == tasks.USULAN:
        status = VERIFIED_STATUS if outcome == cases.VERIFIED else REJECTED_STATUS
        set_verification(session, household, actor, status, note)
    elif case.kind == SANGGAH and outcome == cases.UPHELD:
        set_verification(session, household, actor, WAITING_STATUS, None)
        # Raised in the proposer's name: they hear how the new verification ends.
        proposer = (
            await session.get(Account, household.proposed_by_account_id)
            if household.proposed_by_account_id is not None else None
        )  # fmt: skip
        result.reopened_proposal = await tasks.open_task(
            session, household, tasks.USULAN, source_type="sanggah", source_id=case.id,
            detail=note, actor=proposer, now=now,
        )  # fmt: skip
    elif case.kind == tasks.NOT_RECEIVED and outcome == cases.COLLECTED:
        await _mark_collected(session, case, actor, now)
    elif case.kind == tasks.URGENT_REPORT and household.needs_visit:
        household.needs_visit, household.needs_visit_reason = False, None
    await session.flush()
    return result


def set_verification(
    session: AsyncSession, household: Household, actor: Account, status: str, note: str | None
) -> None:
    before = household.verification
    household.verification = status
    household.verification_note = note[:500] if status == REJECTED_STATUS and note else None
    audit.record(session, actor, "household.verification", "household", household.id,
                 before=before, after=status)  # fmt: skip


async def verify_proposal(
    session: AsyncSession, household: Household, actor: Account, decision: str,
    reason: str | None, now: dt.datetime,
) -> Closed | None:  # fmt: skip
    """A visit decided a proposal (terverifikasi | ditolak): close its open case, or set the
    household's verification when no case is open (an old proposal)."""
    outcome = cases.VERIFIED if decision == VERIFIED_STATUS else cases.REJECTED
    for case in await tasks.open_cases_of(session, household.id, [tasks.USULAN]):
        return await close(session, case, actor, outcome, reason or None, now)
    set_verification(session, household, actor, decision, reason)
    return None


async def _mark_collected(
    session: AsyncSession, case: Case, actor: Account, now: dt.datetime
) -> None:
    if case.source_type != "disbursement_recipient" or case.source_id is None:
        return
    row = await session.get(DisbursementRecipient, case.source_id)
    if row is None or row.collected_at is not None:
        return
    row.collected_at = now
    audit.record(
        session, actor, "disbursement.collected", "disbursement", row.disbursement_id,
        via="case", household_id=row.household_id, marked=1, before=None, after="collected",
    )  # fmt: skip


async def _raiser(session: AsyncSession, case: Case) -> Account | None:
    if case.raised_by_account_id is None:
        return None
    return await session.get(Account, case.raised_by_account_id)


async def may_object(session: AsyncSession, household: Household, account: Account) -> bool:
    """The proposer of a rejected family may object once (`sanggah`)."""
    if household.verification != REJECTED_STATUS or household.proposed_by_account_id != account.id:
        return False
    earlier = await session.scalar(
        select(Case.id).where(Case.household_id == household.id, Case.kind == SANGGAH).limit(1)
    )
    return earlier is None
