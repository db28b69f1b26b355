"""Volunteers and staff correct a household and its members: add a member, record one who left
(moved out, married out, died), fix a member's name, birth date or relation, fix the address,
RT/RW and phone. This is what a "correction" ends in (the case loop: the data changes, is
audited with before and after, and the family is told).

Each use case changes the caller's session, audits every changed value with its before and
after, and returns an `Edit` for the handler to render and to tell the family. Callers check
the area first (services.volunteer_area.household_in_area); the member is checked here against
the household, since its id comes from a button. A NIK is stored as keyed hash, ciphertext and
mask, and only the mask is ever audited or returned. No aiogram and no texts; the update's
unit of work commits.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, replace
from typing import Any

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from db import audit
from db.models.accounts import Account
from db.models.base import utcnow
from db.models.cases import Case
from db.models.households import Household, Member
from db.protect import Protector
from domain.identity import mask_id_numbers, nik_is_female
from domain.phone import parse_phone
from domain.source_values import parse_rt_or_rw
from services import tasks

HEAD = "kepala"  # as domain.source_values reads a list's "Kepala Keluarga"
# Relations a person can choose (the codes the lists are read into, domain.source_values);
# "belum_diketahui" is only what a list without a relation column leaves.
RELATIONS = (
    HEAD, "istri", "suami", "anak", "menantu", "cucu", "orang_tua", "mertua", "famili_lain",
    "lainnya",
)  # fmt: skip

# Why a member left (Member.left_reason; a visit's own finding is "tidak_tinggal").
MOVED_OUT, MARRIED_OUT, DIED = "pindah", "menikah", "meninggal"
LEAVE_REASONS = (MOVED_OUT, MARRIED_OUT, DIED)

# Why a change is refused (Refused.reason).
NIK_TAKEN = "nik_taken"  # the NIK is already on another member (of any household)
KK_TAKEN = "kk_taken"  # the No. KK is already another household's
KK_KNOWN = "kk_known"  # the household has a No. KK already (a wrong one is a data problem)
NOT_A_MEMBER = "not_a_member"  # not, or no longer, a member of this household (an old button)
HEAD_TAKEN = "head_taken"  # there is a head already: change that one's relation first
UNKNOWN_CODE = "unknown_code"  # a relation or reason not on the list (a crafted button)
BAD_NAME = "bad_name"  # fewer than 2 letters, or digits in it
BAD_ADDRESS = "bad_address"  # too short to find the house by

# What an Edit is.
ADDED, LEFT, CHANGED = "added", "left", "changed"

MAX_NAME = 120  # Member.name
MAX_ADDRESS = 300  # Household.address
MIN_ADDRESS = 5


class Refused(Exception):
    """The change was not made; `reason` is one of the codes above."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


@dataclass(frozen=True)
class Change:
    """One value changed, as text: dates ISO, relations and reasons as their codes, a NIK
    masked, a phone E.164. `field`: name, birth_date, relation, nik, left_reason, address, rt,
    rw or phone."""

    field: str
    before: str | None
    after: str | None


@dataclass(frozen=True)
class Edit:
    """What a use case did. `kind`: added (a new member; changes list what was recorded),
    left (a member left; the change is their left_reason) or changed (member or household
    values). `needs_head`: the household has members but no head any more (the head left,
    or their relation was changed): the handler asks who is the head now."""

    household_id: int
    kind: str
    changes: tuple[Change, ...]
    member_id: int | None = None
    member_name: str | None = None
    needs_head: bool = False


def clean_name(text: str) -> str | None:
    """A name as stored (spaces collapsed), or None when it cannot be one: fewer than two
    letters, or a digit in it (a number typed into the wrong question)."""
    name = " ".join(text.split())[:MAX_NAME]
    if sum(ch.isalpha() for ch in name) < 2 or any(ch.isdigit() for ch in name):
        return None
    return name


_RT_RW_WORDS = re.compile(r"r[tw]\.?", re.IGNORECASE)
_TWO_NUMBERS = re.compile(r"(\d{1,3})\s*[/\\\-.,\s]\s*(\d{1,3})")


def read_rt_rw(text: str) -> tuple[str, str] | None:
    """RT and RW as people type them ("3/1", "003/001", "RT 3 RW 1", "rt03 rw01") as stored,
    three digits each; None when it is not two numbers from 1 to 999."""
    found = _TWO_NUMBERS.fullmatch(" ".join(_RT_RW_WORDS.sub(" ", text).split()))
    if found is None or int(found[1]) == 0 or int(found[2]) == 0:
        return None
    return found[1].zfill(3), found[2].zfill(3)


# --------------------------------------------------------------------------- reading


async def current_members(session: AsyncSession, household_id: int) -> list[Member]:
    """The household's members who have not left, in the order they were recorded."""
    found = await session.scalars(
        select(Member)
        .where(Member.household_id == household_id, Member.left_at.is_(None))
        .order_by(Member.id)
    )
    return list(found)


async def member_of(session: AsyncSession, household: Household, member_id: int) -> Member:
    """The member with this id when they still belong to the household; Refused otherwise."""
    member = await session.get(Member, member_id)
    if member is None or member.household_id != household.id or member.left_at is not None:
        raise Refused(NOT_A_MEMBER)
    return member


async def has_head(session: AsyncSession, household_id: int, but: int | None = None) -> bool:
    """Whether a current member (other than `but`) is the head of the family."""
    found = await session.scalar(
        select(Member.id).where(
            Member.household_id == household_id,
            Member.left_at.is_(None),
            Member.relationship_to_head == HEAD,
            Member.id != (but or 0),
        )
    )
    return found is not None


async def linked_accounts(session: AsyncSession, household_id: int) -> list[Account]:
    """Who is told of a change: the accounts linked to the household that agreed to the
    privacy notice, can be reached, and did not ask for no more messages."""
    found = await session.scalars(
        select(Account)
        .where(
            Account.household_id == household_id,
            Account.consent == "given",
            Account.bot_blocked.is_(False),
            Account.opted_out_at.is_(None),
        )
        .order_by(Account.id)
    )
    return list(found)


async def open_correction_case(session: AsyncSession, household_id: int) -> Case | None:
    """The household's open correction case, if any (its thread records the changes)."""
    key = f"{tasks.CORRECTION}:h{household_id}"  # services.cases: "<kind>:h<household id>"
    return await session.scalar(select(Case).where(Case.open_key == key))


# --------------------------------------------------------------------------- members


async def add_member(
    session: AsyncSession,
    actor: Account,
    protector: Protector,
    household: Household,
    *,
    name: str,
    relation: str,
    birth_date: dt.date | None = None,
    nik: str | None = None,
) -> Edit:
    """A new member of the household. `nik`: a valid NIK (domain.identity.parse_nik) or None;
    one already on another member is refused (NIK_TAKEN), as is a second head (HEAD_TAKEN)."""
    clean = clean_name(name)
    if clean is None:
        raise Refused(BAD_NAME)
    if relation not in RELATIONS:
        raise Refused(UNKNOWN_CODE)
    if relation == HEAD and await has_head(session, household.id):
        raise Refused(HEAD_TAKEN)
    member = Member(
        household_id=household.id, name=clean, relationship_to_head=relation,
        birth_date=birth_date, severe_disability=False,
    )  # fmt: skip
    if nik is not None:
        member.nik_hash, member.nik_encrypted, member.nik_masked = protector.protect(nik)
        member.sex = "P" if nik_is_female(nik) else "L"
        taken = await session.scalar(select(Member.id).where(Member.nik_hash == member.nik_hash))
        if taken is not None:
            raise Refused(NIK_TAKEN)
    try:
        async with session.begin_nested():  # the unique NIK hash also holds at the same moment
            session.add(member)
    except IntegrityError:
        raise Refused(NIK_TAKEN) from None
    changes = (
        Change("name", None, clean),
        Change("relation", None, relation),
        Change("birth_date", None, _iso(birth_date)),
        Change("nik", None, member.nik_masked),
    )
    after = {change.field: change.after for change in changes}
    audit.record(
        session, actor, "member.added", "household", household.id,
        field="member", before=None, after=after, member_id=member.id,
    )  # fmt: skip
    return Edit(household.id, ADDED, changes, member.id, clean)


async def remove_member(
    session: AsyncSession,
    actor: Account,
    household: Household,
    member_id: int,
    reason: str,
    *,
    now: dt.datetime | None = None,
) -> Edit:
    """The member left the household (LEAVE_REASONS): off its members, kept for history
    (never deleted), as a visit does it (services.field_reports)."""
    if reason not in LEAVE_REASONS:
        raise Refused(UNKNOWN_CODE)
    member = await member_of(session, household, member_id)
    member.left_at, member.left_reason = now or utcnow(), reason
    audit.record(
        session, actor, "member.left", "household", household.id,
        field="left_reason", before=None, after=reason, member_id=member.id, reason=reason,
    )  # fmt: skip
    return Edit(
        household.id, LEFT, (Change("left_reason", None, reason),), member.id, member.name,
        needs_head=await _needs_head(session, household.id),
    )  # fmt: skip


async def rename_member(
    session: AsyncSession, actor: Account, household: Household, member_id: int, name: str
) -> Edit:
    clean = clean_name(name)
    if clean is None:
        raise Refused(BAD_NAME)
    member = await member_of(session, household, member_id)
    before = member.name
    member.name = clean
    return _member_edit(session, actor, household, member, "name", before, clean, before)


async def set_birth_date(
    session: AsyncSession, actor: Account, household: Household, member_id: int,
    birth_date: dt.date | None,
) -> Edit:  # fmt: skip
    member = await member_of(session, household, member_id)
    before = member.birth_date
    member.birth_date = birth_date
    return _member_edit(
        session, actor, household, member, "birth_date", _iso(before), _iso(birth_date)
    )


async def set_relation(
    session: AsyncSession, actor: Account, household: Household, member_id: int, relation: str
) -> Edit:
    """A member's relation to the head. Making someone the head while another member is the
    head is refused (HEAD_TAKEN): one head per KK, so the other's relation is changed first."""
    if relation not in RELATIONS:
        raise Refused(UNKNOWN_CODE)
    member = await member_of(session, household, member_id)
    if relation == HEAD and await has_head(session, household.id, but=member.id):
        raise Refused(HEAD_TAKEN)
    before = member.relationship_to_head
    member.relationship_to_head = relation
    edit = _member_edit(session, actor, household, member, "relation", before, relation)
    if before == HEAD and relation != HEAD:
        await session.flush()
        return replace(edit, needs_head=await _needs_head(session, household.id))
    return edit


def _member_edit(
    session: AsyncSession, actor: Account, household: Household, member: Member, field: str,
    before: str | None, after: str | None, name: str | None = None,
) -> Edit:  # fmt: skip
    """Audit one changed value of a member (nothing when it did not change)."""
    changes: tuple[Change, ...] = ()
    if before != after:
        audit.record(
            session, actor, "member.changed", "household", household.id,
            field=field, before=before, after=after, member_id=member.id,
        )  # fmt: skip
        changes = (Change(field, before, after),)
    return Edit(household.id, CHANGED, changes, member.id, name or member.name)


async def _needs_head(session: AsyncSession, household_id: int) -> bool:
    await session.flush()
    return bool(await current_members(session, household_id)) and not await has_head(
        session, household_id
    )


# --------------------------------------------------------------------------- household


def set_address(session: AsyncSession, actor: Account, household: Household, address: str) -> Edit:
    """The street address (without RT/RW and desa, which have their own columns). A NIK or KK
    typed into it is kept masked."""
    clean = mask_id_numbers(" ".join(address.split()))[:MAX_ADDRESS]
    if len(clean) < MIN_ADDRESS:
        raise Refused(BAD_ADDRESS)
    return _household_edit(session, actor, household, {"address": clean})


def set_rt_rw(
    session: AsyncSession, actor: Account, household: Household, rt: str, rw: str
) -> Edit:
    """RT and RW, stored as three digits ("3" -> "003"); domain.errors.Invalid when one is
    not a number from 1 to 999."""
    new_rt, new_rw = parse_rt_or_rw(rt), parse_rt_or_rw(rw)
    return _household_edit(session, actor, household, {"rt": new_rt, "rw": new_rw})


async def set_kk(
    session: AsyncSession, actor: Account, protector: Protector, household: Household, kk: str
) -> Edit:
    """Staff add the No. KK of a family that came without one (a P3KE family keyed by its
    list's id, a proposal without documents): `kk` a valid No. KK (domain.identity.parse_kk).
    Refused when the family has one already (KK_KNOWN) or the number is another family's
    (KK_TAKEN). The list's own id stays, so a later file of that list still finds it. Audited
    masked, as everywhere."""
    if household.kk_hash is not None:
        raise Refused(KK_KNOWN)
    kk_hash, kk_encrypted, kk_masked = protector.protect(kk)
    taken = await session.scalar(select(Household.id).where(Household.kk_hash == kk_hash))
    if taken is not None:
        raise Refused(KK_TAKEN)
    household.kk_hash, household.kk_encrypted = kk_hash, kk_encrypted
    household.kk_masked = kk_masked
    audit.record(
        session, actor, "household.changed", "household", household.id,
        field="no_kk", before=None, after=kk_masked,
    )  # fmt: skip
    return Edit(household.id, CHANGED, (Change("no_kk", None, kk_masked),))


def set_phone(session: AsyncSession, actor: Account, household: Household, phone: str) -> Edit:
    """The household's phone, normalised to E.164 as everywhere (domain.phone);
    domain.errors.Invalid when it cannot be read as a phone number."""
    return _household_edit(session, actor, household, {"phone": parse_phone(phone)})


def _household_edit(
    session: AsyncSession, actor: Account, household: Household, values: dict[str, Any]
) -> Edit:
    """Set the household's columns, auditing each value that changed."""
    changes = []
    for field, after in values.items():
        before = getattr(household, field)
        if before == after:
            continue
        setattr(household, field, after)
        audit.record(
            session, actor, "household.changed", "household", household.id,
            field=field, before=before, after=after,
        )  # fmt: skip
        changes.append(Change(field, before, after))
    return Edit(household.id, CHANGED, tuple(changes))


def _iso(day: dt.date | None) -> str | None:
    return day.isoformat() if day is not None else None
