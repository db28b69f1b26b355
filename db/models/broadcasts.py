"""Messages to many people: a broadcast, and its deliveries (the durable per-recipient queue the
broadcast sender works from).
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import JSON, BigInteger, ForeignKey, Index, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from db.models.base import Base, utcnow


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
    # Scheduled by staff ("Kirim nanti"): the sender does not start it before this time.
    # None: as soon as it is queued.
    send_at: Mapped[dt.datetime | None]
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
