"""Send a message or a button press only to the feature routers that could handle it.

aiogram walks the routers in order and, in each, checks every handler's filters until one
matches. With two dozen feature routers a typed answer or a button press meets about eight
routers and two dozen filters before its handler, and each router visit copies the update's
data and wraps its middlewares: benchmarks/updates.py measured that walk as a fifth of an
update's time.

Almost every handler here names what it waits for in a filter the index can read: a
command (``Command``), a main-menu button (``MenuButton``), a conversation state (a
``State`` or ``StateFilter``) or a callback-data prefix (``CallbackData.filter()``). A
handler matches only when all its filters pass, so one readable filter is enough to say
when it can *not* match. For each top-level router (with its sub-routers) the index keeps
what its handlers wait for; a handler with no readable filter makes its router a candidate
for every event of that type (the fallback, for example). An update then visits, in the
original order, only the routers that could match: the same handler answers as without the
index, because the routers skipped would have let the update pass.

Kept conservative on purpose: a router with an outer middleware on the event type, a
command filter with a pattern or another prefix, or any update type other than messages and
callback queries is always visited. ``tests/test_routing_index.py`` checks, for every
handler of the assembled dispatcher, that an update it waits for reaches its router.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from typing import Any

from aiogram import Dispatcher, Router
from aiogram.dispatcher.event.bases import UNHANDLED
from aiogram.dispatcher.event.handler import FilterObject, HandlerObject
from aiogram.dispatcher.event.telegram import TelegramEventObserver
from aiogram.filters import Command, StateFilter
from aiogram.filters.callback_data import CallbackQueryFilter
from aiogram.fsm.state import State, StatesGroup
from aiogram.types import CallbackQuery, Message, TelegramObject

from handlers.keyboards import MenuButton, menu_key_of

INDEXED_TYPES = ("message", "callback_query")
ANY = object()  # a filter the index cannot read


@dataclass
class Reach:
    """What the handlers of one router (and its sub-routers) wait for, for one event type."""

    everything: bool = False
    commands: set[str] = field(default_factory=set)  # lower case, without "/"
    menu_keys: set[str] = field(default_factory=set)
    states: set[str | None] = field(default_factory=set)
    callback_prefixes: set[tuple[str, str]] = field(default_factory=set)  # (prefix, separator)

    def add(self, key: tuple[str, Any] | object) -> None:
        if key is ANY:
            self.everything = True
            return
        kind, value = key  # type: ignore[misc]
        if kind == "command":
            self.commands.update(value)
        elif kind == "menu":
            self.menu_keys.add(value)
        elif kind == "state":
            self.states.update(value)
        else:
            self.callback_prefixes.add(value)


def _states(states: Iterable[Any]) -> set[str | None] | object:
    names: set[str | None] = set()
    for state in states:
        if state is None:
            names.add(None)
        elif isinstance(state, str):
            if state == "*":
                return ANY
            names.add(state)
        elif isinstance(state, State):
            if state.state == "*" or state.state is None:
                return ANY
            names.add(state.state)
        elif isinstance(state, StatesGroup) or (
            isinstance(state, type) and issubclass(state, StatesGroup)
        ):
            names.update(state.__all_states_names__)
        else:
            return ANY
    return names


def _key(filter_object: FilterObject) -> tuple[str, Any] | object:
    """What one filter waits for, if the index can read it."""
    # bot/inline_filters wraps cheap sync filters; the filter itself is kept as __wrapped__.
    callback = getattr(filter_object.callback, "__wrapped__", filter_object.callback)
    if isinstance(callback, Command):
        if callback.prefix != "/" or not all(isinstance(c, str) for c in callback.commands):
            return ANY  # another prefix, or a pattern
        return ("command", {c.lower() for c in callback.commands})
    if isinstance(callback, MenuButton):
        return ("menu", callback.entry.key)
    if isinstance(callback, State):
        states = _states([callback])
        return ANY if states is ANY else ("state", states)
    if isinstance(callback, StateFilter):
        states = _states(callback.states)
        return ANY if states is ANY else ("state", states)
    if isinstance(callback, CallbackQueryFilter):
        data_class = callback.callback_data
        return ("callback", (data_class.__prefix__, data_class.__separator__))
    return ANY


_PREFERENCE = {"command": 0, "callback": 0, "menu": 1, "state": 2}


def _handler_key(handler: HandlerObject) -> tuple[str, Any] | object:
    """The most selective filter the index can read; ANY when it can read none."""
    keys = [k for k in map(_key, handler.filters or []) if k is not ANY]
    if not keys:
        return ANY
    return min(keys, key=lambda k: _PREFERENCE[k[0]])  # type: ignore[index]


def _observers(router: Router, event_type: str) -> Iterator[TelegramEventObserver]:
    for sub in router.chain_tail:
        yield sub.observers[event_type]


def reach_of(router: Router, event_type: str) -> Reach:
    reach = Reach()
    for observer in _observers(router, event_type):
        if observer.outer_middleware:
            reach.everything = True  # it runs for every event that enters the router
        for handler in observer.handlers:
            reach.add(_handler_key(handler))
    return reach


class RoutingIndex:
    """For each indexed event type, the top-level routers with what they wait for."""

    def __init__(self, routers: Iterable[Router]) -> None:
        self.routes: dict[str, list[tuple[Router, Reach]]] = {
            event_type: [(router, reach_of(router, event_type)) for router in routers]
            for event_type in INDEXED_TYPES
        }
        self._has_menu = any(reach.menu_keys for _r, reach in self.routes["message"])

    def candidates(
        self, event_type: str, event: TelegramObject, raw_state: str | None
    ) -> Iterator[Router]:
        routes = self.routes[event_type]
        if event_type == "message":
            assert isinstance(event, Message)
            text = event.text or event.caption
            command = None
            menu_key = None
            if text:
                first = text.split(maxsplit=1)[0] if not text.isspace() else ""
                if first.startswith("/"):  # read as aiogram's Command filter reads it
                    command = first[1:].split("@", 1)[0].lower()
                if event.text is not None and self._has_menu:
                    menu_key = menu_key_of(event.text)
            for router, reach in routes:
                if (
                    reach.everything
                    or raw_state in reach.states
                    or command in reach.commands  # None is in neither set
                    or menu_key in reach.menu_keys
                ):
                    yield router
            return
        assert isinstance(event, CallbackQuery)
        data = event.data or ""
        for router, reach in routes:
            if reach.everything or raw_state in reach.states or any(
                data.startswith(prefix + separator) for prefix, separator in reach.callback_prefixes
            ):
                yield router


class IndexedDispatcher(Dispatcher):
    """A Dispatcher that consults a RoutingIndex for messages and callback queries.

    Call ``build_index()`` once every router is included (before, or without it, every
    router is visited as aiogram does)."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.routing_index: RoutingIndex | None = None

    def build_index(self) -> RoutingIndex:
        for event_type in INDEXED_TYPES:
            own = self.observers[event_type]
            if own.handlers or own._handler.filters:
                raise RuntimeError(f"the dispatcher's own {event_type} handlers are not indexed")
        self.routing_index = RoutingIndex(self.sub_routers)
        return self.routing_index

    async def _propagate_event(
        self,
        observer: TelegramEventObserver | None,
        update_type: str,
        event: TelegramObject,
        **kwargs: Any,
    ) -> Any:
        index = self.routing_index
        if index is None or update_type not in INDEXED_TYPES:
            return await super()._propagate_event(observer, update_type, event, **kwargs)
        # The dispatcher has no handlers of its own for these types (build_index checks),
        # so only its sub-routers are tried, as aiogram would after its own handlers.
        response = UNHANDLED
        for router in index.candidates(update_type, event, kwargs.get("raw_state")):
            response = await router.propagate_event(update_type=update_type, event=event, **kwargs)
            if response is not UNHANDLED:
                break
        return response
