"""Small chores on messages already in the chat, shared by the handlers.

Each one tolerates Telegram's refusal: a message too old to edit or delete, or one whose
buttons are already gone (an old keyboard tapped again), is left as it is.
"""

from __future__ import annotations

from aiogram.exceptions import TelegramAPIError
from aiogram.types import InlineKeyboardMarkup, Message

from bot import unread

# The forms delete typed NIK/KK answers the same way; one function serves both.
from conversations.telegram import delete_secret as delete_secret


async def remove_buttons(message: Message) -> None:
    """Remove the buttons of a tapped message, so that it is not tapped twice."""
    try:
        await unread.edit_reply_markup(message, None)
    except TelegramAPIError:
        pass


async def show_page(message: Message, text: str, markup: InlineKeyboardMarkup, edit: bool) -> None:
    """Show a page of a list: in place of the previous page when `edit`, or as a new message
    (also when the previous page can no longer be edited)."""
    if edit:
        try:
            await message.edit_text(text, reply_markup=markup)
            return
        except TelegramAPIError:
            pass
    await message.answer(text, reply_markup=markup)
