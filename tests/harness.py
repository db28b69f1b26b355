"""End-to-end harness: the real app (resources, dispatcher, bot) long-polling a FakeTelegram.

    async with FakeTelegram() as tg:
        settings = e2e_settings(tmp_path, tg)
        async with BotApp(tg, settings, routers=make_test_routers) as app:
            user = tg.user(601)
            await user.send("/start")
            ...
            await app.restart()   # new resources + dispatcher + bot, same database and fake

The app starts as in production: ``create_resources(settings)``, migrations,
``create_bot(settings, session)``, ``set_default_commands`` and ``dp.start_polling``. Only
the public factories of :mod:`bot.app` are used, so the lead can change their insides freely.

By default the bot's session is the fake's in-process :class:`FakeSession`: every Bot API
call (getUpdates included) is answered by the fake's own method code in the same event loop,
without HTTP, and a long poll returns the moment a user acts. ``BotApp(..., http=True)``
keeps aiogram's AiohttpSession talking to ``settings.telegram_api_base`` (the fake's port),
exactly as in production; the process tests (tests/process) always go over HTTP.
"""

from __future__ import annotations

import asyncio
import contextlib
import copy
import logging
import re
from collections.abc import Awaitable, Callable, Iterable
from pathlib import Path
from typing import Any

from aiogram import Bot, Dispatcher, Router
from aiogram.utils.i18n import I18n
from sqlalchemy import select

from bot.app import Resources, create_bot, create_dispatcher, create_resources
from bot.i18n import create_i18n
from bot.settings import Settings
from bot.workers import start_workers, stop_workers
from conversations.i18n import pgettext
from db import accounts
from db.engine import account_cache
from db.migrate import upgrade
from db.models.accounts import Account
from db.models.system import AuditLog
from handlers.commands import set_default_commands
from tests.conftest import make_settings
from tests.databases import ensure_migrated_sqlite
from tests.fake_telegram import FakeCallbackQuery, FakeMessage, FakeTelegram, FakeUser

log = logging.getLogger("tests.harness")

POLLING_TIMEOUT = 1  # seconds of long polling over HTTP; short so that stopping is quick
WAIT = 5.0  # default bound for every wait in the e2e tests

RouterFactory = Callable[[], Iterable[Router]]

_I18N: I18n | None = None


def _i18n() -> I18n:
    global _I18N
    if _I18N is None:
        _I18N = create_i18n()
    return _I18N


def t(msgid: str, **params: Any) -> str:
    """The Indonesian text of a source string, as the bot would send it."""
    i18n = _i18n()
    with i18n.context(), i18n.use_locale("id"):
        text = i18n.gettext(msgid)
    return text.format(**params) if params else text


def tp(context: str, msgid: str, **params: Any) -> str:
    """Like `t`, for a text with a context (`pgettext` in the code)."""
    i18n = _i18n()
    with i18n.context(), i18n.use_locale("id"):
        text = pgettext(context, msgid)
    return text.format(**params) if params else text


def in_id(fn: Callable[..., Any], *args: Any, **kwargs: Any) -> Any:
    """Call an app function that uses gettext (e.g. ``handlers.start.welcome_text``) as if
    inside an update of an Indonesian-speaking user."""
    i18n = _i18n()
    with i18n.context(), i18n.use_locale("id"):
        return fn(*args, **kwargs)


def sqlite_url(tmp_path: Path, name: str = "e2e.db") -> str:
    return f"sqlite+aiosqlite:///{tmp_path / name}"


def e2e_settings(tmp_path: Path, tg: FakeTelegram, **overrides: Any) -> Settings:
    """Test settings pointed at the fake; SQLite in ``tmp_path`` unless database_url given."""
    values: dict[str, Any] = {
        "telegram_api_base": tg.base_url,
        "database_url": sqlite_url(tmp_path),
    }
    values.update(overrides)
    return make_settings(tmp_path, **values)


class UpdatesInFlight:
    """An outer middleware (put outermost) counting the updates being handled.

    The fake knows which updates it delivered; this says which of them the dispatcher has
    taken up and which it is still handling, so waiting for "idle" needs no long quiet time.
    """

    def __init__(self) -> None:
        self.active = 0
        self.last_update_id = 0

    async def __call__(
        self,
        handler: Callable[[Any, dict[str, Any]], Awaitable[Any]],
        event: Any,
        data: dict[str, Any],
    ) -> Any:
        self.active += 1
        self.last_update_id = max(self.last_update_id, event.update_id)
        try:
            return await handler(event, data)
        finally:
            self.active -= 1

    def install(self, dp: Dispatcher) -> None:
        """Register as the outermost update middleware (before the app's own)."""
        manager = dp.update.outer_middleware
        others = list(manager)
        for middleware in others:
            manager.unregister(middleware)
        manager.register(self)
        for middleware in others:
            manager.register(middleware)


class BotApp:
    """The real bot polling the fake. ``start`` / ``stop`` / ``restart``; async context manager.

    ``routers``: a factory returning extra routers (put in ``resources.extra_routers``), called
    on every start, so each dispatcher gets fresh Router objects. ``http``: talk to the fake
    over HTTP with aiogram's AiohttpSession instead of in-process.
    """

    def __init__(
        self,
        tg: FakeTelegram,
        settings: Settings,
        *,
        routers: RouterFactory | None = None,
        polling_timeout: int | None = None,
        workers: list[Any] | None = None,
        http: bool = False,
    ) -> None:
        self.tg = tg
        self.settings = settings
        self.routers = routers
        self.http = http
        # In-process a long poll costs nothing and is cancelled on stop: no need to keep it short.
        self.polling_timeout = polling_timeout or (POLLING_TIMEOUT if http else 30)
        self.in_flight = UpdatesInFlight()
        self.migrated = False  # the database was just copied from a migrated one
        self.resources: Resources | None = None
        self.dp: Dispatcher | None = None
        self.bot: Bot | None = None
        self.task: asyncio.Task[None] | None = None
        self.starts = 0
        # Background workers (bot.workers) to run alongside polling, e.g. the broadcast
        # sender; none by default so a test controls when background work happens.
        self.workers = workers or []
        self.worker_tasks: list[asyncio.Task[None]] = []

    # ------------------------------------------------------------------ lifecycle

    async def start(self) -> BotApp:
        assert self.task is None, "already running"
        # A new SQLite database is a copy of one migrated at the start of the run.
        self.migrated = ensure_migrated_sqlite(self.settings.db_url)
        resources = self.resources = create_resources(self.settings)
        try:
            await self._start(resources)
        except BaseException:
            if self.bot is not None:
                await self.bot.session.close()
            await resources.close()
            self.task = None
            self.dp = self.bot = self.resources = None
            raise
        return self

    async def _start(self, resources: Resources) -> None:
        if self.routers is not None:
            resources.extra_routers.extend(self.routers())
        if not self.migrated:
            await upgrade(resources.engine)  # as the bot does on start (a no-op if up to date)
        self.bot = create_bot(self.settings, None if self.http else self.tg.session())
        await set_default_commands(self.bot, resources.i18n)
        self.dp = create_dispatcher(resources)
        self.in_flight = UpdatesInFlight()
        # What the fake delivered before this start was the previous dispatcher's to handle.
        self.in_flight.last_update_id = self.tg.bot(self.bot.token).max_delivered
        self.in_flight.install(self.dp)
        self.tg.busy_checks.append(self._busy)
        polls_before = self.tg.count("getUpdates")
        task = self.task = asyncio.create_task(
            self.dp.start_polling(
                self.bot,
                handle_signals=False,
                close_bot_session=False,
                polling_timeout=self.polling_timeout,
                allowed_updates=self.dp.resolve_used_update_types(),
            ),
            name="e2e-polling",
        )
        self.starts += 1
        # Running once the first getUpdates arrived (or the task died trying).
        await self.tg.wait_for(
            lambda: task.done() or self.tg.count("getUpdates") > polls_before, WAIT
        )
        if task.done():
            task.result()  # raise the reason
        self.worker_tasks = start_workers(self.bot, self.dp, self.workers)

    def _busy(self) -> bool:
        """Handling an update, or one the fake delivered has not reached the dispatcher yet."""
        if self.in_flight.active:
            return True
        if self.bot is None:
            return False
        return self.in_flight.last_update_id < self.tg.bot(self.bot.token).max_delivered

    async def stop(self, *, wait_idle: bool = True) -> None:
        """Stop polling, let running handlers finish, close the bot session and resources."""
        if self.task is None:
            return
        task, dp, bot, resources = self.task, self.dp, self.bot, self.resources
        assert dp is not None and bot is not None and resources is not None
        self.task = None
        try:
            await stop_workers(self.worker_tasks)
            self.worker_tasks = []
            if wait_idle:
                # Handlers are counted: the quiet time only covers a call made after one
                # returned (a method returned by a handler is sent after it).
                with contextlib.suppress(AssertionError):
                    await self.tg.wait_idle(quiet=0.01, timeout=WAIT)
            if not task.done():
                with contextlib.suppress(RuntimeError, TimeoutError):  # "not started" (race)
                    await asyncio.wait_for(dp.stop_polling(), WAIT)
            try:
                await asyncio.wait_for(task, WAIT)
            except (asyncio.CancelledError, TimeoutError):
                task.cancel()
            # Updates already taken up go on after polling stopped: let them finish.
            await self.tg.wait_for(lambda: not self.in_flight.active, WAIT)
        finally:
            with contextlib.suppress(ValueError):
                self.tg.busy_checks.remove(self._busy)
            await bot.session.close()
            await resources.close()
            self.dp = self.bot = self.resources = None
        # The fake implements the methods the bot calls and no more (tests/fake_telegram.py).
        missing = sorted({c.method for c in self.tg.calls if c.status == 404})
        assert not missing, f"the bot called methods the fake does not have: {missing}"

    async def restart(self) -> BotApp:
        """Stop this process's app and start a new one on the same database and fake."""
        await self.stop()
        return await self.start()

    async def __aenter__(self) -> BotApp:
        return await self.start()

    async def __aexit__(self, *exc: object) -> None:
        await self.stop(wait_idle=exc[0] is None)

    # ------------------------------------------------------------------ helpers

    @property
    def sessionmaker(self) -> Any:
        assert self.resources is not None, "app is not running"
        return self.resources.sessionmaker


def bot_texts(tg: FakeTelegram) -> list[str]:
    """Every string parameter the bot sent to Telegram (texts, captions, buttons, data...)."""
    out: list[str] = []

    def walk(value: Any) -> None:
        if isinstance(value, str):
            out.append(value)
        elif isinstance(value, dict):
            for item in value.values():
                walk(item)
        elif isinstance(value, list | tuple):
            for item in value:
                walk(item)

    for call in tg.calls:
        if call.method.lower() != "getupdates":
            walk(call.params)
    return out


# --------------------------------------------------------------------------- shared test steps


async def eventually(check: Callable[[], Awaitable[Any]], timeout: float = WAIT) -> Any:
    """Poll an async check (e.g. a database query) until it returns something truthy."""
    loop = asyncio.get_running_loop()
    deadline = loop.time() + timeout
    while True:
        value = await check()
        if value or loop.time() > deadline:
            return value
        await asyncio.sleep(0.02)


async def account_of(app: BotApp, telegram_id: int) -> Account | None:
    async with app.sessionmaker() as session:
        return await session.scalar(select(Account).where(Account.telegram_id == telegram_id))


async def audit_actions(app: BotApp, account_id: int) -> list[str]:
    async with app.sessionmaker() as session:
        rows = await session.scalars(
            select(AuditLog.action)
            .where(AuditLog.actor_account_id == account_id)
            .order_by(AuditLog.id)
        )
        return list(rows)


async def agree(user: FakeUser) -> None:
    """/start and agree to the privacy notice."""
    await user.send("/start")
    await user.wait_message()
    notice = await user.wait_message()
    query = await user.click(notice, t("✅ I agree"))
    await query.wait_answered()
    await user.wait_message(predicate=lambda m: m.text == t(CONSENT_THANKS))


async def click_data(user: FakeUser, message: FakeMessage, data: str) -> FakeCallbackQuery:
    """A tap on a button with ``data`` that the message no longer shows (an old keyboard)."""
    tg = user.tg
    query = FakeCallbackQuery(tg, str(next(tg._query_ids)), user, message, data, "old")
    tg._callbacks[query.id] = query
    await tg.feed_update(
        {
            "callback_query": {
                "id": query.id,
                "from": user.as_dict(),
                "message": copy.deepcopy(message.raw),
                "chat_instance": user.chat.instance,
                "data": data,
            }
        },
        token=user.bot.token,
    )
    return query


CONSENT_THANKS = "Thank you. Your consent is recorded. Choose what you need from the menu."


async def as_role(
    app: BotApp, user: FakeUser, role: str, area: str | None = None
) -> Account:
    """Consent through the bot, then give the user a role (as `python -m bot grant` does)."""
    await agree(user)
    account = await account_of(app, user.id)
    assert account is not None
    async with app.sessionmaker() as session, session.begin():
        granted = await accounts.grant_role(session, user.id, role, area)
        account_id = granted.id
    # The running app caches accounts; forget this one so the new role is seen at once.
    account_cache(app.sessionmaker).drop(user.id)
    found = await account_of(app, user.id)
    assert found is not None and found.id == account_id
    return found


# --------------------------------------------------------------------------- what people read

# The words a person reads carry no trace of the code behind them: no None, no placeholder
# left unfilled, no identifier (snake_case, a state name), no "Rp0", and at most 600
# characters (the full privacy notice, asked for with "Baca selengkapnya", excepted).
_INTERNAL = [
    (re.compile(r"\bNone\b"), "None"),
    (re.compile(r"\{[a-z_]+\}"), "an unfilled placeholder"),
    (re.compile(r"(?<![/\w.@])[a-z]+_[a-z_]+\b(?![./@])"), "an identifier"),
    (re.compile(r"\b\w+Flow:\w+|\bFormFlow\b"), "a conversation state"),
    (re.compile(r"\bRp\s?0(?![\d.,])"), "Rp0"),
]
MAX_MESSAGE = 600
# Texts that may be longer: the full privacy notice (a short one comes first).
LONG_TEXTS_ALLOWED: tuple[str, ...] = ()
SPOKEN = ("sendMessage", "editMessageText", "sendPhoto", "sendDocument", "answerCallbackQuery")


def spoken_texts(tg: FakeTelegram) -> list[str]:
    """The texts and captions the bot sent people (button labels included)."""
    out = []
    for call in tg.calls:
        if call.method not in SPOKEN or not isinstance(call.params, dict):
            continue
        for key in ("text", "caption"):
            value = call.params.get(key)
            if isinstance(value, str) and value:
                out.append(value)
        markup = call.params.get("reply_markup")
        if isinstance(markup, dict):
            for row in markup.get("inline_keyboard", []) + markup.get("keyboard", []):
                out += [b["text"] for b in row if isinstance(b, dict) and b.get("text")]
    return out


def _file_columns() -> frozenset[str]:
    """Column names of the files staff exchange with the bot: a file format staff are told
    about on purpose, not an internal code."""
    from services import bnba_file, export

    names = set(bnba_file.COLUMNS)
    for columns, _rows in export.REPORTS.values():
        names.update(columns)
    return frozenset(names)


def text_problems(text: str, long_ok: tuple[str, ...] = ()) -> list[str]:
    columns = _file_columns()
    problems = [
        what
        for pattern, what in _INTERNAL
        if any(m.group(0) not in columns for m in pattern.finditer(text))
    ]
    if len(text) > MAX_MESSAGE and not text.startswith(long_ok):
        problems.append(f"{len(text)} characters")
    return problems


def append_report(path: str, test: str, found: dict[str, list[str]]) -> None:
    """NIRMISKIN_TEXT_REPORT=FILE: list what each test's bot said wrongly instead of failing."""
    with open(path, "a", encoding="utf-8") as out:
        for text, problems in found.items():
            out.write(f"{test}\t{problems}\t{text!r}\n")
