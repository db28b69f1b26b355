"""Volunteer invitations: staff create a one-time code for a role and an area; the volunteer
redeems it with `/petugas KODE` or a `t.me/<bot>?start=KODE` link.

The code is never stored: only its keyed hash (Protector.lookup_hash). Redeeming is one
conditional UPDATE, so two people racing for one code cannot both get it. Wrong codes are
counted per account and throttled (MAX_WRONG per WRONG_WINDOW).
"""

from __future__ import annotations

import datetime as dt
import re
import secrets
from dataclasses import dataclass
from typing import Any, cast

from sqlalchemy import CursorResult, func, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from db import audit
from db.models.accounts import Account, InviteAttempt, VolunteerInvite
from db.models.base import utcnow
from db.models.households import Region
from db.protect import Protector
from domain.roles import AREA_LEVEL, PETUGAS, PSM, TKSK, VOLUNTEERS, WARGA

ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"  # no 0/O, 1/I: read aloud or copied by hand
CODE_LENGTH = 8
VALID_FOR = dt.timedelta(days=7)
MAX_WRONG = 5
WRONG_WINDOW = dt.timedelta(hours=1)
CODE_RE = re.compile(rf"^[{ALPHABET}]{{{CODE_LENGTH}}}$")

# Outcomes of `redeem`
OK = "ok"
WRONG = "wrong"
USED = "used"
EXPIRED = "expired"
REVOKED = "revoked"
THROTTLED = "throttled"
IS_STAFF = "is_staff"


class InviteError(Exception):
    pass


def normalize(text: str) -> str:
    """'abcd-2345 ' -> 'ABCD2345' (forgiving of case, spaces and dashes)."""
    return re.sub(r"[\s\-.]", "", text).upper()


def looks_like_code(text: str) -> bool:
    return bool(CODE_RE.match(normalize(text)))


def new_code() -> str:
    return "".join(secrets.choice(ALPHABET) for _ in range(CODE_LENGTH))


async def create(
    session: AsyncSession,
    protector: Protector,
    creator: Account,
    role: str,
    area_code: str,
    *,
    now: dt.datetime | None = None,
) -> tuple[str, VolunteerInvite]:
    if role not in VOLUNTEERS:
        raise InviteError(f"invites are for volunteers, not {role!r}")
    region = await session.get(Region, area_code)
    if region is None or region.level not in AREA_LEVEL[role]:
        raise InviteError(f"{area_code!r} is not a valid area for {role}")
    now = now or utcnow()
    code = new_code()
    invite = VolunteerInvite(
        code_hash=protector.lookup_hash(code),
        role=role,
        area_code=area_code,
        created_by_account_id=creator.id,
        created_at=now,
        expires_at=now + VALID_FOR,
    )
    session.add(invite)
    await session.flush()
    audit.record(session, creator, "invite.created", "invite", invite.id, role=role, area=area_code)
    return code, invite


async def revoke_invite(session: AsyncSession, actor: Account | None, invite_id: int) -> bool:
    result = cast(CursorResult[Any], await session.execute(
        update(VolunteerInvite)
        .where(
            VolunteerInvite.id == invite_id,
            VolunteerInvite.used_at.is_(None),
            VolunteerInvite.revoked_at.is_(None),
        )
        .values(revoked_at=utcnow())
    ))
    if result.rowcount:
        audit.record(session, actor, "invite.revoked", "invite", invite_id)
    return bool(result.rowcount)


@dataclass(frozen=True)
class Redeemed:
    outcome: str
    role: str | None = None
    area_code: str | None = None


async def redeem(
    session: AsyncSession,
    protector: Protector,
    account: Account,
    text: str,
    *,
    now: dt.datetime | None = None,
) -> Redeemed:
    now = now or utcnow()
    if account.role == PETUGAS:
        return Redeemed(IS_STAFF)
    wrong = await session.scalar(
        select(func.count(InviteAttempt.id)).where(
            InviteAttempt.account_id == account.id, InviteAttempt.at > now - WRONG_WINDOW
        )
    )
    if (wrong or 0) >= MAX_WRONG:
        audit.record(session, account, "invite.throttled", "account", account.id)
        return Redeemed(THROTTLED)
    code = normalize(text)
    code_hash = protector.lookup_hash(code) if CODE_RE.match(code) else None
    if code_hash is not None:
        claimed = cast(CursorResult[Any], await session.execute(
            update(VolunteerInvite)
            .where(
                VolunteerInvite.code_hash == code_hash,
                VolunteerInvite.used_at.is_(None),
                VolunteerInvite.revoked_at.is_(None),
                VolunteerInvite.expires_at > now,
            )
            .values(used_at=now, used_by_account_id=account.id)
        ))
        if claimed.rowcount == 1:
            invite = await session.scalar(
                select(VolunteerInvite).where(VolunteerInvite.code_hash == code_hash)
            )
            assert invite is not None
            account.role = invite.role
            account.area_code = invite.area_code
            audit.record(
                session,
                account,
                "invite.redeemed",
                "invite",
                invite.id,
                role=invite.role,
                area=invite.area_code,
            )
            return Redeemed(OK, invite.role, invite.area_code)
        invite = await session.scalar(
            select(VolunteerInvite).where(VolunteerInvite.code_hash == code_hash)
        )
        if invite is not None:
            # A real code that is no longer valid: not a guess, so not counted.
            if invite.used_at is not None:
                outcome = USED
            elif invite.revoked_at is not None:
                outcome = REVOKED
            else:
                outcome = EXPIRED
            audit.record(session, account, "invite.refused", "invite", invite.id, reason=outcome)
            return Redeemed(outcome)
    session.add(InviteAttempt(account_id=account.id, at=now))
    audit.record(session, account, "invite.wrong_code", "account", account.id)
    return Redeemed(WRONG)


async def volunteers(session: AsyncSession) -> list[tuple[Account, Region | None]]:
    rows = await session.execute(
        select(Account, Region)
        .outerjoin(Region, Region.code == Account.area_code)
        .where(Account.role.in_([PSM, TKSK]))
        .order_by(Region.name, Account.id)
    )
    return [(account, region) for account, region in rows.all()]


async def revoke_volunteer(
    session: AsyncSession, actor: Account, account_id: int
) -> Account | None:
    """Role back to warga, area cleared. The caller drops the account from the cache."""
    target = await session.get(Account, account_id)
    if target is None or target.role not in VOLUNTEERS:
        return None
    audit.record(
        session,
        actor,
        "role.revoked",
        "account",
        target.id,
        role=target.role,
        area=target.area_code,
    )
    target.role = WARGA
    target.area_code = None
    return target
