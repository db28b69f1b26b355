"""Bot API calls whose result the bot never reads: sent without turning the result into objects.

aiogram parses every result into pydantic objects. An edited question with six buttons comes
back as a message, its chat, its sender, the keyboard and six buttons: eleven objects the
form code never looks at, about a tenth of the CPU of a form step (benchmarks/updates.py).
The methods here are aiogram's own, with the result left as Telegram's JSON (a dict, or
True). Errors are unchanged: Telegram's refusals still raise before any result is read.
Use them only where the result is ignored; anything that needs the sent message (its id, to
delete or edit it later) uses aiogram's shortcuts as usual.
"""

from __future__ import annotations

from typing import Any, ClassVar

from aiogram.methods import EditMessageReplyMarkup, EditMessageText, SendMessage
from aiogram.types import InlineKeyboardMarkup, Message, ReplyKeyboardMarkup, ReplyKeyboardRemove


class _SendMessage(SendMessage):
    __returning__: ClassVar[Any] = Any


class _EditMessageText(EditMessageText):
    __returning__: ClassVar[Any] = Any


class _EditMessageReplyMarkup(EditMessageReplyMarkup):
    __returning__: ClassVar[Any] = Any


async def answer(
    message: Message,
    text: str,
    reply_markup: InlineKeyboardMarkup | ReplyKeyboardMarkup | ReplyKeyboardRemove | None = None,
    parse_mode: str | None = None,
) -> None:
    """As `message.answer(...)`, in a private chat."""
    await _SendMessage(
        chat_id=message.chat.id,
        business_connection_id=getattr(message, "business_connection_id", None),
        text=text,
        reply_markup=reply_markup,
        parse_mode=parse_mode,
    ).as_(message.bot)


async def edit_text(
    message: Message,
    text: str,
    reply_markup: InlineKeyboardMarkup | None = None,
    parse_mode: str | None = None,
) -> None:
    """As `message.edit_text(...)`."""
    await _EditMessageText(
        chat_id=message.chat.id,
        message_id=message.message_id,
        business_connection_id=getattr(message, "business_connection_id", None),
        text=text,
        reply_markup=reply_markup,
        parse_mode=parse_mode,
    ).as_(message.bot)


async def edit_reply_markup(message: Message, reply_markup: InlineKeyboardMarkup | None) -> None:
    """As `message.edit_reply_markup(...)`."""
    await _EditMessageReplyMarkup(
        chat_id=message.chat.id,
        message_id=message.message_id,
        business_connection_id=getattr(message, "business_connection_id", None),
        reply_markup=reply_markup,
    ).as_(message.bot)
