"""Queries about accounts (Telegram users of the bot)."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from bot.roles import PETUGAS, WARGA
from db.models import Account, utcnow

# last_seen_at is a coarse signal (who still uses the bot); writing it on every update
# would double the database work of the hot path.
LAST_SEEN_RESOLUTION = dt.timedelta(hours=1)


async def by_telegram_id(session: AsyncSession, telegram_id: int) -> Account | None:
    return await session.scalar(select(Account).where(Account.telegram_id == telegram_id))


async def load_for_update(session: AsyncSession, telegram_id: int, *, is_admin: bool) -> Account:
    """The sender's account, created on first contact. Only the Telegram id is stored before
    consent: it is what lets the bot remember a refusal."""
    account = await by_telegram_id(session, telegram_id)
    now = utcnow()
    if account is None:
        account = Account(
            telegram_id=telegram_id, role=PETUGAS if is_admin else WARGA, last_seen_at=now
        )
        try:
            async with session.begin_nested():
                session.add(account)
        except IntegrityError:  # another process created it a moment ago
            account = await by_telegram_id(session, telegram_id)
            assert account is not None
        return account
    if is_admin and account.role != PETUGAS:
        account.role = PETUGAS
    if account.bot_blocked:
        account.bot_blocked = False  # they wrote to us, so they have unblocked the bot
    if account.last_seen_at is None or now - account.last_seen_at > LAST_SEEN_RESOLUTION:
        account.last_seen_at = now
    return account


async def grant_role(
    session: AsyncSession, telegram_id: int, role: str, area_code: str | None
) -> Account:
    account = await by_telegram_id(session, telegram_id)
    if account is None:
        account = Account(telegram_id=telegram_id)
        session.add(account)
    account.role = role
    account.area_code = area_code
    await session.flush()
    return account


def set_consent(account: Account, agree: bool, first_name: str | None) -> None:
    """Record the choice. The first name is kept only with consent, for polite replies."""
    account.consent = (
        "given" if agree else ("withdrawn" if account.consent == "given" else "declined")
    )
    account.consent_at = utcnow()
    account.first_name = first_name[:64] if agree and first_name else None
