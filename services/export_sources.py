"""Verification results sent back to a list's owner in that list's own layout (report
``hasil_verifikasi`` with a source: ``p3ke`` or ``dtks``): one row per person of each
household that came from that list, in the list's own columns, spelled as the importer
recognises them (services.source_layouts: the file reads back as that layout), with the
verification columns added at the end.

The list's values are written the way the list writes them (P3KE: ``Laki-laki``, ``Padan``,
4 relations; BDT: 1/2, Hub_KRT 1..8, BPS kecamatan codes). What we never kept (P3KE's ``ID
Individu``, BDT's ``IDARTBDT`` and BPS desa codes) is left out rather than sent empty.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass
from typing import Any

from sqlalchemy import exists, select

from db.models.accounts import Account
from db.models.field import FieldVisit
from db.models.households import Household, Member
from domain.source_values import LEFT_REASON_WORDS, normalise_header
from services import photo_links
from services.export_context import ExportContext, wib_day
from services.export_people import latest_visits, members_of, padan_word
from services.export_values import HOUSEHOLD_STATUS, ROLE_WORDS, VISIT_OUTCOMES
from services.source_regions import BPS_KECAMATAN

SOURCE_KIND = "hasil_verifikasi"
VERIFICATION_COLUMNS = [
    "Hasil Verifikasi", "Status Keluarga", "Status Anggota", "Tanggal Kunjungan Terakhir",
    "Hasil Kunjungan", "Pendamping", "Keterangan", "Foto Kunjungan",
]  # fmt: skip
# A visit that settled the family's facts: met, or found moved, dead or not at the address.
SETTLED = frozenset({"ditemui", "pindah", "meninggal", "alamat_tidak_ditemukan"})
MARITAL = {"1": "Belum Kawin", "2": "Kawin", "3": "Cerai Hidup", "4": "Cerai Mati"}
MARITAL_CODES = {normalise_header(word): code for code, word in MARITAL.items()}
KEMENDAGRI_TO_BPS = {kemendagri: bps[4:] for bps, kemendagri in BPS_KECAMATAN.items()}
PROVINCE, KABUPATEN = "JAWA BARAT", "KAB. BEKASI"


@dataclass(frozen=True)
class Person:
    """One row's facts, for a layout's own columns."""

    ctx: ExportContext
    household: Household
    member: Member

    @property
    def kecamatan(self) -> str:
        code = self.household.kecamatan_code
        return self.ctx.names.get(code, code).upper()

    @property
    def desa(self) -> str:
        code = self.household.desa_code
        return self.ctx.names.get(code, code).upper()


def _p3ke_relation(code: str) -> str | None:
    # P3KE knows four: a husband who is not the head is "Lainnya", not "Istri".
    return {"kepala": "Kepala Keluarga", "istri": "Istri", "anak": "Anak",
            "belum_diketahui": None}.get(code, "Lainnya")  # fmt: skip


def _p3ke(p: Person) -> list[Any]:
    h, m = p.household, p.member
    marital = MARITAL.get(m.marital_status or "", m.marital_status)
    sex = {"L": "Laki-laki", "P": "Perempuan"}.get(m.sex or "")
    return [
        h.source_household_id, PROVINCE, KABUPATEN, p.kecamatan, p.desa,
        h.desa_code.replace(".", ""), h.desil, h.address, m.name,
        p.ctx.open(m.nik_encrypted, "NIK"), p.ctx.kk(h), padan_word(m.padan_dukcapil), sex,
        _p3ke_relation(m.relationship_to_head), m.birth_date, marital, m.occupation,
        m.education,
    ]  # fmt: skip


# BDT's Hub_KRT: 1 kepala, 2 istri/suami, 3 anak, 4 menantu, 5 cucu, 6 orang tua/mertua,
# 7 pembantu, 8 lainnya (docs/domain.md).
BDT_RELATION = {"kepala": 1, "istri": 2, "suami": 2, "anak": 3, "menantu": 4, "cucu": 5,
                "orang_tua": 6, "mertua": 6, "famili_lain": 8, "lainnya": 8}  # fmt: skip


def _dtks(p: Person) -> list[Any]:
    h, m = p.household, p.member
    marital = m.marital_status
    if marital is not None:
        marital = MARITAL_CODES.get(normalise_header(marital), marital)
    return [
        h.source_household_id, "32", "16", KEMENDAGRI_TO_BPS.get(h.kecamatan_code),
        p.kecamatan, p.desa, h.address, m.name, {"L": 1, "P": 2}.get(m.sex or ""),
        m.birth_date, BDT_RELATION.get(m.relationship_to_head),
        p.ctx.open(m.nik_encrypted, "NIK"), p.ctx.kk(h), marital, h.desil,
    ]  # fmt: skip


@dataclass(frozen=True)
class SourceLayout:
    source: str  # Household.source_system
    name: str  # the importer's layout it reads back as
    columns: list[str]
    person: Callable[[Person], list[Any]]


SOURCES = {
    "p3ke": SourceLayout("p3ke", "P3KE Individu", [
        "ID Keluarga P3KE", "Provinsi", "Kabupaten/Kota", "Kecamatan", "Desa/Kelurahan",
        "Kode Kemdagri", "Desil Kesejahteraan", "Alamat", "Nama", "NIK", "No KK",
        "Padan Dukcapil", "Jenis Kelamin", "Hubungan dengan Kepala Keluarga", "Tanggal Lahir",
        "Status Kawin", "Pekerjaan", "Pendidikan",
    ], _p3ke),
    "dtks": SourceLayout("dtks", "DTKS/BDT (TNP2K)", [
        "IDBDT", "KDPROP", "KDKAB", "KDKEC", "NMKEC", "NMDESA", "Alamat", "Nama", "JnsKel",
        "TglLahir", "Hub_KRT", "NIK", "NoKK", "Sta_kawin", "Desil",
    ], _dtks),
}  # fmt: skip
Rows = Callable[[ExportContext], AsyncIterator[list[Any]]]


def source_report(source: str | None) -> tuple[list[str], Rows]:
    """The columns and rows of the verification report in ``source``'s layout."""
    layout = SOURCES.get(source or "")
    if layout is None:
        raise ValueError(f"the verification report needs a source: one of {', '.join(SOURCES)}")

    async def rows(ctx: ExportContext) -> AsyncIterator[list[Any]]:
        async for row in _rows(ctx, layout):
            yield row

    return [*layout.columns, *VERIFICATION_COLUMNS], rows


def verification_word(household: Household, visit: FieldVisit | None) -> str:
    """``terverifikasi`` / ``ditolak`` as the household's verification says; a family on a
    list is verified once a visit settled its facts (met it, or found it moved, dead or not
    at the address); otherwise ``menunggu``."""
    if household.verification in ("terverifikasi", "ditolak"):
        return household.verification
    if visit is not None and visit.outcome in SETTLED:
        return "terverifikasi"
    return "menunggu"


def volunteer_words(volunteer: Account) -> str:
    role = ROLE_WORDS.get(volunteer.role, volunteer.role)
    return f"{volunteer.first_name} ({role})" if volunteer.first_name else role


async def _rows(ctx: ExportContext, layout: SourceLayout) -> AsyncIterator[list[Any]]:
    statement = ctx.area(select(Household).where(Household.source_system == layout.source))
    start, end = ctx.filters.bounds()
    if start is not None or end is not None:  # the results of a period: visited in it
        statement = statement.where(exists(ctx.period(
            select(FieldVisit.id).where(FieldVisit.household_id == Household.id),
            FieldVisit.visited_at,
        )))  # fmt: skip
    async for chunk in ctx.chunks(statement, Household.id):
        ids = [household.id for (household,) in chunk]
        members = await members_of(ctx.session, ids)
        visits = await latest_visits(ctx.session, ids)
        # What verifies a family is the latest visit that settled its facts: a later one
        # where nobody was home changes nothing.
        settled = await latest_visits(ctx.session, ids, SETTLED)
        for (household,) in chunk:
            visit, volunteer = visits.get(household.id, (None, None))
            result = verification_word(household, settled.get(household.id, (None, None))[0])
            for member in members.get(household.id, []):
                yield [
                    *layout.person(Person(ctx, household, member)), result,
                    HOUSEHOLD_STATUS.get(household.status, household.status),
                    _member_status(member),
                    wib_day(visit.visited_at) if visit else None,
                    VISIT_OUTCOMES.get(visit.outcome, visit.outcome) if visit else None,
                    volunteer_words(volunteer) if volunteer else None,
                    _note(member, visit),
                    ctx.photo(photo_links.VISIT, visit.id, visit.photo_file_id) if visit else None,
                ]  # fmt: skip


def _member_status(member: Member) -> str:
    if member.left_at is None:
        return "tinggal"
    return LEFT_REASON_WORDS.get(member.left_reason or "", "tidak tinggal lagi")


def _note(member: Member, visit: FieldVisit | None) -> str | None:
    parts = []
    if member.left_at is not None:
        day = wib_day(member.left_at)
        assert day is not None
        parts.append(f"keluar dari keluarga {day:%d/%m/%Y}")
    if visit is not None and visit.note:
        parts.append(visit.note)
    return "; ".join(parts) or None
