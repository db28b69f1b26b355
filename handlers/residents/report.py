"""`/lapor` and the "Lapor Kondisi" button: a household's self-report (conversations.lapor)."""

from __future__ import annotations

import datetime as dt

from aiogram import Router
from aiogram.filters import Command
from aiogram.fsm.context import FSMContext
from aiogram.types import Message
from aiogram.utils.i18n import lazy_gettext as __
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from conversations import begin
from conversations.lapor import FORM
from db.models import Account, Member
from domain.dates import today_wib
from domain.roles import WARGA
from handlers.commands import COMMANDS, CommandInfo
from handlers.keyboards import MENU_ENTRIES, MenuButton, MenuEntry
from handlers.residents.household import linked_household

RESIDENTS = frozenset({WARGA})
MENU_ENTRIES.append(MenuEntry("lapor", __("📝 Report condition"), roles=RESIDENTS))
COMMANDS.append(
    CommandInfo(
        "lapor",
        __("Report your household's condition"),
        __("report your household's condition now (work, income, house, urgent needs)."),
        roles=RESIDENTS,
    )
)


def _age(born: dt.date, today: dt.date) -> int:
    return today.year - born.year - ((today.month, today.day) < (born.month, born.day))


async def member_counts(session: AsyncSession, household_id: int) -> dict[str, int]:
    """Counts from the members on record, offered as answers to keep."""
    members = list(await session.scalars(select(Member).where(Member.household_id == household_id)))
    today = today_wib()
    ages = [_age(m.birth_date, today) if m.birth_date else None for m in members]
    return {
        "members": len(members),
        "elderly": sum(1 for age in ages if age is not None and age >= 60),
        "disabled": sum(1 for m in members if m.severe_disability),
        "out_of_school": sum(
            1
            for m, age in zip(members, ages, strict=True)
            if age is not None and 7 <= age <= 18 and m.in_school is False
        ),
    }


async def start_report(
    message: Message, account: Account, session: AsyncSession, state: FSMContext
) -> None:
    household = await linked_household(message, account, session)
    if household is None:
        return
    counts = await member_counts(session, household.id)
    if not counts["members"]:  # nothing on record: let the person type every count
        counts = {}
    await begin(FORM.name, message, state, context=counts)


def create_router() -> Router:
    router = Router(name="resident_report")
    router.message.register(start_report, Command("lapor"))
    router.message.register(start_report, MenuButton("lapor"))
    return router
