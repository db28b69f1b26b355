"""Migrated test databases, made fast: migrate once per test run, copy per test.

Running the migrations costs ~0.15 s on SQLite and ~0.3 s on PostgreSQL, and creating a
PostgreSQL database ~0.5 s (the server waits on its disk). A test that wants a migrated,
otherwise empty database gets a copy of one migrated at the start of the run:

* SQLite: :func:`copy_migrated_sqlite` copies a template file (``BotApp`` does it for an
  e2e database that does not exist yet; ``database_url`` for its SQLite half).
* PostgreSQL: :class:`PgDatabases` keeps a template database, migrated once, and a thread
  that creates the next test databases from it (``CREATE DATABASE ... TEMPLATE``) while the
  current test runs, and drops the used ones.

The migrations themselves still run from an empty database in every run (the templates are
built that way) and are checked on an empty database by tests/db/test_database.py.
"""

from __future__ import annotations

import asyncio
import atexit
import os
import queue
import shutil
import sqlite3
import tempfile
import threading
import uuid
from pathlib import Path

import asyncpg
from sqlalchemy.engine import make_url

from db.engine import create_engine
from db.migrate import upgrade

_sqlite_template: Path | None = None
_sqlite_lock = threading.Lock()


async def _migrate(url: str) -> None:
    engine = create_engine(url)
    try:
        await upgrade(engine)
    finally:
        await engine.dispose()


def _build_sqlite_template() -> Path:
    folder = Path(tempfile.mkdtemp(prefix="nirmiskin-template-"))
    atexit.register(shutil.rmtree, folder, True)
    path = folder / "migrated.db"
    # In a thread of its own: callers may be inside a running event loop.
    error: list[BaseException] = []

    def run() -> None:
        try:
            asyncio.run(_migrate(f"sqlite+aiosqlite:///{path}"))
        except BaseException as exc:  # handed to the caller
            error.append(exc)

    thread = threading.Thread(target=run)
    thread.start()
    thread.join()
    if error:
        raise error[0]
    # One self-contained file: fold the write-ahead log in (the app turns WAL on again).
    db = sqlite3.connect(path)
    try:
        db.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        db.execute("PRAGMA journal_mode=DELETE")
    finally:
        db.close()
    return path


def copy_migrated_sqlite(path: Path) -> None:
    """Put a migrated, empty SQLite database at ``path`` (0600, like the app's own file)."""
    global _sqlite_template
    with _sqlite_lock:
        if _sqlite_template is None:
            _sqlite_template = _build_sqlite_template()
    path.parent.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(_sqlite_template, path)
    os.chmod(path, 0o600)


def sqlite_file(url: str) -> Path | None:
    """The file of a SQLite URL (None for another database or in memory)."""
    parsed = make_url(url)
    if parsed.get_backend_name() != "sqlite" or parsed.database in (None, "", ":memory:"):
        return None
    return Path(parsed.database)


def ensure_migrated_sqlite(url: str) -> bool:
    """A SQLite database that does not exist yet (or is an empty file) starts migrated.
    Returns whether it was copied just now (then there is nothing to migrate)."""
    path = sqlite_file(url)
    if path is not None and (not path.exists() or path.stat().st_size == 0):
        copy_migrated_sqlite(path)
        return True
    return False


class PgDatabases:
    """Migrated PostgreSQL databases, created ahead of need in a background thread.

    ``take()`` returns the URL of a fresh migrated database (waiting if none is ready yet);
    ``give_back(url)`` drops it. ``close()`` drops what is left and the template.
    """

    AHEAD = 2  # databases kept ready

    def __init__(self, admin_url: str) -> None:
        self.admin_url = make_url(admin_url)
        self.prefix = f"nirmiskin_test_{os.getpid()}_{uuid.uuid4().hex[:6]}"
        self.template = f"{self.prefix}_template"
        self.ready: queue.Queue[str | BaseException] = queue.Queue()
        self.wanted = threading.Semaphore(self.AHEAD)
        self.to_drop: queue.Queue[str | None] = queue.Queue()
        self.numbers = iter(range(1, 1_000_000))
        self.stopping = threading.Event()
        self.thread = threading.Thread(target=self._run, name="pg-databases", daemon=True)
        self.thread.start()

    # ------------------------------------------------------------------ test side

    def take(self) -> str:
        found = self.ready.get(timeout=120)
        if isinstance(found, BaseException):
            self.ready.put(found)  # every later test fails the same way
            raise found
        self.wanted.release()  # make the next one
        return self._url(found)

    def give_back(self, url: str) -> None:
        database = make_url(url).database
        assert database is not None
        self.to_drop.put(database)

    def close(self) -> None:
        self.stopping.set()
        self.wanted.release()
        self.to_drop.put(None)
        self.thread.join(timeout=60)

    # ------------------------------------------------------------------ the thread

    def _url(self, database: str) -> str:
        return self.admin_url.set(database=database).render_as_string(hide_password=False)

    def _dsn(self) -> str:
        return self.admin_url.set(drivername="postgresql").render_as_string(hide_password=False)

    def _run(self) -> None:
        asyncio.run(self._main())

    async def _main(self) -> None:
        admin = await asyncpg.connect(self._dsn())
        try:
            try:
                await admin.execute(f'CREATE DATABASE "{self.template}"')
                await _migrate(self._url(self.template))
            except Exception as exc:  # every test that wants PostgreSQL sees it
                self.ready.put(exc)
                return
            dropper = asyncio.create_task(self._drop_used())
            while not self.stopping.is_set():
                await asyncio.to_thread(self.wanted.acquire)
                if self.stopping.is_set():
                    break
                name = f"{self.prefix}_{next(self.numbers)}"
                try:
                    await admin.execute(f'CREATE DATABASE "{name}" TEMPLATE "{self.template}"')
                except Exception as exc:
                    self.ready.put(exc)
                    break
                self.ready.put(name)
            await dropper
            while True:  # made ahead, never used
                try:
                    left = self.ready.get_nowait()
                except queue.Empty:
                    break
                if isinstance(left, str):
                    await admin.execute(f'DROP DATABASE IF EXISTS "{left}" WITH (FORCE)')
        finally:
            await admin.execute(f'DROP DATABASE IF EXISTS "{self.template}" WITH (FORCE)')
            await admin.close()

    async def _drop_used(self) -> None:
        admin = await asyncpg.connect(self._dsn())
        try:
            while True:
                name = await asyncio.to_thread(self.to_drop.get)
                if name is None:
                    return
                await admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        finally:
            await admin.close()
