"""A form set aside ("parked") while the person does something else, and taken up again.

When a command or a main-menu button arrives in the middle of a form, the person wants that
feature now, not to answer the question on screen with it. The form's progress stays in the
FSM data under its key (:data:`conversations.telegram.STATE_KEY`); only the FSM state is
cleared, so that every feature handler works as usual, and the state the form was in is kept
beside it (:data:`PARKED_KEY`). ``/lanjut`` (or a tap on one of the form's own buttons) puts
the state back and shows the question again; ``/batal`` or starting another form drops it.
"""

from __future__ import annotations

import time
from typing import Any

from aiogram.fsm.context import FSMContext
from aiogram.types import Message

from .schema import Step
from .telegram import ANSWERED_AT, PARKED_KEY, REPLY_KB_KEY, STATE_KEY, FormFlow, show_current

__all__ = [
    "PARKED_KEY",
    "clear_but_keep_form",
    "is_parked",
    "keep_with_the_form",
    "kept_form",
    "park",
    "resume",
    "unpark",
]

# What belongs to the form in the FSM data, and so survives a feature clearing its own.
_FORM_KEYS = {STATE_KEY, PARKED_KEY, REPLY_KB_KEY}


def keep_with_the_form(*keys: str) -> None:
    """Data a form's submit needs besides its answers (e.g. the NIK typed before a resident's
    proposal): kept as long as the form is."""
    _FORM_KEYS.update(keys)


def kept_form(data: dict[str, Any]) -> dict[str, Any] | None:
    """The progress of an unfinished form, set aside or under way, or None."""
    form = data.get(STATE_KEY)
    return form if isinstance(form, dict) and form.get("form") else None


def is_parked(data: dict[str, Any]) -> bool:
    return bool(data.get(PARKED_KEY)) and kept_form(data) is not None


async def park(state: FSMContext, current_state: str) -> None:
    """Set the form aside: its answers stay, the FSM state is cleared."""
    data = await state.get_data()
    data[PARKED_KEY] = current_state
    await state.set_data(data)
    await state.set_state(None)


async def unpark(state: FSMContext) -> bool:
    """Put a set-aside form back in its state; False when there is none."""
    data = await state.get_data()
    parked = data.pop(PARKED_KEY, None)
    form = kept_form(data)
    if form is None:
        if parked:
            await state.set_data(data)
        return False
    # The pause is over: a feature that asks "continue?" after a long idle time (a field
    # visit) must not ask again right away.
    data[STATE_KEY] = {**form, ANSWERED_AT: int(time.time())}
    await state.set_data(data)
    await state.set_state(parked or FormFlow.active)
    return True


async def clear_but_keep_form(state: FSMContext, data: dict[str, Any] | None = None) -> None:
    """End a feature's own conversation (its state, and its data, replaced by `data`), as
    `state.clear()` would, but keep an unfinished form: it waits for /lanjut. (/batal and a
    withdrawn consent clear everything.)"""
    current = await state.get_state()
    old = await state.get_data()
    kept = {key: value for key, value in old.items() if key in _FORM_KEYS}
    if current == FormFlow.active.state and kept_form(kept) is not None:
        kept[PARKED_KEY] = current  # on screen until now: set aside, as by a command
    await state.set_data({**kept, **(data or {})})
    await state.set_state(None)


async def resume(message: Message, state: FSMContext) -> Step | None:
    """Take a set-aside form up again and ask its pending question; None when there is none."""
    if not await unpark(state):
        return None
    return await show_current(message, state)
