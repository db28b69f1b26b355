"""`python -m bot chat`: talk to the real bot (dispatcher, database, texts) in a terminal.

Buttons are numbered: type the number to press one. `:foto` sends a photo, `:lokasi LAT,LON`
a location, `:kontak` shares your phone number, `:keluar` quits.
"""

from __future__ import annotations

import asyncio
import itertools
import sys
import time
from typing import Any

from aiogram.methods import TelegramMethod
from aiogram.types import Update
from aiogram.utils.i18n import I18n

from bot.app import create_bot, create_dispatcher, create_resources
from bot.local_session import LocalSession, api_name
from bot.roles import VOLUNTEERS
from bot.settings import Settings
from db import accounts, regions
from db.migrate import upgrade

DEFAULT_USER_IDS = {
    "warga": 700_000_001,
    "psm": 700_000_002,
    "tksk": 700_000_003,
    "petugas": 700_000_004,
}
DEFAULT_AREAS = {"psm": "32.16.18.2001", "tksk": "32.16.18"}


class Terminal:
    """Shows what the bot sends and turns what the person types into Telegram updates."""

    def __init__(self, user_id: int, first_name: str, i18n: I18n, out: Any = sys.stdout) -> None:
        self.user_id = user_id
        self.first_name = first_name
        self.i18n = i18n
        self.out = out
        self.update_ids = itertools.count(1)
        self.message_ids = itertools.count(1)
        self.inline: list[tuple[str, str, int]] = []  # (label, callback data, message id)
        self.reply: list[dict[str, Any]] = []  # reply-keyboard buttons

    # -- what the bot sends -------------------------------------------------------------
    def on_call(self, method: TelegramMethod[Any]) -> None:
        name = api_name(method)
        if name in {"sendMessage", "editMessageText", "sendPhoto", "sendDocument"}:
            text = getattr(method, "text", None) or getattr(method, "caption", None) or ""
            self._print(("✎ " if name.startswith("edit") else "") + "🤖 " + text)
            # Only the newest message's inline buttons are offered as numbers.
            self.inline = []
            self._keyboard(getattr(method, "reply_markup", None), getattr(method, "message_id", 0))
            if getattr(method, "reply_markup", None) is None:
                self._show_choices()
        elif name == "editMessageReplyMarkup":
            self.inline = []
            if method.reply_markup is not None:  # type: ignore[attr-defined]
                self._keyboard(method.reply_markup, 0)  # type: ignore[attr-defined]
        elif name == "answerCallbackQuery" and getattr(method, "text", None):
            self._print("🔔 " + method.text)  # type: ignore[attr-defined]
        elif name == "deleteMessage":
            self._print("🗑")

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
            self._print(f"   [{number}] {label}")

    def labels(self) -> list[str]:
        return [label for label, _data, _mid in self.inline] + [b["text"] for b in self.reply]

    def _print(self, text: str) -> None:
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

    def update_for(self, line: str) -> Update | None:
        line = line.strip()
        message = self._base()
        if line.isdigit() and 1 <= int(line) <= len(self.labels()):
            index = int(line) - 1
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
                line = ":kontak"
            elif button.get("request_location"):
                line = ":lokasi -6.3,107.15"
            else:
                line = button["text"]
        if line == ":foto":
            message["photo"] = [
                {
                    "file_id": f"terminal-photo-{time.time_ns()}",
                    "file_unique_id": "tp",
                    "width": 640,
                    "height": 480,
                }
            ]
        elif line.startswith(":lokasi"):
            try:
                lat, lon = (float(p) for p in line.split(maxsplit=1)[1].split(","))
            except (IndexError, ValueError):
                self._print(self.i18n.gettext("Type it like this: :lokasi -6.30,107.15"))
                return None
            message["location"] = {"latitude": lat, "longitude": lon}
        elif line == ":kontak":
            message["contact"] = {
                "phone_number": "6281234567890",
                "first_name": self.first_name,
                "user_id": self.user_id,
            }
        else:
            message["text"] = line
            if line.startswith("/"):
                message["entities"] = [
                    {"type": "bot_command", "offset": 0, "length": len(line.split()[0])}
                ]
        return Update.model_validate({"update_id": next(self.update_ids), "message": message})


async def _prepare_account(resources: Any, user_id: int, role: str, area: str | None) -> None:
    async with resources.sessionmaker.begin() as session:
        area_code = None
        if role in VOLUNTEERS:
            wanted = area or DEFAULT_AREAS[role]
            found = await regions.find(session, wanted, ("kecamatan", "desa", "kelurahan"))
            area_code = found[0].code if found else DEFAULT_AREAS[role]
        await accounts.grant_role(session, user_id, role, area_code)


async def _read_line(prompt: str) -> str | None:
    loop = asyncio.get_running_loop()
    try:
        return await loop.run_in_executor(None, lambda: input(prompt))
    except EOFError:
        return None


async def run_chat(settings: Settings, role: str, user_id: int | None, area: str | None) -> int:
    resources = create_resources(settings)
    try:
        await upgrade(resources.engine)
        uid = user_id or DEFAULT_USER_IDS[role]
        await _prepare_account(resources, uid, role, area)
        i18n = resources.i18n
        terminal = Terminal(uid, "Terminal", i18n)
        bot = create_bot(settings, LocalSession(terminal.on_call))
        dp = create_dispatcher(resources)
        with i18n.context(), i18n.use_locale(i18n.default_locale):
            terminal._print(
                i18n.gettext(
                    "Chatting with the bot as {role}. Type a message, or a button's number. "
                    ":foto sends a photo, :lokasi LAT,LON a location, :keluar quits."
                ).format(role=role)
            )
        first = terminal.update_for("/start")
        assert first is not None
        await dp.feed_update(bot, first)
        while True:
            line = await _read_line("> ")
            if line is None or line.strip() in {":keluar", ":quit"}:
                break
            if not line.strip():
                continue
            update = terminal.update_for(line)
            if update is not None:
                await dp.feed_update(bot, update)
        await bot.session.close()
        return 0
    finally:
        await resources.close()
