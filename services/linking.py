"""Link a Telegram account to its household on the BNBA list (`/daftar`), and unlink it.

The resident types NIK and No. KK; both are looked up by keyed hash only (the numbers are never
stored here, logged or put in the audit log). Failed matches are counted per account over a
rolling 24 hours (LinkAttempt rows) to stop guessing. No aiogram, no gettext: the handler
turns the outcomes into words.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from db import audit, regions
from db.models.accounts import Account, LinkAttempt
from db.models.base import utcnow
from db.models.households import Household, Member
from db.protect import Protector, mask_name

MAX_FAILED = 5
WINDOW = dt.timedelta(hours=24)

# Outcomes of a match.
MATCHED = "matched"
NIK_NOT_IN_KK = "nik_not_in_kk"  # the KK is on the list, the NIK is not one of its members
NOT_LISTED = "not_listed"  # the KK is not on the list at all
# The NIK is on the list, but under another KK: the family split (pecah KK), or the person
# moved. The resident may propose the new KK with their NIK (a split-family proposal).
NIK_ELSEWHERE = "nik_elsewhere"
# No household without a KK has this NIK with this date of birth.
NOT_LISTED_NO_KK = "not_listed_no_kk"
LOCKED = "locked"  # too many failed matches: try again later


@dataclass(frozen=True)
class HouseholdView:
    """What a resident may see of a household to recognise it: masked, no raw numbers."""

    household_id: int
    kk_masked: str
    head_masked: str
    desa: str
    kecamatan: str
    verification: str


@dataclass(frozen=True)
class MatchResult:
    outcome: str
    household: HouseholdView | None = None
    member_id: int | None = None
    failures: int = 0  # failed matches in the window, this one included
    retry_at: dt.datetime | None = None  # when a locked account may try again (UTC)
    swapped: bool = False  # the NIK was typed as the KK and the KK as the NIK


async def failed_attempts(
    session: AsyncSession, account: Account, now: dt.datetime | None = None
) -> tuple[int, dt.datetime | None]:
    """(failed matches in the last 24 h, when the oldest of them leaves the window)."""
    now = now or utcnow()
    count, oldest = (
        await session.execute(
            select(func.count(LinkAttempt.id), func.min(LinkAttempt.at)).where(
                LinkAttempt.account_id == account.id,
                LinkAttempt.succeeded.is_(False),
                LinkAttempt.at > now - WINDOW,
            )
        )
    ).one()
    return int(count), (oldest + WINDOW if oldest is not None else None)


async def lock_until(session: AsyncSession, account: Account) -> dt.datetime | None:
    """When the account may try again, or None when it may try now."""
    count, free_at = await failed_attempts(session, account)
    if count < MAX_FAILED:
        return None
    # With more than MAX_FAILED rows (cannot happen through the bot) the earliest moment is
    # when enough of them have aged out; the oldest is a safe lower bound for the message.
    rows = await session.scalars(
        select(LinkAttempt.at)
        .where(
            LinkAttempt.account_id == account.id,
            LinkAttempt.succeeded.is_(False),
            LinkAttempt.at > utcnow() - WINDOW,
        )
        .order_by(LinkAttempt.at.desc())
        .limit(MAX_FAILED)
    )
    times = list(rows)
    return (times[-1] + WINDOW) if times else free_at


async def household_view(session: AsyncSession, household: Household) -> HouseholdView:
    head = await session.scalar(
        select(Member)
        .where(Member.household_id == household.id)
        .order_by((Member.relationship_to_head != "kepala"), Member.id)
        .limit(1)
    )
    return HouseholdView(
        household_id=household.id,
        kk_masked=household.kk_masked or "",
        head_masked=mask_name(head.name) if head is not None else "",
        desa=await regions.name_of(session, household.desa_code),
        kecamatan=await regions.name_of(session, household.kecamatan_code),
        verification=household.verification,
    )


async def match(
    session: AsyncSession, protector: Protector, account: Account, nik: str, kk: str
) -> MatchResult:
    """Look NIK + KK up on the list. A miss counts as a failed attempt; a hit does not link
    yet (the resident confirms first, see :func:`link`)."""
    until = await lock_until(session, account)
    if until is not None:
        return MatchResult(LOCKED, failures=MAX_FAILED, retry_at=until)
    household = await session.scalar(
        select(Household).where(Household.kk_hash == protector.lookup_hash(kk))
    )
    member = None
    if household is not None:
        member = await session.scalar(
            select(Member).where(
                Member.household_id == household.id,
                Member.nik_hash == protector.lookup_hash(nik),
            )
        )
    if household is not None and member is not None:
        return MatchResult(MATCHED, await household_view(session, household), member.id)
    swapped = await _member_of(session, protector, kk=nik, nik=kk)
    if swapped is not None:  # both numbers right, each typed in the other's place
        found_household, found_member = swapped
        view = await household_view(session, found_household)
        return MatchResult(MATCHED, view, found_member.id, swapped=True)
    listed_elsewhere = await session.scalar(
        select(Member.id).where(Member.nik_hash == protector.lookup_hash(nik))
    )

    session.add(LinkAttempt(account_id=account.id, succeeded=False))
    await session.flush()
    outcome = NIK_NOT_IN_KK if household is not None else NOT_LISTED
    if listed_elsewhere is not None:
        outcome = NIK_ELSEWHERE
    audit.record(session, account, "household.link_failed", "account", account.id, reason=outcome)
    count, _free_at = await failed_attempts(session, account)
    retry_at = await lock_until(session, account) if count >= MAX_FAILED else None
    return MatchResult(outcome, failures=count, retry_at=retry_at)


async def match_without_kk(
    session: AsyncSession, protector: Protector, account: Account, nik: str, born: dt.date
) -> MatchResult:
    """A household on a list without No. KK (a P3KE family): NIK and date of birth instead,
    under the same limits on failed tries as NIK + KK."""
    until = await lock_until(session, account)
    if until is not None:
        return MatchResult(LOCKED, failures=MAX_FAILED, retry_at=until)
    found = (
        await session.execute(
            select(Household, Member)
            .join(Member, Member.household_id == Household.id)
            .where(
                Member.nik_hash == protector.lookup_hash(nik),
                Member.birth_date == born,
                Household.kk_hash.is_(None),
            )
        )
    ).first()
    if found is not None:
        household, member = found
        return MatchResult(MATCHED, await household_view(session, household), member.id)
    session.add(LinkAttempt(account_id=account.id, succeeded=False))
    await session.flush()
    audit.record(
        session, account, "household.link_failed", "account", account.id, reason="no_kk_match"
    )
    count, _free_at = await failed_attempts(session, account)
    retry_at = await lock_until(session, account) if count >= MAX_FAILED else None
    return MatchResult(NOT_LISTED_NO_KK, failures=count, retry_at=retry_at)


async def _member_of(
    session: AsyncSession, protector: Protector, *, kk: str, nik: str
) -> tuple[Household, Member] | None:
    household = await session.scalar(
        select(Household).where(Household.kk_hash == protector.lookup_hash(kk))
    )
    if household is None:
        return None
    member = await session.scalar(
        select(Member).where(
            Member.household_id == household.id,
            Member.nik_hash == protector.lookup_hash(nik),
        )
    )
    return (household, member) if member is not None else None


class LinkError(Exception):
    """The link can no longer be made (e.g. the household or member was changed meanwhile)."""


async def link(
    session: AsyncSession, account: Account, household_id: int, member_id: int
) -> Household:
    """Link the account to the household and member it matched (after the resident confirmed)."""
    member = await session.get(Member, member_id)
    household = await session.get(Household, household_id)
    if member is None or household is None or member.household_id != household.id:
        raise LinkError("household or member changed")
    account.household_id = household.id
    account.member_id = member.id
    session.add(LinkAttempt(account_id=account.id, succeeded=True))
    audit.record(
        session, account, "household.linked", "household", household.id, member_id=member.id
    )
    return household


def unlink(session: AsyncSession, account: Account, reason: str) -> int | None:
    """Take the account off its household. Returns the household id it was linked to."""
    household_id = account.household_id
    if household_id is None:
        return None
    account.household_id = None
    account.member_id = None
    audit.record(session, account, "household.unlinked", "household", household_id, reason=reason)
    return household_id


async def linked_household(session: AsyncSession, account: Account) -> Household | None:
    if account.household_id is None:
        return None
    return await session.get(Household, account.household_id)
