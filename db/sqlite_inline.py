"""SQLite for SQLAlchemy's asyncio engine without a thread per connection.

aiosqlite hands every call to a worker thread and back: about 0.2 ms a call here, five or so
calls per transaction, while the SQLite work itself (an indexed read, a WAL commit without
fsync) takes tens of microseconds. Measured on this bot's updates, the hand-offs were most of
the cost of the whole stack. This adapter offers the aiosqlite surface SQLAlchemy's aiosqlite
dialect uses, and runs each call inline on the event loop.

The one call that could block is waiting for the write lock that another connection or
process holds. SQLite's own busy handler would sleep inside the event loop, so it is turned
off (`busy_timeout=0`) and a locked database is retried here with `asyncio.sleep`, up to
`BUSY_TIMEOUT` seconds, letting every other update go on meanwhile.

Trade-off: a long statement (a big export on SQLite) holds the loop while it runs.
Production with many users runs PostgreSQL (asyncpg), where none of this applies.
"""

from __future__ import annotations

import asyncio
import sqlite3
import time
from collections.abc import Callable, Iterable
from typing import Any, TypeVar

BUSY_TIMEOUT = 10.0
T = TypeVar("T")


def _is_busy(error: sqlite3.OperationalError) -> bool:
    message = str(error).lower()
    return "locked" in message or "busy" in message


async def _retry_busy(call: Callable[..., T], *args: Any) -> T:
    delay = 0.0005
    deadline = time.monotonic() + BUSY_TIMEOUT
    while True:
        try:
            return call(*args)
        except sqlite3.OperationalError as error:
            if not _is_busy(error) or time.monotonic() > deadline:
                raise
        await asyncio.sleep(delay)
        delay = min(delay * 2, 0.05)


class InlineCursor:
    def __init__(self, connection: sqlite3.Connection) -> None:
        self._cursor = connection.cursor()

    async def __aenter__(self) -> InlineCursor:
        return self

    async def __aexit__(self, *exc: object) -> None:
        self._cursor.close()

    @property
    def description(self) -> Any:
        return self._cursor.description

    @property
    def rowcount(self) -> int:
        return self._cursor.rowcount

    @property
    def lastrowid(self) -> int | None:
        return self._cursor.lastrowid

    @property
    def arraysize(self) -> int:
        return self._cursor.arraysize

    @arraysize.setter
    def arraysize(self, value: int) -> None:
        self._cursor.arraysize = value

    async def execute(self, sql: str, parameters: Any = ()) -> InlineCursor:
        await _retry_busy(self._cursor.execute, sql, parameters)
        return self

    async def executemany(self, sql: str, parameters: Iterable[Any]) -> InlineCursor:
        rows = list(parameters)  # a retry must be able to replay them
        await _retry_busy(self._cursor.executemany, sql, rows)
        return self

    async def fetchone(self) -> Any:
        return self._cursor.fetchone()

    async def fetchmany(self, size: int | None = None) -> list[Any]:
        return self._cursor.fetchmany(size if size is not None else self._cursor.arraysize)

    async def fetchall(self) -> list[Any]:
        return self._cursor.fetchall()

    async def close(self) -> None:
        self._cursor.close()

    async def nextset(self) -> None:
        raise sqlite3.NotSupportedError("SQLite has no multiple result sets")

    async def setinputsizes(self, *sizes: Any) -> None:
        return None


class InlineConnection:
    """What SQLAlchemy's aiosqlite dialect calls on an aiosqlite connection."""

    def __init__(self, connection: sqlite3.Connection) -> None:
        self._conn = connection
        self._connection: sqlite3.Connection | None = connection

    @property
    def isolation_level(self) -> str | None:
        return self._conn.isolation_level

    def cursor(self) -> InlineCursor:
        return InlineCursor(self._conn)

    async def execute(self, sql: str, parameters: Any = ()) -> InlineCursor:
        return await self.cursor().execute(sql, parameters)

    async def commit(self) -> None:
        await _retry_busy(self._conn.commit)

    async def rollback(self) -> None:
        self._conn.rollback()

    async def create_function(self, *args: Any, **kwargs: Any) -> None:
        self._conn.create_function(*args, **kwargs)

    async def close(self) -> None:
        if self._connection is not None:
            self._connection = None
            self._conn.close()

    def stop(self) -> None:
        if self._connection is not None:
            self._connection = None
            self._conn.close()


def async_creator(database: str) -> Callable[[], Any]:
    """`create_async_engine(url, async_creator=async_creator(path))`."""

    async def connect() -> InlineConnection:
        # isolation_level="" keeps Python's classic behaviour that SQLAlchemy's SQLite dialect
        # expects: BEGIN is issued before the first write, reads run outside a transaction.
        connection = sqlite3.connect(database, isolation_level="", check_same_thread=False)
        connection.execute("PRAGMA busy_timeout=0")
        return InlineConnection(connection)

    return connect


def compile_positional(statement: Any, dialect: Any) -> tuple[str, Callable[..., tuple[Any, ...]]]:
    """A SQLAlchemy statement as SQL text for a DirectConnection, and a function turning a
    dict of its parameters into the positional tuple, through the columns' own conversions
    (JSON, aware UTC datetimes), exactly as SQLAlchemy would bind them."""
    compiled = statement.compile(dialect=dialect)
    names = list(compiled.positiontup or [])
    processors = [
        compiled.binds[name].type.dialect_impl(dialect).bind_processor(dialect) for name in names
    ]

    def parameters(values: Any) -> tuple[Any, ...]:
        return tuple(
            values[name] if process is None else process(values[name])
            for name, process in zip(names, processors, strict=True)
        )

    return str(compiled), parameters


class DirectConnection:
    """A connection of its own for small reads and writes that need no ORM session.

    An update whose only write is its conversation step (most form answers) would otherwise
    pay for a whole ORM commit: pool check-out, the session's transaction bookkeeping, the
    check-in reset; and a first message from a new user would open a session just to learn
    that there is no conversation yet. Here a write is one ``BEGIN IMMEDIATE``, the statement
    and ``COMMIT``, with no await in between, so two updates on this event loop never
    interleave on the connection. Waiting for the write lock (another connection or process
    is committing) is the one await, as in ``_retry_busy``, before the transaction starts.
    Reads see what is committed, as a fresh session would.
    """

    def __init__(self, database: str) -> None:
        self.database = database
        self._conn: sqlite3.Connection | None = None

    def _connection(self) -> sqlite3.Connection:
        if self._conn is None:
            # isolation_level=None: transactions are begun and ended here, explicitly.
            conn = sqlite3.connect(self.database, isolation_level=None, check_same_thread=False)
            conn.execute("PRAGMA busy_timeout=0")
            # As the engine's connections (db/engine._sqlite_pragmas), whichever opens first.
            conn.execute("PRAGMA journal_mode=WAL")
            conn.execute("PRAGMA synchronous=NORMAL")
            conn.execute("PRAGMA foreign_keys=ON")
            self._conn = conn
        return self._conn

    async def read_one(self, sql: str, parameters: tuple[Any, ...]) -> Any:
        cursor = await _retry_busy(self._connection().execute, sql, parameters)
        return cursor.fetchone()

    async def insert_returning(self, sql: str, parameters: tuple[Any, ...]) -> Any:
        """One INSERT .. RETURNING in a transaction of its own; the returned row, or None."""
        return await self._in_transaction(lambda conn: conn.execute(sql, parameters).fetchone())

    async def write(self, sql: str, rows: list[tuple[Any, ...]]) -> None:
        await self._in_transaction(lambda conn: conn.executemany(sql, rows))

    async def _in_transaction(self, work: Callable[[sqlite3.Connection], T]) -> T:
        """`work` between BEGIN IMMEDIATE and COMMIT; the write lock is the only wait."""
        conn = self._connection()
        await _retry_busy(conn.execute, "BEGIN IMMEDIATE")
        try:
            result = work(conn)
            conn.execute("COMMIT")
        except BaseException:
            if conn.in_transaction:
                conn.execute("ROLLBACK")
            raise
        return result

    def close(self) -> None:
        if self._conn is not None:
            self._conn.close()
            self._conn = None
