"""Give a Telegram user a role and, for volunteers, an area (CLI `grant`, staff tools)."""

from __future__ import annotations

from db import accounts, audit, regions
from db.engine import create_engine, create_sessionmaker
from db.migrate import upgrade
from domain.roles import AREA_LEVEL, ROLES


class GrantError(Exception):
    pass


async def grant_role(database_url: str, telegram_id: int, role: str, area: str | None) -> str:
    if role not in ROLES:
        raise GrantError(f"unknown role {role!r}; use one of {', '.join(ROLES)}")
    levels = AREA_LEVEL.get(role)
    if levels is None and area:
        raise GrantError(f"role {role} has no area; leave --area out")
    if levels is not None and not area:
        raise GrantError(f"role {role} needs --area ({' or '.join(levels)} code or name)")
    engine = create_engine(database_url)
    try:
        await upgrade(engine)
        async with create_sessionmaker(engine).begin() as session:
            area_code = None
            if levels is not None:
                assert area is not None
                found = await regions.find(session, area, levels)
                if not found:
                    raise GrantError(
                        f"no {' or '.join(levels)} matches {area!r} in Kabupaten Bekasi"
                    )
                if len(found) > 1:
                    options = ", ".join(f"{r.code} {r.name}" for r in found)
                    raise GrantError(f"{area!r} is ambiguous: {options}; give the code")
                area_code = found[0].code
            account = await accounts.grant_role(session, telegram_id, role, area_code)
            audit.record(
                session,
                None,
                "role.granted",
                "account",
                account.id,
                role=role,
                area=area_code,
                via="cli",
            )
            where = f" for {found[0].name} ({area_code})" if area_code else ""
            return f"user {telegram_id} is now {role}{where}"
    finally:
        await engine.dispose()
