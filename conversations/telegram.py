"""Thin aiogram adapter for the form engine: keyboards, inputs, FSM storage.

Routers (written in ``handlers/``) look roughly like::

    @router.callback_query(FormFlow.active, FormCallback.filter())
    async def form_button(cb: CallbackQuery, callback_data: FormCallback, state: FSMContext):
        step = await run_step(cb, state, callback_data)
        if isinstance(step, Done):
            ...  # call the form's submit with step.answers, then answer the person

    @router.message(FormFlow.active)
    async def form_message(message: Message, state: FSMContext):
        step = await run_step(message, state)
        ...

The form's progress lives in FSM data under the key ``"form"`` (a plain JSON dict, see
:mod:`conversations.form_state`); it is removed as soon as the form is done or cancelled,
so NIK/KK values do not linger in storage.
"""

from __future__ import annotations

import logging
import time
from typing import Any

from aiogram.exceptions import TelegramAPIError
from aiogram.filters.callback_data import CallbackData
from aiogram.fsm.context import FSMContext
from aiogram.fsm.state import State, StatesGroup
from aiogram.types import (
    CallbackQuery,
    InlineKeyboardButton,
    InlineKeyboardMarkup,
    KeyboardButton,
    Message,
    ReplyKeyboardMarkup,
    ReplyKeyboardRemove,
)
from aiogram.utils.i18n import gettext as _

from . import messages
from .engine import current_field, current_step, handle, start
from .messages import delete_secret
from .schema import (
    STATE_VERSION,
    Ask,
    Cancelled,
    Confirm,
    Done,
    Input,
    Question,
    Step,
    get_form,
)

log = logging.getLogger(__name__)

STATE_KEY = "form"
# When the form last moved (begun or answered), unix seconds: a feature may ask "continue?"
# when someone comes back to a form left idle for long (e.g. a field visit, days later).
ANSWERED_AT = "at"
REPLY_KB_KEY = "form_rk"  # True while a reply keyboard (contact/location) is on screen
# The FSM state a form was in while it is set aside for another feature (conversations.parking).
PARKED_KEY = "form_parked"
MAX_TEXT = 4096
MAX_CALLBACK_DATA = 64  # bytes, Telegram's limit (aiogram's pack() checks the same)

Markup = InlineKeyboardMarkup | ReplyKeyboardMarkup | None


class FormFlow(StatesGroup):
    active = State()


class FormCallback(CallbackData, prefix="f"):
    """Button of a form question: ``a`` action, ``v`` value (option index), ``q`` question
    position, ``r`` run id. Never carries an answer's value (NIK, names…)."""

    a: str
    v: str = ""
    q: int = 0
    r: str = ""


def _callback(token: str, question: Question) -> str:
    """``FormCallback(a=…, v=…, q=…, r=…).pack()``, written out: every question renders a few
    buttons, and building and dumping a model per button was a visible part of a form step.
    tests/unit/test_form_engine.py checks both give the same data, and the same errors."""
    action, _sep, value = token.partition(":")
    parts = (action, value, str(question.index), question.run or "")
    data = "f:" + ":".join(parts)
    if any(":" in part for part in parts) or len(data.encode()) > MAX_CALLBACK_DATA:
        # aiogram's own pack() raises the error that explains what is wrong
        return FormCallback(a=action, v=value, q=question.index, r=question.run).pack()
    return data


def render(question: Question, error: str | None = None) -> tuple[str, Markup]:
    """Plain text (send with ``parse_mode=None``) and keyboard for a question."""
    text = f"{error}\n\n{question.text}" if error else question.text
    if len(text) > MAX_TEXT:
        text = text[: MAX_TEXT - 1] + "…"
    if question.wants_contact or question.wants_location:
        special = (
            KeyboardButton(text=_("📱 Send my number"), request_contact=True)
            if question.wants_contact
            else KeyboardButton(text=_("📍 Send my location"), request_location=True)
        )
        rows = [[special]] + [
            [KeyboardButton(text=label) for label, _token in row] for row in question.buttons
        ]
        return text, ReplyKeyboardMarkup(
            keyboard=rows, resize_keyboard=True, one_time_keyboard=False, is_persistent=False
        )
    if not question.buttons:
        return text, None
    return text, InlineKeyboardMarkup(
        inline_keyboard=[
            [_button(label, _callback(token, question)) for label, token in row]
            for row in question.buttons
        ]
    )


_BUTTON = InlineKeyboardButton(text="-", callback_data="-")


def _button(label: str, data: str) -> InlineKeyboardButton:
    """A copy of a validated template with the label and data set: both are strings built
    here, and validating each button again was a visible part of a form step (a third of
    building one). tests/unit/test_form_engine.py checks the result equals a validated button."""
    return _BUTTON.model_copy(update={"text": str(label), "callback_data": data})


def input_from_callback(callback_data: FormCallback) -> Input:
    token = f"{callback_data.a}:{callback_data.v}" if callback_data.v else callback_data.a
    return Input.button(token, at=callback_data.q, run=callback_data.r or None)


def input_from_message(message: Message) -> Input:
    if message.contact is not None:
        sender = message.from_user.id if message.from_user else None
        return Input.contact(message.contact.phone_number, message.contact.user_id, sender)
    if message.location is not None:
        return Input.location(message.location.latitude, message.location.longitude)
    if message.photo:
        return Input.photo(message.photo[-1].file_id)
    doc = message.document
    if doc is not None and (doc.mime_type or "").startswith("image/"):
        return Input.photo(doc.file_id)
    if message.text is not None:
        return Input.from_text(message.text)
    return Input.other()


# --------------------------------------------------------------------------- FSM glue


async def begin(
    form_name: str,
    message: Message,
    state: FSMContext,
    initial: dict[str, Any] | None = None,
    context: dict[str, Any] | None = None,
    review: bool = False,
) -> Step:
    """Start ``form_name`` for this chat and send its first question (with ``review``, the
    summary of ``initial`` answers, see :func:`conversations.engine.start`).

    An unfinished form kept from before (set aside, or under way) is replaced, and the first
    message says so: one form at a time keeps what /lanjut and /batal mean simple."""
    form = get_form(form_name)
    form_state = start(form, initial=initial, context=context, review=review)
    data = await state.get_data()
    replaced = bool(data.get(STATE_KEY))
    data.pop(PARKED_KEY, None)
    await state.set_state(FormFlow.active)
    form_state[ANSWERED_AT] = int(time.time())
    await state.set_data({**data, STATE_KEY: form_state})
    step = current_step(form, form_state)
    notice = _("The earlier unfinished form was cancelled.") if replaced else None
    await send_step(message, step, state, notice=notice)
    return step


async def run_step(
    event: Message | CallbackQuery,
    state: FSMContext,
    callback_data: FormCallback | None = None,
    *,
    inp: Input | None = None,
    reply: bool = True,
    today: Any = None,
) -> Step | None:
    """Feed one update (or ``inp``, e.g. ``Input.cancel()`` for a /cancel command) to the
    active form, save the state, show the next screen, and return the Step.

    Returns None when no form is active (e.g. a button of a finished form). On Done and
    Cancelled the form data is removed from FSM storage and the FSM state is cleared;
    on Done the caller submits ``step.answers`` and sends the final message.
    """
    data = await state.get_data()
    form_state = data.get(STATE_KEY)
    form = None
    if form_state and form_state.get("v") == STATE_VERSION:
        try:
            form = get_form(form_state["form"])
        except KeyError:
            form = None
    if form is None or form_state is None:
        await _drop(state)
        if isinstance(event, CallbackQuery):
            await event.answer(_("This form has already ended."))
        return None

    asked = current_field(form, form_state)
    if inp is None:
        if isinstance(event, CallbackQuery):
            inp = input_from_callback(callback_data) if callback_data else Input.other()
        else:
            inp = input_from_message(event)

    step = handle(form, form_state, inp, today=today)
    if isinstance(step, Done | Cancelled):
        await _drop(state)
    else:
        form_state[ANSWERED_AT] = int(time.time())
        # `data` is what was just read: writing it back whole saves update_data's re-read.
        await state.set_data({**data, STATE_KEY: form_state})

    if asked is not None and asked.secret and isinstance(event, Message) and event.text:
        await delete_secret(event)  # NIK / KK must not stay in the chat history (UU PDP)
    if reply:
        await send_step(event, step, state, had_reply_kb=bool(data.get(REPLY_KB_KEY)))
    return step


def idle_seconds(form_state: dict[str, Any]) -> float:
    """How long the form has waited for its next answer (0 for a state saved before this was
    recorded)."""
    at = form_state.get(ANSWERED_AT)
    return max(0.0, time.time() - at) if isinstance(at, int | float) else 0.0


async def show_current(message: Message, state: FSMContext) -> Step | None:
    """Send the current question again (e.g. after /start in the middle of a form)."""
    form_state = (await state.get_data()).get(STATE_KEY)
    if not form_state:
        return None
    try:
        form = get_form(form_state["form"])
    except KeyError:
        await _drop(state)
        return None
    step = current_step(form, form_state)
    await send_step(message, step, state)
    return step


async def send_step(
    event: Message | CallbackQuery,
    step: Step,
    state: FSMContext,
    *,
    had_reply_kb: bool | None = None,
    notice: str | None = None,
) -> None:
    """Show a step: edit the tapped message for buttons, else send a new message.
    ``had_reply_kb``: whether a reply keyboard is on screen, if the caller already knows;
    ``notice``: a line to show above a question sent as a new message."""
    callback = event if isinstance(event, CallbackQuery) else None
    message = callback.message if callback is not None else event
    if callback is not None:
        error = step.error if isinstance(step, Ask | Confirm) else None
        await callback.answer(error or None, show_alert=bool(error))
    if not isinstance(message, Message):  # inaccessible (too old) message
        message = None
    if had_reply_kb is None:
        had_reply_kb = bool((await state.get_data()).get(REPLY_KB_KEY))

    if isinstance(step, Cancelled):
        text = _("Cancelled. Nothing was saved.")
        if callback is not None and message is not None and not had_reply_kb:
            await _edit(message, text, None)
        elif message is not None:
            if callback is not None:
                await _edit_markup(message, None)
            await message.answer(text, reply_markup=ReplyKeyboardRemove(), parse_mode=None)
        await state.update_data({REPLY_KB_KEY: False})
        return
    if isinstance(step, Done):
        if callback is not None and message is not None:
            await _edit_markup(message, None)
        if had_reply_kb and message is not None:
            await _remove_reply_keyboard(message)
        await state.update_data({REPLY_KB_KEY: False})
        return

    text, markup = render(step.question, step.error)
    if notice:
        text = f"{notice}\n\n{text}"
    if message is None:
        return
    if isinstance(markup, ReplyKeyboardMarkup):
        if callback is not None:
            await _edit_markup(message, None)
        await message.answer(text, reply_markup=markup, parse_mode=None)
        await state.update_data({REPLY_KB_KEY: True})
        return
    if had_reply_kb:
        await _remove_reply_keyboard(message)
        await state.update_data({REPLY_KB_KEY: False})
    if callback is not None and not step.error:
        if await _edit(message, text, markup):
            return
    elif callback is not None:
        return  # error already shown as an alert; the screen did not change
    await message.answer(text, reply_markup=markup, parse_mode=None)


# --------------------------------------------------------------------------- helpers


async def _drop(state: FSMContext) -> None:
    data = await state.get_data()
    data.pop(STATE_KEY, None)
    data.pop(PARKED_KEY, None)
    await state.set_data(data)
    await state.set_state(None)


async def _edit(message: Message, text: str, markup: InlineKeyboardMarkup | None) -> bool:
    return await messages.edit_text(message, text, markup)


async def _edit_markup(message: Message, markup: InlineKeyboardMarkup | None) -> None:
    await messages.edit_markup(message, markup)


async def _remove_reply_keyboard(message: Message) -> None:
    """Telegram removes a reply keyboard only with a message; send one and delete it."""
    try:
        sent = await message.answer("⌛", reply_markup=ReplyKeyboardRemove(), parse_mode=None)
        await sent.delete()
    except TelegramAPIError:
        log.info("could not remove the reply keyboard")
