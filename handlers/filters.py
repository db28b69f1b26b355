"""Small message filters, async so that aiogram runs them on the event loop (a sync filter,
magic filters included, is run in a worker thread: a hand-off per message for a comparison)."""

from __future__ import annotations

from aiogram.filters import BaseFilter
from aiogram.types import Message


class HasDocument(BaseFilter):
    """The message carries a file sent as a document."""

    async def __call__(self, message: Message) -> bool:
        return message.document is not None


class HasText(BaseFilter):
    """The message is typed text."""

    async def __call__(self, message: Message) -> bool:
        return message.text is not None


class NotACommand(BaseFilter):
    """Anything but a command (a photo or a file counts as not a command)."""

    async def __call__(self, message: Message) -> bool:
        return not (message.text or "").startswith("/")


# What people type to stop, besides /batal: on a phone the slash is one more key to find.
# "... jadi" is "(not) after all" in everyday speech, in its common spellings.
CANCEL_WORDS = frozenset(
    {"batal", "batalkan", "dibatalkan", "cancel", "stop", "berhenti",
     "gak jadi", "ga jadi", "gk jadi", "nggak jadi", "ngga jadi", "enggak jadi", "tidak jadi",
     "gajadi", "gakjadi"}
)  # fmt: skip


class CancelWord(BaseFilter):
    """A message that is only a word for "stop" (any case, with or without a full stop)."""

    async def __call__(self, message: Message) -> bool:
        text = " ".join((message.text or "").strip().strip(".!").lower().split())
        return text in CANCEL_WORDS
