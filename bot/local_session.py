"""A Bot API session that answers in-process, without the network.

It plays Telegram's part for `python -m bot chat` (a terminal conversation with the real
dispatcher) and for the benchmarks: every method the bot calls is handed to `on_call` (a plain
or an async function) and gets a well-formed result back, so the whole stack runs as it would
against Telegram. Files the person "uploads" (`serve`) are kept in memory, as Telegram keeps an
upload, and handed back through getFile and the file download, so `bot.download` works.
"""

from __future__ import annotations

import inspect
import itertools
import json
import time
import uuid
from collections.abc import AsyncGenerator, Awaitable, Callable
from typing import Any, cast

from aiogram import Bot
from aiogram.client.session.base import BaseSession
from aiogram.exceptions import TelegramBadRequest
from aiogram.methods import GetFile, TelegramMethod
from aiogram.methods.base import TelegramType

BOT_USER = {"id": 1, "is_bot": True, "first_name": "Nirmiskin", "username": "nirmiskin_bot"}



def api_name(method: TelegramMethod[Any]) -> str:
    """The Bot API name of an aiogram method (SendMessage -> sendMessage)."""
    name = type(method).__name__
    return name[0].lower() + name[1:]

Listener = Callable[[TelegramMethod[Any]], Awaitable[None] | None]
AsyncListener = Callable[[TelegramMethod[Any]], Awaitable[None]]
FILE_PATH_PREFIX = "local/"


class LocalSession(BaseSession):
    def __init__(self, on_call: Listener | None = None) -> None:
        super().__init__()
        self.on_call = on_call
        # Decided once: the benchmarks' plain listeners pay no check per call.
        self._awaits = inspect.iscoroutinefunction(on_call)
        self._message_ids = itertools.count(1_000_000)
        self.files: dict[str, tuple[str, bytes]] = {}  # file id -> (file name, content)

    def serve(self, name: str, content: bytes) -> str:
        """Keep an upload; returns its file id (unique across runs, like Telegram's)."""
        file_id = f"local-{uuid.uuid4().hex}"
        self.files[file_id] = (name, content)
        return file_id

    def _message(self, method: TelegramMethod[Any]) -> dict[str, Any]:
        chat_id = getattr(method, "chat_id", 0)
        result: dict[str, Any] = {
            "message_id": getattr(method, "message_id", None) or next(self._message_ids),
            "date": int(time.time()),
            "chat": {"id": chat_id, "type": "private"},
            "from": BOT_USER,
        }
        text = getattr(method, "text", None)
        if text is not None:
            result["text"] = text
        markup = getattr(method, "reply_markup", None)
        if markup is not None and hasattr(markup, "inline_keyboard"):
            result["reply_markup"] = markup.model_dump(exclude_none=True)
        return result

    def _result(self, method: TelegramMethod[Any]) -> Any:
        name = api_name(method)
        if name == "getMe":
            return BOT_USER
        if name == "copyMessage":
            return {"message_id": next(self._message_ids)}
        if name in {"sendMessage", "sendPhoto", "sendDocument", "sendVoice", "sendLocation"}:
            return self._message(method)
        if name in {"editMessageText", "editMessageReplyMarkup", "editMessageCaption"}:
            return self._message(method)
        if name == "getMyCommands":
            return []
        if isinstance(method, GetFile):
            file_id = method.file_id
            if file_id not in self.files:
                raise TelegramBadRequest(method, "Bad Request: invalid file_id")
            return {
                "file_id": file_id,
                "file_unique_id": file_id[-16:],
                "file_size": len(self.files[file_id][1]),
                "file_path": FILE_PATH_PREFIX + file_id,
            }
        return True

    async def make_request(
        self, bot: Bot, method: TelegramMethod[TelegramType], timeout: int | None = None
    ) -> TelegramType:
        if self._awaits:
            await cast("AsyncListener", self.on_call)(method)  # _awaits: a coroutine function
        elif self.on_call is not None:
            self.on_call(method)
        # Answered as Telegram would, in JSON, and read by aiogram's own response check.
        content = json.dumps({"ok": True, "result": self._result(method)})
        response = self.check_response(bot, method, 200, content)
        return cast(TelegramType, response.result)

    async def stream_content(
        self,
        url: str,
        headers: dict[str, Any] | None = None,
        timeout: int = 30,
        chunk_size: int = 65536,
        raise_for_status: bool = True,
    ) -> AsyncGenerator[bytes, None]:
        # The url ends with the file_path getFile gave: FILE_PATH_PREFIX + the file id.
        found = self.files.get(url.rpartition("/")[2])
        if found is None:
            raise RuntimeError("this file was not sent in this session")
        content = found[1]
        for start in range(0, len(content), chunk_size):
            yield content[start : start + chunk_size]

    async def close(self) -> None:
        return None
