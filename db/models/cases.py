"""Cases: something a resident (or, later, the bot itself) raised that a person must answer,
with its thread of messages.

One model for every kind of case: complaints and questions (`aduan`) and the volunteers'
tasks (`usulan`, `laporan_mendesak`, `koreksi`, `belum_menerima`, `tidak_terjangkau`;
households not visited for 90 days are listed by a query, not stored). The states, levels,
kinds and outcomes are listed in `services.cases`.
"""

from __future__ import annotations

import datetime as dt

from sqlalchemy import Boolean, ForeignKey, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from db.models.base import Base, utcnow


class Case(Base):
    __tablename__ = "cases"
    __table_args__ = (
        Index("ix_cases_inbox_desa", "desa_code", "state"),
        Index("ix_cases_inbox_kecamatan", "kecamatan_code", "state"),
        Index("ix_cases_open_priority", "state", "priority"),
        # A household's open cases, and /tugas grouping them per household, from the index
        # alone (benchmarks/cases.py); it serves household_id alone too.
        Index("ix_cases_household_open", "household_id", "state", "kind", "priority", "created_at"),
    )
    id: Mapped[int] = mapped_column(primary_key=True)
    # aduan | usulan | laporan_mendesak | koreksi | belum_menerima | tidak_terjangkau |
    # tidak_dikunjungi
    kind: Mapped[str] = mapped_column(String(24))
    # Empty when the resident is not linked to a household: they picked the desa.
    household_id: Mapped[int | None] = mapped_column(ForeignKey("households.id"))
    desa_code: Mapped[str] = mapped_column(ForeignKey("regions.code"))
    kecamatan_code: Mapped[str] = mapped_column(ForeignKey("regions.code"))
    raised_by_account_id: Mapped[int | None] = mapped_column(ForeignKey("accounts.id"), index=True)
    # While the case is not closed: "<kind>:h<household id>" or "<kind>:a<account id>"; the
    # unique constraint keeps one open case per household (or account) and kind, also when
    # two messages arrive at once. Emptied on closing (several NULLs are allowed).
    open_key: Mapped[str | None] = mapped_column(String(40), unique=True)
    # open | taken | waiting (for the resident) | passed_up | closed
    state: Mapped[str] = mapped_column(String(12), default="open")
    # psm | tksk | staff: who should answer now
    level: Mapped[str] = mapped_column(String(8), default="psm")
    holder_account_id: Mapped[int | None] = mapped_column(ForeignKey("accounts.id"))
    urgent: Mapped[bool] = mapped_column(Boolean, default=False)
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    first_answer_due_at: Mapped[dt.datetime]
    answered_at: Mapped[dt.datetime | None]  # the first answer (since the last reopening)
    last_message_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    # Answer-time bookkeeping (bot.workers.cases): when to remind, when to pass up unanswered.
    next_reminder_at: Mapped[dt.datetime | None] = mapped_column(index=True)
    escalate_at: Mapped[dt.datetime | None] = mapped_column(index=True)
    escalations: Mapped[int] = mapped_column(Integer, default=0)
    closed_at: Mapped[dt.datetime | None]
    closed_by_account_id: Mapped[int | None] = mapped_column(ForeignKey("accounts.id"))
    outcome: Mapped[str | None] = mapped_column(String(30))  # a code of the kind's list
    outcome_note: Mapped[str | None] = mapped_column(Text)  # never a plain NIK/KK
    resident_feedback: Mapped[str | None] = mapped_column(String(12))  # helped | not_helped
    reopened_count: Mapped[int] = mapped_column(Integer, default=0)
    # Lower is more urgent in a volunteer's list (services.tasks.PRIORITY).
    priority: Mapped[int] = mapped_column(Integer, default=25, server_default="25")
    # What raised it last, e.g. ("disbursement_recipient", 5), ("broadcast", 3), ("household", 9)
    source_type: Mapped[str | None] = mapped_column(String(30))
    source_id: Mapped[int | None] = mapped_column(Integer)


class CaseMessage(Base):
    """One message of a case's thread. Files are kept as Telegram file ids (re-sent, never
    forwarded, so neither side sees the other's account)."""

    __tablename__ = "case_messages"
    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("cases.id"), index=True)
    author_account_id: Mapped[int | None] = mapped_column(ForeignKey("accounts.id"))
    role: Mapped[str] = mapped_column(String(10))  # resident | volunteer | staff | system
    text: Mapped[str | None] = mapped_column(Text)  # NIK/KK masked before it gets here
    file_id: Mapped[str | None] = mapped_column(String(200))
    file_kind: Mapped[str | None] = mapped_column(String(10))  # photo | voice | document
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
