"""A household's aid schedule (`/jadwal`), the reminder switch, and the "Sudah menerima
bantuan?" follow-up after a disbursement date.

The follow-up is claimed per recipient row with one conditional UPDATE (`asked_at IS NULL`),
so several bot processes running the same round ask each household once.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any, cast

from sqlalchemy import CursorResult, Exists, exists, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from db.models.accounts import Account
from db.models.aid import Disbursement, DisbursementRecipient
from db.models.base import utcnow
from db.models.cases import Case
from db.models.households import AidProgram, Household
from services import tasks

SCHEDULED = "scheduled"
CANCELLED = "cancelled"
YES = "ya"
NOT_YET = "belum"
PAST_SHOWN = 5  # past disbursements listed in /jadwal, newest first
# Asked the day after (from this long after the scheduled time), and not for old ones: a new
# installation must not ask about last year's payouts.
ASK_AFTER = dt.timedelta(hours=20)
ASK_WITHIN = dt.timedelta(days=14)
COMPLAINT_CHARS = 500


@dataclass(frozen=True)
class Entry:
    """One disbursement as the household sees it."""

    recipient_id: int
    program: str
    title: str
    amount: int
    scheduled_at: dt.datetime
    place: str
    bring: str | None
    status: str  # scheduled | cancelled
    received: bool  # collected, or the household said "ya"


@dataclass(frozen=True)
class Schedule:
    upcoming: list[Entry]
    past: list[Entry]


def _received(recipient: DisbursementRecipient) -> bool:
    return recipient.collected_at is not None or recipient.resident_answer == YES


async def schedule_of(
    session: AsyncSession, household_id: int, now: dt.datetime | None = None
) -> Schedule:
    """Upcoming disbursements (soonest first) and the last few past ones (newest first)."""
    now = now or utcnow()
    rows = await session.execute(
        select(DisbursementRecipient, Disbursement, AidProgram)
        .join(Disbursement, Disbursement.id == DisbursementRecipient.disbursement_id)
        .join(AidProgram, AidProgram.id == Disbursement.program_id)
        .where(DisbursementRecipient.household_id == household_id)
        .order_by(Disbursement.scheduled_at, Disbursement.id)
    )
    upcoming: list[Entry] = []
    past: list[Entry] = []
    for recipient, disbursement, program in rows:
        entry = Entry(
            recipient_id=recipient.id,
            program=program.code,
            title=disbursement.title,
            amount=disbursement.amount,
            scheduled_at=disbursement.scheduled_at,
            place=disbursement.place,
            bring=disbursement.bring,
            status=disbursement.status,
            received=_received(recipient),
        )
        (upcoming if disbursement.scheduled_at >= now else past).append(entry)
    # A cancelled payout that already passed tells the household nothing: left out.
    past = [e for e in reversed(past) if e.status != CANCELLED][:PAST_SHOWN]
    return Schedule(upcoming=upcoming, past=past)


def set_reminders(account: Account, enabled: bool) -> None:
    """The day-before reminder (sent by the staff's reminder worker) for this account."""
    account.reminders_enabled = enabled


# --------------------------------------------------------------------------- the follow-up


@dataclass(frozen=True)
class FollowUp:
    """Ask `accounts` whether the household received disbursement `recipient_id`."""

    recipient_id: int
    program: str
    title: str
    scheduled_at: dt.datetime
    accounts: list[Account]


def _linked_resident() -> Exists:
    """Someone of the recipient's household can be reached by the bot."""
    return exists().where(
        Account.household_id == DisbursementRecipient.household_id,
        Account.consent == "given",
        Account.bot_blocked.is_(False),
    )


async def due_recipients(session: AsyncSession, now: dt.datetime, limit: int = 200) -> list[int]:
    """Recipient rows to ask about: the payout was at least ASK_AFTER ago (and at most
    ASK_WITHIN), not cancelled, not asked yet, not known to be collected, and someone of the
    household can be reached."""
    rows = await session.scalars(
        select(DisbursementRecipient.id)
        .join(Disbursement, Disbursement.id == DisbursementRecipient.disbursement_id)
        .where(
            Disbursement.status == SCHEDULED,
            Disbursement.scheduled_at <= now - ASK_AFTER,
            Disbursement.scheduled_at >= now - ASK_WITHIN,
            DisbursementRecipient.asked_at.is_(None),
            DisbursementRecipient.collected_at.is_(None),
            DisbursementRecipient.resident_answer.is_(None),
            _linked_resident(),
        )
        .order_by(DisbursementRecipient.id)
        .limit(limit)
    )
    return list(rows)


async def claim(session: AsyncSession, recipient_id: int, now: dt.datetime) -> FollowUp | None:
    """Mark the row as asked; None when another process got there first. The caller commits
    before sending, so a crash after the commit means one question not sent rather than two."""
    result = cast(
        CursorResult[Any],
        await session.execute(
            update(DisbursementRecipient)
            .where(
                DisbursementRecipient.id == recipient_id, DisbursementRecipient.asked_at.is_(None)
            )
            .values(asked_at=now)
        ),
    )
    if result.rowcount != 1:
        return None
    row = (
        await session.execute(
            select(DisbursementRecipient, Disbursement, AidProgram)
            .join(Disbursement, Disbursement.id == DisbursementRecipient.disbursement_id)
            .join(AidProgram, AidProgram.id == Disbursement.program_id)
            .where(DisbursementRecipient.id == recipient_id)
        )
    ).one()
    recipient, disbursement, program = row
    accounts = list(
        await session.scalars(
            select(Account)
            .where(
                Account.household_id == recipient.household_id,
                Account.consent == "given",
                Account.bot_blocked.is_(False),
            )
            .order_by(Account.id)
        )
    )
    return FollowUp(
        recipient.id, program.code, disbursement.title, disbursement.scheduled_at, accounts
    )


@dataclass(frozen=True)
class Answer:
    recipient: DisbursementRecipient
    disbursement: Disbursement
    program: AidProgram
    household: Household
    already: str | None  # the answer recorded earlier, if any (nothing changed then)


async def load_for_household(
    session: AsyncSession, recipient_id: int, household_id: int | None
) -> Answer | None:
    """The recipient row if it belongs to `household_id` (a hand-made callback for another
    household's row gets None)."""
    if household_id is None:
        return None
    row = (
        await session.execute(
            select(DisbursementRecipient, Disbursement, AidProgram, Household)
            .join(Disbursement, Disbursement.id == DisbursementRecipient.disbursement_id)
            .join(AidProgram, AidProgram.id == Disbursement.program_id)
            .join(Household, Household.id == DisbursementRecipient.household_id)
            .where(
                DisbursementRecipient.id == recipient_id,
                DisbursementRecipient.household_id == household_id,
            )
        )
    ).one_or_none()
    if row is None:
        return None
    recipient, disbursement, program, household = row
    return Answer(recipient, disbursement, program, household, recipient.resident_answer)


async def record_answer(
    session: AsyncSession, answer: Answer, value: str, actor: Account
) -> Case | None:
    """Store "ya" or "belum" (once: a second tap changes nothing). "belum" raises a task for
    the area's volunteers, returned so that the caller can add the complaint to it."""
    if value not in (YES, NOT_YET):
        raise ValueError(value)
    if answer.already is not None:
        return None
    answer.recipient.resident_answer = value
    if value == YES:
        return None
    return await _not_received_task(session, answer, actor)


async def record_complaint(
    session: AsyncSession, answer: Answer, text: str | None, actor: Account
) -> Case:
    """The resident's own words about the missing aid (may be None: they skipped)."""
    clean = " ".join(text.split())[:COMPLAINT_CHARS] if text else None
    if clean:
        answer.recipient.complaint = clean
    return await _not_received_task(session, answer, actor, detail=clean)


async def _not_received_task(
    session: AsyncSession, answer: Answer, actor: Account, detail: str | None = None
) -> Case:
    """The volunteers' task for aid not received: one per recipient row, so that the complaint
    that follows the answer lands on the task the answer raised."""
    return await tasks.open_task(
        session,
        answer.household,
        tasks.NOT_RECEIVED,
        source_type="disbursement_recipient",
        source_id=answer.recipient.id,
        detail=detail,
        actor=actor,
    )
