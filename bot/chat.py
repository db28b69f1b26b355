"""`python -m bot chat`: talk to the real bot (dispatcher, database, texts) in a terminal.

Buttons are numbered: type the number to press one. `:teks 3` (or "3" in quotes) sends a
number as text; `:berkas FILE` sends a document, `:foto [FILE]` a photo (both may add
` | caption`), `:lokasi LAT,LON` a location, `:kontak` shares your phone number, `:keluar`
(or Ctrl-D, Ctrl-C) quits. Files the bot sends are saved in `<DATA_DIR>/chat_files` (or
`--files DIR`).

The background workers (broadcasts, reminders, aid follow-up, upkeep) run in this process as
in `python -m bot run`: what they send to other accounts of the same database is shown
labelled with who gets it. A form left unfinished in an earlier chat is asked again at start.
"""

from __future__ import annotations

import asyncio
import os
import sys
import threading
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any, TextIO

from aiogram import Bot, Dispatcher
from aiogram.utils.i18n import gettext as _
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.app import Resources, create_bot, create_dispatcher, create_resources
from bot.chat_terminal import Terminal
from bot.settings import Settings
from bot.workers import start_workers, stop_workers
from conversations import FormFlow, show_current
from conversations.telegram import STATE_KEY
from db import accounts, regions
from db.migrate import upgrade
from domain.roles import VOLUNTEERS

DEFAULT_USER_IDS = {
    "warga": 700_000_001,
    "psm": 700_000_002,
    "tksk": 700_000_003,
    "petugas": 700_000_004,
}
DEFAULT_AREAS = {"psm": "32.16.18.2001", "tksk": "32.16.18"}
QUIT = {":keluar", ":quit"}
WORK_IN_HAND_WAIT = 120.0  # seconds the chat waits, when it ends, for e.g. an import to finish

Reader = Callable[[Terminal], Awaitable[str | None]]


class TypedLines:
    """The lines typed at the terminal, read by a daemon thread: an `input()` still waiting
    when the chat ends (Ctrl-C) must not keep the process alive, as an executor thread
    would (asyncio.run waits for those). The prompt is shown only once the bot has answered
    the previous line."""

    def __init__(self, prompt: str = "> ") -> None:
        self.prompt = prompt
        self.wanted = threading.Event()
        self.lines: asyncio.Queue[str | None] = asyncio.Queue()
        self.thread: threading.Thread | None = None

    async def __call__(self, terminal: Terminal) -> str | None:
        if self.thread is None:
            loop = asyncio.get_running_loop()
            self.thread = threading.Thread(
                target=self._read, args=(loop,), name="chat-input", daemon=True
            )
            self.thread.start()
        self.wanted.set()
        return await self.lines.get()

    def _read(self, loop: asyncio.AbstractEventLoop) -> None:
        line: str | None = ""
        while line is not None:
            self.wanted.wait()
            self.wanted.clear()
            try:
                line = input(self.prompt)
            except EOFError:
                line = None
            loop.call_soon_threadsafe(self.lines.put_nowait, line)


async def _prepare_account(resources: Resources, user_id: int, role: str, area: str | None) -> str:
    """Give the account its role (and area); returns the account's language."""
    async with resources.sessionmaker.begin() as session:
        area_code = None
        if role in VOLUNTEERS:
            wanted = area or DEFAULT_AREAS[role]
            found = await regions.find(session, wanted, ("kecamatan", "desa", "kelurahan"))
            area_code = found[0].code if found else DEFAULT_AREAS[role]
        account = await accounts.grant_role(session, user_id, role, area_code)
        language = getattr(account, "language", None)
    i18n = resources.i18n
    return language if language in i18n.available_locales else i18n.default_locale


def _files_folder(settings: Settings, files_dir: str | Path | None) -> Path:
    """Absolute, so that the paths the chat prints can be opened from anywhere."""
    return Path(files_dir or settings.data_dir / "chat_files").absolute()


def _role_finder(sessionmaker: async_sessionmaker[AsyncSession]) -> Callable[[int], Any]:
    async def role_of(telegram_id: int) -> str | None:
        async with sessionmaker() as session:
            account = await accounts.by_telegram_id(session, telegram_id)
            return account.role if account is not None else None

    return role_of


async def _ask_pending_form(dp: Dispatcher, bot: Bot, terminal: Terminal) -> bool:
    """A form left unfinished (its state is in the database): show its question again."""
    state = dp.fsm.get_context(bot, chat_id=terminal.user_id, user_id=terminal.user_id)
    if await state.get_state() != FormFlow.active.state:
        return False
    if not (await state.get_data()).get(STATE_KEY):
        return False
    terminal.say(_("You have an unfinished form. Here is its question again:"))
    return await show_current(terminal.message(bot), state) is not None


async def _finish_work_in_hand() -> None:
    """Work a handler started beside its update (a BNBA import) finishes before the chat
    ends, so that lines piped in (`< script.txt`) still see its result. The workers are
    stopped first: their own tasks (a broadcast being sent) are not waited for."""
    others = asyncio.all_tasks() - {asyncio.current_task()}
    if others:
        await asyncio.wait(others, timeout=WORK_IN_HAND_WAIT)


async def run_chat(
    settings: Settings,
    role: str,
    user_id: int | None = None,
    area: str | None = None,
    files_dir: str | Path | None = None,
    *,
    read: Reader | None = None,
    out: TextIO | None = None,
) -> int:
    resources = create_resources(settings)
    workers: list[asyncio.Task[Any]] = []
    bot: Bot | None = None
    try:
        await upgrade(resources.engine)
        uid = user_id or DEFAULT_USER_IDS[role]
        locale = await _prepare_account(resources, uid, role, area)
        i18n = resources.i18n
        caller = os.environ.get("NIRMISKIN_CALLER_DIR")  # run.sh: where the person typed
        terminal = Terminal(
            uid,
            "Terminal",
            _files_folder(settings, files_dir),
            role_of=_role_finder(resources.sessionmaker),
            base_dir=Path(caller) if caller else None,
            out=out or sys.stdout,
        )
        bot = terminal.bot = create_bot(settings, terminal.session)
        dp = create_dispatcher(resources)
        read = read or TypedLines()
        # The terminal's own hints in the person's language; each update enters its own.
        with i18n.context(), i18n.use_locale(locale):
            terminal.say(
                _(
                    "Chatting with the bot as {role}. Type a message, or a button's number "
                    '(:teks 3 or "3" sends 3 as text). :berkas FILE sends a file, :foto [FILE] '
                    "a photo, :lokasi LAT,LON a location, :kontak your phone number, :keluar "
                    "quits. Files from the bot are saved in {folder}."
                ).format(role=role, folder=terminal.files_dir)
            )
            if not await _ask_pending_form(dp, bot, terminal):
                first = terminal.update_for("/start")
                assert first is not None
                await dp.feed_update(bot, first)
            # Broadcasts, reminders and follow-ups reach the other local accounts too.
            workers = start_workers(bot, dp)
            while True:
                line = await read(terminal)
                if line is None or line.strip() in QUIT:
                    break
                if not line.strip():
                    continue
                update = terminal.update_for(line)
                if update is not None:
                    await dp.feed_update(bot, update)
            await stop_workers(workers)
            await _finish_work_in_hand()
        return 0
    finally:
        # Also on Ctrl-C (the task is cancelled): the broadcast sender finishes what it
        # has in hand and gives its lease back before the database closes.
        await stop_workers(workers)
        if bot is not None:
            await bot.session.close()
        await resources.close()
