"""Broadcasts: who an audience is, the durable per-recipient queue, pause/cancel/resend, and
the households a broadcast could not reach (visit tasks for their volunteers).

An audience is a small dict (see the broadcast contract in the README):
`{"type": "residents"}`, `{"type": "kecamatan", "codes": [...]}`, `{"type": "desa", "codes":
[...]}`, `{"type": "program", "code": "BLT"}`, `{"type": "disbursement", "id": 12}`,
`{"type": "training", "id": 3}`, `{"type": "volunteers", "area": "32.16.05" | None}`.

Residents are reached through accounts linked to a household with consent given and not
blocked and not opted out ("berhenti"); reminders also skip those who switched reminders
off. No aiogram, no gettext here;
these functions add to the caller's session, the caller commits.
"""

from __future__ import annotations

from typing import Any, cast

from sqlalchemy import (
    ColumnElement,
    CursorResult,
    Select,
    and_,
    func,
    insert,
    literal,
    or_,
    select,
    update,
)
from sqlalchemy.ext.asyncio import AsyncSession

from db.models.accounts import Account
from db.models.aid import DisbursementRecipient, Enrollment
from db.models.base import utcnow
from db.models.broadcasts import Broadcast, Delivery
from db.models.households import AidProgram, Household, HouseholdProgram, Member
from domain.roles import PSM, TKSK
from services import tasks

# How much of a message an unreachable household's task quotes (its opening words).
PASS_ON_WORDS = 140

MANUAL = "manual"
REMINDER = "reminder"
NOTICE = "notice"

AUDIENCE_TYPES = (
    "residents",
    "kecamatan",
    "desa",
    "program",
    "disbursement",
    "training",
    "volunteers",
)
# Broadcast statuses: draft | queued | sending | paused | cancelled | done
ACTIVE = ("queued", "sending", "paused")
# Delivery statuses; "unknown": it was in flight when a sender died (maybe delivered: never
# sent again, so that nobody gets a message twice).
DELIVERY_STATUSES = ("pending", "sending", "sent", "failed", "blocked", "unknown")


class AudienceError(ValueError):
    """An audience dict that does not follow the contract."""


def _household_ids(audience: dict[str, Any]) -> Select[Any] | None:
    """The households an audience is about (None: it is not about households)."""
    kind = audience.get("type")
    if kind == "residents":
        return select(Account.household_id).where(Account.household_id.is_not(None))
    # Area and programme audiences leave out households a visit found moved, died or gone.
    active = Household.status == "aktif"
    if kind == "kecamatan":
        return select(Household.id).where(Household.kecamatan_code.in_(_codes(audience)), active)
    if kind == "desa":
        return select(Household.id).where(Household.desa_code.in_(_codes(audience)), active)
    if kind == "program":
        return (
            select(HouseholdProgram.household_id)
            .join(AidProgram, AidProgram.id == HouseholdProgram.program_id)
            .join(Household, Household.id == HouseholdProgram.household_id)
            .where(AidProgram.code == str(audience.get("code", "")), active)
        )
    if kind == "disbursement":
        recipients = select(DisbursementRecipient.household_id).where(
            DisbursementRecipient.disbursement_id == _id(audience)
        )
        if audience.get("waiting"):  # only the families that have not collected yet
            recipients = recipients.where(DisbursementRecipient.collected_at.is_(None))
        return recipients
    if kind == "training":
        return (
            select(Member.household_id)
            .join(Enrollment, Enrollment.member_id == Member.id)
            .where(Enrollment.training_id == _id(audience), Enrollment.status == "enrolled")
        )
    if kind == "volunteers":
        return None
    raise AudienceError(f"unknown audience type {kind!r}")


def _codes(audience: dict[str, Any]) -> list[str]:
    codes = audience.get("codes")
    if not isinstance(codes, list) or not codes:
        raise AudienceError("audience needs a non-empty list of codes")
    return [str(code) for code in codes]


def _id(audience: dict[str, Any]) -> int:
    try:
        return int(audience["id"])
    except (KeyError, TypeError, ValueError):
        raise AudienceError("audience needs an id") from None


def reachable(kind: str = MANUAL) -> list[Any]:
    """Conditions on Account for someone a broadcast may be sent to."""
    # Someone who wrote "berhenti" gets neither broadcasts nor reminders (services.opt_out).
    conditions = [Account.bot_blocked.is_(False), Account.opted_out_at.is_(None)]
    if kind == REMINDER:
        conditions.append(Account.reminders_enabled.is_(True))
    return conditions


def recipients(audience: dict[str, Any], kind: str = MANUAL) -> Select[int, int]:
    """SELECT account id and chat id of everyone the broadcast goes to, each once."""
    if audience.get("type") == "volunteers":
        who: ColumnElement[bool] = Account.role.in_((PSM, TKSK))
        area = audience.get("area")
        if area:
            who = and_(who, or_(Account.area_code == area, Account.area_code.like(f"{area}.%")))
        return select(Account.id, Account.telegram_id).where(who, *reachable(kind))
    households = _household_ids(audience)
    assert households is not None
    linked: ColumnElement[bool]
    if audience.get("type") == "residents":
        linked = Account.household_id.is_not(None)
    else:
        linked = Account.household_id.in_(households.scalar_subquery())
    if audience.get("type") == "training":
        enrolled = select(Enrollment.account_id).where(
            Enrollment.training_id == _id(audience),
            Enrollment.status == "enrolled",
            Enrollment.account_id.is_not(None),
        )
        linked = or_(linked, Account.id.in_(enrolled.scalar_subquery()))
    return select(Account.id, Account.telegram_id).where(
        linked, Account.consent == "given", *reachable(kind)
    )


async def count_recipients(
    session: AsyncSession, audience: dict[str, Any], kind: str = MANUAL
) -> int:
    query = recipients(audience, kind).subquery()
    return int(await session.scalar(select(func.count()).select_from(query)) or 0)


async def queue(
    session: AsyncSession,
    *,
    text: str,
    audience: dict[str, Any],
    created_by: Account | None,
    kind: str = MANUAL,
    photo_file_id: str | None = None,
    document_file_id: str | None = None,
    progress_chat_id: int | None = None,
    dedup_key: str | None = None,
) -> Broadcast:
    """A queued broadcast; the sender materialises and delivers it."""
    recipients(audience, kind)  # refuse a bad audience now, not in the worker
    broadcast = Broadcast(
        kind=kind,
        status="queued",
        text=text,
        audience=audience,
        photo_file_id=photo_file_id,
        document_file_id=document_file_id,
        created_by_account_id=created_by.id if created_by is not None else None,
        progress_chat_id=progress_chat_id,
        dedup_key=dedup_key,
    )
    session.add(broadcast)
    await session.flush()
    return broadcast


async def materialise(session: AsyncSession, broadcast: Broadcast) -> int:
    """Turn a queued broadcast into one pending delivery per recipient, and start it.

    Only a queued broadcast is materialised, and the status change commits with the rows, so
    a second call (another process, a restart) adds nothing; the unique (broadcast, account)
    constraint stands behind that."""
    if broadcast.status != "queued":
        return 0
    try:
        source = recipients(broadcast.audience or {}, broadcast.kind)
    except AudienceError:
        broadcast.status, broadcast.finished_at = "cancelled", utcnow()
        return 0
    rows = source.with_only_columns(
        literal(broadcast.id), Account.id, Account.telegram_id, literal("pending"), literal(0)
    ).distinct()
    await session.execute(
        insert(Delivery).from_select(
            ["broadcast_id", "account_id", "chat_id", "status", "attempts"], rows
        )
    )
    total = await session.scalar(select(func.count()).where(Delivery.broadcast_id == broadcast.id))
    broadcast.total = int(total or 0)
    broadcast.status = "sending"
    broadcast.started_at = utcnow()
    return broadcast.total


async def counts(session: AsyncSession, broadcast_id: int) -> dict[str, int]:
    """Deliveries per status, every status present (0 when none)."""
    rows = await session.execute(
        select(Delivery.status, func.count())
        .where(Delivery.broadcast_id == broadcast_id)
        .group_by(Delivery.status)
    )
    found = {status: 0 for status in DELIVERY_STATUSES}
    found.update({status: int(n) for status, n in rows})
    return found


async def set_status(session: AsyncSession, broadcast_id: int, action: str) -> Broadcast | None:
    """Staff's pause / resume / cancel; None when the broadcast is not in a state for it."""
    broadcast = await session.get(Broadcast, broadcast_id)
    if broadcast is None:
        return None
    allowed = {
        "pause": (("sending", "queued"), "paused"),
        "resume": (("paused",), "sending"),
        "cancel": (("sending", "queued", "paused"), "cancelled"),
    }
    sources, target = allowed[action]
    if broadcast.status not in sources:
        return None
    if action == "resume" and broadcast.started_at is None:
        target = "queued"  # paused before it was materialised
    broadcast.status = target
    if target == "cancelled":
        broadcast.finished_at = utcnow()
    return broadcast


async def resend_failed(session: AsyncSession, broadcast_id: int) -> int:
    """Queue again the deliveries that failed (not the blocked ones, not the uncertain ones:
    they may have been delivered). Returns how many go out again."""
    broadcast = await session.get(Broadcast, broadcast_id)
    if broadcast is None or broadcast.status != "done":
        return 0
    result = cast(
        CursorResult[Any],
        await session.execute(
            update(Delivery)
            .where(Delivery.broadcast_id == broadcast_id, Delivery.status == "failed")
            .values(status="pending", attempts=0, next_attempt_at=None, last_error=None)
        ),
    )
    again = result.rowcount or 0
    if again:
        broadcast.status, broadcast.finished_at = "sending", None
    return again


async def open_unreachable_tasks(session: AsyncSession, broadcast: Broadcast) -> int:
    """Households the broadcast was about that no linked account of theirs received (never
    linked, blocked, failed) become visit tasks for the volunteers of their desa, so the
    notice still reaches them door to door. Idempotent (a line already on the open case's
    list is not added again)."""
    households = _household_ids(broadcast.audience or {})
    if households is None:
        return 0
    reached = (
        select(Account.household_id)
        .join(Delivery, Delivery.account_id == Account.id)
        .where(
            Delivery.broadcast_id == broadcast.id,
            Delivery.status.in_(("sent", "unknown")),
            Account.household_id.is_not(None),
        )
    )
    conditions = [
        Household.id.in_(households.scalar_subquery()),
        Household.id.not_in(reached.scalar_subquery()),
    ]
    # Reachable but opted out (of everything, or of reminders): their choice, not a reason
    # for a visit.
    said_no: ColumnElement[bool] = Account.opted_out_at.is_not(None)
    if broadcast.kind == REMINDER:
        said_no = or_(said_no, Account.reminders_enabled.is_(False))
    opted_out = select(Account.household_id).where(
        Account.household_id.is_not(None),
        Account.consent == "given",
        Account.bot_blocked.is_(False),
        said_no,
    )
    conditions.append(Household.id.not_in(opted_out.scalar_subquery()))
    missed = await session.scalars(select(Household).where(*conditions).order_by(Household.id))
    opened = 0
    line = to_pass_on(broadcast)
    for household in missed:
        # One open case per household, its thread listing every message still to pass on:
        # three notices to a family without Telegram are one visit, not three tasks.
        await tasks.open_task(
            session, household, tasks.UNREACHABLE, source_type="broadcast",
            source_id=broadcast.id, detail=line, actor=None,
        )  # fmt: skip
        opened += 1
    return opened


def to_pass_on(broadcast: Broadcast) -> str:
    """One line of an unreachable household's task: which message, and its opening words (the
    schedule or training it is about), to tell the family at the door."""
    words = " ".join(broadcast.text.split())
    if len(words) > PASS_ON_WORDS:
        words = words[: PASS_ON_WORDS - 1].rstrip() + "…"
    return f"#{broadcast.id}: {words}"
