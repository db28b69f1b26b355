"""Propose a household that is not on the BNBA list (usulan), by a resident or a volunteer.

The household is saved as *menunggu_verifikasi* with the proposer's account id, and a volunteer
task ("usulan") is raised for its desa; the volunteers' verification sets it to terverifikasi or
ditolak and notifies the proposer. A resident's proposal links their account to it at once, so
that /dataku shows its state and a self-report can help the visit.

No. KK and NIK may be unknown when a volunteer proposes a family without documents; then the
household has no KK hash and the named person no NIK hash (migration 0006).
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from db import audit
from db.models.accounts import Account
from db.models.households import Household, Member, Region
from db.protect import Protector
from services import tasks

FROM_RESIDENT = "usulan_warga"
FROM_VOLUNTEER = "usulan_relawan"
PENDING = "menunggu_verifikasi"


@dataclass(frozen=True)
class Proposal:
    name: str  # the person proposed: the resident themself, or the head of the family
    relationship: str  # kepala | pasangan | anak | lainnya
    address: str
    rt: str
    rw: str
    kecamatan_code: str
    desa_code: str
    members: int
    description: str
    phone: str | None = None
    nik: str | None = None
    kk: str | None = None
    # The proposer's NIK is on the list under another KK: the family split (pecah KK); the
    # note (worded by the caller) goes on the volunteer's task.
    split: bool = False
    split_note: str | None = None


class ProposalError(Exception):
    """Why a proposal cannot be saved: ``reason`` is kk_listed or bad_region."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


async def propose(
    session: AsyncSession,
    protector: Protector,
    proposer: Account,
    proposal: Proposal,
    source: str,
) -> Household:
    desa = await session.get(Region, proposal.desa_code)
    if desa is None or desa.parent_code != proposal.kecamatan_code:
        raise ProposalError("bad_region")
    household = Household(
        address=proposal.address[:300],
        rt=proposal.rt[:3],
        rw=proposal.rw[:3],
        desa_code=proposal.desa_code,
        kecamatan_code=proposal.kecamatan_code,
        source=source,
        verification=PENDING,
        proposed_by_account_id=proposer.id,
        description=proposal.description,
        declared_members=proposal.members,
        phone=proposal.phone,
    )
    if proposal.kk:
        kk_hash, kk_enc, kk_mask = protector.protect(proposal.kk)
        if await session.scalar(select(Household.id).where(Household.kk_hash == kk_hash)):
            raise ProposalError("kk_listed")
        household.kk_hash, household.kk_encrypted, household.kk_masked = kk_hash, kk_enc, kk_mask
    session.add(household)
    await session.flush()

    member = Member(
        household_id=household.id,
        name=proposal.name[:120],
        relationship_to_head=proposal.relationship,
    )
    if proposal.nik:
        nik_hash, nik_enc, nik_mask = protector.protect(proposal.nik)
        # A NIK already on the list belongs to a member of another KK (the person moved): the
        # volunteer sorts it out on the visit; the proposal is kept without the duplicate.
        if not await session.scalar(select(Member.id).where(Member.nik_hash == nik_hash)):
            member.nik_hash, member.nik_encrypted, member.nik_masked = nik_hash, nik_enc, nik_mask
    session.add(member)
    await session.flush()

    await tasks.open_task(
        session, household, tasks.USULAN, source_type="household", source_id=household.id,
        actor=proposer, detail=proposal.split_note if proposal.split else None,
    )  # fmt: skip
    audit.record(
        session,
        proposer,
        "household.proposed",
        "household",
        household.id,
        source=source,
        desa=proposal.desa_code,
        with_kk=bool(proposal.kk),
        with_nik=member.nik_hash is not None,
        split_family=proposal.split,
    )
    if source == FROM_RESIDENT:
        proposer.household_id = household.id
        proposer.member_id = member.id
        audit.record(
            session, proposer, "household.linked", "household", household.id, member_id=member.id
        )
    return household


async def pending_of(session: AsyncSession, account: Account) -> list[Household]:
    """Proposals this account made that still wait for verification."""
    found = await session.scalars(
        select(Household).where(
            Household.proposed_by_account_id == account.id, Household.verification == PENDING
        )
    )
    return list(found)
