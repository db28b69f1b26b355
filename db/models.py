"""SQLAlchemy models for the whole domain.

NIK and No. KK are never stored in clear: each has a keyed hash (lookup, dedup), an encrypted
value (staff export) and a masked display form. Times are stored as UTC.
"""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING, Any, ClassVar

from sqlalchemy import (
    JSON,
    BigInteger,
    Boolean,
    Date,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    MetaData,
    String,
    Table,
    Text,
    TypeDecorator,
    UniqueConstraint,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, relationship

NAMING = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


def utcnow() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


class UTCDateTime(TypeDecorator[dt.datetime]):
    """Aware UTC datetimes on both SQLite (which drops the zone) and PostgreSQL."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: dt.datetime | None, dialect: Any) -> dt.datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given; use aware UTC datetimes")
        return value.astimezone(dt.UTC)

    def process_result_value(self, value: dt.datetime | None, dialect: Any) -> dt.datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            return value.replace(tzinfo=dt.UTC)
        return value.astimezone(dt.UTC)


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING)
    type_annotation_map = {dt.datetime: UTCDateTime(), dict[str, Any]: JSON()}
    if TYPE_CHECKING:
        # Every model here maps a plain Table (DeclarativeBase says FromClause), so Core
        # insert()/update() of `Model.__table__` type-check. Only for the type checker.
        __table__: ClassVar[Table]


class Region(Base):
    """Kabupaten → kecamatan → desa/kelurahan, keyed by the dotted Kemendagri code."""

    __tablename__ = "regions"
    code: Mapped[str] = mapped_column(String(13), primary_key=True)
    name: Mapped[str] = mapped_column(String(100))
    level: Mapped[str] = mapped_column(String(12))  # kabupaten | kecamatan | desa | kelurahan
    parent_code: Mapped[str | None] = mapped_column(ForeignKey("regions.code"), index=True)


class Household(Base):
    """A family (keluarga) keyed by its No. KK: on the BNBA list, or proposed (usulan)."""

    __tablename__ = "households"
    id: Mapped[int] = mapped_column(primary_key=True)
    # Empty only for a proposal whose No. KK nobody knew (migration 0006).
    kk_hash: Mapped[str | None] = mapped_column(String(64), unique=True)
    kk_encrypted: Mapped[str | None] = mapped_column(Text)
    kk_masked: Mapped[str | None] = mapped_column(String(16))
    address: Mapped[str | None] = mapped_column(String(300))
    rt: Mapped[str | None] = mapped_column(String(3))
    rw: Mapped[str | None] = mapped_column(String(3))
    desa_code: Mapped[str] = mapped_column(ForeignKey("regions.code"), index=True)
    kecamatan_code: Mapped[str] = mapped_column(ForeignKey("regions.code"), index=True)
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
    # Keyed hash of this KK's rows as last imported from the BNBA list (services.bnba_import):
    # the same rows again change nothing, so a resident's or volunteer's later correction stays.
    bnba_digest: Mapped[str | None] = mapped_column(String(64))
    # The same, for the household's own columns only (address, RT/RW, desa, phone).
    bnba_household_digest: Mapped[str | None] = mapped_column(String(64))
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
    in_school: Mapped[bool | None] = mapped_column(Boolean)
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


class Account(Base):
    """A Telegram user of the bot, with role, area and consent."""

    __tablename__ = "accounts"
    id: Mapped[int] = mapped_column(primary_key=True)
    telegram_id: Mapped[int] = mapped_column(BigInteger, unique=True)
    first_name: Mapped[str | None] = mapped_column(String(64))
    role: Mapped[str] = mapped_column(String(10), default="warga")  # warga | psm | tksk | petugas
    area_code: Mapped[str | None] = mapped_column(ForeignKey("regions.code"))
    # none (not asked yet) | given | declined | withdrawn
    consent: Mapped[str] = mapped_column(String(10), default="none")
    consent_at: Mapped[dt.datetime | None]
    language: Mapped[str] = mapped_column(String(5), default="id")
    bot_blocked: Mapped[bool] = mapped_column(Boolean, default=False)
    household_id: Mapped[int | None] = mapped_column(ForeignKey("households.id"), index=True)
    member_id: Mapped[int | None] = mapped_column(ForeignKey("members.id"))
    reminders_enabled: Mapped[bool] = mapped_column(Boolean, default=True)
    commands_role: Mapped[str | None] = mapped_column(
        String(10)
    )  # role the command menu was set for
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    last_seen_at: Mapped[dt.datetime | None]


class LinkAttempt(Base):
    """Failed household-link attempts, to stop NIK/KK guessing."""

    __tablename__ = "link_attempts"
    id: Mapped[int] = mapped_column(primary_key=True)
    account_id: Mapped[int] = mapped_column(ForeignKey("accounts.id"), index=True)
    at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    succeeded: Mapped[bool] = mapped_column(Boolean, default=False)


class StatusReport(Base):
    """A household's self-report; history is kept, never overwritten."""

    __tablename__ = "status_reports"
    id: Mapped[int] = mapped_column(primary_key=True)
    household_id: Mapped[int] = mapped_column(ForeignKey("households.id"), index=True)
    account_id: Mapped[int | None] = mapped_column(ForeignKey("accounts.id"))
    answers: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    income_monthly: Mapped[int | None] = mapped_column(BigInteger)
    members_count: Mapped[int | None] = mapped_column(Integer)
    income_per_person_day: Mapped[int | None] = mapped_column(Integer)
    extreme_poor: Mapped[bool | None] = mapped_column(Boolean)
    urgent: Mapped[bool] = mapped_column(Boolean, default=False)
    photo_file_id: Mapped[str | None] = mapped_column(String(200))
    latitude: Mapped[float | None]
    longitude: Mapped[float | None]
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow, index=True)


class FieldVisit(Base):
    __tablename__ = "field_visits"
    id: Mapped[int] = mapped_column(primary_key=True)
    household_id: Mapped[int] = mapped_column(ForeignKey("households.id"), index=True)
    volunteer_account_id: Mapped[int] = mapped_column(ForeignKey("accounts.id"), index=True)
    # ditemui | tidak_ada_orang | pindah | meninggal | alamat_tidak_ditemukan | data_salah
    outcome: Mapped[str] = mapped_column(String(30))
    answers: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    photo_file_id: Mapped[str | None] = mapped_column(String(200))
    latitude: Mapped[float | None]
    longitude: Mapped[float | None]
    note: Mapped[str | None] = mapped_column(Text)
    visited_at: Mapped[dt.datetime] = mapped_column(default=utcnow, index=True)


class Disbursement(Base):
    """A scheduled payout (BLT, PKH...) at a place and time, to a set of households."""

    __tablename__ = "disbursements"
    id: Mapped[int] = mapped_column(primary_key=True)
    program_id: Mapped[int] = mapped_column(ForeignKey("aid_programs.id"), index=True)
    title: Mapped[str] = mapped_column(String(200))
    amount: Mapped[int] = mapped_column(BigInteger)
    scheduled_at: Mapped[dt.datetime] = mapped_column(index=True)
    place: Mapped[str] = mapped_column(String(300))
    bring: Mapped[str | None] = mapped_column(String(300))
    target: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    status: Mapped[str] = mapped_column(String(12), default="scheduled")  # scheduled | cancelled
    reminder_queued_at: Mapped[dt.datetime | None]
    created_by_account_id: Mapped[int | None] = mapped_column(ForeignKey("accounts.id"))
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[dt.datetime] = mapped_column(default=utcnow, onupdate=utcnow)


class DisbursementRecipient(Base):
    __tablename__ = "disbursement_recipients"
    __table_args__ = (UniqueConstraint("disbursement_id", "household_id"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    disbursement_id: Mapped[int] = mapped_column(ForeignKey("disbursements.id"), index=True)
    household_id: Mapped[int] = mapped_column(ForeignKey("households.id"), index=True)
    collected_at: Mapped[dt.datetime | None]
    # What the household answered to "Sudah menerima bantuan?": None (not asked) | ya | belum
    resident_answer: Mapped[str | None] = mapped_column(String(10))
    asked_at: Mapped[dt.datetime | None]
    complaint: Mapped[str | None] = mapped_column(Text)


class Training(Base):
    __tablename__ = "trainings"
    id: Mapped[int] = mapped_column(primary_key=True)
    title: Mapped[str] = mapped_column(String(200))
    provider: Mapped[str] = mapped_column(String(200))
    description: Mapped[str | None] = mapped_column(Text)
    starts_at: Mapped[dt.datetime]
    ends_at: Mapped[dt.datetime | None]
    place: Mapped[str] = mapped_column(String(300))
    capacity: Mapped[int] = mapped_column(Integer)
    seats_taken: Mapped[int] = mapped_column(Integer, default=0)
    min_age: Mapped[int] = mapped_column(Integer, default=15)
    max_age: Mapped[int] = mapped_column(Integer, default=64)
    signup_deadline: Mapped[dt.datetime | None]
    status: Mapped[str] = mapped_column(String(10), default="open")  # open | closed | cancelled
    created_by_account_id: Mapped[int | None] = mapped_column(ForeignKey("accounts.id"))
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)


class Enrollment(Base):
    __tablename__ = "enrollments"
    __table_args__ = (UniqueConstraint("training_id", "member_id"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    training_id: Mapped[int] = mapped_column(ForeignKey("trainings.id"), index=True)
    member_id: Mapped[int] = mapped_column(ForeignKey("members.id"), index=True)
    account_id: Mapped[int | None] = mapped_column(ForeignKey("accounts.id"))
    status: Mapped[str] = mapped_column(String(12))  # enrolled | waiting | cancelled | attended
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[dt.datetime] = mapped_column(default=utcnow, onupdate=utcnow)


class Broadcast(Base):
    """A message to an audience; deliveries are the durable per-recipient queue."""

    __tablename__ = "broadcasts"
    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[str] = mapped_column(String(12), default="manual")  # manual | reminder | notice
    # Unique key for system broadcasts (e.g. "reminder:disbursement:12:202403190200", the event
    # and its time) so they fire once per date, even with several instances.
    dedup_key: Mapped[str | None] = mapped_column(String(80), unique=True)
    text: Mapped[str] = mapped_column(Text)
    photo_file_id: Mapped[str | None] = mapped_column(String(200))
    document_file_id: Mapped[str | None] = mapped_column(String(200))
    audience: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    # draft | queued | sending | paused | cancelled | done
    status: Mapped[str] = mapped_column(String(10), default="draft", index=True)
    total: Mapped[int] = mapped_column(Integer, default=0)
    created_by_account_id: Mapped[int | None] = mapped_column(ForeignKey("accounts.id"))
    progress_chat_id: Mapped[int | None] = mapped_column(BigInteger)
    progress_message_id: Mapped[int | None] = mapped_column(BigInteger)
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    started_at: Mapped[dt.datetime | None]
    finished_at: Mapped[dt.datetime | None]


class Delivery(Base):
    __tablename__ = "deliveries"
    __table_args__ = (
        UniqueConstraint("broadcast_id", "account_id"),
        Index("ix_deliveries_queue", "broadcast_id", "status", "next_attempt_at"),
    )
    id: Mapped[int] = mapped_column(primary_key=True)
    broadcast_id: Mapped[int] = mapped_column(ForeignKey("broadcasts.id"))
    account_id: Mapped[int] = mapped_column(ForeignKey("accounts.id"), index=True)
    chat_id: Mapped[int] = mapped_column(BigInteger)
    # pending | sending | sent | failed | blocked | unknown (in flight when a sender died:
    # maybe delivered, never sent again)
    status: Mapped[str] = mapped_column(String(8), default="pending")
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    next_attempt_at: Mapped[dt.datetime | None]
    claimed_by: Mapped[str | None] = mapped_column(String(40))
    claimed_at: Mapped[dt.datetime | None]
    last_error: Mapped[str | None] = mapped_column(String(200))
    sent_at: Mapped[dt.datetime | None]
    message_id: Mapped[int | None] = mapped_column(BigInteger)


class WorkerLease(Base):
    """Which process does a job that must run in one place at a time (the broadcast sender:
    one global rate, one message per chat per second). The holder renews it while it works;
    another process takes over when it has expired (a crash)."""

    __tablename__ = "worker_leases"
    name: Mapped[str] = mapped_column(String(40), primary_key=True)
    holder: Mapped[str] = mapped_column(String(60))
    expires_at: Mapped[dt.datetime]


class VolunteerInvite(Base):
    __tablename__ = "volunteer_invites"
    id: Mapped[int] = mapped_column(primary_key=True)
    code_hash: Mapped[str] = mapped_column(String(64), unique=True)
    role: Mapped[str] = mapped_column(String(10))  # psm | tksk
    area_code: Mapped[str] = mapped_column(ForeignKey("regions.code"))
    created_by_account_id: Mapped[int | None] = mapped_column(ForeignKey("accounts.id"))
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    expires_at: Mapped[dt.datetime]
    used_by_account_id: Mapped[int | None] = mapped_column(ForeignKey("accounts.id"))
    used_at: Mapped[dt.datetime | None]
    revoked_at: Mapped[dt.datetime | None]


class VolunteerTask(Base):
    """Something a volunteer should go and see in a household, in the volunteers' /tugas.

    Written by the residents' features (a proposed household, an urgent self-report, a
    correction request, a complaint that aid did not arrive) and by staff broadcasts (a household
    the bot cannot reach); resolved by a field visit. Area codes are copied from the
    household so that a volunteer's list is one indexed query."""

    __tablename__ = "volunteer_tasks"
    __table_args__ = (
        Index("ix_volunteer_tasks_open_desa", "desa_code", "resolved_at"),
        Index("ix_volunteer_tasks_open_kecamatan", "kecamatan_code", "resolved_at"),
    )
    id: Mapped[int] = mapped_column(primary_key=True)
    household_id: Mapped[int] = mapped_column(ForeignKey("households.id"), index=True)
    desa_code: Mapped[str] = mapped_column(ForeignKey("regions.code"))
    kecamatan_code: Mapped[str] = mapped_column(ForeignKey("regions.code"))
    # usulan | laporan_mendesak | koreksi | belum_menerima | tidak_terjangkau
    kind: Mapped[str] = mapped_column(String(24))
    priority: Mapped[int] = mapped_column(Integer)  # lower is more urgent (services.tasks)
    # What raised it, e.g. ("status_report", 12), ("disbursement_recipient", 5), ("broadcast", 3)
    source_type: Mapped[str | None] = mapped_column(String(30))
    source_id: Mapped[int | None] = mapped_column(Integer)
    detail: Mapped[str | None] = mapped_column(Text)  # e.g. a correction request; never a NIK
    created_by_account_id: Mapped[int | None] = mapped_column(ForeignKey("accounts.id"))
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    resolved_at: Mapped[dt.datetime | None]
    resolved_by_account_id: Mapped[int | None] = mapped_column(ForeignKey("accounts.id"))
    resolution: Mapped[str | None] = mapped_column(String(40))


class AuditLog(Base):
    """Who did what to which record; never holds a NIK, KK or message body."""

    __tablename__ = "audit_log"
    id: Mapped[int] = mapped_column(primary_key=True)
    at: Mapped[dt.datetime] = mapped_column(default=utcnow, index=True)
    actor_account_id: Mapped[int | None] = mapped_column(ForeignKey("accounts.id"), index=True)
    actor_role: Mapped[str | None] = mapped_column(String(10))
    action: Mapped[str] = mapped_column(String(60))
    subject_type: Mapped[str | None] = mapped_column(String(30))
    subject_id: Mapped[int | None] = mapped_column(Integer)
    detail: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)


class FsmRecord(Base):
    """aiogram FSM state and data, so a half-finished conversation survives a restart."""

    __tablename__ = "fsm_records"
    key: Mapped[str] = mapped_column(String(200), primary_key=True)
    state: Mapped[str | None] = mapped_column(String(200))
    data: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    updated_at: Mapped[dt.datetime] = mapped_column(default=utcnow, onupdate=utcnow)


class InviteAttempt(Base):
    """Wrong volunteer invite codes per account, to stop codes being guessed."""

    __tablename__ = "invite_attempts"
    id: Mapped[int] = mapped_column(primary_key=True)
    account_id: Mapped[int] = mapped_column(ForeignKey("accounts.id"), index=True)
    at: Mapped[dt.datetime] = mapped_column(default=utcnow)


class QuickReport(Base):
    """A volunteer's one-message report from the field (`/laporcepat`), routed to staff."""

    __tablename__ = "quick_reports"
    id: Mapped[int] = mapped_column(primary_key=True)
    account_id: Mapped[int] = mapped_column(ForeignKey("accounts.id"), index=True)
    role: Mapped[str] = mapped_column(String(10))
    area_code: Mapped[str | None] = mapped_column(ForeignKey("regions.code"))
    text: Mapped[str] = mapped_column(Text)
    photo_file_id: Mapped[str | None] = mapped_column(String(200))
    latitude: Mapped[float | None]
    longitude: Mapped[float | None]
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow, index=True)


class AppMeta(Base):
    """Facts about this installation, by name; `key_check` tells a later start whether its
    SECRET_KEY is the one the stored NIK/KK were protected with (bot/key_check.py)."""

    __tablename__ = "app_meta"
    name: Mapped[str] = mapped_column(String(40), primary_key=True)
    value: Mapped[str] = mapped_column(Text)
