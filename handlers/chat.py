"""Small chores on messages and files already in the chat, shared by the handlers."""

from __future__ import annotations

from aiogram import Bot
from aiogram.types import InlineKeyboardMarkup, Message

from conversations.messages import delete_secret as delete_secret
from conversations.messages import edit_text
from conversations.messages import remove_buttons as remove_buttons


async def show_page(message: Message, text: str, markup: InlineKeyboardMarkup, edit: bool) -> None:
    """Show a page of a list: in place of the previous page when `edit`, or as a new message
    (also when the previous page can no longer be edited)."""
    if edit and await edit_text(message, text, markup):
        return
    await message.answer(text, reply_markup=markup)


async def download(bot: Bot, file_id: str) -> bytes:
    """The content of a file someone sent (Telegram lets bots download up to 20 MB)."""
    buffer = await bot.download(file_id)
    assert buffer is not None
    return buffer.read()
