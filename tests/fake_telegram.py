"""A fake Telegram Bot API for end-to-end tests: in-process, and over HTTP.

The real bot talks to it as it would to api.telegram.org: in-process through
:class:`FakeSession` (an aiogram session: what the e2e tests use), or over HTTP on the fake's
own port (what a `python -m bot` process uses)::

    async with FakeTelegram() as tg:
        bot = tg.make_bot()          # aiogram Bot(DEFAULT_TOKEN, session=FakeSession(tg))
        user = tg.user(user_id=501, first_name="Siti", language_code="id")
        ...start polling (dp.start_polling(bot, handle_signals=False)) ...
        await user.send("/start")
        msg = await user.wait_message()
        await user.click(msg, "Daftar")

Both ways end in :meth:`FakeTelegram.dispatch` (token, method, params, files).

Main API (see the docstrings):

* ``FakeTelegram(rate_limit_per_s=None, per_chat_per_s=None, bot_username=..., port=0)``;
  ``tg.base_url``, ``tg.api_server``, ``tg.session()``,
  ``tg.make_bot(token=DEFAULT_TOKEN, http=False, **bot_kwargs)``.
* Controls: ``tg.user(...)``, ``tg.block(id)`` / ``unblock``, ``tg.revoke(token)``,
  ``tg.fail_next(method, n=1, retry_after=3, error_code=429, description=None)``,
  ``await tg.feed_update({...})``.
* Inspection: ``tg.calls`` (Call: method, params, time, token, files, status, response),
  ``tg.calls_of(method, ok=None)``, ``tg.count(method)``, ``tg.too_many_requests``,
  ``tg.flood_rejections``, ``tg.commands(scope, language_code)`` / ``tg.command_names(...)``,
  ``tg.effective_commands(chat_id, language_code)``, ``tg.chat_messages(chat_id)``,
  ``tg.file(file_id)``, ``tg.bot(token)`` (updates, webhook_url, allowed_updates,
  last_error_message, ...), ``await tg.wait_for(cond, timeout)``,
  ``await tg.wait_idle(quiet, timeout)``, ``tg.busy_checks`` (a harness's "still at work").
* FakeUser: ``send(text, reply_to=None)``, ``send_photo(content, caption)``,
  ``send_document(file_name, content)``, ``send_location(lat, lon)``,
  ``send_contact(phone=None, user_id=None)``, ``forward(message | text=...)``,
  ``click(message, label_or_data)`` -> FakeCallbackQuery (``answered``, ``answer_text``,
  ``show_alert``, ``await wait_answered()``), ``press(label)`` (reply keyboard); ``messages``,
  ``last_message``, ``history``, ``deleted_message_ids``, ``reply_keyboard``, ``errors``,
  ``commands()``, ``await wait_message(timeout=5, predicate=None)``, ``await wait_for(cond)``,
  ``await wait_idle(quiet=0.2)``, ``transcript()``.
* FakeMessage: ``message_id``, ``text`` (plain, or caption), ``source_text``, ``entities``,
  ``buttons``, ``button_rows``, ``callback_data``, ``button(label_or_data)``, ``keyboard``,
  ``deleted``, ``edited``, ``history``, ``kind``, ``raw``, ``params``.

Methods: what the bot calls, and no more. getMe, getUpdates, setWebhook, deleteWebhook;
sendMessage, sendPhoto, sendDocument, editMessageText, editMessageReplyMarkup, deleteMessage,
answerCallbackQuery; setMyCommands, deleteMyCommands; getFile and the file download. Any other
method answers 404, like an unknown one; a ``parse_mode`` answers 400 (the bot sends plain text).
A feature that needs more adds it here, with a test in test_fake_telegram.py.

Answers have the shape aiogram parses: ``{"ok": true, "result": ...}`` or
``{"ok": false, "error_code": 400, "description": "Bad Request: ...", "parameters": {...}}``
with the HTTP status equal to ``error_code`` (aiogram maps the status to its exceptions).

Modelling notes (deliberate simplifications):

* Any token of the form ``<digits>:<chars>`` is accepted; the bot's id is the digits
  (like Telegram, and like aiogram's ``Bot.id``). ``tg.revoke(token)`` makes a token answer 401.
* Chats are shared by all tokens (as if they were one bot); updates, webhook and commands are
  per token. Scripted users send their updates to ``user.token`` or, when not given, to the
  first token that talked to the server (updates queued before that are adopted by it).
* Private chats only. Sending to an unknown positive chat id creates that private chat.
* Text length is counted in code points after Telegram's stripping of leading/trailing
  whitespace. No automatic url/mention entities are added to bot messages.
* A webhook's answer body is not run as a method (the bot answers over the API).
"""

from __future__ import annotations

import asyncio
import contextlib
import copy
import itertools
import json
import math
import mimetypes
import re
import secrets
import time
from collections import defaultdict, deque
from collections.abc import AsyncGenerator, Callable
from dataclasses import dataclass, field
from typing import Any, cast

import aiohttp
import yarl
from aiogram import Bot
from aiogram.client.session.base import BaseSession
from aiogram.methods import TelegramMethod
from aiogram.methods.base import TelegramType
from aiogram.types import InputFile
from aiohttp import web
from multidict import CIMultiDict, CIMultiDictProxy

DEFAULT_TOKEN = "1000:nirmiskin-TEST-token"
BOT_USERNAME = "nirmiskin_test_bot"
BOT_FIRST_NAME = "Nirmiskin"
MAX_TEXT_LENGTH = 4096
MAX_CAPTION_LENGTH = 1024
MAX_CALLBACK_DATA_BYTES = 64

BLOCKED = "Forbidden: bot was blocked by the user"
NOT_MODIFIED = (
    "message is not modified: specified new message content and reply markup are exactly "
    "the same as a current content and reply markup of the message"
)
QUERY_TOO_OLD = "query is too old and response timeout expired or query ID is invalid"
WEBHOOK_ACTIVE = (
    "Conflict: can't use getUpdates method while webhook is active; "
    "use deleteWebhook to delete the webhook first"
)
TERMINATED_BY_GETUPDATES = (
    "Conflict: terminated by other getUpdates request; "
    "make sure that only one bot instance is running"
)
TERMINATED_BY_WEBHOOK = "Conflict: terminated by setWebhook request"

_TOKEN_RE = re.compile(r"\d+:[^\s/]+")
_SECRET_RE = re.compile(r"[A-Za-z0-9_-]{1,256}")
_COMMAND_RE = re.compile(r"[a-z0-9_]{1,32}")
_INT_RE = re.compile(r"-?\d+")
_FLOAT_RE = re.compile(r"-?\d+\.\d*(?:[eE][-+]?\d+)?")
_SPACE = " \t\r\n"

DEFAULT_UPDATE_TYPES = frozenset(
    {
        "message", "edited_message", "channel_post", "edited_channel_post",
        "business_connection", "business_message", "edited_business_message",
        "deleted_business_messages", "inline_query", "chosen_inline_result", "callback_query",
        "shipping_query", "pre_checkout_query", "purchased_paid_media", "poll", "poll_answer",
        "my_chat_member", "chat_join_request", "chat_boost", "removed_chat_boost",
    }
)
# Methods counted by the flood limiter (rate_limit_per_s / per_chat_per_s).
SEND_METHODS = frozenset({"sendmessage", "sendphoto", "senddocument", "sendvoice"})
# Form fields that are always strings (never JSON/number decoded).
_STRING_FIELDS = frozenset(
    {
        "text", "caption", "callback_query_id", "parse_mode", "url", "secret_token", "photo",
        "document", "voice", "file_id", "language_code", "description", "ip_address",
        "certificate",
    }
)


# --------------------------------------------------------------------------- errors


class TelegramError(Exception):
    """An error answer of the fake API (HTTP status == error_code)."""

    def __init__(self, error_code: int, description: str, parameters: dict | None = None):
        super().__init__(description)
        self.error_code = error_code
        self.description = description
        self.parameters = parameters

    def body(self) -> dict[str, Any]:
        body: dict[str, Any] = {
            "ok": False,
            "error_code": self.error_code,
            "description": self.description,
        }
        if self.parameters:
            body["parameters"] = self.parameters
        return body


def bad_request(description: str) -> TelegramError:
    return TelegramError(400, f"Bad Request: {description}")


def too_many_requests(retry_after: int) -> TelegramError:
    return TelegramError(
        429, f"Too Many Requests: retry after {retry_after}", {"retry_after": retry_after}
    )


# --------------------------------------------------------------------------- text parsing


def utf16_len(text: str) -> int:
    return len(text.encode("utf-16-le")) // 2


_AUTO_ENTITY_RE = re.compile(
    r"(?P<url>\bhttps?://[^\s<>\"]+)"
    r"|(?P<bot_command>(?<![\w/@])/[A-Za-z0-9_]{1,64}(?:@[A-Za-z0-9_]{3,32})?(?![\w/]))"
    r"|(?P<mention>(?<![\w@])@[A-Za-z0-9_]{4,32}\b)"
    r"|(?P<hashtag>(?<![\w#])#\w+)"
)


def detect_entities(text: str) -> list[dict]:
    """Entities Telegram adds to a user's plain text (bot_command, url, mention, hashtag)."""
    entities = []
    for m in _AUTO_ENTITY_RE.finditer(text):
        kind = m.lastgroup
        assert kind is not None
        entities.append(
            {
                "type": kind,
                "offset": utf16_len(text[: m.start()]),
                "length": utf16_len(m.group()),
            }
        )
    return entities


def _strip_text(text: str, entities: list[dict]) -> tuple[str, list[dict]]:
    """Telegram strips leading/trailing whitespace of texts and captions."""
    left = text.lstrip(_SPACE)
    lead = utf16_len(text[: len(text) - len(left)])
    new = left.rstrip(_SPACE)
    total = utf16_len(new)
    result = []
    for e in entities:
        start = max(e["offset"] - lead, 0)
        end = min(e["offset"] + e["length"] - lead, total)
        if end > start:
            result.append({**e, "offset": start, "length": end - start})
    return new, result


# --------------------------------------------------------------------------- records


@dataclass
class Call:
    """One API call received by the fake (``time`` is time.monotonic())."""

    method: str
    params: dict[str, Any]
    time: float
    token: str
    files: dict[str, bytes] = field(default_factory=dict)
    status: int = 0
    response: dict[str, Any] | None = None

    @property
    def ok(self) -> bool:
        return self.status == 200

    @property
    def description(self) -> str | None:
        return (self.response or {}).get("description")


@dataclass
class UploadedFile:
    name: str
    filename: str | None
    content: bytes
    content_type: str | None = None


@dataclass
class StoredFile:
    """A file known to the fake (uploaded by the bot, or sent by a scripted user)."""

    file_id: str
    file_unique_id: str
    content: bytes
    file_path: str
    kind: str  # "photo" | "document" | "voice"
    file_name: str | None = None
    mime_type: str | None = None
    width: int = 0
    height: int = 0
    sizes: list[dict] | None = None  # for photos: all PhotoSize dicts of the same picture

    def as_photo_size(self) -> dict:
        return {
            "file_id": self.file_id,
            "file_unique_id": self.file_unique_id,
            "width": self.width,
            "height": self.height,
            "file_size": len(self.content),
        }

    def as_document(self) -> dict:
        doc: dict[str, Any] = {
            "file_id": self.file_id,
            "file_unique_id": self.file_unique_id,
            "file_size": len(self.content),
        }
        if self.file_name:
            doc["file_name"] = self.file_name
        if self.mime_type:
            doc["mime_type"] = self.mime_type
        return doc

    def as_voice(self) -> dict:
        return {
            "file_id": self.file_id,
            "file_unique_id": self.file_unique_id,
            "duration": 3,
            "mime_type": "audio/ogg",
            "file_size": len(self.content),
        }

    def as_file(self) -> dict:
        return {
            "file_id": self.file_id,
            "file_unique_id": self.file_unique_id,
            "file_size": len(self.content),
            "file_path": self.file_path,
        }


class FakeMessage:
    """A message in a chat (sent by the bot or by a scripted user); always the latest state.

    ``raw`` is the Telegram Message dict (as the API returned it). ``text`` is the plain text
    (or caption) after entity parsing; ``source_text`` is what the bot sent (with markup).
    """

    def __init__(
        self,
        raw: dict[str, Any],
        *,
        from_bot: bool,
        method: str,
        params: dict[str, Any] | None = None,
        source_text: str | None = None,
        parse_mode: str | None = None,
        reply_markup: dict | None = None,
    ) -> None:
        self.raw = raw
        self.from_bot = from_bot
        self.method = method
        self.params = params or {}
        self.source_text = source_text
        self.parse_mode = parse_mode
        self.reply_markup = reply_markup  # as sent (inline, reply keyboard, remove, ...)
        self.deleted = False
        self.edit_count = 0
        self.history: list[str | None] = []  # previous texts, oldest first

    @property
    def message_id(self) -> int:
        return self.raw["message_id"]

    @property
    def chat_id(self) -> int:
        return self.raw["chat"]["id"]

    @property
    def date(self) -> int:
        return self.raw["date"]

    @property
    def text(self) -> str | None:
        return self.raw.get("text", self.raw.get("caption"))

    @property
    def caption(self) -> str | None:
        return self.raw.get("caption")

    @property
    def entities(self) -> list[dict]:
        return self.raw.get("entities") or self.raw.get("caption_entities") or []

    @property
    def edited(self) -> bool:
        return self.edit_count > 0

    @property
    def kind(self) -> str:
        for key in ("text", "photo", "document", "voice", "location", "contact", "video",
                    "sticker"):
            if key in self.raw:
                return key
        return "other"

    @property
    def photo(self) -> list[dict] | None:
        return self.raw.get("photo")

    @property
    def document(self) -> dict | None:
        return self.raw.get("document")

    @property
    def voice(self) -> dict | None:
        return self.raw.get("voice")

    @property
    def inline_keyboard(self) -> list[list[dict]]:
        return (self.raw.get("reply_markup") or {}).get("inline_keyboard", [])

    @property
    def keyboard(self) -> list[list[dict]]:
        """Reply keyboard rows sent with this message (empty if none)."""
        return (self.reply_markup or {}).get("keyboard", [])

    @property
    def button_rows(self) -> list[list[str]]:
        rows = self.inline_keyboard or self.keyboard
        return [[b["text"] for b in row] for row in rows]

    @property
    def buttons(self) -> list[str]:
        """Labels of the inline keyboard (or, if none, of the reply keyboard), flattened."""
        return [label for row in self.button_rows for label in row]

    @property
    def callback_data(self) -> list[str]:
        return [
            b["callback_data"] for row in self.inline_keyboard for b in row if "callback_data" in b
        ]

    def button(self, text_or_data: str) -> dict | None:
        """Inline button by exact label, else by callback_data."""
        buttons = [b for row in self.inline_keyboard for b in row]
        for b in buttons:
            if b.get("text") == text_or_data:
                return b
        for b in buttons:
            if b.get("callback_data") == text_or_data:
                return b
        return None

    def summary(self) -> str:
        raw = self.raw
        if "text" in raw:
            body = raw["text"]
        elif "photo" in raw:
            body = "<photo>" + (f" {raw['caption']}" if raw.get("caption") else "")
        elif "document" in raw:
            doc = raw["document"]
            body = f"<document {doc.get('file_name', '')}>"
            if raw.get("caption"):
                body += f" {raw['caption']}"
        elif "location" in raw:
            loc = raw["location"]
            body = f"<location {loc['latitude']}, {loc['longitude']}>"
        elif "contact" in raw:
            con = raw["contact"]
            body = f"<contact {con['phone_number']} user_id={con.get('user_id')}>"
        else:
            body = "<message>"
        return body

    def __repr__(self) -> str:
        who = "bot" if self.from_bot else "user"
        flags = (" deleted" if self.deleted else "") + (" edited" if self.edited else "")
        return f"<FakeMessage #{self.message_id} {who}{flags} {self.summary()[:80]!r}>"


class FakeCallbackQuery:
    """A button click made by a scripted user; filled in when the bot answers it."""

    def __init__(self, tg: FakeTelegram, query_id: str, user: FakeUser, message: FakeMessage,
                 data: str, label: str) -> None:
        self.tg = tg
        self.id = query_id
        self.user = user
        self.message = message
        self.data = data
        self.label = label
        self.answered = False
        self.answer_text: str | None = None
        self.show_alert = False
        self.url: str | None = None
        self.cache_time: int | None = None

    async def wait_answered(self, timeout: float = 5) -> FakeCallbackQuery:
        if not await self.tg.wait_for(lambda: self.answered, timeout):
            raise AssertionError(
                f"callback query {self.data!r} was not answered within {timeout}s\n"
                f"{self.user.transcript()}"
            )
        return self

    def __repr__(self) -> str:
        state = f"answered {self.answer_text!r}" if self.answered else "unanswered"
        return f"<FakeCallbackQuery {self.label!r} data={self.data!r} {state}>"


class _Chat:
    def __init__(self, raw: dict[str, Any]) -> None:
        self.id: int = raw["id"]
        self.raw = raw
        self._last_id = 0
        self.messages: dict[int, FakeMessage] = {}
        self.order: list[FakeMessage] = []
        self.log: list[tuple[str, Any]] = []
        self.deleted_ids: list[int] = []
        self.reply_keyboard: dict | None = None
        self.instance = str(secrets.randbits(62))

    def next_message_id(self) -> int:
        self._last_id += 1
        return self._last_id

    def add(self, msg: FakeMessage) -> None:
        self.messages[msg.message_id] = msg
        self.order.append(msg)
        self.log.append(("message", msg))


class _Poll:
    __slots__ = ("conflict", "wake")

    def __init__(self) -> None:
        self.wake = asyncio.Event()
        self.conflict: str | None = None


class _BotState:
    def __init__(self, tg: FakeTelegram, token: str | None) -> None:
        self.tg = tg
        self.token = token
        self.updates: list[dict] = []
        self.allowed_updates: list[str] | None = None
        self.poller: _Poll | None = None
        self.max_delivered = 0
        self.webhook_url = ""
        self.webhook_secret: str | None = None
        self.webhook_max_connections = 40
        self.webhook_task: asyncio.Task | None = None
        self.wake = asyncio.Event()
        self.in_flight: dict[int, Any] = {}
        self.last_error_message: str | None = None
        self.commands: dict[tuple[tuple, str], list[dict]] = {}

    @property
    def id(self) -> int:
        return int(self.token.split(":")[0]) if self.token else 0

    @property
    def user(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "is_bot": True,
            "first_name": self.tg.bot_first_name,
            "username": self.tg.bot_username,
        }

    def allows(self, update_type: str) -> bool:
        allowed = self.allowed_updates
        return update_type in (set(allowed) if allowed else DEFAULT_UPDATE_TYPES)


class _Unset:
    def __repr__(self) -> str:
        return "UNSET"


UNSET = _Unset()


@dataclass
class _Described:
    value: Any
    description: str


# --------------------------------------------------------------------------- params


def _decode_value(key: str, value: Any) -> Any:
    if isinstance(value, bytes | bytearray):
        value = value.decode("utf-8", "replace")
    if not isinstance(value, str) or key in _STRING_FIELDS:
        return value
    if value in ("true", "false"):
        return value == "true"
    if _INT_RE.fullmatch(value):
        return int(value)
    if _FLOAT_RE.fullmatch(value):
        return float(value)
    if value[:1] in "[{":
        with contextlib.suppress(ValueError):
            return json.loads(value)
    return value


def _as_int(value: Any, key: str, default: int | None = None) -> int:
    if value is None or value == "":
        if default is None:
            raise bad_request(f"{key} is empty")
        return default
    try:
        return int(value)
    except (TypeError, ValueError):
        raise bad_request(f"invalid {key} specified") from None


def _as_json(value: Any, what: str) -> Any:
    if isinstance(value, str):
        try:
            return json.loads(value)
        except ValueError:
            raise bad_request(f"can't parse {what} JSON object") from None
    return value


def _scope_key(scope: Any) -> tuple:
    if scope is None or scope == "":
        return ("default",)
    if hasattr(scope, "model_dump"):  # aiogram BotCommandScope
        scope = scope.model_dump(exclude_none=True)
    if isinstance(scope, str) and not scope.startswith("{"):
        scope = {"type": scope}
    if isinstance(scope, tuple):
        return scope
    scope = _as_json(scope, "BotCommandScope")
    if not isinstance(scope, dict):
        raise bad_request("can't parse BotCommandScope JSON object")
    kind = scope.get("type")
    if kind in ("default", "all_private_chats", "all_group_chats", "all_chat_administrators"):
        return (kind,)
    if kind in ("chat", "chat_administrators"):
        return (kind, _as_int(scope.get("chat_id"), "chat_id"))
    if kind == "chat_member":
        return (kind, _as_int(scope.get("chat_id"), "chat_id"),
                _as_int(scope.get("user_id"), "user_id"))
    raise bad_request("wrong scope type specified")


# --------------------------------------------------------------------------- the server


class FakeTelegram:
    """Fake Bot API server; use as ``async with FakeTelegram(...) as tg``."""

    def __init__(
        self,
        *,
        host: str = "127.0.0.1",
        port: int = 0,
        bot_username: str = BOT_USERNAME,
        bot_first_name: str = BOT_FIRST_NAME,
        rate_limit_per_s: int | None = None,
        per_chat_per_s: int | None = None,
    ) -> None:
        self.host = host
        self.port = port
        self.bot_username = bot_username
        self.bot_first_name = bot_first_name
        self.rate_limit_per_s = rate_limit_per_s
        self.per_chat_per_s = per_chat_per_s

        self.calls: list[Call] = []
        # Checks a harness adds to say "the bot is still at work" (e.g. updates being handled
        # in-process); wait_idle waits while any returns True.
        self.busy_checks: list[Callable[[], bool]] = []
        self.too_many_requests = 0  # every 429 answered (injected or flood)
        self.flood_rejections = 0  # 429s from the flood limiter only

        self._bots: dict[str | None, _BotState] = {}
        self._chats: dict[int, _Chat] = {}
        self._users: dict[int, FakeUser] = {}
        self._files: dict[str, StoredFile] = {}
        self._files_by_path: dict[str, StoredFile] = {}
        self._callbacks: dict[str, FakeCallbackQuery] = {}
        self._blocked: set[int] = set()
        self._revoked: set[str] = set()
        self._injected: dict[str, deque[TelegramError]] = defaultdict(deque)
        self._global_window: deque[float] = deque()
        self._chat_windows: dict[int, deque[float]] = defaultdict(deque)
        self._update_ids = itertools.count(100_001)
        self._query_ids = itertools.count(4_200_000_000_000_000_001)
        self._file_numbers = itertools.count(1)
        self._user_ids = itertools.count(700_000_001)
        self._changed = asyncio.Event()
        self._last_activity = time.monotonic()
        self._closing = False
        self._runner: web.AppRunner | None = None
        self._http: aiohttp.ClientSession | None = None
        self._tasks: set[asyncio.Task] = set()
        self._handlers: dict[str, Callable[..., Any]] = {
            "getme": self._get_me,
            "getupdates": self._get_updates,
            "setwebhook": self._set_webhook,
            "deletewebhook": self._delete_webhook,
            "sendmessage": self._send_message,
            "sendphoto": self._send_photo,
            "senddocument": self._send_document,
            "sendvoice": self._send_voice,
            "editmessagetext": self._edit_message_text,
            "editmessagereplymarkup": self._edit_message_reply_markup,
            "deletemessage": self._delete_message,
            "answercallbackquery": self._answer_callback_query,
            "setmycommands": self._set_my_commands,
            "deletemycommands": self._delete_my_commands,
            "getfile": self._get_file,
        }

    # ------------------------------------------------------------------ lifecycle

    async def __aenter__(self) -> FakeTelegram:
        await self.start()
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.close()

    async def start(self) -> None:
        app = web.Application(client_max_size=64 * 1024 * 1024)
        app.router.add_route("*", "/bot{token}/{method}", self._handle_api)
        app.router.add_get("/file/bot{token}/{path:.+}", self._handle_file)
        self._runner = web.AppRunner(
            app, handler_cancellation=True, shutdown_timeout=0.5, access_log=None
        )
        await self._runner.setup()
        site = web.TCPSite(self._runner, self.host, self.port)
        await site.start()
        self.port = self._runner.addresses[0][1]

    async def close(self) -> None:
        self._closing = True
        for bot in self._bots.values():
            if bot.poller:
                bot.poller.wake.set()
            if bot.webhook_task:
                bot.webhook_task.cancel()
        tasks = list(self._tasks)
        for task in tasks:
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)
        if self._http is not None:
            await self._http.close()
        if self._runner is not None:
            await self._runner.cleanup()

    @property
    def base_url(self) -> str:
        return f"http://{self.host}:{self.port}"

    @property
    def api_server(self) -> Any:
        from aiogram.client.telegram import TelegramAPIServer

        return TelegramAPIServer.from_base(self.base_url)

    def session(self) -> FakeSession:
        """An aiogram session that hands every call to this fake in-process (no HTTP)."""
        return FakeSession(self)

    def make_bot(self, token: str = DEFAULT_TOKEN, *, http: bool = False, **bot_kwargs: Any) -> Any:
        """A real aiogram Bot talking to this fake (close it: ``await bot.session.close()``).

        In-process (:class:`FakeSession`) unless ``http``: then aiogram's AiohttpSession over
        this server's HTTP port, exactly as a bot talks to api.telegram.org.
        """
        from aiogram import Bot
        from aiogram.client.session.aiohttp import AiohttpSession

        session = AiohttpSession(api=self.api_server) if http else self.session()
        return Bot(token, session=session, **bot_kwargs)

    # ------------------------------------------------------------------ test controls

    def user(
        self,
        user_id: int | None = None,
        first_name: str | None = None,
        *,
        last_name: str | None = None,
        username: str | None = None,
        language_code: str | _Unset | None = UNSET,
        phone_number: str | None = None,
        token: str | None = None,
    ) -> FakeUser:
        """Get or create a scripted user (and its private chat with the bot).

        New users default to first_name "User<id>" and language_code "id"; for an existing
        user, the arguments given update it.
        """
        if user_id is None:
            user_id = next(self._user_ids)
        user = self._users.get(user_id)
        if user is None:
            user = FakeUser(
                self, user_id, first_name or f"User{user_id}", last_name=last_name,
                username=username, phone_number=phone_number,
                language_code="id" if isinstance(language_code, _Unset) else language_code,
                token=token,
            )
            self._users[user_id] = user
            self._chats[user_id] = user.chat
        else:
            for attr, value in (
                ("first_name", first_name), ("last_name", last_name), ("username", username),
                ("phone_number", phone_number), ("token", token),
            ):
                if value is not None:
                    setattr(user, attr, value)
            if not isinstance(language_code, _Unset):
                user.language_code = language_code
            user.chat.raw.update(user._chat_dict())
        return user

    @property
    def users(self) -> list[FakeUser]:
        return list(self._users.values())

    def block(self, user_id: int) -> None:
        """The user blocked the bot: every send to them answers 403."""
        self._blocked.add(user_id)

    def unblock(self, user_id: int) -> None:
        self._blocked.discard(user_id)

    def revoke(self, token: str) -> None:
        """Make a token invalid (401 Unauthorized) like a revoked token."""
        self._revoked.add(token)

    def fail_next(
        self,
        method: str,
        n: int = 1,
        retry_after: int = 3,
        *,
        error_code: int = 429,
        description: str | None = None,
    ) -> None:
        """The next ``n`` calls of ``method`` fail (default: 429 with retry_after)."""
        for _ in range(n):
            if error_code == 429:
                err = too_many_requests(retry_after)
                if description:
                    err.description = description
            else:
                err = TelegramError(error_code, description or f"Error {error_code}")
            self._injected[method.lower()].append(err)

    def file(self, file_id: str) -> StoredFile | None:
        return self._files.get(file_id)

    def bot(self, token: str | None = None) -> _BotState:
        """Per-token state (updates, webhook, commands); default: the users' bot."""
        return self._bot(token) if token else self._default_bot()

    def calls_of(self, method: str, *, ok: bool | None = None) -> list[Call]:
        method = method.lower()
        return [
            c for c in self.calls
            if c.method.lower() == method and (ok is None or c.ok == ok)
        ]

    def count(self, method: str, *, ok: bool | None = None) -> int:
        return len(self.calls_of(method, ok=ok))

    def chat_messages(self, chat_id: int) -> list[FakeMessage]:
        chat = self._chats.get(chat_id)
        return list(chat.order) if chat else []

    def commands(
        self, scope: Any = "default", language_code: str = "", token: str | None = None
    ) -> list[dict]:
        """Commands stored by setMyCommands for exactly this (scope, language_code).

        scope: "default" | "all_private_chats" | ... | {"type": "chat", "chat_id": 5} |
        ("chat", 5) | an aiogram BotCommandScope object.
        """
        bot = self.bot(token)
        return copy.deepcopy(bot.commands.get((_scope_key(scope), language_code or ""), []))

    def command_names(
        self, scope: Any = "default", language_code: str = "", token: str | None = None
    ) -> list[str]:
        return [c["command"] for c in self.commands(scope, language_code, token)]

    def effective_commands(
        self, chat_id: int, language_code: str | None = "", token: str | None = None
    ) -> list[dict]:
        """The command menu a Telegram client shows in the private chat ``chat_id``."""
        bot = self.bot(token)
        lang = (language_code or "")[:2]
        for key in (("chat", chat_id), ("all_private_chats",), ("default",)):
            for lg in ((lang, "") if lang else ("",)):
                if (key, lg) in bot.commands:
                    return copy.deepcopy(bot.commands[(key, lg)])
        return []

    async def feed_update(self, update: dict[str, Any], token: str | None = None) -> dict:
        """Queue an arbitrary update body, e.g. {"my_chat_member": {...}}; returns it."""
        bot = self.bot(token)
        return self._enqueue(bot, update)

    async def wait_for(self, condition: Callable[[], Any], timeout: float = 5) -> Any:
        """Wait until condition() is truthy; returns its value, or None on timeout."""
        loop = asyncio.get_running_loop()
        deadline = loop.time() + timeout
        while True:
            value = condition()
            if value:
                return value
            remaining = deadline - loop.time()
            if remaining <= 0:
                return None
            event = self._changed
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(event.wait(), min(remaining, 0.02))

    async def wait_idle(self, quiet: float = 0.2, timeout: float = 10) -> None:
        """Wait until every update was delivered and no API call came for ``quiet`` s."""
        if not await self.wait_for(lambda: self._is_idle(None, quiet), timeout):
            raise AssertionError(f"bot did not become idle within {timeout}s")

    # ------------------------------------------------------------------ internals: state

    def _notify(self) -> None:
        self._changed.set()
        self._changed = asyncio.Event()

    def _touch(self) -> None:
        self._last_activity = time.monotonic()
        self._notify()

    def _is_idle(self, bot: _BotState | None, quiet: float) -> bool:
        if any(busy() for busy in self.busy_checks):
            return False
        bots = [bot] if bot else list(self._bots.values())
        for b in bots:
            if b.in_flight or any(u["update_id"] > b.max_delivered for u in b.updates):
                return False
        return time.monotonic() - self._last_activity >= quiet

    def _bot(self, token: str) -> _BotState:
        bot = self._bots.get(token)
        if bot is None:
            placeholder = self._bots.pop(None, None)
            if placeholder is not None:  # adopt updates queued before any bot connected
                placeholder.token = token
                bot = placeholder
            else:
                bot = _BotState(self, token)
            self._bots[token] = bot
        return bot

    def _default_bot(self, token: str | None = None) -> _BotState:
        if token:
            return self._bot(token)
        if self._bots:
            return next(iter(self._bots.values()))
        bot = _BotState(self, None)
        self._bots[None] = bot
        return bot

    def _enqueue(self, bot: _BotState, body: dict[str, Any]) -> dict:
        update_type = next(iter(body))
        update = {"update_id": next(self._update_ids), **copy.deepcopy(body)}
        if not bot.allows(update_type):
            return update  # Telegram never creates updates of not-allowed types
        bot.updates.append(update)
        if bot.poller:
            bot.poller.wake.set()
        bot.wake.set()
        self._touch()
        return update

    def _private_chat(self, user_id: int) -> _Chat:
        return self.user(user_id).chat

    def _chat_for(self, p: dict, key: str = "chat_id", *, check_blocked: bool = True) -> _Chat:
        raw = p.get(key)
        if raw is None or raw == "":
            raise bad_request(f"{key} is empty")
        if isinstance(raw, str):
            try:
                raw = int(raw)
            except ValueError:
                raise bad_request("chat not found") from None
        if isinstance(raw, bool) or not isinstance(raw, int):
            raise bad_request("chat not found")
        chat = self._chats.get(raw)
        if chat is None:
            if raw <= 0:
                raise bad_request("chat not found")
            chat = self._private_chat(raw)
        if check_blocked and raw in self._blocked:
            raise TelegramError(403, BLOCKED)
        return chat

    def _flood_check(self, method: str, chat_id: int) -> None:
        if method not in SEND_METHODS or not (self.rate_limit_per_s or self.per_chat_per_s):
            return
        now = time.monotonic()
        window = self._global_window
        while window and now - window[0] >= 1:
            window.popleft()
        chat_window = self._chat_windows[chat_id]
        while chat_window and now - chat_window[0] >= 1:
            chat_window.popleft()
        for limit, win in ((self.rate_limit_per_s, window), (self.per_chat_per_s, chat_window)):
            if limit and len(win) >= limit:
                self.flood_rejections += 1
                raise too_many_requests(max(1, math.ceil(win[0] + 1 - now)))
        window.append(now)
        chat_window.append(now)

    def _format(
        self, text: Any, parse_mode: Any, entities: Any, *, caption: bool = False
    ) -> tuple[str | None, list[dict]]:
        if text is None or text == "":
            if caption:
                return None, []
            raise bad_request("message text is empty")
        text = str(text)
        if parse_mode:
            # The bot sends plain text only; the parsers went with everything else it never
            # uses (see the module docstring). Add one back with its first user.
            raise bad_request("unsupported parse_mode")
        plain = text
        ents = _as_json(entities, "entities") if entities else []
        plain, ents = _strip_text(plain, ents if isinstance(ents, list) else [])
        if not plain:
            if caption:
                return None, []
            raise bad_request("message text is empty")
        if caption and len(plain) > MAX_CAPTION_LENGTH:
            raise bad_request("message caption is too long")
        if not caption and len(plain) > MAX_TEXT_LENGTH:
            raise bad_request("message is too long")
        return plain, ents

    def _markup(self, raw: Any) -> dict | None:
        if raw is None or raw == "":
            return None
        markup = _as_json(raw, "reply keyboard markup")
        if not isinstance(markup, dict):
            raise bad_request("can't parse reply keyboard markup JSON object")
        if "inline_keyboard" in markup:
            rows = markup["inline_keyboard"]
            if not isinstance(rows, list) or not all(isinstance(r, list) for r in rows):
                raise bad_request("can't parse inline keyboard markup JSON object")
            for row in rows:
                for button in row:
                    self._check_inline_button(button)
            return markup
        if "keyboard" in markup:
            rows = markup["keyboard"]
            if not isinstance(rows, list) or not all(isinstance(r, list) for r in rows):
                raise bad_request("can't parse reply keyboard markup JSON object")
            markup = {
                **markup,
                "keyboard": [
                    [{"text": b} if isinstance(b, str) else b for b in row] for row in rows
                ],
            }
            for row in markup["keyboard"]:
                for button in row:
                    if not isinstance(button, dict) or not isinstance(button.get("text"), str):
                        raise bad_request("can't parse keyboard button: Field \"text\" must be "
                                          "of type String")
            return markup
        if markup.get("remove_keyboard") or markup.get("force_reply"):
            return markup
        raise bad_request("can't parse reply keyboard markup JSON object")

    @staticmethod
    def _check_inline_button(button: Any) -> None:
        if not isinstance(button, dict) or not isinstance(button.get("text"), str):
            raise bad_request(
                "can't parse inline keyboard button: Field \"text\" must be of type String"
            )
        actions = (
            "url", "callback_data", "web_app", "login_url", "switch_inline_query",
            "switch_inline_query_current_chat", "switch_inline_query_chosen_chat",
            "copy_text", "callback_game", "pay",
        )
        if not any(k in button for k in actions):
            raise bad_request(
                "can't parse inline keyboard button: Text buttons are unallowed in the inline "
                "keyboard"
            )
        if "callback_data" in button:
            data = button["callback_data"]
            if not isinstance(data, str) or not 1 <= len(data.encode()) <= MAX_CALLBACK_DATA_BYTES:
                raise bad_request("BUTTON_DATA_INVALID")
        if "url" in button:
            url = button["url"]
            if not isinstance(url, str) or not re.match(r"(https?|tg)://\S+$", url):
                raise bad_request("BUTTON_URL_INVALID")

    def _new_bot_message(
        self,
        bot: _BotState,
        chat: _Chat,
        content: dict[str, Any],
        p: dict,
        *,
        method: str,
        source_text: str | None = None,
    ) -> FakeMessage:
        markup = self._markup(p.get("reply_markup"))
        self._flood_check(method.lower(), chat.id)
        raw: dict[str, Any] = {
            "message_id": chat.next_message_id(),
            "from": bot.user,
            "chat": dict(chat.raw),
            "date": int(time.time()),
            **content,
        }
        if markup and "inline_keyboard" in markup:
            raw["reply_markup"] = markup
        msg = FakeMessage(
            raw, from_bot=True, method=method, params=p, source_text=source_text,
            parse_mode=p.get("parse_mode"), reply_markup=markup,
        )
        chat.add(msg)
        if markup and "keyboard" in markup:
            chat.reply_keyboard = markup
        elif markup and markup.get("remove_keyboard"):
            chat.reply_keyboard = None
        self._notify()
        return msg

    def _new_file_id(self, kind: str) -> tuple[str, str]:
        prefix = {"photo": "AgACAgUAAxkBAAI", "document": "BQACAgUAAxkBAAI",
                  "voice": "AwACAgUAAxkBAAI"}.get(kind, "CAAC")
        return prefix + secrets.token_urlsafe(30), "AQAD" + secrets.token_urlsafe(9)

    def _store_file(
        self,
        content: bytes,
        kind: str,
        *,
        file_name: str | None = None,
        mime_type: str | None = None,
        width: int = 0,
        height: int = 0,
    ) -> StoredFile:
        number = next(self._file_numbers)
        if kind == "photo":
            path = f"photos/file_{number}.jpg"
        else:
            ext = ("." + file_name.rsplit(".", 1)[-1]) if file_name and "." in file_name else ""
            path = f"documents/file_{number}{ext}"
        if kind == "document" and not mime_type and file_name:
            mime_type = mimetypes.guess_type(file_name)[0] or "application/octet-stream"
        file_id, unique_id = self._new_file_id(kind)
        rec = StoredFile(file_id, unique_id, content, path, kind, file_name, mime_type,
                         width, height)
        self._files[file_id] = rec
        self._files_by_path[path] = rec
        return rec

    def _store_photo(self, content: bytes) -> StoredFile:
        recs = [
            self._store_file(content, "photo", width=w, height=h)
            for w, h in ((90, 67), (320, 240), (800, 600))
        ]
        sizes = [r.as_photo_size() for r in recs]
        for r in recs:
            r.sizes = sizes
        return recs[-1]

    def _input_file(self, value: Any, files: dict[str, UploadedFile], field_name: str,
                    kind: str) -> StoredFile:
        upload: UploadedFile | None = None
        if isinstance(value, str) and value.startswith("attach://"):
            upload = files.get(value[len("attach://") :])
            if upload is None:
                raise bad_request(f"can't find attached file \"{value}\"")
        elif field_name in files:
            upload = files[field_name]
        elif value is None or value == "":
            raise bad_request(f"there is no {field_name} in the request")
        if upload is not None:
            if not upload.content:
                raise bad_request("file must be non-empty")
            if kind == "photo":
                return self._store_photo(upload.content)
            mime = upload.content_type
            if mime in (None, "application/octet-stream") and upload.filename:
                mime = mimetypes.guess_type(upload.filename)[0] or mime
            return self._store_file(upload.content, kind, file_name=upload.filename,
                                    mime_type=mime)
        value = str(value)
        if re.match(r"https?://", value):
            name = value.rstrip("/").rsplit("/", 1)[-1] or None
            if kind == "photo":
                return self._store_photo(b"")
            return self._store_file(b"", kind, file_name=name)
        rec = self._files.get(value)
        if rec is None:
            raise bad_request("wrong file identifier/HTTP URL specified")
        if kind == "photo" and rec.kind != "photo":
            return self._store_photo(rec.content)
        return rec

    def _message_for_edit(self, p: dict, what: str = "edit") -> tuple[_Chat, FakeMessage]:
        if p.get("inline_message_id"):
            raise bad_request("MESSAGE_ID_INVALID")
        chat = self._chat_for(p, check_blocked=what == "edit")
        msg = chat.messages.get(_as_int(p.get("message_id"), "message_id"))
        if msg is None or msg.deleted:
            raise bad_request(f"message to {what} not found")
        return chat, msg

    def _log_error(self, params: dict, call: Call) -> None:
        chat_id = params.get("chat_id")
        if isinstance(chat_id, int) and chat_id in self._chats:
            self._chats[chat_id].log.append(("error", call))

    # ------------------------------------------------------------------ internals: HTTP

    async def _read_request(
        self, request: web.Request
    ) -> tuple[dict[str, Any], dict[str, UploadedFile]]:
        params: dict[str, Any] = {k: _decode_value(k, v) for k, v in request.query.items()}
        files: dict[str, UploadedFile] = {}
        if not request.can_read_body:
            return params, files
        if request.content_type == "application/json":
            try:
                body = await request.json()
            except ValueError:
                raise bad_request("can't parse JSON encoded request") from None
            if isinstance(body, dict):
                params.update(body)
            return params, files
        form = await request.post()
        for key, value in form.items():
            if isinstance(value, web.FileField):
                files[key] = UploadedFile(key, value.filename, value.file.read(),
                                          value.content_type)
            else:
                params[key] = _decode_value(key, value)
        return params, files

    async def _handle_api(self, request: web.Request) -> web.Response:
        token = request.match_info["token"]
        method = request.match_info["method"]
        try:
            params, files = await self._read_request(request)
        except TelegramError as e:
            return web.json_response(e.body(), status=e.error_code)
        status, body = await self.dispatch(token, method, params, files)
        return web.json_response(body, status=status)

    async def _handle_file(self, request: web.Request) -> web.StreamResponse:
        try:
            rec = self.download(request.match_info["token"], request.match_info["path"])
        except TelegramError as e:
            return web.json_response(e.body(), status=e.error_code)
        default_type = "image/jpeg" if rec.kind == "photo" else "application/octet-stream"
        return web.Response(body=rec.content, content_type=rec.mime_type or default_type)

    # ------------------------------------------------------------------ the one entry point

    def download(self, token: str, file_path: str) -> StoredFile:
        """The file behind ``/file/bot<token>/<file_path>`` (HTTP and in-process alike)."""
        if not _TOKEN_RE.fullmatch(token) or token in self._revoked:
            raise TelegramError(401, "Unauthorized")
        rec = self._files_by_path.get(file_path)
        if rec is None:
            raise TelegramError(404, "Not Found")
        return rec

    async def dispatch(
        self, token: str, method: str, params: dict[str, Any], files: dict[str, UploadedFile]
    ) -> tuple[int, dict[str, Any]]:
        """Run one Bot API call; returns (HTTP status, JSON body).

        The HTTP handler, the webhook reply and the in-process session (:class:`FakeSession`)
        all come here, with ``params`` decoded as the HTTP handler decodes a form.
        """
        call = Call(
            method=method, params=params, time=time.monotonic(), token=token,
            files={k: f.content for k, f in files.items()},
        )
        self.calls.append(call)
        lower = method.lower()
        try:
            if not _TOKEN_RE.fullmatch(token) or token in self._revoked:
                raise TelegramError(401, "Unauthorized")
            handler = self._handlers.get(lower)
            if handler is None:
                raise TelegramError(404, "Not Found")
            if self._injected.get(lower):
                raise self._injected[lower].popleft()
            result = await handler(self._bot(token), params, files)
            if isinstance(result, _Described):
                body = {"ok": True, "result": result.value, "description": result.description}
            else:
                body = {"ok": True, "result": result}
            status = 200
        except TelegramError as e:
            status, body = e.error_code, e.body()
            if status == 429:
                self.too_many_requests += 1
            self._log_error(params, call)
        call.status, call.response = status, body
        if lower != "getupdates":
            self._touch()
        return status, body

    # ------------------------------------------------------------------ methods: updates

    async def _get_me(self, bot: _BotState, p: dict, files: dict) -> dict:
        return {
            **bot.user,
            "can_join_groups": True,
            "can_read_all_group_messages": False,
            "supports_inline_queries": False,
            "can_connect_to_business": False,
            "has_main_web_app": False,
        }

    async def _get_updates(self, bot: _BotState, p: dict, files: dict) -> list[dict]:
        if bot.webhook_url:
            raise TelegramError(409, WEBHOOK_ACTIVE)
        offset = _as_int(p.get("offset"), "offset", 0)
        limit = min(max(_as_int(p.get("limit"), "limit", 100), 1), 100)
        timeout = max(_as_int(p.get("timeout"), "timeout", 0), 0)
        allowed = _as_json(p.get("allowed_updates"), "allowed updates")
        if isinstance(allowed, list):
            bot.allowed_updates = allowed or None
        if offset > 0:
            bot.updates = [u for u in bot.updates if u["update_id"] >= offset]
        elif offset < 0:
            bot.updates = bot.updates[offset:]
        if bot.poller is not None:
            bot.poller.conflict = TERMINATED_BY_GETUPDATES
            bot.poller.wake.set()
        poll = bot.poller = _Poll()
        loop = asyncio.get_running_loop()
        deadline = loop.time() + timeout
        try:
            while True:
                if poll.conflict:
                    raise TelegramError(409, poll.conflict)
                if bot.updates or self._closing:
                    break
                remaining = deadline - loop.time()
                if remaining <= 0:
                    break
                poll.wake.clear()
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(poll.wake.wait(), remaining)
        finally:
            if bot.poller is poll:
                bot.poller = None
        batch = bot.updates[:limit]
        if batch:
            bot.max_delivered = max(bot.max_delivered, batch[-1]["update_id"])
            self._touch()
        return batch

    async def _set_webhook(self, bot: _BotState, p: dict, files: dict) -> _Described:
        url = p.get("url") or ""
        if not url:
            return await self._delete_webhook(bot, p, files)
        if not isinstance(url, str) or not re.match(r"https?://[^\s/]+", url):
            raise bad_request("bad webhook: Failed to resolve host: Name or service not known")
        secret = p.get("secret_token")
        if secret is not None and not _SECRET_RE.fullmatch(str(secret)):
            raise bad_request("secret token contains unallowed characters")
        if p.get("drop_pending_updates"):
            bot.updates.clear()
        allowed = _as_json(p.get("allowed_updates"), "allowed updates")
        if isinstance(allowed, list):
            bot.allowed_updates = allowed or None
        bot.webhook_url = url
        bot.webhook_secret = str(secret) if secret else None
        bot.webhook_max_connections = _as_int(p.get("max_connections"), "max_connections", 40)
        if bot.poller is not None:
            bot.poller.conflict = TERMINATED_BY_WEBHOOK
            bot.poller.wake.set()
        if bot.webhook_task is None or bot.webhook_task.done():
            bot.webhook_task = asyncio.create_task(self._webhook_loop(bot))
            self._tasks.add(bot.webhook_task)
            bot.webhook_task.add_done_callback(self._tasks.discard)
        bot.wake.set()
        return _Described(True, "Webhook was set")

    async def _delete_webhook(self, bot: _BotState, p: dict, files: dict) -> _Described:
        was_set = bool(bot.webhook_url)
        bot.webhook_url = ""
        bot.webhook_secret = None
        if bot.webhook_task is not None:
            bot.webhook_task.cancel()
            bot.webhook_task = None
        bot.in_flight.clear()
        if p.get("drop_pending_updates"):
            bot.updates.clear()
        return _Described(True, "Webhook was deleted" if was_set else "Webhook is already deleted")

    async def _webhook_loop(self, bot: _BotState) -> None:
        if self._http is None:
            self._http = aiohttp.ClientSession()
        while bot.webhook_url and not self._closing:
            bot.wake.clear()
            busy_chats = set(bot.in_flight.values())
            for update in list(bot.updates):
                if len(bot.in_flight) >= bot.webhook_max_connections:
                    break
                uid = update["update_id"]
                if uid in bot.in_flight:
                    continue
                chat_key = _update_chat_key(update)
                if chat_key in busy_chats:
                    continue
                busy_chats.add(chat_key)
                bot.in_flight[uid] = chat_key
                task = asyncio.create_task(self._deliver(bot, update))
                self._tasks.add(task)
                task.add_done_callback(self._tasks.discard)
            await bot.wake.wait()

    async def _deliver(self, bot: _BotState, update: dict) -> None:
        uid = update["update_id"]
        url = bot.webhook_url
        headers = {"Content-Type": "application/json"}
        if bot.webhook_secret:
            headers["X-Telegram-Bot-Api-Secret-Token"] = bot.webhook_secret
        error: str | None = None
        try:
            assert self._http is not None
            async with self._http.post(
                url, data=json.dumps(update), headers=headers,
                timeout=aiohttp.ClientTimeout(total=60),
            ) as resp:
                await resp.read()  # an answer in the body is not run: the bot answers over the API
                status, reason = resp.status, resp.reason
            if 200 <= status < 300:
                bot.updates = [u for u in bot.updates if u["update_id"] != uid]
                bot.max_delivered = max(bot.max_delivered, uid)
            else:
                error = f"Wrong response from the webhook: {status} {reason}"
        except (aiohttp.ClientError, TimeoutError, OSError) as e:
            error = f"Connection failed: {type(e).__name__}"
        if error:
            bot.last_error_message = error
            await asyncio.sleep(0.1)
        bot.in_flight.pop(uid, None)
        bot.wake.set()
        self._touch()

    # ------------------------------------------------------------------ methods: messages

    async def _send_message(self, bot: _BotState, p: dict, files: dict) -> dict:
        chat = self._chat_for(p)
        text, ents = self._format(p.get("text"), p.get("parse_mode"), p.get("entities"))
        content: dict[str, Any] = {"text": text}
        if ents:
            content["entities"] = ents
        msg = self._new_bot_message(bot, chat, content, p, method="sendMessage",
                                    source_text=p.get("text"))
        return msg.raw

    def _caption_content(self, p: dict) -> dict[str, Any]:
        caption, ents = self._format(
            p.get("caption"), p.get("parse_mode"), p.get("caption_entities"), caption=True
        )
        content: dict[str, Any] = {}
        if caption:
            content["caption"] = caption
            if ents:
                content["caption_entities"] = ents
        return content

    async def _send_photo(self, bot: _BotState, p: dict, files: dict) -> dict:
        chat = self._chat_for(p)
        rec = self._input_file(p.get("photo"), files, "photo", "photo")
        content = {"photo": copy.deepcopy(rec.sizes or [rec.as_photo_size()]),
                   **self._caption_content(p)}
        msg = self._new_bot_message(bot, chat, content, p, method="sendPhoto",
                                    source_text=p.get("caption"))
        return msg.raw

    async def _send_document(self, bot: _BotState, p: dict, files: dict) -> dict:
        chat = self._chat_for(p)
        rec = self._input_file(p.get("document"), files, "document", "document")
        content = {"document": rec.as_document(), **self._caption_content(p)}
        msg = self._new_bot_message(bot, chat, content, p, method="sendDocument",
                                    source_text=p.get("caption"))
        return msg.raw

    async def _send_voice(self, bot: _BotState, p: dict, files: dict) -> dict:
        chat = self._chat_for(p)
        rec = self._input_file(p.get("voice"), files, "voice", "voice")
        content = {"voice": rec.as_voice(), **self._caption_content(p)}
        msg = self._new_bot_message(bot, chat, content, p, method="sendVoice",
                                    source_text=p.get("caption"))
        return msg.raw

    def _apply_edit(self, msg: FakeMessage, changes: dict[str, Any], new_markup: dict | None,
                    p: dict, source_text: str | None) -> dict:
        raw = msg.raw
        same = all(raw.get(k) == (v or None) for k, v in changes.items())
        if same and raw.get("reply_markup") == new_markup:
            raise bad_request(NOT_MODIFIED)
        msg.history.append(msg.text)
        for k, v in changes.items():
            if v:
                raw[k] = v
            else:
                raw.pop(k, None)
        if new_markup:
            raw["reply_markup"] = new_markup
        else:
            raw.pop("reply_markup", None)
        raw["edit_date"] = int(time.time())
        msg.edit_count += 1
        msg.reply_markup = new_markup
        if source_text is not None:
            msg.source_text = source_text
            msg.parse_mode = p.get("parse_mode")
        self._notify()
        return raw

    def _inline_markup(self, p: dict) -> dict | None:
        markup = self._markup(p.get("reply_markup"))
        if markup and "inline_keyboard" not in markup:
            raise bad_request("reply markup must be an inline keyboard")
        return markup

    async def _edit_message_text(self, bot: _BotState, p: dict, files: dict) -> dict:
        _, msg = self._message_for_edit(p)
        text, ents = self._format(p.get("text"), p.get("parse_mode"), p.get("entities"))
        markup = self._inline_markup(p)
        if not msg.from_bot:
            raise bad_request("message can't be edited")
        if "text" not in msg.raw:
            raise bad_request("there is no text in the message to edit")
        return self._apply_edit(msg, {"text": text, "entities": ents}, markup, p, p.get("text"))

    async def _edit_message_reply_markup(self, bot: _BotState, p: dict, files: dict) -> dict:
        _, msg = self._message_for_edit(p)
        markup = self._inline_markup(p)
        if not msg.from_bot:
            raise bad_request("message can't be edited")
        return self._apply_edit(msg, {}, markup, p, None)

    def _delete(self, chat: _Chat, msg: FakeMessage) -> None:
        msg.deleted = True
        chat.deleted_ids.append(msg.message_id)
        self._notify()

    async def _delete_message(self, bot: _BotState, p: dict, files: dict) -> bool:
        chat, msg = self._message_for_edit(p, "delete")
        self._delete(chat, msg)
        return True

    async def _answer_callback_query(self, bot: _BotState, p: dict, files: dict) -> bool:
        query = self._callbacks.get(str(p.get("callback_query_id") or ""))
        if query is None or query.answered:
            raise bad_request(QUERY_TOO_OLD)
        query.answered = True
        query.answer_text = p.get("text")
        query.show_alert = bool(p.get("show_alert"))
        query.url = p.get("url")
        query.cache_time = p.get("cache_time")
        self._notify()
        return True

    # ------------------------------------------------------------------ methods: commands etc.

    async def _set_my_commands(self, bot: _BotState, p: dict, files: dict) -> bool:
        commands = _as_json(p.get("commands"), "commands")
        if not isinstance(commands, list):
            raise bad_request("can't parse commands JSON object")
        if len(commands) > 100:
            raise bad_request("too many commands specified")
        clean = []
        for c in commands:
            if not isinstance(c, dict):
                raise bad_request("can't parse BotCommand JSON object")
            name, description = c.get("command", ""), c.get("description", "")
            if not isinstance(name, str) or not _COMMAND_RE.fullmatch(name):
                raise bad_request("BOT_COMMAND_INVALID")
            if not isinstance(description, str) or not 1 <= len(description.strip()) <= 256:
                raise bad_request("BOT_COMMAND_DESCRIPTION_INVALID")
            clean.append({"command": name, "description": description})
        key = (_scope_key(p.get("scope")), str(p.get("language_code") or ""))
        if clean:
            bot.commands[key] = clean
        else:
            bot.commands.pop(key, None)
        return True

    async def _delete_my_commands(self, bot: _BotState, p: dict, files: dict) -> bool:
        bot.commands.pop((_scope_key(p.get("scope")), str(p.get("language_code") or "")), None)
        return True

    async def _get_file(self, bot: _BotState, p: dict, files: dict) -> dict:
        rec = self._files.get(str(p.get("file_id") or ""))
        if rec is None:
            raise bad_request("invalid file_id")
        return rec.as_file()

def _update_chat_key(update: dict) -> Any:
    for key, body in update.items():
        if key == "update_id" or not isinstance(body, dict):
            continue
        if "chat" in body:
            return body["chat"].get("id")
        if "message" in body and isinstance(body["message"], dict):
            return body["message"].get("chat", {}).get("id")
        if "from" in body:
            return body["from"].get("id")
    return update["update_id"]


# --------------------------------------------------------------------------- scripted users


class FakeUser:
    """A scripted Telegram user chatting privately with the bot."""

    def __init__(
        self,
        tg: FakeTelegram,
        user_id: int,
        first_name: str,
        *,
        last_name: str | None = None,
        username: str | None = None,
        language_code: str | None = "id",
        phone_number: str | None = None,
        token: str | None = None,
    ) -> None:
        self.tg = tg
        self.id = user_id
        self.first_name = first_name
        self.last_name = last_name
        self.username = username
        self.language_code = language_code
        self.phone_number = phone_number or f"+628{user_id % 10**10:010d}"
        self.token = token
        self.chat = _Chat(self._chat_dict())
        self._cursor = 0  # index into self.messages for wait_message()

    # ------------------------------------------------------------------ identity

    def as_dict(self) -> dict[str, Any]:
        data: dict[str, Any] = {"id": self.id, "is_bot": False, "first_name": self.first_name}
        if self.last_name:
            data["last_name"] = self.last_name
        if self.username:
            data["username"] = self.username
        if self.language_code:
            data["language_code"] = self.language_code
        return data

    def _chat_dict(self) -> dict[str, Any]:
        data: dict[str, Any] = {"id": self.id, "type": "private", "first_name": self.first_name}
        if self.last_name:
            data["last_name"] = self.last_name
        if self.username:
            data["username"] = self.username
        return data

    @property
    def bot(self) -> _BotState:
        return self.tg._default_bot(self.token)

    def block(self) -> None:
        self.tg.block(self.id)

    def unblock(self) -> None:
        self.tg.unblock(self.id)

    @property
    def blocked(self) -> bool:
        return self.id in self.tg._blocked

    # ------------------------------------------------------------------ actions

    def _post(self, content: dict[str, Any], reply_to: Any = None) -> FakeMessage:
        chat = self.chat
        raw: dict[str, Any] = {
            "message_id": chat.next_message_id(),
            "from": self.as_dict(),
            "chat": dict(chat.raw),
            "date": int(time.time()),
            **content,
        }
        if reply_to is not None:
            target = self._resolve(reply_to)
            reply = copy.deepcopy(target.raw)
            reply.pop("reply_to_message", None)
            raw["reply_to_message"] = reply
        msg = FakeMessage(raw, from_bot=False, method="user", source_text=content.get("text"))
        chat.add(msg)
        self._cursor = len(self.messages)
        self.tg._enqueue(self.bot, {"message": raw})
        return msg

    async def send(self, text: str, *, reply_to: Any = None) -> FakeMessage:
        """Send a text message (``/start ARG`` gets a bot_command entity like Telegram)."""
        content: dict[str, Any] = {"text": text}
        entities = detect_entities(text)
        if entities:
            content["entities"] = entities
        return self._post(content, reply_to)

    async def send_photo(self, content: bytes = b"\xff\xd8\xff\xe0fake-jpeg",
                         caption: str | None = None) -> FakeMessage:
        rec = self.tg._store_photo(content)
        body: dict[str, Any] = {"photo": copy.deepcopy(rec.sizes)}
        if caption:
            body["caption"] = caption
        return self._post(body)

    async def send_document(self, file_name: str, content: bytes, *,
                            mime_type: str | None = None,
                            caption: str | None = None) -> FakeMessage:
        rec = self.tg._store_file(content, "document", file_name=file_name, mime_type=mime_type)
        body: dict[str, Any] = {"document": rec.as_document()}
        if caption:
            body["caption"] = caption
        return self._post(body)

    async def send_voice(self, content: bytes = b"OggS-fake-voice",
                         caption: str | None = None) -> FakeMessage:
        rec = self.tg._store_file(content, "voice", mime_type="audio/ogg")
        body: dict[str, Any] = {"voice": rec.as_voice()}
        if caption:
            body["caption"] = caption
        return self._post(body)

    async def forward(self, message: Any = None, *, text: str | None = None,
                      origin: dict[str, Any] | None = None) -> FakeMessage:
        """Forward a message into the bot's chat: a bot message of this chat (its origin is
        the bot), or ``text`` from elsewhere with an explicit ``forward_origin`` (default: a
        hidden user, as Telegram shows people who hide their account when forwarded)."""
        if message is not None:
            src = self._resolve(message)
            text = src.source_text or src.text
            origin = {"type": "user", "sender_user": copy.deepcopy(src.raw["from"]),
                      "date": src.date}
        if origin is None:
            origin = {"type": "hidden_user", "sender_user_name": "Dinsos Bekasi",
                      "date": int(time.time())}
        return self._post({"text": text or "", "forward_origin": origin})

    async def send_location(self, latitude: float, longitude: float) -> FakeMessage:
        return self._post({"location": {"latitude": latitude, "longitude": longitude}})

    async def send_contact(self, phone_number: str | None = None, user_id: int | None = None,
                           *, first_name: str | None = None,
                           last_name: str | None = None) -> FakeMessage:
        """Share a contact; user_id defaults to the sender's own id (0 = omit it)."""
        contact: dict[str, Any] = {
            "phone_number": phone_number or self.phone_number,
            "first_name": first_name or self.first_name,
        }
        if last_name or (first_name is None and self.last_name):
            contact["last_name"] = last_name or self.last_name
        uid = self.id if user_id is None else user_id
        if uid:
            contact["user_id"] = uid
        return self._post({"contact": contact})

    async def click(self, message: Any, text_or_data: str) -> FakeCallbackQuery:
        """Press an inline button (by label, else by callback_data) of a bot message."""
        msg = self._resolve(message)
        if msg.deleted:
            raise AssertionError(
                f"cannot click {text_or_data!r}: message #{msg.message_id} was deleted\n"
                f"{self.transcript()}"
            )
        button = msg.button(text_or_data)
        if button is None:
            raise AssertionError(
                f"no inline button {text_or_data!r} in message #{msg.message_id}; "
                f"buttons: {msg.buttons} data: {msg.callback_data}\n{self.transcript()}"
            )
        if "callback_data" not in button:
            raise AssertionError(f"button {button} is not a callback button")
        query = FakeCallbackQuery(self.tg, str(next(self.tg._query_ids)), self, msg,
                                  button["callback_data"], button["text"])
        self.tg._callbacks[query.id] = query
        self.chat.log.append(("click", query))
        self._cursor = len(self.messages)
        self.tg._enqueue(
            self.bot,
            {
                "callback_query": {
                    "id": query.id,
                    "from": self.as_dict(),
                    "message": copy.deepcopy(msg.raw),
                    "chat_instance": self.chat.instance,
                    "data": query.data,
                }
            },
        )
        return query

    async def press(self, label: str) -> FakeMessage:
        """Press a button of the current reply keyboard (sends its text/contact/location)."""
        keyboard = self.chat.reply_keyboard
        buttons = [b for row in (keyboard or {}).get("keyboard", []) for b in row]
        button = next((b for b in buttons if b["text"] == label), None)
        if button is None:
            raise AssertionError(
                f"no reply keyboard button {label!r}; keyboard: {self.reply_keyboard}\n"
                f"{self.transcript()}"
            )
        if keyboard and keyboard.get("one_time_keyboard"):
            self.chat.reply_keyboard = None
        if button.get("request_contact"):
            return await self.send_contact()
        if button.get("request_location"):
            return await self.send_location(-6.2383, 107.0)
        return await self.send(label)

    # ------------------------------------------------------------------ inspection

    def _resolve(self, message: Any) -> FakeMessage:
        if isinstance(message, FakeMessage):
            mid = message.message_id
        elif isinstance(message, int):
            mid = message
        elif isinstance(message, dict):
            mid = message["message_id"]
        else:
            mid = message.message_id  # aiogram Message
        msg = self.chat.messages.get(mid)
        if msg is None:
            raise AssertionError(f"no message #{mid} in chat {self.id}\n{self.transcript()}")
        return msg

    @property
    def messages(self) -> list[FakeMessage]:
        """All bot messages in this chat (latest state, deleted ones flagged)."""
        return [m for m in self.chat.order if m.from_bot]

    @property
    def history(self) -> list[FakeMessage]:
        """All messages of the chat, the user's included, in order."""
        return list(self.chat.order)

    @property
    def visible_messages(self) -> list[FakeMessage]:
        return [m for m in self.messages if not m.deleted]

    @property
    def last_message(self) -> FakeMessage | None:
        messages = self.messages
        return messages[-1] if messages else None

    @property
    def deleted_message_ids(self) -> list[int]:
        """Ids of messages the bot deleted in this chat (the user's own included)."""
        return list(self.chat.deleted_ids)

    @property
    def reply_keyboard(self) -> list[list[str]] | None:
        """Labels of the reply keyboard currently shown, or None."""
        keyboard = self.chat.reply_keyboard
        if not keyboard:
            return None
        return [[b["text"] for b in row] for row in keyboard["keyboard"]]

    @property
    def callback_queries(self) -> list[FakeCallbackQuery]:
        return [item for kind, item in self.chat.log if kind == "click"]

    @property
    def errors(self) -> list[Call]:
        """Failed API calls aimed at this chat."""
        return [item for kind, item in self.chat.log if kind == "error"]

    def commands(self) -> list[str]:
        """Command names of the menu this user sees (scope/language resolution)."""
        return [
            c["command"]
            for c in self.tg.effective_commands(self.id, self.language_code, self.token)
        ]

    async def wait_message(
        self,
        timeout: float = 5,
        predicate: Callable[[FakeMessage], Any] | None = None,
    ) -> FakeMessage:
        """The next new bot message (since the last user action or wait_message)."""

        def find() -> int | None:
            messages = self.messages
            for idx in range(self._cursor, len(messages)):
                if predicate is None or predicate(messages[idx]):
                    return idx + 1
            return None

        found = await self.tg.wait_for(find, timeout)
        if not found:
            what = "matching bot message" if predicate else "new bot message"
            raise AssertionError(
                f"no {what} for user {self.id} within {timeout}s\n{self.transcript()}"
            )
        self._cursor = found
        return self.messages[found - 1]

    async def wait_for(self, condition: Callable[[], Any], timeout: float = 5) -> Any:
        """Wait until condition() is truthy (e.g. an edit), else AssertionError."""
        value = await self.tg.wait_for(condition, timeout)
        if not value:
            raise AssertionError(f"condition not met within {timeout}s\n{self.transcript()}")
        return value

    async def wait_idle(self, quiet: float = 0.2, timeout: float = 10) -> None:
        """Wait until the bot got all updates and made no API call for ``quiet`` seconds."""
        if not await self.tg.wait_for(lambda: self.tg._is_idle(self.bot, quiet), timeout):
            raise AssertionError(
                f"bot did not become idle within {timeout}s "
                f"(pending updates: {len(self.bot.updates)})\n{self.transcript()}"
            )

    def transcript(self) -> str:
        lines = [f"--- chat with user {self.id} ({self.first_name}) ---"]
        for kind, item in self.chat.log:
            if kind == "message":
                lines.append(_format_message(item))
            elif kind == "click":
                answer = (
                    f" -> answered {item.answer_text!r}{' (alert)' if item.show_alert else ''}"
                    if item.answered else " -> (not answered)"
                )
                lines.append(f"    user clicked [{item.label}] data={item.data!r}{answer}")
            elif kind == "error":
                lines.append(f"    !! {item.method} failed: {item.status} {item.description}")
        if len(lines) == 1:
            lines.append("(no messages)")
        return "\n".join(lines)

    def __repr__(self) -> str:
        return f"<FakeUser {self.id} {self.first_name!r}>"


def _format_message(msg: FakeMessage) -> str:
    who = "bot " if msg.from_bot else "user"
    flags = "".join(
        f" [{flag}]" for flag, on in (("deleted", msg.deleted), ("edited", msg.edited)) if on
    )
    body = msg.summary()
    if len(body) > 600:
        body = body[:600] + "…"
    body = body.replace("\n", "\n         ")
    line = f"#{msg.message_id:<4} {who}{flags}: {body}"
    for row in msg.inline_keyboard:
        cells = [
            f"[{b['text']} → {b.get('callback_data') or b.get('url') or '?'}]" for b in row
        ]
        line += "\n         " + " ".join(cells)
    if msg.keyboard:
        rows = [" ".join(f"[{b['text']}]" for b in row) for row in msg.keyboard]
        line += "\n         keyboard: " + " | ".join(rows)
    return line


# --------------------------------------------------------------------------- in-process session


_RESPONSE_TYPES: set[type] = set()


class FakeSession(BaseSession):
    """An aiogram session that talks to a FakeTelegram in the same event loop, without HTTP.

    Each call is encoded as aiogram's AiohttpSession encodes its form (``model_dump`` and
    ``prepare_value``: strings, JSON for objects, ``attach://`` for uploads), decoded as the
    fake's HTTP handler decodes a form, run by :meth:`FakeTelegram.dispatch`, and the JSON
    answer goes through aiogram's own ``check_response``, errors included. A long poll
    (getUpdates) waits on the fake's queue and returns the moment an update is queued.
    """

    def __init__(self, tg: FakeTelegram) -> None:
        super().__init__(api=tg.api_server)
        self.tg = tg

    async def form(
        self, bot: Bot, method: TelegramMethod[Any]
    ) -> tuple[dict[str, Any], dict[str, UploadedFile]]:
        """The parameters and uploads of a call, as the fake's HTTP handler would read them."""
        fields: dict[str, Any] = {}
        attached: dict[str, InputFile] = {}
        for key, value in method.model_dump(warnings=False).items():
            prepared = self.prepare_value(value, bot=bot, files=attached)
            if prepared:
                fields[key] = prepared
        params = {key: _decode_value(key, value) for key, value in fields.items()}
        files = {}
        for key, upload in attached.items():
            content = b"".join([chunk async for chunk in upload.read(bot)])
            files[key] = UploadedFile(
                key, upload.filename or key, content, "application/octet-stream"
            )
        return params, files

    async def make_request(
        self, bot: Bot, method: TelegramMethod[TelegramType], timeout: int | None = None
    ) -> TelegramType:
        params, files = await self.form(bot, method)
        name = type(method).__name__
        status, body = await self.tg.dispatch(bot.token, name[0].lower() + name[1:], params, files)
        response = self.check_response(bot, method, status, json.dumps(body))
        # check_response builds `Response[<result type>]`, a pydantic model that pydantic
        # caches only while someone holds it: built afresh each time, it costs ~5 ms a call.
        _RESPONSE_TYPES.add(type(response))
        return cast(TelegramType, response.result)

    async def stream_content(
        self,
        url: str,
        headers: dict[str, Any] | None = None,
        timeout: int = 30,
        chunk_size: int = 65536,
        raise_for_status: bool = True,
    ) -> AsyncGenerator[bytes, None]:
        # aiogram asks for api.file_url(token, path): <base>/file/bot<token>/<path>
        token, _, path = url.partition("/file/bot")[2].partition("/")
        try:
            content = self.tg.download(token, path).content
        except TelegramError as e:
            if raise_for_status:
                raise aiohttp.ClientResponseError(
                    aiohttp.RequestInfo(yarl.URL(url), "GET", CIMultiDictProxy(CIMultiDict())),
                    (),
                    status=e.error_code,
                    message=e.description,
                ) from None
            content = json.dumps(e.body()).encode()
        for start in range(0, len(content), chunk_size):
            yield content[start : start + chunk_size]

    async def close(self) -> None:
        return None


__all__ = [
    "BOT_USERNAME",
    "DEFAULT_TOKEN",
    "Call",
    "FakeCallbackQuery",
    "FakeMessage",
    "FakeSession",
    "FakeTelegram",
    "FakeUser",
    "StoredFile",
    "TelegramError",
    "detect_entities",
    "utf16_len",
]
