"""What is learned about households: residents' self-reports, volunteers' field visits and
quick reports, and the tasks that send volunteers to a household.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import JSON, BigInteger, Boolean, ForeignKey, Index, Integer, String, Text
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
    visited_at: Mapped[dt.datetime] = mapped_column(default=utcnow, index=True)


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
