"""The BNBA list person by person (report ``bnba``), in our own import template's columns
(services.bnba_file.COLUMNS, then what the lists add), so that the file imports again as it
is and gives the same households and members: NIK and KK as text, the household's columns on
every row, a household without KK under its list's own id (``daftar_sumber``,
``id_keluarga_sumber``), a member who left with the day and the reason. Verification, status
and visits are our own work, not the list's: they are in ``rumah_tangga``, ``status_keluarga``
and the verification report (services.export_sources).

Also the queries the household reports share: members, programmes, the latest visits.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterable
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from db.models.accounts import Account
from db.models.field import FieldVisit
from db.models.households import AidProgram, Household, HouseholdProgram, Member
from domain.source_values import LEFT_REASON_WORDS, LIST_NAMES
from services.bnba_file import COLUMNS
from services.export_context import ExportContext, wib_day

BNBA_COLUMNS = [
    *COLUMNS, "kode_desa", "desil", "padan_dukcapil", "pekerjaan", "pendidikan",
    "status_kawin", "atap", "dinding", "lantai", "penerangan", "bahan_bakar", "air_minum", "bab",
    "daftar_sumber", "id_keluarga_sumber", "program_menurut_daftar", "keluar_pada",
    "alasan_keluar",
]  # fmt: skip

# Our relation codes as the template's words (domain.source_values reads them back). A
# relation no list gave stays empty: the importer reads that as "not known yet".
RELATION_WORDS = {
    "kepala": "kepala keluarga", "istri": "istri", "suami": "suami", "anak": "anak",
    "menantu": "menantu", "cucu": "cucu", "orang_tua": "orang tua", "mertua": "mertua",
    "famili_lain": "famili lain", "lainnya": "lainnya",
}  # fmt: skip


def padan_word(value: bool | None) -> str | None:
    return None if value is None else ("Padan" if value else "Tidak Padan")


def yes_no(value: bool | None) -> str | None:
    return None if value is None else ("Ya" if value else "Tidak")


async def members_of(session: AsyncSession, ids: Iterable[int]) -> dict[int, list[Member]]:
    """Each household's members, head first, those who left included (marked by left_at)."""
    found: dict[int, list[Member]] = {}
    for member in await session.scalars(
        select(Member).where(Member.household_id.in_(list(ids))).order_by(Member.id)
    ):
        found.setdefault(member.household_id, []).append(member)
    for members in found.values():
        members.sort(key=lambda m: m.relationship_to_head != "kepala")  # stable: id order
    return found


async def programs_of(session: AsyncSession, ids: Iterable[int]) -> dict[int, list[str]]:
    found: dict[int, list[str]] = {}
    for household_id, code in await session.execute(
        select(HouseholdProgram.household_id, AidProgram.code)
        .join(AidProgram, AidProgram.id == HouseholdProgram.program_id)
        .where(HouseholdProgram.household_id.in_(list(ids)))
        .order_by(AidProgram.code)
    ):
        found.setdefault(household_id, []).append(code)
    return found


async def latest_visits(session: AsyncSession, ids: Iterable[int],
                        outcomes: Iterable[str] | None = None
                        ) -> dict[int, tuple[FieldVisit, Account]]:  # fmt: skip
    """Each household's latest field visit (of these outcomes) and the volunteer who made it."""
    latest = select(func.max(FieldVisit.id)).where(FieldVisit.household_id.in_(list(ids)))
    if outcomes is not None:
        latest = latest.where(FieldVisit.outcome.in_(list(outcomes)))
    rows = await session.execute(
        select(FieldVisit, Account)
        .join(Account, Account.id == FieldVisit.volunteer_account_id)
        .where(FieldVisit.id.in_(latest.group_by(FieldVisit.household_id)))
    )
    return {visit.household_id: (visit, volunteer) for visit, volunteer in rows}


async def bnba_rows(ctx: ExportContext) -> AsyncIterator[list[Any]]:
    statement = ctx.period(ctx.area(select(Household)), Household.created_at)
    async for rows in ctx.chunks(statement, Household.id):
        ids = [household.id for (household,) in rows]
        members = await members_of(ctx.session, ids)
        programs = await programs_of(ctx.session, ids)
        for (household,) in rows:
            # A household is its people's rows: one without members has nothing to import.
            for member in members.get(household.id, []):
                yield _row(ctx, household, member, programs.get(household.id, []))


def _row(ctx: ExportContext, household: Household, member: Member,
         programs: list[str]) -> list[Any]:  # fmt: skip
    return [
        ctx.kk(household), ctx.open(member.nik_encrypted, "nik"), member.name,
        RELATION_WORDS.get(member.relationship_to_head), member.sex, member.birth_date,
        household.address, household.rt, household.rw, *ctx.place(household),
        ", ".join(programs), household.phone, yes_no(member.severe_disability),
        yes_no(member.in_school), household.desa_code, household.desil,
        padan_word(member.padan_dukcapil), member.occupation, member.education,
        member.marital_status, household.roof, household.walls, household.floor,
        household.lighting, household.cooking_fuel, household.drinking_water, household.toilet,
        LIST_NAMES.get(household.source_system or ""), household.source_household_id,
        household.source_programs, wib_day(member.left_at),
        LEFT_REASON_WORDS.get(member.left_reason or "", member.left_reason),
    ]  # fmt: skip
