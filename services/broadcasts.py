"""Broadcasts: who is reached, the durable per-recipient queue, pause/cancel/resend, and the
households a broadcast could not reach (visit tasks for their volunteers).

Who an audience is about is services/audiences.py (the audience dicts are described there).
Residents are reached through accounts linked to a household with consent given and not
blocked and not opted out ("berhenti"); reminders also skip those who switched reminders
off.

A broadcast with `send_at` (staff's "Kirim nanti") stays queued until then; the sender starts
a queued broadcast with one conditional UPDATE (`materialise`), so it starts once however many
processes look at it. No aiogram, no gettext here; these functions add to the caller's
session, the caller commits.
"""

from __future__ import annotations

import datetime as dt
from typing import Any, cast

from sqlalchemy import (
    ColumnElement,
    CursorResult,
    Select,
    and_,
    case,
    func,
    insert,
    literal,
    or_,
    select,
    update,
)
from sqlalchemy.ext.asyncio import AsyncSession

from db.models.accounts import Account
from db.models.aid import Enrollment
from db.models.base import utcnow
from db.models.broadcasts import Broadcast, Delivery
from db.models.households import Household
from domain.roles import PSM, TKSK
from services import tasks
from services.audiences import SEATED, AudienceError, audience_id, household_ids

# How much of a message an unreachable household's task quotes (its opening words).
PASS_ON_WORDS = 140

MANUAL = "manual"
REMINDER = "reminder"
NOTICE = "notice"

# Broadcast statuses: draft | queued | sending | paused | cancelled | done
ACTIVE = ("queued", "sending", "paused")
# Delivery statuses; "unknown": it was in flight when a sender died (maybe delivered: never
# sent again, so that nobody gets a message twice).
DELIVERY_STATUSES = ("pending", "sending", "sent", "failed", "blocked", "unknown")


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
    households = household_ids(audience)
    assert households is not None
    linked: ColumnElement[bool]
    if audience.get("type") == "residents" and "ages" not in audience:
        linked = Account.household_id.is_not(None)
    else:
        linked = Account.household_id.in_(households.scalar_subquery())
    if audience.get("type") == "training":
        enrolled = select(Enrollment.account_id).where(
            Enrollment.training_id == audience_id(audience),
            Enrollment.status.in_(SEATED),
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
    send_at: dt.datetime | None = None,
) -> Broadcast:
    """A queued broadcast; the sender materialises and delivers it (from `send_at` on, when
    given)."""
    recipients(audience, kind)  # refuse a bad audience now, not in the worker
    broadcast = Broadcast(
        send_at=send_at,
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


def due(now: dt.datetime) -> ColumnElement[bool]:
    """A queued broadcast the sender may start at `now`: unscheduled, or its time has come."""
    return or_(Broadcast.send_at.is_(None), Broadcast.send_at <= now)


async def materialise(
    session: AsyncSession, broadcast: Broadcast, now: dt.datetime | None = None
) -> int:
    """Turn a queued, due broadcast into one pending delivery per recipient, and start it.

    The start is one conditional UPDATE (still queued, and due at `now`), committed with the
    rows: a second call (another process, a restart, a lease changing hands) finds it started
    and adds nothing, and a broadcast staff cancelled or paused meanwhile is not started. The
    unique (broadcast, account) constraint stands behind that."""
    now = now or utcnow()
    if broadcast.status != "queued":
        return 0
    started = cast(CursorResult[Any], await session.execute(
        update(Broadcast)
        .where(Broadcast.id == broadcast.id, Broadcast.status == "queued", due(now))
        .values(status="sending", started_at=now)
        .execution_options(synchronize_session=False)
    ))  # fmt: skip
    await session.refresh(broadcast, ["status", "started_at"])
    if not started.rowcount:
        return 0
    try:
        source = recipients(broadcast.audience or {}, broadcast.kind)
    except AudienceError:
        broadcast.status, broadcast.finished_at = "cancelled", now
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
    return broadcast.total


async def scheduled(session: AsyncSession, now: dt.datetime, limit: int = 10) -> list[Broadcast]:
    """Broadcasts waiting for their time (soonest first): staff may still cancel them."""
    rows = await session.scalars(
        select(Broadcast)
        .where(Broadcast.status.in_(("queued", "paused")), Broadcast.send_at > now)
        .order_by(Broadcast.send_at, Broadcast.id)
        .limit(limit)
    )
    return list(rows)


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
    """Staff's pause / resume / cancel; None when the broadcast is not in a state for it.

    One conditional UPDATE: a cancel racing with the sender starting a scheduled broadcast
    either comes first (nothing is sent) or finds it sending and stops the rest."""
    allowed = {
        "pause": (("sending", "queued"), "paused"),
        "resume": (("paused",), "sending"),
        "cancel": (("sending", "queued", "paused"), "cancelled"),
    }
    sources, target = allowed[action]
    values: dict[str, Any] = {"status": target}
    if action == "resume":  # paused before it was materialised: queued again (its time holds)
        values["status"] = case((Broadcast.started_at.is_(None), "queued"), else_="sending")
    if target == "cancelled":
        values["finished_at"] = utcnow()
    changed = cast(CursorResult[Any], await session.execute(
        update(Broadcast)
        .where(Broadcast.id == broadcast_id, Broadcast.status.in_(sources))
        .values(**values)
        .execution_options(synchronize_session=False)
    ))  # fmt: skip
    if not changed.rowcount:
        return None
    return await session.get(Broadcast, broadcast_id, populate_existing=True)


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
    households = household_ids(broadcast.audience or {})
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
