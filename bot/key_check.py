"""Every command that uses SECRET_KEY first checks it against the database.

A lost or changed key cannot be noticed from the data itself until a resident fails to link
or an export shows garbage, and by then new rows were protected with the wrong key. So the
first start records a check value (HMAC of a fixed label under the key, never the key) in
`app_meta`, and every later start compares: a missing or different key stops the command
with one line naming SECRET_KEY (exit code 2). A key is generated only for a database that
holds nothing yet: no households, no accounts, no check value.
"""

from __future__ import annotations

import hashlib
import hmac

from sqlalchemy import exists, select
from sqlalchemy.engine import make_url
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncConnection

from bot.settings import Settings, SettingsError
from db.engine import create_engine
from db.migrate import upgrade
from db.models.accounts import Account
from db.models.households import Household
from db.models.system import AppMeta
from db.private_files import ensure_private_file

CHECK_NAME = "key_check"
CHECK_LABEL = b"nirmiskin SECRET_KEY check v1"


def check_value(secret: bytes) -> str:
    return hmac.new(secret, CHECK_LABEL, hashlib.sha256).hexdigest()


def prepare_sqlite_file(url: str) -> None:
    """The SQLite file holds NIK/KK ciphertexts and hashes: create it 0600 before the engine
    opens it (SQLite would create it with the umask's mode, often world-readable)."""
    parsed = make_url(url)
    database = parsed.database
    if parsed.get_backend_name() == "sqlite" and database and database != ":memory:":
        ensure_private_file(database)


async def _stored(connection: AsyncConnection) -> str | None:
    return await connection.scalar(select(AppMeta.value).where(AppMeta.name == CHECK_NAME))


async def _has_data(connection: AsyncConnection) -> bool:
    return bool(
        await connection.scalar(select(exists().select_from(Household.__table__)))
        or await connection.scalar(select(exists().select_from(Account.__table__)))
    )


def _missing(settings: Settings) -> SettingsError:
    return SettingsError(
        f"SECRET_KEY: not set and {settings.secret_file} is missing, but the database already "
        "holds data protected with a key; restore the original key (a new one cannot read it)"
    )


def _different() -> SettingsError:
    return SettingsError(
        "SECRET_KEY: differs from the key this database was set up with; restore the original "
        "key (with another key the stored NIK/KK numbers cannot be read or matched)"
    )


async def check_secret_key(settings: Settings) -> bytes:
    """Migrate, then check (or, on the first start, record) the key. Returns the key;
    raises SettingsError with one line when it is missing or wrong."""
    prepare_sqlite_file(settings.db_url)
    engine = create_engine(settings.db_url)
    try:
        await upgrade(engine)
        for _attempt in range(2):
            try:
                async with engine.begin() as connection:
                    return await _check(settings, connection)
            except IntegrityError:
                # Another instance recorded its check value at the same moment: compare
                # against that one.
                continue
        raise _different()
    finally:
        await engine.dispose()


async def _check(settings: Settings, connection: AsyncConnection) -> bytes:
    stored = await _stored(connection)
    key = settings.configured_secret()
    if key is None:
        if stored is not None or await _has_data(connection):
            raise _missing(settings)
        key = settings.generate_secret()
    value = check_value(key)
    if stored is None:
        # First start with this database (or one from before the check existed, whose key
        # cannot be verified any more): from now on this key is the one.
        await connection.execute(AppMeta.__table__.insert().values(name=CHECK_NAME, value=value))
    elif not hmac.compare_digest(stored, value):
        raise _different()
    return key
