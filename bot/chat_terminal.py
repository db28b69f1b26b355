"""The terminal of `python -m bot chat`: what the bot sends, shown as text (and its files saved),
and what the person types, turned into Telegram updates.

Its own hints are gettext texts like the bot's: trainees read them. They are shown in the
locale of the i18n context the chat runs in (bot/chat.py enters the account's language).
"""

from __future__ import annotations

import itertools
import mimetypes
import os
import re
import sys
import time
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any, TextIO

from aiogram import Bot
from aiogram.methods import (
    AnswerCallbackQuery,
    DeleteMessage,
    EditMessageCaption,
    EditMessageReplyMarkup,
    EditMessageText,
    SendDocument,
    SendLocation,
    SendMessage,
    SendPhoto,
    TelegramMethod,
)
from aiogram.types import InputFile, Message, Update
from aiogram.utils.i18n import gettext as _

from bot.local_session import LocalSession

# Methods that put a message (or a changed one) on someone's screen.
SHOWN = (SendMessage, EditMessageText, EditMessageCaption, SendPhoto, SendDocument, SendLocation)
EDITS = (EditMessageText, EditMessageCaption)
# `:word` is one of the chat's own commands; anything else typed with a colon (":)") is text.
CHAT_COMMAND = re.compile(r":[a-z]{2,}")
CAPTION_SEPARATOR = " | "

RoleOf = Callable[[int], Awaitable[str | None]]


class Terminal:
    """Shows what the bot sends and turns what the person types into Telegram updates.

    Messages to other accounts (a broadcast, a reminder, a notice to a volunteer) are shown
    labelled with who gets them; only this person's own messages offer numbered buttons."""

    def __init__(
        self,
        user_id: int,
        first_name: str,
        files_dir: Path,
        *,
        role_of: RoleOf | None = None,
        base_dir: Path | None = None,
        out: TextIO = sys.stdout,
    ) -> None:
        self.user_id = user_id
        self.first_name = first_name
        self.files_dir = files_dir
        self.role_of = role_of
        self.base_dir = base_dir or Path.cwd()  # where typed relative paths start
        self.out = out
        self.session = LocalSession(self.on_call)
        self.bot: Bot | None = None  # set once the bot exists: uploads are read through it
        self.update_ids = itertools.count(1)
        self.message_ids = itertools.count(1)
        self.inline: list[tuple[str, str, int]] = []  # (label, callback data, message id)
        self.reply: list[dict[str, Any]] = []  # reply-keyboard buttons

    # -- what the bot sends -------------------------------------------------------------
    async def on_call(self, method: TelegramMethod[Any]) -> None:
        chat_id = getattr(method, "chat_id", None)
        if chat_id is not None and chat_id != self.user_id:
            await self._show_other(chat_id, method)
            return
        if isinstance(method, SHOWN):
            text = _content(method)
            if text or not isinstance(method, SendPhoto | SendDocument):
                self.say(("✎ " if isinstance(method, EDITS) else "") + "🤖 " + text)
            saved = await self._save_file(method)
            if saved:
                self.say(saved)
            # Only the newest message's inline buttons are offered as numbers.
            self.inline = []
            markup = getattr(method, "reply_markup", None)
            self._keyboard(markup, getattr(method, "message_id", None) or 0)
            if markup is None:
                self._show_choices()
        elif isinstance(method, EditMessageReplyMarkup):
            self.inline = []
            if method.reply_markup is not None:
                self._keyboard(method.reply_markup, 0)
        elif isinstance(method, AnswerCallbackQuery) and method.text:
            self.say("🔔 " + method.text)
        elif isinstance(method, DeleteMessage):
            self.say("🗑")

    async def _show_other(self, chat_id: int | str, method: TelegramMethod[Any]) -> None:
        """Someone else's message: labelled, its buttons listed but not numbered."""
        if not isinstance(method, SHOWN):
            return
        role = await self.role_of(int(chat_id)) if self.role_of is not None else None
        label = (
            _("→ [user {id} ({role})]").format(id=chat_id, role=role)
            if role
            else _("→ [user {id}]").format(id=chat_id)
        )
        text = _content(method)
        if text or not isinstance(method, SendPhoto | SendDocument):
            self.say(f"{label} " + ("✎ " if isinstance(method, EDITS) else "") + "🤖 " + text)
        saved = await self._save_file(method)
        if saved:
            self.say(f"{label} {saved}")
        markup = getattr(method, "reply_markup", None)
        rows = getattr(markup, "inline_keyboard", None) or getattr(markup, "keyboard", None)
        for row in rows or []:
            for button in row:
                self.say(f"   · {button.text}")

    async def _save_file(self, method: TelegramMethod[Any]) -> str | None:
        """Save the photo or document a message carries; the line that says where."""
        if isinstance(method, SendDocument):
            sent, default_name = method.document, "berkas"
        elif isinstance(method, SendPhoto):
            sent, default_name = method.photo, "foto.jpg"
        else:
            return None
        try:
            if isinstance(sent, InputFile):
                assert self.bot is not None
                content = b"".join([chunk async for chunk in sent.read(self.bot)])
                name = sent.filename or default_name
            elif sent in self.session.files:
                name, content = self.session.files[sent]
            else:
                return _("📎 A file from Telegram (it cannot be shown here).")
            path = self._free_path(name)
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_bytes(content)
        except (OSError, RuntimeError):
            return _("📎 The file could not be saved in {folder}.").format(folder=self.files_dir)
        if isinstance(method, SendPhoto):
            return _("🖼 Photo saved: {path}").format(path=path)
        return _("📎 File saved: {path}").format(path=path)

    def _free_path(self, name: str) -> Path:
        """A path in the files folder that does not overwrite an earlier file."""
        clean = Path(name).name or "berkas"
        path = self.files_dir / clean
        for number in itertools.count(2):
            if not path.exists():
                return path
            path = self.files_dir / f"{Path(clean).stem}-{number}{Path(clean).suffix}"
        raise AssertionError("unreachable")

    def _keyboard(self, markup: Any, message_id: int) -> None:
        if markup is None:
            return
        if hasattr(markup, "inline_keyboard"):
            self.inline = [
                (b.text, b.callback_data or "", message_id)
                for row in markup.inline_keyboard
                for b in row
                if b.callback_data
            ]
        elif hasattr(markup, "keyboard"):
            self.reply = [b.model_dump() for row in markup.keyboard for b in row]
        elif getattr(markup, "remove_keyboard", False):
            self.reply = []
        self._show_choices()

    def _show_choices(self) -> None:
        for number, label in enumerate(self.labels(), 1):
            self.say(f"   [{number}] {label}")

    def labels(self) -> list[str]:
        return [label for label, _data, _mid in self.inline] + [b["text"] for b in self.reply]

    def say(self, text: str) -> None:
        print(text, file=self.out, flush=True)

    # -- what the person types -----------------------------------------------------------
    def _base(self) -> dict[str, Any]:
        return {
            "message_id": next(self.message_ids),
            "date": int(time.time()),
            "chat": {"id": self.user_id, "type": "private", "first_name": self.first_name},
            "from": self._user(),
        }

    def _user(self) -> dict[str, Any]:
        return {
            "id": self.user_id,
            "is_bot": False,
            "first_name": self.first_name,
            "language_code": "id",
        }

    def message(self, bot: Bot, text: str = "/start") -> Message:
        """A message from this person, bound to `bot` (for code that answers a message)."""
        return Message.model_validate({**self._base(), "text": text}).as_(bot)

    def _update(self, **fields: Any) -> Update:
        message = {**self._base(), **fields}
        return Update.model_validate({"update_id": next(self.update_ids), "message": message})

    def update_for(self, line: str) -> Update | None:
        """The update for a typed line, or None (after a hint) when nothing is to be sent."""
        line = line.strip()
        word, _sep, rest = line.partition(" ")
        rest = rest.strip()
        if word == ":teks":
            if not rest:
                self.say(_("Type it like this: :teks 3"))
                return None
            return self._text(rest)
        if len(line) > 2 and line[0] == line[-1] and line[0] in "\"'":
            return self._text(line[1:-1])  # "3" or '3': the text itself, not a button
        if line.isdigit() and 1 <= int(line) <= len(self.labels()):
            return self._press(int(line) - 1)
        if word == ":foto":
            return self._photo(rest)
        if word == ":berkas":
            return self._document(rest)
        if word == ":lokasi":
            return self._location(rest)
        if word == ":kontak":
            return self._contact()
        if CHAT_COMMAND.fullmatch(word):
            self.say(
                _(
                    "{command} is not a chat command. Commands: :teks, :berkas, :foto, "
                    ":lokasi, :kontak, :keluar."
                ).format(command=word)
            )
            return None
        return self._text(line)

    def _text(self, text: str) -> Update:
        fields: dict[str, Any] = {"text": text}
        if text.startswith("/"):
            fields["entities"] = [
                {"type": "bot_command", "offset": 0, "length": len(text.split()[0])}
            ]
        return self._update(**fields)

    def _press(self, index: int) -> Update | None:
        if index < len(self.inline):
            _label, data, message_id = self.inline[index]
            return Update.model_validate(
                {
                    "update_id": next(self.update_ids),
                    "callback_query": {
                        "id": str(next(self.update_ids)),
                        "from": self._user(),
                        "chat_instance": "terminal",
                        "data": data,
                        "message": {
                            **self._base(),
                            "message_id": message_id,
                            "from": {"id": 1, "is_bot": True, "first_name": "Nirmiskin"},
                            "text": "…",
                        },
                    },
                }
            )
        button = self.reply[index - len(self.inline)]
        if button.get("request_contact"):
            return self._contact()
        if button.get("request_location"):
            return self._location("-6.3,107.15")
        return self._text(button["text"])

    def _location(self, rest: str) -> Update | None:
        try:
            lat, lon = (float(part) for part in rest.split(","))
        except ValueError:
            self.say(_("Type it like this: :lokasi -6.30,107.15"))
            return None
        return self._update(location={"latitude": lat, "longitude": lon})

    def _contact(self) -> Update:
        contact = {
            "phone_number": "6281234567890",
            "first_name": self.first_name,
            "user_id": self.user_id,
        }
        return self._update(contact=contact)

    def _upload(self, rest: str) -> tuple[Path, bytes, str] | None:
        """`FILE [| caption]` read from disk, or None after saying why nothing is sent."""
        target, _sep, caption = rest.partition(CAPTION_SEPARATOR)
        target = target.strip().strip("\"'")
        path = Path(os.path.expanduser(target))
        if not path.is_absolute():
            path = self.base_dir / path
        if not target or not path.is_file():
            self.say(_("File not found: {path}. Nothing was sent.").format(path=target or "-"))
            return None
        try:
            return path, path.read_bytes(), caption.strip()
        except OSError:
            self.say(_("The file {path} cannot be read. Nothing was sent.").format(path=target))
            return None

    def _document(self, rest: str) -> Update | None:
        upload = self._upload(rest)
        if upload is None:
            return None
        path, content, caption = upload
        document = {
            "file_id": self.session.serve(path.name, content),
            "file_unique_id": f"u{time.time_ns()}",
            "file_name": path.name,
            "mime_type": mimetypes.guess_type(path.name)[0] or "application/octet-stream",
            "file_size": len(content),
        }
        return self._update(document=document, **({"caption": caption} if caption else {}))

    def _photo(self, rest: str) -> Update | None:
        caption = ""
        if rest and not rest.startswith(CAPTION_SEPARATOR.strip()):
            upload = self._upload(rest)
            if upload is None:
                return None
            path, content, caption = upload
            file_id = self.session.serve(path.name, content)
        else:  # no file: a photo that exists only as an id (enough for most forms)
            file_id = f"terminal-photo-{time.time_ns()}"
            caption = rest.lstrip("|").strip()
        size = {"file_unique_id": f"u{time.time_ns()}", "width": 640, "height": 480}
        fields: dict[str, Any] = {"photo": [{"file_id": file_id, **size}]}
        if caption:
            fields["caption"] = caption
        return self._update(**fields)


def _content(method: TelegramMethod[Any]) -> str:
    if isinstance(method, SendLocation):
        return f"📍 {method.latitude},{method.longitude}"
    return getattr(method, "text", None) or getattr(method, "caption", None) or ""
