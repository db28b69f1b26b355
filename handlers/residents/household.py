"""What the residents' features share: the household the sender's account is linked to."""

from __future__ import annotations

from aiogram.types import Message
from aiogram.utils.i18n import gettext as _
from sqlalchemy.ext.asyncio import AsyncSession

from db.models.accounts import Account
from db.models.households import Household
from handlers.keyboards import show_menu


async def linked_household(
    message: Message, account: Account, session: AsyncSession
) -> Household | None:
    """The linked household, or None after telling the person what to do first."""
    if account.consent != "given":
        await show_menu(
            message, _("First please read and agree to the privacy notice: /privasi"), account
        )
        return None
    household = await session.get(Household, account.household_id) if account.household_id else None
    if household is None:
        await show_menu(
            message,
            _(
                "Your account is not linked to a household yet. Please link it first with "
                "/daftar (you need your KK number and NIK)."
            ),
            account,
        )
    return household
