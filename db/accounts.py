"""Queries about accounts (Telegram users of the bot)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import bindparam, select
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.exc import InvalidRequestError
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import make_transient_to_detached

from bot.roles import PETUGAS, WARGA
from db.engine import LENT, AccountCache
from db.models import Account, utcnow
from db.sqlite_inline import compile_positional

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

    The cached instance (committed data) is lent to the session without a query and held
    until the session is first used (db.engine.AppSession); while lent, another session gets
    the row read again, so no object is ever in two sessions."""
    account = cache.lend(telegram_id) if cache is not None else None
    if account is not None:
        session.info[LENT] = telegram_id  # given back by db.engine.close_session
        hold = getattr(session.sync_session, "hold", None)
        if hold is not None:
            hold(account)  # attached when the session is first used (db.engine.AppSession)
        else:
            try:
                session.add(account)
            except InvalidRequestError:  # still attached to another session
                account = None
    now = utcnow()
    if account is None and await _may_exist(session, telegram_id):
        account = await by_telegram_id(session, telegram_id)
    if account is None:
        account, committed = await _create(session, telegram_id, is_admin, now)
        if account is not None:
            if committed and cache is not None:
                cache.put(account)  # written aside and committed (see _create_direct)
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


_EXISTS_SQL = "SELECT 1 FROM accounts WHERE telegram_id = ?"


async def _may_exist(session: AsyncSession, telegram_id: int) -> bool:
    """False only when the account surely does not exist yet, so that a new user's first
    message skips the SELECT. On an SQLite file the side connection answers
    (db.sqlite_inline.DirectConnection); elsewhere the SELECT decides."""
    direct = session.info.get("direct_connection")
    if direct is None:
        return True
    return await direct.read_one(_EXISTS_SQL, (telegram_id,)) is not None


_DIRECT_CREATE: dict[str, tuple[str, Any]] = {}


async def _create_direct(
    session: AsyncSession, direct: Any, row: dict[str, Any]
) -> Account | None:
    """On an SQLite file: the row is inserted by the side connection in a transaction of its
    own, and the Account is built from the values just written and attached to the session
    as a loaded object, as a cached account is. A first message then needs no ORM statement
    at all. (The row outlives a failure of the rest of the update: it holds nothing but the
    Telegram id, which first contact stores anyway.)"""
    compiled = _DIRECT_CREATE.get("sqlite")
    if compiled is None:
        table = Account.__table__
        columns = [c.key for c in table.columns if c.key != "id"]
        statement = (
            sqlite_insert(table)
            .values({key: bindparam(key) for key in columns})
            .on_conflict_do_nothing(index_elements=["telegram_id"])
            .returning(table.c.id)
        )
        compiled = _DIRECT_CREATE["sqlite"] = compile_positional(statement, session.bind.dialect)
    sql, parameters = compiled
    values = {c.key: row.get(c.key) for c in Account.__table__.columns if c.key != "id"}
    inserted = await direct.insert_returning(sql, parameters(values))
    if inserted is None:
        return None
    account = Account(id=inserted[0], **values)
    make_transient_to_detached(account)  # every column is set: nothing is left to load
    session.add(account)
    return account


# INSERT .. ON CONFLICT DO NOTHING RETURNING, built once per dialect (building it per new user
# cost more than running it): two processes may meet the same new user at once.
_CREATE: dict[str, Any] = {}


async def _create(
    session: AsyncSession, telegram_id: int, is_admin: bool, now: dt.datetime
) -> tuple[Account | None, bool]:
    """A new user's account (None if the row already exists), and whether its row is already
    committed (written aside) rather than part of the session's transaction."""
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
    direct = session.info.get("direct_connection")
    # Not while the session holds a connection: its transaction may hold the write lock that
    # the side connection would wait for.
    if direct is not None and not session.info.get("connected"):
        return await _create_direct(session, direct, row), True
    dialect = session.bind.dialect.name
    statement = _CREATE.get(dialect)
    if statement is None:
        insert = pg_insert if dialect == "postgresql" else sqlite_insert
        statement = _CREATE[dialect] = (
            insert(Account)
            .on_conflict_do_nothing(index_elements=[Account.telegram_id])
            .returning(Account)
        )
    return (await session.scalars(statement, [row])).first(), False


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
