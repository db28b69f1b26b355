"""What is learned about households: residents' self-reports, volunteers' field visits and
quick reports. (What sends a volunteer to a household is a case: db.models.cases.)
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import JSON, BigInteger, Boolean, ForeignKey, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from db.models.base import Base, utcnow


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
    # What the visit found, counted like a self-report (the latest of either).
    income_monthly: Mapped[int | None] = mapped_column(BigInteger)
    members_count: Mapped[int | None] = mapped_column(Integer)
    income_per_person_day: Mapped[int | None] = mapped_column(Integer)
    extreme_poor: Mapped[bool | None] = mapped_column(Boolean)
    visited_at: Mapped[dt.datetime] = mapped_column(default=utcnow, index=True)


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
