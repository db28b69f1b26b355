"""A form's progress: one plain JSON-serialisable dict, and its answers read back as values.

The engine (:mod:`conversations.engine`) keeps *all* progress in this dict, stored by the
Telegram layer in aiogram FSM storage, so a half-finished form survives a restart.

State dict (``v`` = format version)::

    {"v": 1, "form": "self_report", "run": "a1b2c3", "phase": "ask", "i": 3,
     "answers": {"name": value, ...}, "history": [0, 1, 2], "editing": false,
     "sel": [...], "ctx": {...}}

Answers in the state are JSON values: choice -> option value (str), multi -> list of
option values, integer/rupiah -> int, text/nik/kk -> str, phone -> E.164 str,
date -> ISO "YYYY-MM-DD", time -> "HH:MM" (WIB), photo -> Telegram file_id,
location -> {"lat": .., "lon": ..},
skipped optional field -> None. Callables (``ask_if``, ``prefill``, ``options``,
``constraint``) and :class:`Done` receive *typed* answers (dates as ``datetime.date``,
times as ``datetime.time``).
"""

from __future__ import annotations

from datetime import date, time
from typing import Any

from .schema import POS_CONFIRM, POS_PICK, Field, Form, Option


def typed_answers(form: Form, answers: dict[str, Any]) -> dict[str, Any]:
    """State answers -> values for callables and Done (ISO dates -> date)."""
    out: dict[str, Any] = {}
    for name, value in answers.items():
        try:
            kind = form.field(name).kind
        except KeyError:
            kind = None
        if kind == "date" and isinstance(value, str):
            value = date.fromisoformat(value)
        elif kind == "time" and isinstance(value, str):
            value = time.fromisoformat(value)
        elif kind == "multi" and value is not None:
            value = list(value)
        out[name] = value
    return out


def to_state(f: Field, value: Any) -> Any:
    """A typed value (a date, a time, a location pair…) -> its JSON form in the state."""
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, time):
        return value.strftime("%H:%M")
    if f.kind == "location" and isinstance(value, tuple | list):
        return {"lat": float(value[0]), "lon": float(value[1])}
    if f.kind == "multi" and value is not None:
        return list(value)
    return value


def from_state(f: Field, value: Any) -> Any:
    """One stored answer -> the typed value a constraint receives."""
    if f.kind == "date" and isinstance(value, str):
        return date.fromisoformat(value)
    if f.kind == "time" and isinstance(value, str):
        return time.fromisoformat(value)
    return value


def options_of(form: Form, state: dict[str, Any], f: Field) -> list[Option]:
    """The field's options now (a callable gets the answers so far and the context)."""
    opts = f.options
    if callable(opts):
        opts = opts(typed_answers(form, state["answers"]), state.get("ctx") or {})
    return list(opts)


def is_relevant(form: Form, state: dict[str, Any], f: Field) -> bool:
    """Whether the field is asked, given the answers so far (its ``ask_if``)."""
    return f.ask_if is None or bool(f.ask_if(typed_answers(form, state["answers"])))


def default_of(form: Form, state: dict[str, Any], f: Field) -> Any:
    """Current answer if any, else the prefill; None when there is nothing to keep."""
    answers = state["answers"]
    if answers.get(f.name) is not None:
        return answers[f.name]
    if f.prefill is not None:
        value = f.prefill(typed_answers(form, answers), state.get("ctx") or {})
        return to_state(f, value)
    return None


def position(state: dict[str, Any]) -> int:
    """The screen on show as a button carries it: a field's index, POS_CONFIRM or POS_PICK."""
    phase = state["phase"]
    if phase == "confirm":
        return POS_CONFIRM
    if phase == "pick":
        return POS_PICK
    return int(state["i"])
