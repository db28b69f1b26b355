"""A resident's messages reach the people who answer the case: the holder, or everyone of the
case's level (the desa's PSM, the kecamatan's TKSK, staff); an urgent one reaches all three
at once, and the resident is told what to do right now (the office's line, 112)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from aiogram import Bot
from aiogram.types import InlineKeyboardMarkup
from aiogram.utils.i18n import gettext as _
from sqlalchemy.ext.asyncio import AsyncSession

from db import regions
from db.models.accounts import Account
from db.models.cases import Case
from handlers.case_ui import deliver, officer_keyboard
from handlers.office import office_lines
from services import cases
from services.cases import Item

if TYPE_CHECKING:
    from bot.settings import Settings


async def send_items(
    bot: Bot, person: Account, header: str, items: list[Item],
    markup: InlineKeyboardMarkup | None,
) -> bool:  # fmt: skip
    """The texts in one message under `header`, then each photo, voice note or document with
    the case's header as caption; the buttons go with the first message."""
    texts = [item.text for item in items if item.text and not item.file_id]
    body = Item("\n\n".join(texts)) if texts else None
    sent = await deliver(bot, person, body, header, markup)
    for item in items:
        if item.file_id:
            await deliver(bot, person, item, header)
    return sent


async def to_officers(
    session: AsyncSession, bot: Bot, case: Case, items: list[Item], *, new: bool,
    urgent_now: bool = False,
) -> int:  # fmt: skip
    """Relay the resident's new messages; returns to how many people."""
    desa = await regions.name_of(session, case.desa_code)
    number = cases.number(case)
    if urgent_now:
        people = await cases.urgent_people(session, case)
        header = _("🔴 URGENT: complaint {number} from {desa}. Please act today.")
    elif new:
        people = await cases.answerers(session, case)
        header = _("📣 New complaint {number} from {desa}.")
    else:
        people = await cases.answerers(session, case)
        header = _("💬 New message in complaint {number} ({desa}).")
    header = header.format(number=number, desa=desa)
    reached = 0
    for person in people:
        if await send_items(bot, person, header, items, officer_keyboard(case)):
            reached += 1
    return reached


def urgent_advice(settings: Settings) -> str:
    """What a resident with an urgent complaint can do right now, before anyone answers."""
    return "\n".join(
        [
            _(
                "Your message sounds urgent. We have told the PSM, the TKSK and Dinas Sosial "
                "staff at once."
            ),
            _("If someone's life is in danger, call 112 now (free)."),
            _("You can also contact the office:"),
            *office_lines(settings),
        ]
    )
