"""A small form engine: forms declared as data, run as a pure state machine.

A :class:`Form` (declared in :mod:`conversations.schema`) is a list of :class:`Field` s
(like an ODK XLSForm: kind, name, label, constraint, "ask only if"). The engine keeps
*all* progress in a plain JSON-serialisable dict (:mod:`conversations.form_state`; stored
by the Telegram layer in aiogram FSM storage, so a half-finished form survives a restart)
and never imports aiogram types: it is driven by :class:`Input` s and answers with
:class:`Step` s. This module moves through the form (next, back, skip, change, confirm);
:mod:`conversations.field_input` reads an answer, :mod:`conversations.screens` builds
what is shown.

``handle`` mutates the state dict in place; the caller saves it afterwards.
"""

from __future__ import annotations

import secrets
from datetime import date
from typing import Any

from aiogram.utils.i18n import gettext as _
from aiogram.utils.i18n import lazy_gettext as __

from domain.dates import today_wib

from .field_input import Stay, read_value
from .form_state import default_of, from_state, is_relevant, position, to_state, typed_answers
from .schema import STATE_VERSION, Ask, Cancelled, Confirm, Done, Field, Form, Input, Step
from .screens import question, summary_lines, token_for_text, token_index
from .validators import ValidationError

__all__ = ["current_field", "current_step", "handle", "start"]


def start(
    form: Form,
    initial: dict[str, Any] | None = None,
    context: dict[str, Any] | None = None,
    review: bool = False,
) -> dict[str, Any]:
    """New state. ``initial``: known answers (offered as "Keep"); ``context``: JSON data
    for ``prefill``/``options`` callables (e.g. the account's kecamatan). ``review``: open
    at the summary when ``initial`` answers every question (to change a saved record: the
    person taps "Change" for what differs)."""
    state: dict[str, Any] = {
        "v": STATE_VERSION,
        "form": form.name,
        "run": secrets.token_hex(3),
        "phase": "ask",
        "i": 0,
        "answers": {},
        "history": [],
        "editing": False,
        "sel": [],
        "ctx": dict(context or {}),
    }
    for name, value in (initial or {}).items():
        state["answers"][name] = to_state(form.field(name), value)
    state["editing"] = review  # editing: only unanswered questions are asked
    _goto_next(form, state, 0)
    state["editing"] = False
    return state


def current_step(form: Form, state: dict[str, Any], error: str | None = None) -> Step:
    """The step for the state as it is (e.g. to re-send it after a restart)."""
    phase = state["phase"]
    if phase == "done":
        return Done(typed_answers(form, state["answers"]), form.name, dict(state.get("ctx") or {}))
    if phase == "cancelled":
        return Cancelled(form.name)
    q = question(form, state)
    if phase == "confirm":
        return Confirm(summary_lines(form, state), q, error)
    return Ask(q, error)


def current_field(form: Form, state: dict[str, Any]) -> Field | None:
    """The field being asked, or None on the summary / picker screens."""
    return form.fields[state["i"]] if state["phase"] == "ask" else None


def handle(form: Form, state: dict[str, Any], inp: Input, *, today: date | None = None) -> Step:
    """Apply one input to the state (in place) and say what to show next."""
    if state.get("form") != form.name:
        raise ValueError("state belongs to another form")
    phase = state["phase"]
    if phase in ("done", "cancelled"):
        return current_step(form, state)

    if inp.kind == "text":
        token = token_for_text(form, state, inp.text or "")
        if token is not None:
            inp = Input.button(token)
    elif inp.kind == "button" and (
        (inp.run is not None and inp.run != state["run"])
        or (inp.at is not None and inp.at != position(state))
    ):
        return current_step(
            form,
            state,
            _("That button belongs to an earlier question. Please use the buttons below."),
        )

    if inp.kind == "button" and inp.token == "cancel":
        state["phase"] = "cancelled"
        return Cancelled(form.name)

    try:
        if phase == "confirm":
            return _handle_confirm(form, state, inp)
        if phase == "pick":
            return _handle_pick(form, state, inp)
        return _handle_field(form, state, inp, today or today_wib())
    except ValidationError as exc:
        return current_step(form, state, exc.render())


def _goto_next(form: Form, state: dict[str, Any], start_at: int) -> None:
    """Move to the next field to ask from ``start_at`` on, or to the summary."""
    answers = state["answers"]
    fields = form.fields
    for j in range(len(fields)):
        if not is_relevant(form, state, fields[j]):
            answers.pop(fields[j].name, None)
    candidates = range(start_at, len(fields))
    if state["editing"]:
        candidates = range(len(fields))  # after a change: only what is still unanswered
    for j in candidates:
        f = fields[j]
        if state["editing"] and f.name in answers:
            continue
        if is_relevant(form, state, f):
            _enter_field(form, state, j)
            return
    # end of the form: anything relevant still unanswered (e.g. made relevant by a change)?
    for j, f in enumerate(fields):
        if f.name not in answers and is_relevant(form, state, f):
            _enter_field(form, state, j)
            return
    state["phase"] = "confirm"
    state["editing"] = False
    state["sel"] = []


def _enter_field(form: Form, state: dict[str, Any], j: int) -> None:
    state["phase"] = "ask"
    state["i"] = j
    f = form.fields[j]
    if f.kind == "multi":
        current = default_of(form, state, f)
        state["sel"] = list(current) if current else []
    else:
        state["sel"] = []


def _go_back(form: Form, state: dict[str, Any]) -> Step:
    if state["history"]:
        j = state["history"].pop()
        if not is_relevant(form, state, form.fields[j]):  # relevance changed meanwhile
            return _go_back(form, state)
        _enter_field(form, state, j)
    elif state["editing"]:
        state["editing"] = False
        state["phase"] = "confirm"
        _goto_next(form, state, len(form.fields))
    else:
        raise ValidationError(__("This is the first question."))
    return current_step(form, state)


def _store(form: Form, state: dict[str, Any], f: Field, value: Any) -> Step:
    if value is not None and f.constraint is not None:
        f.constraint(from_state(f, value), typed_answers(form, state["answers"]))
    state["answers"][f.name] = value
    state["history"].append(state["i"])
    _goto_next(form, state, state["i"] + 1)
    return current_step(form, state)


def _handle_confirm(form: Form, state: dict[str, Any], inp: Input) -> Step:
    token = inp.token if inp.kind == "button" else None
    if token == "confirm":
        state["phase"] = "done"
        return Done(typed_answers(form, state["answers"]), form.name, dict(state.get("ctx") or {}))
    if token == "edit":
        state["phase"] = "pick"
        return current_step(form, state)
    if token == "back":
        if not state["history"]:
            raise ValidationError(__("Please use the buttons below."))
        return _go_back(form, state)
    raise ValidationError(__("Please check the answers and tap “Confirm” or “Change”."))


def _handle_pick(form: Form, state: dict[str, Any], inp: Input) -> Step:
    token = inp.token if inp.kind == "button" else None
    if token == "back":
        state["phase"] = "confirm"
        return current_step(form, state)
    if token and token.startswith("editf:"):
        j = token_index(token, len(form.fields))
        if j is not None and form.fields[j].name in state["answers"]:
            state["editing"] = True
            state["history"] = []
            _enter_field(form, state, j)
            return current_step(form, state)
    raise ValidationError(__("Please choose the answer to change with the buttons below."))


def _handle_field(form: Form, state: dict[str, Any], inp: Input, today: date) -> Step:
    f = form.fields[state["i"]]
    token = inp.token if inp.kind == "button" else None
    if token == "back":
        return _go_back(form, state)
    if token == "skip":
        if f.required:
            raise ValidationError(__("This question must be answered."))
        return _store(form, state, f, None)
    if token == "keep" and f.kind not in ("choice", "multi"):
        value = default_of(form, state, f)
        if value is None:
            raise ValidationError(__("There is no earlier answer to keep."))
        return _store(form, state, f, value)
    try:
        value = read_value(form, state, f, inp, today)
    except Stay:
        return current_step(form, state)
    return _store(form, state, f, value)
