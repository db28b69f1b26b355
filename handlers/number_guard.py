"""A NIK or KK typed where none is asked for (free text, a field note, a correction request,
a quick report, a complaint) is deleted from the chat once read (UU PDP), the sender is told
why, and only the masked form (`3216********0001`) is kept or passed on.

The linking form and the NIK/KK fields of the forms ask for the number on purpose: they
delete the message themselves and store the number protected (db.protect).
"""

from __future__ import annotations

from aiogram.types import Message
from aiogram.utils.i18n import gettext as _

from domain.identity import has_id_number, mask_id_numbers
from handlers.chat import delete_secret

__all__ = ["guard_numbers", "mask_id_numbers", "typed_text"]


def typed_text(message: Message) -> str:
    return message.text or message.caption or ""


async def guard_numbers(message: Message) -> bool:
    """Delete the message if it carries a NIK/KK-shaped number and say why; True if it did.
    The caller goes on with the masked text (mask_id_numbers) where it keeps or sends any."""
    if not has_id_number(typed_text(message)):
        return False
    await delete_secret(message)
    await message.answer(
        _(
            "For your safety, we deleted your message because it contained a NIK or KK "
            "number. Please do not send these numbers in a chat; we only keep them hidden "
            "(for example 3216********0001)."
        )
    )
    return True
