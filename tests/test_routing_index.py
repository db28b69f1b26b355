"""The routing index never keeps an update from a router that could handle it.

For every handler of the assembled dispatcher, an update made to match what the index read
from that handler (its command, menu button, state or callback prefix) must list the
handler's router among the candidates. The end-to-end tests then show the same handlers
answer as before. The conservative cases (filters the index cannot read, outer middlewares)
are checked on small dispatchers driven through aiogram.
"""

from __future__ import annotations

import itertools
import re
from pathlib import Path
from typing import Any

from aiogram import BaseMiddleware, Bot, F, Router
from aiogram.dispatcher.event.handler import HandlerObject
from aiogram.filters import Command
from aiogram.types import CallbackQuery, Chat, Message, Update, User
from aiogram.utils.i18n import I18n

from bot.app import create_dispatcher, create_resources
from bot.local_session import LocalSession
from bot.routing_index import ANY, INDEXED_TYPES, IndexedDispatcher, RoutingIndex, _handler_key
from handlers.keyboards import MENU_ENTRIES, menu_label
from tests.conftest import make_settings

USER = User(id=7, is_bot=False, first_name="Warga")
CHAT = Chat(id=7, type="private")
_ids = itertools.count(1)


def message(text: str | None = None) -> Message:
    return Message(message_id=next(_ids), date=0, chat=CHAT, from_user=USER, text=text)


def callback(data: str) -> CallbackQuery:
    return CallbackQuery(id="1", from_user=USER, chat_instance="1", data=data, message=message("…"))


def matching_events(key: Any, event_type: str) -> list[tuple[Any, str | None]]:
    """(event, raw_state) pairs that carry what a handler's key waits for."""
    kind, value = key
    if kind == "command":
        return [(message(f"/{command} sesuatu"), None) for command in value]
    if kind == "menu":
        entry = next(e for e in MENU_ENTRIES if e.key == value)
        return [(message(menu_label(entry)), None)]
    if kind == "state":
        if event_type == "message":
            return [(message("jawaban"), state) for state in value]
        return [(callback("x:1"), state) for state in value]
    prefix, separator = value
    return [(callback(f"{prefix}{separator}a{separator}1"), None)]


def handlers_by_router(
    dp: IndexedDispatcher, event_type: str
) -> list[tuple[Router, HandlerObject]]:
    return [
        (top, handler)
        for top in dp.sub_routers
        for router in top.chain_tail
        for handler in router.observers[event_type].handlers
    ]


async def test_every_handler_is_reachable_through_the_index(tmp_path: Path) -> None:
    resources = create_resources(make_settings(tmp_path))
    try:
        dp = create_dispatcher(resources)
        index = dp.routing_index
        assert index is not None
        i18n: I18n = resources.i18n
        checked = 0
        with i18n.context(), i18n.use_locale(i18n.default_locale):
            for event_type in INDEXED_TYPES:
                for top, handler in handlers_by_router(dp, event_type):
                    key = _handler_key(handler)
                    reach = dict(index.routes[event_type])[top]
                    if key is ANY:
                        assert reach.everything, f"{top.name}: {handler.callback}"
                        continue
                    for event, raw_state in matching_events(key, event_type):
                        found = list(index.candidates(event_type, event, raw_state))
                        assert top in found, f"{top.name} not reached by {key}"
                        checked += 1
        assert checked > 100  # the whole bot, not a corner of it
    finally:
        await resources.close()


async def test_an_update_meets_only_the_routers_that_wait_for_it(tmp_path: Path) -> None:
    resources = create_resources(make_settings(tmp_path))
    try:
        dp = create_dispatcher(resources)
        index = dp.routing_index
        assert index is not None
        with resources.i18n.context(), resources.i18n.use_locale("id"):
            names = [r.name for r in index.candidates("message", message("/menu"), None)]
            # The command's router, then what waits for any message with no conversation.
            assert names == ["common", "free_text", "fallback"]
            names = [r.name for r in index.candidates("message", message("4"), "FormFlow:active")]
            assert names == ["volunteer_resume", "forms", "fallback"]
            names = [r.name for r in index.candidates("callback_query", callback("f:n::1:r"), None)]
            assert names == ["forms", "fallback"]
            # A command typed after a space, and addressed to the bot, is still that command.
            spaced = [r.name for r in index.candidates("message", message(" /MENU@bot"), None)]
            assert spaced[0] == "common"
    finally:
        await resources.close()


class Tag(BaseMiddleware):
    """An outer middleware that writes down every event entering its router."""

    def __init__(self, seen: list[str]) -> None:
        self.seen = seen

    async def __call__(self, handler: Any, event: Any, data: dict[str, Any]) -> Any:
        self.seen.append("tagged")
        return await handler(event, data)


async def test_what_the_index_cannot_read_is_always_visited() -> None:
    answers: list[str] = []
    seen: list[str] = []
    dp = IndexedDispatcher()
    pattern = Router(name="pattern")
    magic = Router(name="magic")
    watched = Router(name="watched")
    plain = Router(name="plain")

    @pattern.message(Command(re.compile(r"lap.*")))
    async def by_pattern(_m: Message) -> None:
        answers.append("pattern")

    @magic.message(F.text.startswith("halo"))
    async def by_magic(_m: Message) -> None:
        answers.append("magic")

    watched.message.outer_middleware(Tag(seen))

    @watched.message(Command("lihat"))
    async def by_command(_m: Message) -> None:
        answers.append("watched")

    @plain.message(Command("polos"))
    async def plain_command(_m: Message) -> None:
        answers.append("plain")

    dp.include_routers(pattern, magic, watched, plain)
    index = dp.build_index()
    assert isinstance(index, RoutingIndex)
    bot = Bot("1:x", session=LocalSession())
    for text in ("/laporan", "halo semua", "/polos", "/lihat"):
        update = Update(update_id=next(_ids), message=message(text))
        await dp.feed_update(bot, Update.model_validate(update.model_dump(), context={"bot": bot}))
    assert answers == ["pattern", "magic", "plain", "watched"]
    # The outer middleware saw every message that reached its place in the order, as without
    # the index: "/polos" and "/lihat" (the two before were handled earlier).
    assert seen == ["tagged", "tagged"]
    await bot.session.close()
