"""Edits and deletions of bot messages already in the chat: the one place that does them.

A double or stale tap edits a message into what it already shows ("message is not
modified"), or one that is gone or too old ("message to edit not found", "message can't be
edited"). Neither is an error a person should hear about: the first is done already, the
second can only be answered with a new message, which the caller decides on (the edit
functions say whether the message now shows what was asked).
"""

from __future__ import annotations

import logging

from aiogram.exceptions import TelegramAPIError, TelegramBadRequest
from aiogram.types import InaccessibleMessage, InlineKeyboardMarkup, Message

log = logging.getLogger(__name__)

_UNCHANGED = "message is not modified"
_GONE = ("message to edit not found", "message can't be edited", "message to delete not found")

AnyMessage = Message | InaccessibleMessage | None


def _settled(error: TelegramBadRequest) -> bool | None:
    """True: already shown; False: gone, send anew; None: a real error."""
    text = error.message.lower()
    if _UNCHANGED in text:
        return True
    if any(reason in text for reason in _GONE):
        return False
    return None


async def edit_text(
    message: AnyMessage, text: str, markup: InlineKeyboardMarkup | None = None
) -> bool:
    """Show `text` (and `markup`) in place of the message. False when it cannot be edited
    (gone, too old): the caller may send it as a new message instead."""
    if not isinstance(message, Message):
        return False
    try:
        await message.edit_text(text, reply_markup=markup)
    except TelegramBadRequest as error:
        settled = _settled(error)
        if settled is None:
            raise
        return settled
    return True


async def edit_markup(message: AnyMessage, markup: InlineKeyboardMarkup | None) -> bool:
    """Put `markup` under the message (None removes its buttons). False when it cannot be
    edited any more."""
    if not isinstance(message, Message):
        return False
    try:
        await message.edit_reply_markup(reply_markup=markup)
    except TelegramBadRequest as error:
        settled = _settled(error)
        if settled is None:
            raise
        return settled
    return True


async def remove_buttons(message: AnyMessage) -> None:
    """Remove the buttons of a tapped message, so that it is not tapped twice. A message
    whose buttons are gone already, or that is too old to edit, is left as it is."""
    try:
        await edit_markup(message, None)
    except TelegramAPIError:
        log.info("could not remove the buttons of a message")


async def delete_secret(message: Message) -> None:
    """Delete a message that carried a NIK, a KK or an invite code: it must not stay in the
    chat (UU PDP; an invite code is a credential). A refusal (too old) is logged, no more."""
    try:
        await message.delete()
    except TelegramAPIError:
        log.info("could not delete a message carrying a number or a code")
