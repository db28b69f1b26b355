"""Messages the bot sends on its own to one person (not a reply, not a broadcast):
a proposal verified, a seat freed on a training, a complaint for the area's officers.

A 403 (the person blocked the bot) marks the account unreachable instead of failing the
update that caused the message; any other Telegram error is logged (without the text) and
reported as not sent. Texts are rendered by the caller, through gettext.
"""

from __future__ import annotations

import logging
from typing import Any

from aiogram import Bot
from aiogram.exceptions import TelegramAPIError, TelegramForbiddenError
from sqlalchemy import or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from db.models.accounts import Account
from db.models.households import Household
from domain.roles import PETUGAS, PSM, TKSK

log = logging.getLogger(__name__)


async def send(bot: Bot, account: Account, text: str, **kwargs: Any) -> bool:
    """Send `text` to the account's chat; False when it could not be delivered, or must not be:
    someone who withdrew their consent gets nothing after the final confirmation (UU PDP)."""
    if account.bot_blocked or account.consent == "withdrawn":
        return False
    try:
        await bot.send_message(account.telegram_id, text, **kwargs)
    except TelegramForbiddenError:
        account.bot_blocked = True  # saved with the caller's unit of work
        return False
    except TelegramAPIError as exc:
        log.warning("notification to account %s failed: %s", account.id, type(exc).__name__)
        return False
    return True


async def area_officers(
    session: AsyncSession,
    desa_code: str | None,
    kecamatan_code: str | None,
    *,
    roles: tuple[str, ...] = (PETUGAS, TKSK, PSM),
) -> list[Account]:
    """Who answers for a place: staff (all of them: they work for the whole kabupaten), the
    TKSK of its kecamatan and the PSM of its desa. Blocked accounts are left out."""
    who = []
    if PETUGAS in roles:
        who.append(Account.role == PETUGAS)
    if TKSK in roles and kecamatan_code:
        who.append((Account.role == TKSK) & (Account.area_code == kecamatan_code))
    if PSM in roles and desa_code:
        who.append((Account.role == PSM) & (Account.area_code == desa_code))
    if not who:
        return []
    found = await session.scalars(
        select(Account).where(or_(*who), Account.bot_blocked.is_(False)).order_by(Account.id)
    )
    return list(found)


async def tell_area_officers(
    session: AsyncSession, bot: Bot, household: Household, text: str, *, roles: tuple[str, ...]
) -> None:
    """Send `text` to each of `roles` who answers for the household's place (area_officers)."""
    officers = await area_officers(
        session, household.desa_code, household.kecamatan_code, roles=roles
    )
    for officer in officers:
        await send(bot, officer, text)
