"""The list: regions (kabupaten, kecamatan, desa/kelurahan), households keyed by their No. KK,
their members, and the aid programmes a household is in.

NIK and No. KK are never stored in clear: each has a keyed hash (lookup, dedup), an encrypted
value (staff export) and a masked display form.
"""

from __future__ import annotations

import datetime as dt

from sqlalchemy import (
    Boolean,
    Date,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from db.models.base import Base, utcnow


class Region(Base):
    """Kabupaten → kecamatan → desa/kelurahan, keyed by the dotted Kemendagri code."""

    __tablename__ = "regions"
    code: Mapped[str] = mapped_column(String(13), primary_key=True)
    name: Mapped[str] = mapped_column(String(100))
    level: Mapped[str] = mapped_column(String(12))  # kabupaten | kecamatan | desa | kelurahan
    parent_code: Mapped[str | None] = mapped_column(ForeignKey("regions.code"), index=True)


class Household(Base):
    """A family (keluarga) keyed by its No. KK: on the BNBA list, or proposed (usulan). A
    family from a list without KK (P3KE) is keyed by that list's own household id until a
    later file or staff add the KK (services.bnba_write)."""

    __tablename__ = "households"
    __table_args__ = (
        UniqueConstraint("source_system", "source_household_id"),
        # Households per area as /statistik counts them and those /tugas lists as not visited,
        # read from the index alone (benchmarks/cases.py); it serves kecamatan_code alone too.
        Index(
            "ix_households_area_status",
            "kecamatan_code",
            "desa_code",
            "status",
            "verification",
            "last_visit_at",
            "extreme_poor",  # the latest finding (migration 0015): counted from the index too
        ),
    )
    id: Mapped[int] = mapped_column(primary_key=True)
    # Empty only for a proposal whose No. KK nobody knew (migration 0006).
    kk_hash: Mapped[str | None] = mapped_column(String(64), unique=True)
    kk_encrypted: Mapped[str | None] = mapped_column(Text)
    kk_masked: Mapped[str | None] = mapped_column(String(16))
    address: Mapped[str | None] = mapped_column(String(300))
    rt: Mapped[str | None] = mapped_column(String(3))
    rw: Mapped[str | None] = mapped_column(String(3))
    desa_code: Mapped[str] = mapped_column(ForeignKey("regions.code"), index=True)
    kecamatan_code: Mapped[str] = mapped_column(ForeignKey("regions.code"))
    # bnba (from the office's list) | usulan_warga | usulan_relawan
    source: Mapped[str] = mapped_column(String(20), default="bnba")
    # terdaftar | menunggu_verifikasi | terverifikasi | ditolak
    verification: Mapped[str] = mapped_column(String(24), default="terdaftar")
    verification_note: Mapped[str | None] = mapped_column(Text)
    # No FK: accounts already point at households, and a cycle would block table ordering.
    proposed_by_account_id: Mapped[int | None] = mapped_column(Integer, index=True)
    description: Mapped[str | None] = mapped_column(Text)
    declared_members: Mapped[int | None] = mapped_column(Integer)
    phone: Mapped[str | None] = mapped_column(String(20))
    needs_visit: Mapped[bool] = mapped_column(Boolean, default=False)
    needs_visit_reason: Mapped[str | None] = mapped_column(String(40))
    last_visit_at: Mapped[dt.datetime | None]
    # The latest finding on the family's income, from a self-report or a visit (whichever is
    # newer; services.findings keeps it): what the statistics count as "extreme poor".
    extreme_poor: Mapped[bool | None] = mapped_column(Boolean)
    extreme_poor_at: Mapped[dt.datetime | None]
    # aktif | pindah | meninggal | tidak_ditemukan (a visit's finding, services.field_reports):
    # only "aktif" households are in new schedules, area broadcasts and the statistics.
    status: Mapped[str] = mapped_column(String(16), default="aktif", server_default="aktif")
    # Keyed hash of this KK's rows as last imported from the BNBA list (services.bnba_import):
    # the same rows again change nothing, so a resident's or volunteer's later correction stays.
    bnba_digest: Mapped[str | None] = mapped_column(String(64))
    # The same, for the household's own columns only (address, RT/RW, desa, phone).
    bnba_household_digest: Mapped[str | None] = mapped_column(String(64))
    # The same as bnba_digest for a list's sheet of families (P3KE Keluarga), whose rows
    # differ from its sheet of people: each sheet again alone changes nothing.
    bnba_heads_digest: Mapped[str | None] = mapped_column(String(64))
    # The list it came from (p3ke, dtks, regsosek, siks, kpm) and that list's household id
    # (ID Keluarga P3KE, IDBDT): not a population number, stored as is.
    source_system: Mapped[str | None] = mapped_column(String(20))
    source_household_id: Mapped[str | None] = mapped_column(String(64))
    desil: Mapped[int | None] = mapped_column(Integer)  # welfare decile 1 (poorest)..10
    # Programmes the list says the family receives, by the list's own column names.
    source_programs: Mapped[str | None] = mapped_column(String(300))
    # The house as the list describes it (atap, dinding, lantai, penerangan, bahan bakar
    # memasak, sumber air minum, fasilitas BAB), in the list's words.
    roof: Mapped[str | None] = mapped_column(String(60))
    walls: Mapped[str | None] = mapped_column(String(60))
    floor: Mapped[str | None] = mapped_column(String(60))
    lighting: Mapped[str | None] = mapped_column(String(60))
    cooking_fuel: Mapped[str | None] = mapped_column(String(60))
    drinking_water: Mapped[str | None] = mapped_column(String(60))
    toilet: Mapped[str | None] = mapped_column(String(60))
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[dt.datetime] = mapped_column(default=utcnow, onupdate=utcnow)

    members: Mapped[list[Member]] = relationship(back_populates="household")
    programs: Mapped[list[HouseholdProgram]] = relationship(back_populates="household")


class Member(Base):
    """A person on a KK. Categories drive program eligibility (lansia, difabel berat...)."""

    __tablename__ = "members"
    id: Mapped[int] = mapped_column(primary_key=True)
    household_id: Mapped[int] = mapped_column(ForeignKey("households.id"), index=True)
    # Empty only for a proposed member whose NIK nobody knew, or erased on withdrawal.
    nik_hash: Mapped[str | None] = mapped_column(String(64), unique=True)
    nik_encrypted: Mapped[str | None] = mapped_column(Text)
    nik_masked: Mapped[str | None] = mapped_column(String(16))
    name: Mapped[str] = mapped_column(String(120))
    relationship_to_head: Mapped[str] = mapped_column(String(20))  # kepala, istri, anak, ...
    sex: Mapped[str | None] = mapped_column(String(1))  # L | P
    birth_date: Mapped[dt.date | None] = mapped_column(Date)
    severe_disability: Mapped[bool] = mapped_column(Boolean, default=False)
    # A visit found they no longer live here (kept for history, not counted as a member).
    left_at: Mapped[dt.datetime | None]
    left_reason: Mapped[str | None] = mapped_column(String(20))
    in_school: Mapped[bool | None] = mapped_column(Boolean)
    # From the lists: matched with Dukcapil's records (P3KE "Padan Dukcapil"), work, schooling
    # and marital status in the list's words.
    padan_dukcapil: Mapped[bool | None] = mapped_column(Boolean)
    occupation: Mapped[str | None] = mapped_column(String(80))
    education: Mapped[str | None] = mapped_column(String(60))
    marital_status: Mapped[str | None] = mapped_column(String(20))
    # Keyed hash of this person's row as last imported from the BNBA list (see Household).
    bnba_digest: Mapped[str | None] = mapped_column(String(64))
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[dt.datetime] = mapped_column(default=utcnow, onupdate=utcnow)

    household: Mapped[Household] = relationship(back_populates="members")


class AidProgram(Base):
    __tablename__ = "aid_programs"
    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(20), unique=True)  # BLT, PKH, BPNT, RUTILAHU, ...
    name: Mapped[str] = mapped_column(String(120))


class HouseholdProgram(Base):
    __tablename__ = "household_programs"
    __table_args__ = (UniqueConstraint("household_id", "program_id"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    household_id: Mapped[int] = mapped_column(ForeignKey("households.id"), index=True)
    program_id: Mapped[int] = mapped_column(ForeignKey("aid_programs.id"), index=True)
    household: Mapped[Household] = relationship(back_populates="programs")
