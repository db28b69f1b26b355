"""Routes every answer of an active form to the form engine; submits on confirmation.

A form is declared as data in `conversations/` (its questions only); what it does when
submitted belongs to the feature's handler module, which registers it with
`on_submit(FORM_NAME)` (a form without one just says "Saved. Thank you."). A submit is
`async def submit(answers: dict, data: dict) -> str`: `data` is the update's context (session,
account, settings, bot, protector, and the FSM `state`, e.g. for values a feature kept beside
the form) and `form_context` (the `context` the form was started with, e.g. which household a
visit is about or which record a change form edits); it writes through a use case and returns
the text to thank the person with. The unit of work commits after it returns.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

from aiogram import Router
from aiogram.filters import StateFilter
from aiogram.fsm.context import FSMContext
from aiogram.types import CallbackQuery, InlineKeyboardMarkup, Message
from aiogram.utils.i18n import gettext as _

from conversations import Done, FormCallback, FormFlow, get_form, run_step
from conversations.engine import current_field
from conversations.parking import unpark
from conversations.telegram import STATE_KEY
from db.models.accounts import Account
from domain.identity import has_id_number
from handlers.access import may_submit
from handlers.keyboards import main_menu
from handlers.number_guard import guard_numbers, typed_text

FOLLOW_UPS = "follow_ups"  # in a submit's data: [(text, inline keyboard)] sent after the thanks
Submit = Callable[[dict[str, Any], dict[str, Any]], Awaitable[str]]
_SUBMITS: dict[str, Submit] = {}


def on_submit(form_name: str) -> Callable[[Submit], Submit]:
    """Register what the form `form_name` does when the person confirms it."""

    def register(submit: Submit) -> Submit:
        _SUBMITS[form_name] = submit
        return submit

    return register


async def _finish(step: Any, event: Message | CallbackQuery, data: dict[str, Any]) -> None:
    if not isinstance(step, Done):
        return
    account: Account = data["account"]
    form = get_form(step.form)
    target = event.message if isinstance(event, CallbackQuery) else event
    target = target if isinstance(target, Message) else None
    # The one place every form is submitted: a role-gated form checks the role again here.
    if not await may_submit(target, data, form.name, form.roles, form.consent):
        return
    # A submit may leave follow-up messages with their own buttons (after the thanks).
    follow_ups: list[tuple[str, InlineKeyboardMarkup]] = []
    data = {**data, "form_context": step.context, FOLLOW_UPS: follow_ups}
    submit = _SUBMITS.get(form.name)
    text = await submit(step.answers, data) if submit else _("Saved. Thank you.")
    if target is not None:
        await target.answer(text, reply_markup=main_menu(account))
        for follow_up, markup in follow_ups:
            await target.answer(follow_up, reply_markup=markup)


async def form_button(
    query: CallbackQuery, callback_data: FormCallback, state: FSMContext, **data: Any
) -> None:
    if data.get("raw_state") is None:
        # A tap on a button of a form set aside for another feature takes the form up again.
        await unpark(state)
    step = await run_step(query, state, callback_data)
    await _finish(step, query, {**data, "state": state})


async def form_answer(message: Message, state: FSMContext, **data: Any) -> None:
    if has_id_number(typed_text(message)) and not await _asks_for_a_number(state):
        # A NIK/KK typed into a note, a description, a correction request...: the engine
        # keeps only its masked form (conversations.field_input), and the message goes.
        await guard_numbers(message)
    step = await run_step(message, state)
    await _finish(step, message, {**data, "state": state})


async def _asks_for_a_number(state: FSMContext) -> bool:
    """The question on screen is a NIK/KK field: it deletes the answer itself."""
    form_state = (await state.get_data()).get(STATE_KEY)
    if not form_state:
        return False
    try:
        asked = current_field(get_form(form_state["form"]), form_state)
    except KeyError:
        return False
    return asked is not None and bool(asked.secret)


def create_router() -> Router:
    """A fresh router per dispatcher (a router can belong to one dispatcher only)."""
    router = Router(name="forms")
    router.callback_query.register(form_button, FormCallback.filter())
    router.message.register(form_answer, StateFilter(FormFlow.active))
    return router
