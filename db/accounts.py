"""Queries about accounts (Telegram users of the bot)."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import select
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.ext.asyncio import AsyncSession

from db.engine import AccountCache
from db.models.accounts import Account
from db.models.base import utcnow
from domain.roles import PETUGAS, WARGA

# last_seen_at is a coarse signal (who still uses the bot); writing it on every update
# would double the database work of the hot path.
LAST_SEEN_RESOLUTION = dt.timedelta(hours=1)


async def by_telegram_id(session: AsyncSession, telegram_id: int) -> Account | None:
    return await session.scalar(select(Account).where(Account.telegram_id == telegram_id))


async def load_for_update(
    session: AsyncSession,
    telegram_id: int,
    *,
    is_admin: bool,
    cache: AccountCache | None = None,
    version: bytes | None = None,
) -> Account:
    """The sender's account, created on first contact. Only the Telegram id is stored before
    consent: it is what lets the bot remember a refusal.

    A cached account (committed data) is merged into the session without a query: the
    session gets its own copy, so no object is ever shared by two sessions. The unit of work
    puts the account back in the cache once the update has ended well (bot.middlewares)."""
    cached = cache.get(telegram_id, version) if cache is not None else None
    if cached is not None:
        account: Account | None = await session.merge(cached, load=False)
    else:
        account = await by_telegram_id(session, telegram_id)
    now = utcnow()
    if account is None:
        account = await _create(session, telegram_id, is_admin, now)
        if account is None:
            # Another process met this new user at the same moment and created the row.
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


async def _create(
    session: AsyncSession, telegram_id: int, is_admin: bool, now: dt.datetime
) -> Account | None:
    """A new user's account, or None if the row already exists: INSERT .. ON CONFLICT DO
    NOTHING, since two processes may meet the same new user at once."""
    row = {
        "telegram_id": telegram_id,
        "role": PETUGAS if is_admin else WARGA,
        "consent": "none",
        "language": "id",
        "bot_blocked": False,
        "reminders_enabled": True,
        # Residents use the default command list: nothing to send them (handlers/commands.py).
        "commands_role": None if is_admin else WARGA,
        "created_at": now,
        "last_seen_at": now,
    }
    insert = pg_insert if session.get_bind().dialect.name == "postgresql" else sqlite_insert
    statement = (
        insert(Account)
        .on_conflict_do_nothing(index_elements=[Account.telegram_id])
        .returning(Account)
    )
    return (await session.scalars(statement, [row])).first()


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


async def mark_unreachable(session: AsyncSession, telegram_id: int) -> None:
    """The user blocked the bot (Telegram answered 403): left out of audiences until they
    write again."""
    account = await by_telegram_id(session, telegram_id)
    if account is not None:
        account.bot_blocked = True
