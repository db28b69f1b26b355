"""The bot's own records: worker leases, the audit log, conversation (FSM) states and facts about
the installation.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import JSON, ForeignKey, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from db.models.base import Base, utcnow


class WorkerLease(Base):
    """Which process does a job that must run in one place at a time (the broadcast sender:
    one global rate, one message per chat per second). The holder renews it while it works;
    another process takes over when it has expired (a crash)."""

    __tablename__ = "worker_leases"
    name: Mapped[str] = mapped_column(String(40), primary_key=True)
    holder: Mapped[str] = mapped_column(String(60))
    expires_at: Mapped[dt.datetime]


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


class AppMeta(Base):
    """Facts about this installation, by name; `key_check` tells a later start whether its
    SECRET_KEY is the one the stored NIK/KK were protected with (bot/key_check.py)."""

    __tablename__ = "app_meta"
    name: Mapped[str] = mapped_column(String(40), primary_key=True)
    value: Mapped[str] = mapped_column(Text)
