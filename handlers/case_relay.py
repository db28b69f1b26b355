"""A resident's messages reach the people who answer the case: the holder, or everyone of the
case's level (the desa's PSM, the kecamatan's TKSK, staff); an urgent one reaches all three
at once, and the resident is told what to do right now (the office's line, 112)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from aiogram import Bot
from aiogram.types import InlineKeyboardMarkup
from aiogram.utils.i18n import gettext as _
from sqlalchemy.ext.asyncio import AsyncSession

from conversations import notify
from db import regions
from db.models.accounts import Account
from db.models.cases import Case
from db.models.households import Household
from handlers.case_ui import deliver, officer_keyboard
from handlers.office import office_lines
from services import cases, field_work
from services.cases import Item

if TYPE_CHECKING:
    from bot.settings import Settings


async def family_words(session: AsyncSession, case: Case) -> str:
    """Whom a notice is about: the head's name and the place (desa, RT/RW), which staff can
    search for and a volunteer can walk to; never a No. KK (a notice is a forwardable
    message). Only the desa when the resident is not linked to a family."""
    desa = await regions.name_of(session, case.desa_code)
    household = (
        await session.get(Household, case.household_id) if case.household_id is not None
        else None
    )  # fmt: skip
    if household is None:
        return desa
    head = (await field_work.head_names(session, [household.id])).get(household.id)
    return _("family of {name}, {desa} RT {rt}/RW {rw}").format(
        name=head or "-", desa=desa, rt=household.rt or "-", rw=household.rw or "-"
    )


async def tell_officers(
    session: AsyncSession, bot: Bot, case: Case, text: str, *, roles: tuple[str, ...]
) -> int:
    """A case's notice, with the button to open it, to each of `roles` for its place (the
    desa's PSM, the kecamatan's TKSK, staff); returns to how many people."""
    people = await notify.area_officers(
        session, case.desa_code, case.kecamatan_code, roles=roles
    )
    reached = 0
    for person in people:
        if await deliver(bot, person, None, text, officer_keyboard(case)):
            reached += 1
    return reached


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
    desa = await family_words(session, case)
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
