"""Queries about accounts (Telegram users of the bot)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import bindparam, select
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.exc import InvalidRequestError
from sqlalchemy.ext.asyncio import AsyncSession

from bot.roles import PETUGAS, WARGA
from db.engine import AccountCache
from db.models import Account, utcnow

# last_seen_at is a coarse signal (who still uses the bot); writing it on every update
# would double the database work of the hot path.
LAST_SEEN_RESOLUTION = dt.timedelta(hours=1)


# Built once: every first message of a session-less cache miss runs it.
_BY_TELEGRAM_ID = select(Account).where(Account.telegram_id == bindparam("telegram_id"))


async def by_telegram_id(session: AsyncSession, telegram_id: int) -> Account | None:
    return await session.scalar(_BY_TELEGRAM_ID, {"telegram_id": telegram_id})


async def load_for_update(
    session: AsyncSession, telegram_id: int, *, is_admin: bool, cache: AccountCache | None = None
) -> Account:
    """The sender's account, created on first contact. Only the Telegram id is stored before
    consent: it is what lets the bot remember a refusal.

    The cached instance (committed data) is attached to the session without a query. One
    user's updates are handled one at a time (event isolation), so it is never in two sessions
    at once; if it ever were, the row is read again."""
    account = cache.get(telegram_id) if cache is not None else None
    if account is not None:
        try:
            session.add(account)
        except InvalidRequestError:  # still attached to another session
            account = None
    if account is None:
        account = await by_telegram_id(session, telegram_id)
    now = utcnow()
    if account is None:
        account = await _create(session, telegram_id, is_admin, now)
        if account is not None:
            return account
        # Another process met this new user at the same moment and created the row.
        account = await by_telegram_id(session, telegram_id)
        assert account is not None
    if is_admin and account.role != PETUGAS:
        account.role = PETUGAS
    if account.bot_blocked:
        account.bot_blocked = False  # they wrote to us, so they have unblocked the bot
    if account.last_seen_at is None or now - account.last_seen_at > LAST_SEEN_RESOLUTION:
        account.last_seen_at = now
    return account


# INSERT .. ON CONFLICT DO NOTHING RETURNING, built once per dialect (building it per new user
# cost more than running it): two processes may meet the same new user at once.
_CREATE: dict[str, Any] = {}


async def _create(
    session: AsyncSession, telegram_id: int, is_admin: bool, now: dt.datetime
) -> Account | None:
    """A new user's account, or None if the row already exists."""
    dialect = session.bind.dialect.name
    statement = _CREATE.get(dialect)
    if statement is None:
        insert = pg_insert if dialect == "postgresql" else sqlite_insert
        statement = _CREATE[dialect] = (
            insert(Account)
            .on_conflict_do_nothing(index_elements=[Account.telegram_id])
            .returning(Account)
        )
    row = {
        "telegram_id": telegram_id,
        "role": PETUGAS if is_admin else WARGA,
        "consent": "none",
        "language": "id",
        "bot_blocked": False,
        "reminders_enabled": True,
        # Residents use the default command list: nothing to send them (bot/commands.py).
        "commands_role": None if is_admin else WARGA,
        "created_at": now,
        "last_seen_at": now,
    }
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
