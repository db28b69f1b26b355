"""Cases: a complaint or question from a resident (`aduan`) that a person must answer.

The one model of cases (`db.models.cases`): who should answer (`level`: the desa's PSM, the
kecamatan's TKSK, the office's staff), who took it (`holder`), its state and its thread. A new
message of the same kind from the same household (or, unlinked, the same account) goes to the
case already open: a resident writing three times makes one case, not three (a unique key,
`Case.open_key`, holds this also when two family members write at the same moment).

States: open (nobody answered yet) → taken (someone took it) → waiting (answered; waiting for
the resident) ↔ taken/open (the resident wrote again); passed_up (to the next level, by a
person or by the clock: services.case_clock); closed (with an outcome of the kind's list). The
resident may reopen a closed case within REOPEN_DAYS.

No aiogram and no texts here; texts never hold a plain NIK/KK (the handlers mask them first).
These functions add to the caller's session; the caller commits.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass

from sqlalchemy import select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from db import audit
from db.models.accounts import Account
from db.models.cases import Case, CaseMessage
from domain.identity import mask_id_numbers
from domain.roles import PETUGAS, PSM, TKSK
from services.case_times import AnswerTimes, deadlines_from

# Kinds of case: residents' complaints and questions (ADUAN) and the volunteers' work
# (raised by services.tasks under the same names).
ADUAN = "aduan"
SANGGAH = "sanggah"  # a proposer objects to their proposal's rejection (once)
KINDS = (
    ADUAN, "usulan", "laporan_mendesak", "koreksi", "belum_menerima", "tidak_terjangkau",
    "tidak_dikunjungi", SANGGAH,
)  # fmt: skip
# The kinds answered in writing in the inbox (/kasus); the others are the volunteers' work
# in the field (/tugas).
WRITTEN = (ADUAN, SANGGAH)
# The short number people read and say: "A-123".
PREFIXES = {
    ADUAN: "A", "usulan": "U", "laporan_mendesak": "M", "koreksi": "K", "belum_menerima": "B",
    "tidak_terjangkau": "T", "tidak_dikunjungi": "D", SANGGAH: "S",
}  # fmt: skip

OPEN, TAKEN, WAITING, PASSED_UP, CLOSED = "open", "taken", "waiting", "passed_up", "closed"
STATES = (OPEN, TAKEN, WAITING, PASSED_UP, CLOSED)

LEVEL_PSM, LEVEL_TKSK, LEVEL_STAFF = "psm", "tksk", "staff"
LEVELS = (LEVEL_PSM, LEVEL_TKSK, LEVEL_STAFF)
LEVEL_ROLE = {LEVEL_PSM: PSM, LEVEL_TKSK: TKSK, LEVEL_STAFF: PETUGAS}

# Who wrote a message of the thread.
RESIDENT, VOLUNTEER, STAFF, SYSTEM = "resident", "volunteer", "staff", "system"

# How a case can end, per kind (the handlers show each in plain Indonesian). A proposal ends
# by its verification (services.proposals), the others by the volunteer's choice; outcomes
# that change the data are carried out by services.case_outcomes.
COMPLAINT_OUTCOMES = ("answered", "resolved", "referred", "not_eligible", "no_response")
VERIFIED, REJECTED = "verified", "rejected"
COLLECTED, NOT_ON_LIST, PAYMENT_PROBLEM, OTHER = (
    "collected", "not_on_list", "payment_problem", "other"
)  # fmt: skip
CORRECTED, ALREADY_RIGHT, CANNOT_CHANGE = "corrected", "already_right", "cannot_change"
HANDLED, NOT_URGENT = "handled", "not_urgent"
DELIVERED = "delivered"
UPHELD, DISMISSED = "upheld", "dismissed"
OUTCOMES = {
    ADUAN: COMPLAINT_OUTCOMES,
    "usulan": (VERIFIED, REJECTED),
    "laporan_mendesak": (HANDLED, "referred", NOT_URGENT),
    "koreksi": (CORRECTED, ALREADY_RIGHT, CANNOT_CHANGE),
    "belum_menerima": (COLLECTED, NOT_ON_LIST, PAYMENT_PROBLEM, OTHER),
    "tidak_terjangkau": (DELIVERED,),
    "tidak_dikunjungi": (),
    SANGGAH: (UPHELD, DISMISSED),
}

# Closed by the bot because the resident withdrew their consent (never offered to officers).
CONSENT_WITHDRAWN = "consent_withdrawn"

HELPED, NOT_HELPED = "helped", "not_helped"
REOPEN_DAYS = 7

# Words that mean someone is in danger now: a net under the classifier's urgency flag (which
# reads the whole message), so that these never pass unflagged.
URGENT_WORDS = (
    "belum makan", "tidak makan", "gak makan", "ga makan", "nggak makan", "kelaparan",
    "roboh", "ambruk", "kdrt", "dipukul", "dianiaya", "kekerasan", "sakit parah", "sekarat",
    "kritis", "bunuh diri", "diusir", "kebakaran", "banjir", "tidak bisa bernapas",
)  # fmt: skip
_URGENT = re.compile(r"\b(?:" + "|".join(re.escape(w) for w in URGENT_WORDS) + r")\b")


def looks_urgent(text: str | None) -> bool:
    """Whether a resident's words say someone is in danger or going hungry now: the trained
    reader's emergency flag (services.understanding), or one of the words above."""
    if not text:
        return False
    if _URGENT.search(" ".join(text.lower().split())) is not None:
        return True
    from services import understanding  # scikit-learn: loaded by the bot, not by every CLI

    return understanding.read(text).urgent


def number(case: Case) -> str:
    return f"{PREFIXES.get(case.kind, 'C')}-{case.id}"


@dataclass(frozen=True)
class Item:
    """One thing a person sent: text (masked), a photo, a voice note or a document."""

    text: str | None = None
    file_id: str | None = None
    file_kind: str | None = None  # photo | voice | document

    def as_json(self) -> dict[str, str | None]:
        return {"text": self.text, "file_id": self.file_id, "file_kind": self.file_kind}

    @classmethod
    def from_json(cls, data: dict[str, str | None]) -> Item:
        return cls(data.get("text"), data.get("file_id"), data.get("file_kind"))


@dataclass(frozen=True)
class Raised:
    case: Case
    created: bool  # a new case (else: added to the one already open)
    became_urgent: bool  # tell everyone at once


def _open_key(kind: str, household_id: int | None, account: Account) -> str:
    return f"{kind}:h{household_id}" if household_id is not None else f"{kind}:a{account.id}"


async def _has_people(session: AsyncSession, level: str, desa: str, kecamatan: str) -> bool:
    role = LEVEL_ROLE[level]
    condition = Account.role == role
    if level == LEVEL_PSM:
        condition = condition & (Account.area_code == desa)
    elif level == LEVEL_TKSK:
        condition = condition & (Account.area_code == kecamatan)
    found = await session.scalar(
        select(Account.id).where(condition, Account.bot_blocked.is_(False)).limit(1)
    )
    return found is not None


async def first_level(session: AsyncSession, desa: str, kecamatan: str, after: str = "") -> str:
    """The first level (after `after`) that has someone to answer; staff always do."""
    start = LEVELS.index(after) + 1 if after else 0
    for level in LEVELS[start:-1]:
        if await _has_people(session, level, desa, kecamatan):
            return level
    return LEVEL_STAFF


def add_message(
    session: AsyncSession, case: Case, author: Account | None, role: str, item: Item,
    now: dt.datetime,
) -> CaseMessage:  # fmt: skip
    message = CaseMessage(
        case_id=case.id,
        author_account_id=author.id if author is not None else None,
        role=role,
        text=mask_id_numbers(item.text) if item.text else None,  # a last guard
        file_id=item.file_id,
        file_kind=item.file_kind,
        created_at=now,
    )
    session.add(message)
    case.last_message_at = now
    return message


async def raise_or_add(
    session: AsyncSession,
    account: Account,
    items: list[Item],
    *,
    desa_code: str,
    kecamatan_code: str,
    household_id: int | None,
    now: dt.datetime,
    times: AnswerTimes,
    kind: str = ADUAN,
    above: str = "",
) -> Raised:
    """Open a case with the resident's messages, or add them to their open case of the kind.
    `above`: a level it must go past (an objection goes to the TKSK, not the PSM who
    decided)."""
    key = _open_key(kind, household_id, account)
    case = await session.scalar(select(Case).where(Case.open_key == key))
    created = case is None
    if case is None:
        level = await first_level(session, desa_code, kecamatan_code, after=above)
        due = deadlines_from(now, level, times)
        case = Case(
            kind=kind, household_id=household_id, desa_code=desa_code,
            kecamatan_code=kecamatan_code, raised_by_account_id=account.id, open_key=key,
            state=OPEN, level=level, urgent=False, created_at=now, last_message_at=now,
            first_answer_due_at=due.first_answer, next_reminder_at=due.reminder,
            escalate_at=due.escalate, escalations=0, reopened_count=0,
        )  # fmt: skip
        try:
            async with session.begin_nested():
                session.add(case)
        except IntegrityError:  # another message of the household opened it at this moment
            case = await session.scalar(select(Case).where(Case.open_key == key))
            if case is None:
                raise
            created = False
        else:
            audit.record(session, account, "case.raised", "case", case.id, kind=kind)
    if not created:
        resident_wrote(case, now, times)
    for item in items:
        add_message(session, case, account, RESIDENT, item, now)
    became_urgent = not case.urgent and any(looks_urgent(item.text) for item in items)
    if became_urgent:
        case.urgent = True
    await session.flush()
    return Raised(case, created, became_urgent)


def resident_wrote(case: Case, now: dt.datetime, times: AnswerTimes) -> None:
    """The resident wrote again: it is the answerer's turn (and the reminder's) once more."""
    if case.state == WAITING:
        case.state = TAKEN if case.holder_account_id is not None else OPEN
    if case.answered_at is not None and case.next_reminder_at is None:
        case.next_reminder_at = now + times.reminder_after


async def resident_message(
    session: AsyncSession, case: Case, account: Account, item: Item, now: dt.datetime,
    times: AnswerTimes,
) -> CaseMessage:  # fmt: skip
    resident_wrote(case, now, times)
    message = add_message(session, case, account, RESIDENT, item, now)
    if not case.urgent and looks_urgent(item.text):
        case.urgent = True
    await session.flush()
    return message


def answerer_role(account: Account) -> str:
    return STAFF if account.role == PETUGAS else VOLUNTEER


def take(session: AsyncSession, case: Case, account: Account) -> bool:
    """The volunteer or staff member takes the case: they answer it from now on."""
    if case.state == CLOSED:
        return False
    case.holder_account_id = account.id
    if case.state in (OPEN, PASSED_UP):
        case.state = TAKEN
    audit.record(session, account, "case.taken", "case", case.id)
    return True


async def reply(
    session: AsyncSession, case: Case, account: Account, item: Item, now: dt.datetime
) -> CaseMessage | None:
    """An answer to the resident: the first one stops the clock; answering takes the case."""
    if case.state == CLOSED:
        return None
    message = add_message(session, case, account, answerer_role(account), item, now)
    if case.answered_at is None:
        case.answered_at = now
    case.escalate_at = None
    case.next_reminder_at = None
    if case.holder_account_id is None:
        case.holder_account_id = account.id
    case.state = WAITING
    await session.flush()
    return message


async def pass_up(
    session: AsyncSession, case: Case, actor: Account | None, now: dt.datetime,
    times: AnswerTimes,
) -> str | None:  # fmt: skip
    """Hand the case to the next level that has people (PSM → TKSK → staff); None when it is
    with staff already. `actor` None: the clock did it (unanswered too long)."""
    if case.state == CLOSED or case.level == LEVEL_STAFF:
        return None
    level = await first_level(session, case.desa_code, case.kecamatan_code, after=case.level)
    case.level = level
    case.state = PASSED_UP
    case.holder_account_id = None
    case.next_reminder_at = None
    case.escalate_at = (
        deadlines_from(case.created_at, level, times).escalate if case.answered_at is None
        else None
    )  # fmt: skip
    if actor is None:
        case.escalations += 1
    add_message(session, case, actor, SYSTEM, Item(text=None), now)
    audit.record(session, actor, "case.passed_up", "case", case.id, level=level)
    await session.flush()
    return level


def close(
    session: AsyncSession, case: Case, actor: Account, outcome: str, note: str | None,
    now: dt.datetime,
) -> bool:  # fmt: skip
    """An officer closes the case with an outcome of its kind's list."""
    if case.state == CLOSED or outcome not in OUTCOMES.get(case.kind, ()):
        return False
    close_with(session, case, actor, outcome, note, now)
    return True


def close_with(
    session: AsyncSession, case: Case, actor: Account | None, outcome: str, note: str | None,
    now: dt.datetime,
) -> None:  # fmt: skip
    """Close the case (the bot's own outcomes too, e.g. consent withdrawn)."""
    case.state = CLOSED
    case.closed_at = now
    case.closed_by_account_id = actor.id if actor is not None else None
    case.outcome = outcome
    case.outcome_note = mask_id_numbers(note)[:1000] if note else None
    case.open_key = None
    case.next_reminder_at = case.escalate_at = None
    case.resident_feedback = None
    if case.answered_at is None:
        case.answered_at = now  # closing answers it (the answer-time figures count it)
    audit.record(session, actor, "case.closed", "case", case.id, outcome=outcome)


def may_reopen(case: Case, account: Account, now: dt.datetime) -> bool:
    return (
        case.state == CLOSED
        and case.raised_by_account_id == account.id
        and case.closed_at is not None
        and now - case.closed_at <= dt.timedelta(days=REOPEN_DAYS)
    )


async def reopen(
    session: AsyncSession, case: Case, account: Account, now: dt.datetime, times: AnswerTimes
) -> bool:
    """The resident says it is not solved (within REOPEN_DAYS of closing). False when too late
    or when another case of the kind is open for them already (they write there)."""
    if not may_reopen(case, account, now):
        return False
    key = _open_key(case.kind, case.household_id, account)
    if await session.scalar(select(Case.id).where(Case.open_key == key)) is not None:
        return False
    due = deadlines_from(now, case.level, times)
    case.open_key = key
    case.state = TAKEN if case.holder_account_id is not None else OPEN
    case.closed_at = None
    case.outcome = None
    case.answered_at = None
    case.first_answer_due_at = due.first_answer
    case.next_reminder_at = due.reminder
    case.escalate_at = due.escalate
    case.reopened_count += 1
    audit.record(session, account, "case.reopened", "case", case.id)
    await session.flush()
    return True


def feedback(case: Case, account: Account, helped: bool) -> bool:
    if case.state != CLOSED or case.raised_by_account_id != account.id:
        return False
    case.resident_feedback = HELPED if helped else NOT_HELPED
    return True


async def forget_resident(session: AsyncSession, account: Account, now: dt.datetime) -> int:
    """Consent withdrawn (services.my_data): what the resident wrote or sent is emptied, their
    open cases are closed, and no case points at them any more; what officers answered stays
    with the office. Returns how many cases were theirs."""
    theirs = list(
        await session.scalars(select(Case).where(Case.raised_by_account_id == account.id))
    )
    for case in theirs:
        if case.state != CLOSED:
            case.state, case.closed_at, case.outcome = CLOSED, now, CONSENT_WITHDRAWN
            case.open_key = case.next_reminder_at = case.escalate_at = None
        case.raised_by_account_id = None
    if theirs:
        await session.execute(
            update(CaseMessage)
            .where(CaseMessage.case_id.in_([c.id for c in theirs]), CaseMessage.role == RESIDENT)
            .values(text=None, file_id=None, file_kind=None, author_account_id=None)
        )
    return len(theirs)


# --------------------------------------------------------------------------- who answers


async def answerers(session: AsyncSession, case: Case) -> list[Account]:
    """Who gets the resident's messages: the holder, or everyone of the case's level."""
    if case.holder_account_id is not None:
        holder = await session.get(Account, case.holder_account_id)
        if holder is not None and holder.role in LEVEL_ROLE.values() and not holder.bot_blocked:
            return [holder]
    return await level_people(session, case, case.level)


async def level_people(session: AsyncSession, case: Case, level: str) -> list[Account]:
    condition = Account.role == LEVEL_ROLE[level]
    if level == LEVEL_PSM:
        condition = condition & (Account.area_code == case.desa_code)
    elif level == LEVEL_TKSK:
        condition = condition & (Account.area_code == case.kecamatan_code)
    found = await session.scalars(
        select(Account).where(condition, Account.bot_blocked.is_(False)).order_by(Account.id)
    )
    return list(found)


async def urgent_people(session: AsyncSession, case: Case) -> list[Account]:
    """An urgent case: the desa's PSM, the kecamatan's TKSK and staff, at once."""
    people: list[Account] = []
    for level in LEVELS:
        people += await level_people(session, case, level)
    return people
