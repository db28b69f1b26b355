"""What households are offered: aid disbursements and the households each reaches, trainings,
their sign-ups and who came on each day.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import (
    JSON,
    BigInteger,
    Boolean,
    Date,
    ForeignKey,
    Integer,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column

from db.models.base import Base, utcnow


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
    # enrolled | waiting | cancelled | attended (present on at least one day of the training:
    # services.attendance keeps it in step with training_attendance)
    status: Mapped[str] = mapped_column(String(12))
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[dt.datetime] = mapped_column(default=utcnow, onupdate=utcnow)


class TrainingAttendance(Base):
    """Whether a participant came on one day of a training (WIB calendar day). A row exists
    once someone was marked that day; no row means not marked yet, which the lists show as
    not present."""

    __tablename__ = "training_attendance"
    __table_args__ = (UniqueConstraint("enrollment_id", "day"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    enrollment_id: Mapped[int] = mapped_column(ForeignKey("enrollments.id"))
    day: Mapped[dt.date] = mapped_column(Date)
    present: Mapped[bool] = mapped_column(Boolean)
    marked_by_account_id: Mapped[int | None] = mapped_column(ForeignKey("accounts.id"))
    marked_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
