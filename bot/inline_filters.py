"""Run the cheap synchronous filters on the event loop instead of in a worker thread.

aiogram calls every synchronous filter through ``asyncio.to_thread`` (``CallableObject.call``
in aiogram/dispatcher/event/handler.py): a magic filter (``F.text == ...``), a state used as
a filter (``router.message(FormFlow.active)``) or a lambda costs a thread hand-off, a wake-up
of the loop and a context copy, tens of microseconds, for a comparison that takes well under
one. Every message meets several of them on its way through the routers (the forms router's
state filter alone sees every message), and ``benchmarks/updates.py`` measured them as a large
share of an update's time. These filters only read the event and the state, so they are run
inline. Any other synchronous filter keeps aiogram's thread: it might block.

Relies on ``FilterObject.callback`` / ``.awaitable`` / ``.magic`` (aiogram 3.x) and on
aiogram's own private ``TelegramEventObserver._handler`` (router-level filters);
``tests/test_inline_filters.py`` fails if they change.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

from aiogram import Router
from aiogram.dispatcher.event.handler import FilterObject
from aiogram.fsm.state import State


def _cheap(filter_object: FilterObject) -> bool:
    callback = filter_object.callback
    return (
        filter_object.magic is not None  # callback is MagicFilter.resolve: pure attribute reads
        or isinstance(callback, State)  # compares the state name
        or getattr(callback, "__name__", None) == "<lambda>"
    )


def _inline(filter_object: FilterObject) -> None:
    sync: Callable[..., Any] = filter_object.callback

    async def inline(*args: Any, **kwargs: Any) -> Any:
        return sync(*args, **kwargs)

    # `params`/`varkw` were read from the original signature and stay as they are, so the
    # filter still receives exactly the keyword arguments it asks for.
    inline.__wrapped__ = sync  # type: ignore[attr-defined]  # for bot/routing_index
    filter_object.callback = inline
    filter_object.awaitable = True


def _filters(router: Router) -> Iterator[FilterObject]:
    for sub in router.chain_tail:
        for observer in sub.observers.values():
            yield from observer._handler.filters or []  # router-level filters
            for handler in observer.handlers:
                yield from handler.filters or []


def run_cheap_filters_inline(router: Router) -> int:
    """Mark the cheap synchronous filters of ``router`` and its sub-routers to run inline.

    Call once the routers are all included. Returns how many filters were changed.
    """
    changed = 0
    for filter_object in _filters(router):
        if not filter_object.awaitable and _cheap(filter_object):
            _inline(filter_object)
            changed += 1
    return changed


def filters_in_threads(router: Router) -> list[FilterObject]:
    """The filters aiogram would still run in a worker thread (for tests and review)."""
    return [f for f in _filters(router) if not f.awaitable]
