"""Engine, session factory and the unit of work for SQLite (default) and PostgreSQL.

Every update runs in one session, committed once (`commit_update`); on an SQLite file an
update whose only write is its conversation step commits that step on a side connection
instead (`sqlite_inline.DirectConnection`). The sender's cached account is held, and attached
only when the session is used (`AppSession`). Two in-process caches keep the hot path off the
database, and are only ever filled from committed data:
- accounts, for `ACCOUNT_CACHE_SECONDS` (other processes' changes, e.g. `grant` from the CLI,
  are seen after at most that long; this process's own changes at once);
- FSM state, write-through, when one process owns the conversations (long polling).
"""

from __future__ import annotations

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

from db import sqlite_inline
from db.models import Account

# The session of the update being handled, so that code without a handle on it (the FSM
# storage) writes into the same transaction instead of opening a second connection.
current_session: ContextVar[AsyncSession | None] = ContextVar("current_session", default=None)


def _sqlite_pragmas(dbapi_connection: Any, _record: Any) -> None:
    cursor = dbapi_connection.cursor()
    # WAL lets readers go on while one writer commits; NORMAL sync is durable against a
    # process crash (not a power cut), which is the failure a bot host sees.
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.close()


def create_engine(url: str, **kwargs: Any) -> AsyncEngine:
    parsed = make_url(url)
    if parsed.get_backend_name() == "sqlite":
        database = parsed.database or ":memory:"
        if database != ":memory:":
            Path(database).parent.mkdir(parents=True, exist_ok=True)
        # SQLite calls run inline on the event loop (db/sqlite_inline.py says why).
        kwargs.setdefault("async_creator", sqlite_inline.async_creator(database))
        engine = create_async_engine(url, **kwargs)
        event.listen(engine.sync_engine, "connect", _sqlite_pragmas)
        return engine
    kwargs.setdefault("pool_size", 10)
    kwargs.setdefault("pool_pre_ping", True)
    return create_async_engine(url, **kwargs)


class AccountCache:
    """Committed accounts by Telegram id, as templates to attach to a session without a query."""

    def __init__(self, seconds: float, size: int = 50_000) -> None:
        self.seconds = seconds
        self.size = size
        self._items: OrderedDict[int, tuple[float, Account]] = OrderedDict()
        self._lent: set[int] = set()

    def get(self, telegram_id: int) -> Account | None:
        item = self._items.get(telegram_id)
        if item is None:
            return None
        if item[0] < time.monotonic():
            del self._items[telegram_id]
            return None
        return item[1]

    def lend(self, telegram_id: int) -> Account | None:
        """The cached account for one update's session, which gives it back when it closes.
        While lent, the same account is not handed to another session: two sessions must
        never share an object."""
        if telegram_id in self._lent:
            return None
        account = self.get(telegram_id)
        if account is not None:
            self._lent.add(telegram_id)
        return account

    def give_back(self, telegram_id: int) -> None:
        self._lent.discard(telegram_id)

    def put(self, account: Account) -> None:
        if self.seconds <= 0:
            return
        self._items[account.telegram_id] = (time.monotonic() + self.seconds, account)
        self._items.move_to_end(account.telegram_id)
        if len(self._items) > self.size:
            self._items.popitem(last=False)

    def drop(self, telegram_id: int) -> None:
        self._items.pop(telegram_id, None)


# Hooks run by every session of a sessionmaker made here. `session.info` carries the caches
# of that sessionmaker, so two apps in one process (tests, a restart) never share them.
BeforeCommit = Callable[[Session], None]


HELD = "held_account"  # session.info key: the sender's account, not yet attached
LENT = "lent_account"  # session.info key: the Telegram id lent by the AccountCache


class AppSession(Session):
    """Every session made by `create_sessionmaker`.

    The sender's account, taken from the cache, is *held* rather than attached
    (`db.accounts.load_for_update`): most updates never use their session, and attaching an
    object was a measurable part of such an update. A held account is attached the moment
    the session is used: before any statement (ahead of autoflush), a flush, a connection or
    a commit. Queries therefore return that same object and see its changes, as if it had
    been attached from the start (tests/test_fast_paths.py checks both)."""

    def hold(self, account: Account) -> None:
        self.info[HELD] = account

    def attach_held(self) -> None:
        account = self.info.pop(HELD, None)
        if account is not None:
            self.add(account)

    # Every execute(), scalar(s)() and get() of the ORM goes through this one method.
    def _execute_internal(self, *args: Any, **kwargs: Any) -> Any:
        self.attach_held()
        return super()._execute_internal(*args, **kwargs)

    def flush(self, objects: Any = None) -> None:
        self.attach_held()
        super().flush(objects)

    def connection(self, *args: Any, **kwargs: Any) -> Any:
        self.attach_held()
        return super().connection(*args, **kwargs)

    def commit(self) -> None:
        self.attach_held()
        super().commit()

    def rollback(self) -> None:
        # A session that never began a transaction gets no rollback event from SQLAlchemy;
        # its hooks are settled all the same (a held account a handler changed must leave
        # the cache, pending FSM writes must be dropped).
        began = self.in_transaction()
        super().rollback()
        if not began:
            _settle(self, committed=False)


def _held_changed(info: dict[str, Any]) -> bool:
    held = info.get(HELD)
    return held is not None and inspect(held).modified


@event.listens_for(AppSession, "after_begin")
def _note_connection(session: Session, _transaction: Any, _connection: Any) -> None:
    # The session used the database. Whatever it ran (ORM, Core, raw SQL) is committed; only
    # an update served entirely from the caches skips the commit.
    session.info["connected"] = True


def needs_commit(session: AsyncSession) -> bool:
    """Whether the session has anything a commit must make durable."""
    info = session.info
    if info.get("connected") or info.get("before_commit") or _held_changed(info):
        return True
    sync = session.sync_session
    if not sync.identity_map and not sync.new:
        return False  # nothing attached: nothing can be dirty (the usual, cheap answer)
    return bool(sync.new or sync.dirty or sync.deleted)


async def close_session(session: AsyncSession) -> None:
    """End an update's session. When it holds no connection (the update was served from the
    caches, or its commit already gave the connection back), closing is bookkeeping without
    I/O and is done directly: `AsyncSession.close` would start a greenlet for it, a
    measurable part of a cheap update (benchmarks/updates.py). A session never used at all
    is not even closed: there is nothing in it to let go of."""
    info = session.info
    lent = info.pop(LENT, None)
    info.pop(HELD, None)
    sync = session.sync_session
    if info.get("connected"):
        await session.__aexit__(None, None, None)  # as `async with` does: a shielded close
    elif sync.in_transaction() or sync.identity_map or sync.new:
        sync.close()
    # else the session was never used: it holds nothing to release, and is dropped as it is.
    cache: AccountCache | None = info.get("account_cache")
    if lent is not None and cache is not None:
        cache.give_back(lent)


@event.listens_for(AppSession, "before_flush")
def _hold_touched_accounts(session: Session, _context: Any, _instances: Any) -> None:
    # The identity map holds objects weakly: an account changed by code that kept no reference
    # to it would be gone by after_commit, and the cache would keep the old copy.
    touched = session.info.setdefault("accounts_touched", [])
    touched.extend(o for o in (*session.new, *session.dirty) if isinstance(o, Account))


def _session_accounts(session: Session) -> list[Account]:
    held = [o for o in session.identity_map.values() if isinstance(o, Account)]
    return held + session.info.pop("accounts_touched", [])


@event.listens_for(AppSession, "before_commit")
def _before_commit(session: Session) -> None:
    for hook in list(session.info.get("before_commit", {}).values()):
        hook(session)


def _settle(session: Session, committed: bool) -> None:
    """After the transaction: committed accounts refresh the cache, rolled-back ones leave it;
    then the hooks registered for that outcome run and the rest are dropped."""
    cache: AccountCache | None = session.info.get("account_cache")
    held = session.info.get(HELD)
    if held is not None and not committed and cache is not None:
        cache.drop(held.telegram_id)  # it may carry changes that were not committed
    for account in _session_accounts(session):
        if cache is None:
            break
        # Read without loading: no SQL may run here. An account expired by an earlier rollback
        # in the same session is not known-committed data, so it only leaves the cache.
        state = inspect(account)
        telegram_id = state.dict.get("telegram_id")
        if telegram_id is None:
            continue
        if committed and not state.expired_attributes:
            cache.put(account)
        else:
            cache.drop(telegram_id)
    hooks = session.info.pop("after_commit" if committed else "after_rollback", {})
    for hook in list(hooks.values()):
        hook(session)
    for key in ("before_commit", "direct_writes", "after_commit", "after_rollback", "connected"):
        session.info.pop(key, None)


@event.listens_for(AppSession, "after_commit")
def _after_commit(session: Session) -> None:
    _settle(session, committed=True)


@event.listens_for(AppSession, "after_rollback")
def _after_rollback(session: Session) -> None:
    _settle(session, committed=False)


def create_sessionmaker(
    engine: AsyncEngine, account_cache_seconds: float = 30.0
) -> async_sessionmaker[AsyncSession]:
    return async_sessionmaker(
        engine,
        expire_on_commit=False,
        sync_session_class=AppSession,
        info={
            "account_cache": AccountCache(account_cache_seconds),
            "direct_connection": _direct_connection(engine),
        },
    )


def _direct_connection(engine: AsyncEngine) -> sqlite_inline.DirectConnection | None:
    """On an SQLite file (the inline adapter), small writes may skip the ORM commit."""
    url = engine.url
    if url.get_backend_name() != "sqlite" or url.database in (None, "", ":memory:"):
        return None
    return sqlite_inline.DirectConnection(url.database)


def direct_connection(sessionmaker: async_sessionmaker[AsyncSession]) -> Any:
    """The sessionmaker's DirectConnection (SQLite file), or None."""
    return sessionmaker.kw["info"].get("direct_connection")


async def commit_update(session: AsyncSession) -> None:
    """Commit an update's session.

    When the only thing to write is what registered a direct write (the conversation step of
    db/fsm_storage) and the session never touched the database, the write goes straight to
    the database instead of through an ORM commit, then the same after-commit hooks run. Any
    other work, even a read, keeps everything in the session's single transaction."""
    info = session.info
    direct = info.get("direct_writes")
    if (
        direct
        and not info.get("connected")
        and not _held_changed(info)
        and not (session.new or session.dirty or session.deleted)
        and info.get("before_commit", {}).keys() <= direct.keys()
    ):
        try:
            for write in list(direct.values()):
                await write(session.sync_session)
        except BaseException:
            _settle(session.sync_session, committed=False)
            raise
        _settle(session.sync_session, committed=True)
        return
    await session.commit()


def account_cache(sessionmaker: async_sessionmaker[AsyncSession]) -> AccountCache:
    return sessionmaker.kw["info"]["account_cache"]  # type: ignore[no-any-return]
