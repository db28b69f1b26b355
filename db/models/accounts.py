"""The bot's users: accounts (Telegram users with role, area and consent), failed attempts to
link a household or redeem an invite, and volunteers' invitations.
"""

from __future__ import annotations

import datetime as dt

from sqlalchemy import BigInteger, Boolean, ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column

from db.models.base import Base, utcnow


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
    # Said "berhenti"/"stop": no broadcasts and no reminders (answers to their cases still go).
    opted_out_at: Mapped[dt.datetime | None]
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


class InviteAttempt(Base):
    """Wrong volunteer invite codes per account, to stop codes being guessed."""

    __tablename__ = "invite_attempts"
    id: Mapped[int] = mapped_column(primary_key=True)
    account_id: Mapped[int] = mapped_column(ForeignKey("accounts.id"), index=True)
    at: Mapped[dt.datetime] = mapped_column(default=utcnow)
