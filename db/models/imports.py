"""How a list whose columns no layout knew was read: a staff member's choice of column per
field, kept for the next file with the same headers (CLI --map and the bot's buttons)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import JSON, String
from sqlalchemy.orm import Mapped, mapped_column

from db.models.base import Base, utcnow


class ImportMapping(Base):
    __tablename__ = "import_mappings"
    id: Mapped[int] = mapped_column(primary_key=True)
    # services.source_layouts.headers_key: a hash of the sorted normalised headers.
    headers_key: Mapped[str] = mapped_column(String(64), unique=True)
    mapping: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)  # field -> header
    layout: Mapped[str | None] = mapped_column(String(40))
    relation_codes: Mapped[str | None] = mapped_column(String(20))  # bdt | dukcapil
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[dt.datetime] = mapped_column(default=utcnow, onupdate=utcnow)
