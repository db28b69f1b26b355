"""Remembered column mappings: what a staff member chose for a file no layout knew (CLI
``--map``, the bot's buttons), kept by a hash of the file's sorted normalised headers so the
next file with the same headers imports without asking."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from db.models.imports import ImportMapping
from services.source_layouts import headers_key


@dataclass(frozen=True)
class Choice:
    """How to read a file, as chosen by hand (every part optional)."""

    mapping: dict[str, str]  # our field -> the header as written
    layout: str | None = None
    relation_codes: str | None = None  # bdt | dukcapil

    def __bool__(self) -> bool:
        return bool(self.mapping or self.layout or self.relation_codes)


async def remembered(session: AsyncSession, headers: list[str]) -> Choice | None:
    found = await session.scalar(
        select(ImportMapping).where(ImportMapping.headers_key == headers_key(headers))
    )
    if found is None:
        return None
    return Choice(dict(found.mapping), found.layout, found.relation_codes)


async def remember(session: AsyncSession, headers: list[str], choice: Choice) -> None:
    key = headers_key(headers)
    found = await session.scalar(select(ImportMapping).where(ImportMapping.headers_key == key))
    if found is None:
        session.add(ImportMapping(headers_key=key, mapping=dict(choice.mapping),
                                  layout=choice.layout, relation_codes=choice.relation_codes))
        return
    found.mapping = dict(choice.mapping)
    found.layout = choice.layout
    found.relation_codes = choice.relation_codes
