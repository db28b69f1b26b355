"""Forms that let go: a command or a main-menu button sent in the middle of a form does what it
says, and the form waits for `/lanjut` (the issue "Forms and menus that let go").

`SetFormAside`, a message middleware of the dispatcher, runs before any router looks at the
message. When the person is in a form run by the engine, it sets the form aside
(conversations.parking: the answers stay, the FSM state is cleared), so that the feature's
handler, which expects no conversation, answers; after it, one short line says the form waits
and how to continue or drop it. A feature's own waiting step (/cek waiting for a message,
/daftar for a NIK, /cari for a name...) is dropped instead: moving on means the person no
longer wants to type that, and the next text must not be read as it. `/batal` (and "batal"
typed) keeps its meaning: it stops whatever is under way, a set-aside form included.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any

from aiogram import BaseMiddleware, Router
from aiogram.filters import Command
from aiogram.fsm.context import FSMContext
from aiogram.fsm.state import State
from aiogram.types import Message, TelegramObject
from aiogram.utils.i18n import gettext as _

from conversations import FormFlow
from conversations.parking import is_parked, kept_form, park, resume
from db.models.accounts import Account
from handlers.keyboards import is_menu_label, show_menu

# Commands that speak about the kept form themselves: nothing is set aside for them.
_ABOUT_THE_FORM = frozenset({"batal"})

# A feature's waiting steps that only wait for a tap on their own buttons (nothing typed is
# read as their answer): moving on leaves them as they are, so those buttons still work.
_KEPT_STEPS: set[str] = set()
# What to forget when a feature's waiting step is dropped (e.g. a NIK typed for /daftar).
_ON_DROP: dict[str, Callable[[FSMContext], Awaitable[None]]] = {}


def keep_waiting(*states: State) -> None:
    """Declare waiting steps that a command or a menu button does not end."""
    _KEPT_STEPS.update(str(state.state) for state in states)


def on_drop(forget: Callable[[FSMContext], Awaitable[None]], *states: State) -> None:
    """`forget(state)` runs when one of `states` is dropped because the person moved on."""
    for state in states:
        _ON_DROP[str(state.state)] = forget


def waiting_line() -> str:
    return _("Your unfinished form is kept: /lanjut to continue it, /batal to cancel it.")


@dataclass
class FormSetAside:
    """Handed to the handlers (`form_set_aside`) when this message set a form aside: a handler
    that tells the person about the kept form itself marks it, and no second line is sent."""

    run: str | None
    mentioned: bool = False


def _command_of(text: str) -> str | None:
    if not text.startswith("/"):
        return None
    return text[1:].split(maxsplit=1)[0].split("@", 1)[0].lower() if len(text) > 1 else ""


def _moves_on(message: Message) -> bool:
    """A command or a main-menu button (in the person's language): another feature wanted."""
    text = message.text or ""
    return text.startswith("/") or is_menu_label(text)


class SetFormAside(BaseMiddleware):
    """Registered on the dispatcher's messages (bot/app.py), so it runs before every router."""

    async def __call__(
        self,
        handler: Callable[[TelegramObject, dict[str, Any]], Awaitable[Any]],
        event: TelegramObject,
        data: dict[str, Any],
    ) -> Any:
        raw_state = data.get("raw_state")
        state: FSMContext | None = data.get("state")
        if (
            raw_state is None
            or state is None
            or not isinstance(event, Message)
            or not _moves_on(event)
            or _command_of(event.text or "") in _ABOUT_THE_FORM
            or raw_state in _KEPT_STEPS
        ):
            return await handler(event, data)
        set_aside = None
        if raw_state == FormFlow.active.state:
            form = kept_form(await state.get_data()) or {}
            await park(state, raw_state)
            set_aside = data["form_set_aside"] = FormSetAside(form.get("run"))
        else:
            forget = _ON_DROP.get(raw_state)
            if forget is not None:
                await forget(state)
            await state.set_state(None)
        data["raw_state"] = None  # the routers see the person as outside any conversation
        result = await handler(event, data)
        if set_aside is not None and not set_aside.mentioned:
            await _say_it_waits(event, state, set_aside)
        return result


async def _say_it_waits(message: Message, state: FSMContext, set_aside: FormSetAside) -> None:
    data = await state.get_data()
    form = kept_form(data)
    # Not when the feature ended it: a new form replaced it, /batal, a withdrawn consent...
    if is_parked(data) and form is not None and form.get("run") == set_aside.run:
        await message.answer(waiting_line())


async def continue_form(
    message: Message,
    state: FSMContext,
    account: Account,
    form_set_aside: FormSetAside | None = None,
) -> None:
    if form_set_aside is not None:
        form_set_aside.mentioned = True
    if await resume(message, state) is None:
        await show_menu(message, _("There is no unfinished form. Here is the main menu."), account)


def create_router() -> Router:
    """A fresh router per dispatcher (a router can belong to one dispatcher only)."""
    router = Router(name="form_parking")
    router.message.register(continue_form, Command("lanjut"))
    return router
