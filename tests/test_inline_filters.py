"""Cheap synchronous filters run on the event loop, not in aiogram's worker thread.

bot/inline_filters.py changes aiogram's filter objects in place; these tests drive a real
Dispatcher (aiogram's own routing, in-process Bot API) and count the thread hand-offs, so they
fail if aiogram changes the fields or the calling convention the change relies on.
"""

from __future__ import annotations

import asyncio
import itertools
from pathlib import Path
from typing import Any

import pytest
from aiogram import Bot, Dispatcher, F, Router
from aiogram.fsm.context import FSMContext
from aiogram.fsm.state import State, StatesGroup
from aiogram.types import Message, Update

from bot.app import create_dispatcher, create_resources
from bot.inline_filters import filters_in_threads, run_cheap_filters_inline
from bot.local_session import LocalSession
from tests.conftest import make_settings

_ids = itertools.count(1)


class Flow(StatesGroup):
    waiting = State()


def _text(text: str, user_id: int = 5) -> Update:
    return Update.model_validate({
        "update_id": next(_ids),
        "message": {
            "message_id": next(_ids), "date": 0, "text": text,
            "chat": {"id": user_id, "type": "private"},
            "from": {"id": user_id, "is_bot": False, "first_name": "W"},
        },
    })


def _named_sync_filter(message: Message) -> bool:
    return message.text == "named"


@pytest.fixture
def thread_calls(monkeypatch: pytest.MonkeyPatch) -> list[Any]:
    """Every `asyncio.to_thread` call (aiogram's way of running a sync callable), still run."""
    calls: list[Any] = []
    real = asyncio.to_thread

    async def counting(func: Any, /, *args: Any, **kwargs: Any) -> Any:
        calls.append(func)
        return await real(func, *args, **kwargs)

    monkeypatch.setattr(asyncio, "to_thread", counting)
    return calls


def _dispatcher(seen: list[str]) -> Dispatcher:
    router = Router()

    @router.message(F.text == "magic")
    async def magic(message: Message) -> None:
        seen.append("magic")

    @router.message(F.text == "go")
    async def go(message: Message, state: FSMContext) -> None:
        await state.set_state(Flow.waiting)
        seen.append("go")

    @router.message(Flow.waiting)
    async def waiting(message: Message, state: FSMContext) -> None:
        await state.clear()
        seen.append("waiting")

    @router.message(lambda message: message.text == "lambda")
    async def lam(message: Message) -> None:
        seen.append("lambda")

    @router.message(_named_sync_filter)
    async def named(message: Message) -> None:
        seen.append("named")

    @router.message()
    async def other(message: Message) -> None:
        seen.append("other")

    dp = Dispatcher()
    dp.include_router(router)
    return dp


async def test_magic_state_and_lambda_filters_run_without_a_thread(thread_calls: list[Any]):
    seen: list[str] = []
    dp = _dispatcher(seen)
    assert run_cheap_filters_inline(dp) == 4  # magic x2, the state, the lambda
    bot = Bot("1:test", session=LocalSession())
    for text in ("magic", "go", "anything", "lambda", "nothing"):
        await dp.feed_update(bot, _text(text))
    # Same routing as before: filters still say yes and no, the state filter sees the state.
    assert seen == ["magic", "go", "waiting", "lambda", "other"]
    # Only the named sync function is left to aiogram's thread (it might block); of the five
    # messages only "nothing" got as far as that filter.
    assert [getattr(call, "func", None) for call in thread_calls] == [_named_sync_filter]


async def test_without_the_change_aiogram_uses_a_thread(thread_calls: list[Any]):
    """The premise: if aiogram stops calling sync filters in a thread, this fails and the
    change in bot/inline_filters.py can go."""
    seen: list[str] = []
    dp = _dispatcher(seen)
    bot = Bot("1:test", session=LocalSession())
    await dp.feed_update(bot, _text("magic"))
    assert seen == ["magic"]
    assert thread_calls


async def test_the_app_runs_no_filter_in_a_thread(tmp_path: Path):
    """Every filter of the assembled bot is async or made inline. A new synchronous filter
    of another kind (a named function) would cost a thread hand-off per update: make it
    async, or a magic filter."""
    resources = create_resources(make_settings(tmp_path))
    try:
        dp = create_dispatcher(resources)
        assert filters_in_threads(dp) == []
    finally:
        await resources.close()
