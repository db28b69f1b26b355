"""Engine, session factory and the unit of work for SQLite (default) and PostgreSQL.

Every update runs in one session, committed once. Code without a handle on that session (the
FSM storage) finds it in `current_session` and registers hooks that run inside its commit
(`on_commit`), so an update costs one transaction and no second connection waits on the first
(SQLite has one writer).

Accounts are cached in memory (`AccountCache`) only where one process owns the updates (long
polling without Redis): several instances would otherwise each keep their own stale copy of a
consent or a role. Only committed data enters the cache; a cached account is brought into an
update's session with `Session.merge(load=False)`, SQLAlchemy's documented way to use cached
objects without a query.
"""

from __future__ import annotations

import os
import time
from collections import OrderedDict
from collections.abc import Callable
from contextvars import ContextVar
from pathlib import Path
from typing import Any

from sqlalchemy import event, inspect
from sqlalchemy.engine import make_url
from sqlalchemy.ext.asyncio import (
    AsyncEngine,
    AsyncSession,
    async_sessionmaker,
    create_async_engine,
)
from sqlalchemy.orm import Session

from db.account_versions import AccountVersions
from db.models.accounts import Account

# The session of the update being handled, so that code without a handle on it (the FSM
# storage) writes into the same transaction instead of opening a second connection.
current_session: ContextVar[AsyncSession | None] = ContextVar("current_session", default=None)

# A hook that runs inside a session's commit (sync: it may execute on session.connection()).
Hook = Callable[[Session], None]


def _sqlite_pragmas(dbapi_connection: Any, _record: Any) -> None:
    cursor = dbapi_connection.cursor()
    # WAL lets readers go on while one writer commits; NORMAL sync is durable against a
    # process crash (not a power cut), which is the failure a bot host sees.
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA busy_timeout=10000")  # another process writing: wait, not fail
    cursor.close()


def create_private_file(path: Path) -> None:
    """Create `path` readable by its owner only (0600), if it does not exist yet: the SQLite
    file holds personal data (UU PDP), and SQLite would create it with the umask's mode."""
    path.parent.mkdir(parents=True, exist_ok=True)
    try:
        os.close(os.open(path, os.O_CREAT | os.O_EXCL | os.O_WRONLY, 0o600))
    except FileExistsError:
        pass


def create_engine(url: str, **kwargs: Any) -> AsyncEngine:
    parsed = make_url(url)
    if parsed.get_backend_name() == "sqlite":
        database = parsed.database or ":memory:"
        if database != ":memory:":
            create_private_file(Path(database))
        # Every session ends its transaction itself (a commit, or the rollback of closing a
        # Connection that is still in one): the pool's rollback when a connection comes back
        # would be a second one, and each is a thread hand-off of aiosqlite (measured: 5.8
        # hand-offs per update, 0.9 of them this rollback).
        kwargs.setdefault("pool_reset_on_return", None)
        engine = create_async_engine(url, **kwargs)
        event.listen(engine.sync_engine, "connect", _sqlite_pragmas)
        return engine
    kwargs.setdefault("pool_size", 10)
    kwargs.setdefault("pool_pre_ping", True)
    return create_async_engine(url, **kwargs)


class AccountCache:
    """Committed accounts by Telegram id, detached, as templates for `Session.merge`; with
    the version they had in Redis when several instances share it (db.account_versions)."""

    def __init__(self, seconds: float, size: int = 50_000) -> None:
        self.seconds = seconds
        self.size = size
        self._items: OrderedDict[int, tuple[float, Account, bytes | None]] = OrderedDict()

    def get(self, telegram_id: int, version: bytes | None = None) -> Account | None:
        item = self._items.get(telegram_id)
        if item is None:
            return None
        if item[0] < time.monotonic() or item[2] != version:
            del self._items[telegram_id]
            return None
        return item[1]

    def put(self, account: Account, version: bytes | None = None) -> None:
        if self.seconds <= 0:
            return
        expires = time.monotonic() + self.seconds
        self._items[account.telegram_id] = (expires, account, version)
        self._items.move_to_end(account.telegram_id)
        if len(self._items) > self.size:
            self._items.popitem(last=False)

    def drop(self, telegram_id: int) -> None:
        self._items.pop(telegram_id, None)

    def clear(self) -> None:
        self._items.clear()


class AppSession(Session):
    """The class of every session made by `create_sessionmaker`: the events below apply to
    these sessions only, not to other SQLAlchemy users in the same process (Alembic)."""


def on_commit(session: AsyncSession, name: str, before: Hook, after: Hook, undo: Hook) -> None:
    """Run `before` inside the session's next commit, then `after` once it is committed, or
    `undo` if it is rolled back instead. Registering the same name again keeps the first."""
    hooks = session.info.setdefault("hooks", {})
    hooks.setdefault(name, (before, after, undo))


@event.listens_for(AppSession, "before_commit")
def _before_commit(session: Session) -> None:
    for before, _after, _undo in list(session.info.get("hooks", {}).values()):
        before(session)


@event.listens_for(AppSession, "after_begin")
def _note_connection(session: Session, _transaction: Any, _connection: Any) -> None:
    # The session used the database (ORM, Core or raw SQL): its work is committed. A session
    # only "begins" on its own when an object is merged into it, which writes nothing.
    session.info["connected"] = True


@event.listens_for(AppSession, "after_flush")
def _note_accounts(session: Session, _context: Any) -> None:
    # Accounts written in this transaction: the cache must follow them after the commit (or
    # forget them after a rollback, which expires them: their Telegram id is noted now).
    # Kept by reference: the identity map holds objects weakly.
    written = session.info.setdefault("accounts_written", {})
    for obj in (*session.new, *session.dirty, *session.deleted):
        if isinstance(obj, Account):
            telegram_id = inspect(obj).dict.get("telegram_id")
            if telegram_id is not None:
                written[id(obj)] = (obj, telegram_id)


def _settle(session: Session, committed: bool) -> None:
    session.info.pop("connected", None)
    cache: AccountCache | None = session.info.get("account_cache")
    written = session.info.pop("accounts_written", {})
    versions: AccountVersions | None = session.info.get("account_versions")
    if versions is not None and committed and written:
        versions.bump_soon(telegram_id for _account, telegram_id in written.values())
    if cache is not None:
        deleted = set(map(id, session.deleted)) if committed else set()
        for account, telegram_id in written.values():
            fully_loaded = not inspect(account).unloaded  # server defaults may not be
            if committed and id(account) not in deleted and fully_loaded and versions is None:
                cache.put(account)  # detached with its committed values once the session ends
            else:
                cache.drop(telegram_id)
    for _before, after, undo in list(session.info.pop("hooks", {}).values()):
        (after if committed else undo)(session)


@event.listens_for(AppSession, "after_commit")
def _after_commit(session: Session) -> None:
    # Also fired when a SAVEPOINT (begin_nested) is released: the outer transaction is still
    # open then, and its work still has to be committed.
    if session.in_nested_transaction():
        return
    _settle(session, committed=True)


@event.listens_for(AppSession, "after_soft_rollback")
def _after_rollback(session: Session, previous_transaction: Any) -> None:
    if previous_transaction.parent is None:  # the outermost transaction ended
        _settle(session, committed=False)


def needs_commit(session: AsyncSession) -> bool:
    """Whether the update's session has anything a commit must make durable. An update that
    never touched the database (served from the caches) skips the commit."""
    return bool(
        session.info.get("connected")
        or session.info.get("hooks")
        or session.new
        or session.dirty
        or session.deleted
    )


def create_sessionmaker(
    engine: AsyncEngine,
    account_cache_seconds: float = 30.0,
    account_versions: AccountVersions | None = None,
) -> async_sessionmaker[AsyncSession]:
    """Sessions for the app. `account_cache_seconds=0` turns the account cache off; with
    `account_versions` (Redis), the cache serves an account only while no instance changed it."""
    return async_sessionmaker(
        engine,
        expire_on_commit=False,
        sync_session_class=AppSession,
        info={
            "account_cache": AccountCache(account_cache_seconds),
            "account_versions": account_versions,
        },
    )


def account_versions(sessionmaker: async_sessionmaker[AsyncSession]) -> AccountVersions | None:
    versions: AccountVersions | None = sessionmaker.kw["info"]["account_versions"]
    return versions


def account_cache(sessionmaker: async_sessionmaker[AsyncSession]) -> AccountCache:
    cache: AccountCache = sessionmaker.kw["info"]["account_cache"]
    return cache
