"""Queries about regions (kabupaten → kecamatan → desa/kelurahan)."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from db.models.households import Region


async def by_code(session: AsyncSession, code: str) -> Region | None:
    return await session.get(Region, code)


async def name_of(session: AsyncSession, code: str) -> str:
    """The region's name, or its code when the region table does not know it."""
    region = await by_code(session, code)
    return region.name if region is not None else code


async def children(session: AsyncSession, parent_code: str) -> list[Region]:
    result = await session.scalars(
        select(Region).where(Region.parent_code == parent_code).order_by(Region.name)
    )
    return list(result)


async def find(session: AsyncSession, text: str, levels: tuple[str, ...]) -> list[Region]:
    """Regions of the given levels whose code or name matches, tolerant of case and spacing."""
    wanted = " ".join(text.split()).lower()
    result = await session.scalars(select(Region).where(Region.level.in_(levels)))
    regions = list(result)
    exact = [r for r in regions if r.code == wanted or r.name.lower() == wanted]
    if exact:
        return exact
    squashed = wanted.replace(" ", "")
    same = [r for r in regions if r.name.lower().replace(" ", "") == squashed]
    if same:
        return same
    # Part of a name ("cikarang"): every candidate, so the caller can ask which one.
    return [r for r in regions if squashed in r.name.lower().replace(" ", "")]
