"""The photo links of the staff's exports (`t.me/<bot>?start=foto_<kind>_<id>`, made by
services.photo_links): the bot sends the photo again, by its Telegram file id, with whose it
is and when, to staff and to the volunteers of its area; anyone else is told it is not found
(the same answer whether or not it exists). Registered in handlers.start before every other
/start, so the payload is never read as an invitation code or a plain /start."""

from __future__ import annotations

from typing import TYPE_CHECKING

from aiogram.filters import CommandObject
from aiogram.types import Message
from aiogram.utils.i18n import gettext as _
from sqlalchemy.ext.asyncio import AsyncSession

from conversations.validators import format_datetime_id
from db.models.accounts import Account
from handlers.keyboards import show_menu
from handlers.privacy import show_privacy
from services import photo_links

if TYPE_CHECKING:
    from bot.settings import Settings  # handed in by the dispatcher


def _caption(shown: photo_links.Shown) -> str:
    when = format_datetime_id(shown.when)
    whose = ", ".join(part for part in (shown.head, shown.place) if part) or "-"
    if shown.kind == photo_links.VISIT:
        return _("Field visit photo: {whose}, {when}.").format(whose=whose, when=when)
    if shown.kind == photo_links.REPORT:
        return _("Self-report photo: {whose}, {when}.").format(whose=whose, when=when)
    if shown.kind == photo_links.QUICK:
        return _("Volunteer's quick report photo: {whose}, {when}.").format(whose=whose, when=when)
    return _("Files of case {number}: {whose}, from {when}.").format(
        number=shown.case_number, whose=whose, when=when
    )


async def open_photo(
    message: Message,
    command: CommandObject,
    session: AsyncSession,
    account: Account,
    settings: Settings,
) -> None:
    found = photo_links.parse(command.args)
    shown = await photo_links.find(session, account, *found) if found else None
    if shown is None:
        await show_menu(
            message,
            _("Sorry, that photo was not found, or it is not yours to see."),
            account,
        )
        if account.consent == "none":  # a first contact through a link: still greet
            await show_privacy(message, account, settings)
        return
    caption = _caption(shown)
    for file in shown.files:
        if file.kind == "voice":
            await message.answer_voice(file.file_id, caption=caption)
        elif file.kind == "document":
            await message.answer_document(file.file_id, caption=caption)
        else:
            await message.answer_photo(file.file_id, caption=caption)
    if shown.more:
        await message.answer(
            _("{count} more files are on the case; open it with /kasus.").format(count=shown.more)
        )
