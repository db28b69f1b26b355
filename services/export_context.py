"""What every staff report (services.export and its report modules) is written with: the
filters, the region names, decrypting NIK/KK (a cell that cannot be opened says so), photo
links, and reading a table in chunks by primary key."""

from __future__ import annotations

import asyncio
import datetime as dt
from collections.abc import AsyncIterator, Sequence
from dataclasses import dataclass
from typing import Any, TypeAlias, TypeVar

from sqlalchemy import Select, select
from sqlalchemy.ext.asyncio import AsyncSession

from db.models.households import Household, Region
from db.protect import Protector
from domain.dates import WIB
from services import photo_links
from services.export_values import Link

CHUNK = 1000
# Written in a cell whose NIK/KK cannot be decrypted (another key, damaged data); the rows are
# listed on a second sheet. A file format like the column names, so not translated.
UNREADABLE = "(tidak dapat dibuka)"
# A SELECT of any columns: the filters below add WHERE clauses and keep its row type.
AnySelect: TypeAlias = "Select[*tuple[Any, ...]]"
S = TypeVar("S", bound=AnySelect)


@dataclass(frozen=True)
class Filters:
    kecamatan_code: str | None = None
    desa_code: str | None = None
    date_from: dt.date | None = None  # WIB calendar days, both ends included
    date_to: dt.date | None = None
    # The list whose own layout a verification report is written in (services.export_sources).
    source: str | None = None

    def bounds(self) -> tuple[dt.datetime | None, dt.datetime | None]:
        start = end = None
        if self.date_from is not None:
            start = dt.datetime.combine(self.date_from, dt.time(), WIB)
        if self.date_to is not None:
            end = dt.datetime.combine(self.date_to + dt.timedelta(days=1), dt.time(), WIB)
        return start, end

    def as_audit(self) -> dict[str, str | None]:
        audited = {
            "kecamatan": self.kecamatan_code,
            "desa": self.desa_code,
            "from": self.date_from.isoformat() if self.date_from else None,
            "to": self.date_to.isoformat() if self.date_to else None,
        }
        if self.source:
            audited["source"] = self.source
        return audited


def wib(when: dt.datetime | None) -> dt.datetime | None:
    # Excel has no time zones: the wall-clock time in Jakarta, which is what staff read.
    return when.astimezone(WIB).replace(tzinfo=None) if when is not None else None


def wib_day(when: dt.datetime | None) -> dt.date | None:
    return when.astimezone(WIB).date() if when is not None else None


class ExportContext:
    def __init__(self, session: AsyncSession, protector: Protector, filters: Filters,
                 bot_username: str | None = None) -> None:  # fmt: skip
        self.session = session
        self.protector = protector
        self.filters = filters
        self.bot_username = bot_username
        self.names: dict[str, str] = {}
        # Columns of the row being built that could not be decrypted.
        self.unreadable: list[str] = []

    async def load_names(self) -> None:
        rows = await self.session.execute(select(Region.code, Region.name))
        self.names = dict(rows.all())

    def area(self, statement: S) -> S:
        if self.filters.desa_code:
            statement = statement.where(Household.desa_code == self.filters.desa_code)
        if self.filters.kecamatan_code:
            statement = statement.where(Household.kecamatan_code == self.filters.kecamatan_code)
        return statement

    def period(self, statement: S, column: Any) -> S:
        start, end = self.filters.bounds()
        if start is not None:
            statement = statement.where(column >= start)
        if end is not None:
            statement = statement.where(column < end)
        return statement

    def open(self, token: str | None, column: str) -> str:
        if not token:
            return ""
        plain = self.protector.try_decrypt(token)
        if plain is None:
            self.unreadable.append(column)
            return UNREADABLE
        return plain

    def kk(self, household: Household) -> str:
        return self.open(household.kk_encrypted, "no_kk")

    def place(self, household: Household) -> list[str]:
        return [
            self.names.get(household.kecamatan_code, household.kecamatan_code),
            self.names.get(household.desa_code, household.desa_code),
        ]

    def photo(self, kind: str, row_id: int, present: object) -> Link | None:
        """The link that makes the bot send the photo again (services.photo_links); empty
        when there is none (``present`` is the stored file id, or a count of files)."""
        return Link(photo_links.link(self.bot_username, kind, row_id)) if present else None

    async def chunks(self, statement: AnySelect, key: Any) -> AsyncIterator[Sequence[Any]]:
        """Rows in primary-key order, CHUNK at a time (keyset paging: no OFFSET scans)."""
        last = 0
        while True:
            rows = (await self.session.execute(
                statement.where(key > last).order_by(key).limit(CHUNK)
            )).all()  # fmt: skip
            if not rows:
                return
            yield rows
            last = getattr(rows[-1][0], "id", None) or rows[-1][0]
            await asyncio.sleep(0)
