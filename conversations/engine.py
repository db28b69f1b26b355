"""A small form engine: forms declared as data, run as a pure state machine.

A :class:`Form` (declared in :mod:`conversations.schema`) is a list of :class:`Field` s
(like an ODK XLSForm: kind, name, label, constraint, "ask only if"). The engine keeps
*all* progress in a plain JSON-serialisable dict (stored by the Telegram layer in aiogram
FSM storage, so a half-finished form survives a restart) and never imports aiogram
types: it is driven by :class:`Input` s and answers with :class:`Step` s.

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

``handle`` mutates the state dict in place; the caller saves it afterwards.
"""

from __future__ import annotations

import secrets
from datetime import date, time
from typing import Any

from aiogram.utils.i18n import gettext as _
from aiogram.utils.i18n import lazy_gettext as __
from babel.numbers import format_decimal

from domain.dates import format_date_id, format_time_id, today_wib
from domain.identity import mask_id_numbers, mask_number
from domain.money import format_rupiah
from domain.phone import format_phone_national

from .schema import (
    KINDS,
    POS_CONFIRM,
    POS_PICK,
    SECRET_KINDS,
    STATE_VERSION,
    TEXT_KINDS,
    Ask,
    Buttons,
    Cancelled,
    Confirm,
    Done,
    Field,
    Form,
    Input,
    Option,
    Question,
    Step,
    get_form,
    register_form,
)
from .validators import (
    ValidationError,
    check_range,
    parse_date,
    parse_int,
    parse_kk,
    parse_nik,
    parse_phone,
    parse_rupiah,
    parse_time,
)

DEFAULT_MAX_TEXT = 1000
BUTTON_VALUE_CHARS = 40  # value shown inside a "Keep: …" button
SUMMARY_TEXT_CHARS = 200

__all__ = [
    "KINDS",
    "POS_CONFIRM",
    "POS_PICK",
    "STATE_VERSION",
    "Ask",
    "Cancelled",
    "Confirm",
    "Done",
    "Field",
    "Form",
    "Input",
    "Option",
    "Question",
    "Step",
    "current_field",
    "current_step",
    "display_value",
    "get_form",
    "handle",
    "question",
    "register_form",
    "start",
    "summary_lines",
]


class _Stay(Exception):
    """Internal: the input changed the question (multi toggle) but did not answer it."""


# --------------------------------------------------------------------------- helpers


def _typed(form: Form, answers: dict[str, Any]) -> dict[str, Any]:
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


def _to_state(f: Field, value: Any) -> Any:
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, time):
        return value.strftime("%H:%M")
    if f.kind == "location" and isinstance(value, tuple | list):
        return {"lat": float(value[0]), "lon": float(value[1])}
    if f.kind == "multi" and value is not None:
        return list(value)
    return value


def _options(form: Form, state: dict[str, Any], f: Field) -> list[Option]:
    opts = f.options
    if callable(opts):
        opts = opts(_typed(form, state["answers"]), state.get("ctx") or {})
    return list(opts)


def _relevant(form: Form, state: dict[str, Any], f: Field) -> bool:
    return f.ask_if is None or bool(f.ask_if(_typed(form, state["answers"])))


def _default(form: Form, state: dict[str, Any], f: Field) -> Any:
    """Current answer if any, else the prefill; None when there is nothing to keep."""
    answers = state["answers"]
    if answers.get(f.name) is not None:
        return answers[f.name]
    if f.prefill is not None:
        value = f.prefill(_typed(form, answers), state.get("ctx") or {})
        return _to_state(f, value)
    return None


def _clip(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"


def display_value(form: Form, state: dict[str, Any], f: Field, value: Any) -> str:
    """Human form of a stored answer (NIK/KK masked, rupiah, Indonesian dates…)."""
    if value is None or value == []:
        return "—"
    kind = f.kind
    if kind in ("choice", "multi"):
        labels = {o.value: str(o.label) for o in _options(form, state, f)}
        values = value if kind == "multi" else [value]
        return ", ".join(labels.get(v, str(v)) for v in values)
    if f.secret or kind in SECRET_KINDS:
        return mask_number(str(value))
    if kind == "rupiah":
        return format_rupiah(int(value))
    if kind == "integer":
        return format_decimal(int(value), locale="id")
    if kind == "date":
        return format_date_id(date.fromisoformat(value) if isinstance(value, str) else value)
    if kind == "time":
        return format_time_id(time.fromisoformat(value) if isinstance(value, str) else value)
    if kind == "phone":
        return format_phone_national(str(value))
    if kind == "photo":
        return _("✓ photo")
    if kind == "location":
        return _("✓ location")
    return str(value)


def _pos(state: dict[str, Any]) -> int:
    phase = state["phase"]
    if phase == "confirm":
        return POS_CONFIRM
    if phase == "pick":
        return POS_PICK
    return int(state["i"])


# --------------------------------------------------------------------------- public API


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
        state["answers"][name] = _to_state(form.field(name), value)
    state["editing"] = review  # editing: only unanswered questions are asked
    _goto_next(form, state, 0)
    state["editing"] = False
    return state


def question(form: Form, state: dict[str, Any]) -> Question:
    """The screen for the current state (a field, the summary, or the field picker)."""
    phase = state["phase"]
    if phase == "confirm":
        return _confirm_question(form, state)
    if phase == "pick":
        return _pick_question(form, state)
    return _field_question(form, state)


def summary_lines(form: Form, state: dict[str, Any]) -> list[str]:
    """One "label: value" line per answered (and still relevant) field."""
    lines = []
    for f in form.fields:
        if f.name in state["answers"] and _relevant(form, state, f):
            value = display_value(form, state, f, state["answers"][f.name])
            lines.append(f"{f.label}: {_clip(value, SUMMARY_TEXT_CHARS)}")
    return lines


def current_step(form: Form, state: dict[str, Any], error: str | None = None) -> Step:
    """The step for the state as it is (e.g. to re-send it after a restart)."""
    phase = state["phase"]
    if phase == "done":
        return Done(_typed(form, state["answers"]), form.name, dict(state.get("ctx") or {}))
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
        token = _token_for_text(form, state, inp.text or "")
        if token is not None:
            inp = Input.button(token)
    elif inp.kind == "button" and (
        (inp.run is not None and inp.run != state["run"])
        or (inp.at is not None and inp.at != _pos(state))
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


# --------------------------------------------------------------------------- navigation


def _goto_next(form: Form, state: dict[str, Any], start_at: int) -> None:
    """Move to the next field to ask from ``start_at`` on, or to the summary."""
    answers = state["answers"]
    fields = form.fields
    for j in range(len(fields)):
        if not _relevant(form, state, fields[j]):
            answers.pop(fields[j].name, None)
    candidates = range(start_at, len(fields))
    if state["editing"]:
        candidates = range(len(fields))  # after a change: only what is still unanswered
    for j in candidates:
        f = fields[j]
        if state["editing"] and f.name in answers:
            continue
        if _relevant(form, state, f):
            _enter_field(form, state, j)
            return
    # end of the form: anything relevant still unanswered (e.g. made relevant by a change)?
    for j, f in enumerate(fields):
        if f.name not in answers and _relevant(form, state, f):
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
        current = _default(form, state, f)
        state["sel"] = list(current) if current else []
    else:
        state["sel"] = []


def _go_back(form: Form, state: dict[str, Any]) -> Step:
    if state["history"]:
        j = state["history"].pop()
        if not _relevant(form, state, form.fields[j]):  # relevance changed meanwhile
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
        f.constraint(_from_state(f, value), _typed(form, state["answers"]))
    state["answers"][f.name] = value
    state["history"].append(state["i"])
    _goto_next(form, state, state["i"] + 1)
    return current_step(form, state)


def _from_state(f: Field, value: Any) -> Any:
    if f.kind == "date" and isinstance(value, str):
        return date.fromisoformat(value)
    if f.kind == "time" and isinstance(value, str):
        return time.fromisoformat(value)
    return value


# --------------------------------------------------------------------------- phases


def _handle_confirm(form: Form, state: dict[str, Any], inp: Input) -> Step:
    token = inp.token if inp.kind == "button" else None
    if token == "confirm":
        state["phase"] = "done"
        return Done(_typed(form, state["answers"]), form.name, dict(state.get("ctx") or {}))
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
        j = _index(token, len(form.fields))
        if j is not None and form.fields[j].name in state["answers"]:
            state["editing"] = True
            state["history"] = []
            _enter_field(form, state, j)
            return current_step(form, state)
    raise ValidationError(__("Please choose the answer to change with the buttons below."))


def _index(token: str, size: int) -> int | None:
    try:
        j = int(token.split(":", 1)[1])
    except (IndexError, ValueError):
        return None
    return j if 0 <= j < size else None


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
        value = _default(form, state, f)
        if value is None:
            raise ValidationError(__("There is no earlier answer to keep."))
        return _store(form, state, f, value)
    try:
        value = _read_value(form, state, f, inp, today)
    except _Stay:
        return current_step(form, state)
    return _store(form, state, f, value)


def _read_value(form: Form, state: dict[str, Any], f: Field, inp: Input, today: date) -> Any:
    kind = f.kind
    token = inp.token if inp.kind == "button" else None

    if kind == "choice":
        options = _options(form, state, f)
        if token and token.startswith("pick:"):
            j = _index(token, len(options))
            if j is not None:
                return options[j].value
        raise ValidationError(__("Please choose one of the options with the buttons."))

    if kind == "multi":
        options = _options(form, state, f)
        if token and token.startswith("tog:"):
            j = _index(token, len(options))
            if j is not None:
                value = options[j].value
                sel = state["sel"]
                if value in sel:
                    sel.remove(value)
                else:
                    sel.append(value)
                raise _Stay
        if token == "done":
            order = [o.value for o in options]
            chosen = [v for v in order if v in state["sel"]]
            if f.required and not chosen:
                raise ValidationError(__("Please choose at least one option, then tap “Done”."))
            if chosen:
                check_range(len(chosen), f.min, f.max)
            return chosen
        raise ValidationError(__("Please tap the options that apply, then tap “Done”."))

    if kind == "photo":
        if inp.kind == "photo" and inp.file_id:
            return inp.file_id
        raise ValidationError(__("Please send a photo."))

    if kind == "location":
        if inp.kind == "location" and inp.lat is not None and inp.lon is not None:
            return _location(inp.lat, inp.lon)
        if inp.kind == "text":
            return _location_from_text(inp.text or "")
        raise ValidationError(__("Please share the location with the button below."))

    if kind == "phone" and inp.kind == "contact":
        if inp.user_id is None or inp.user_id != inp.sender_id:
            raise ValidationError(
                __(
                    "That is someone else's contact. Please tap the button to send your own "
                    "number, or type the number."
                )
            )
        return parse_phone(inp.phone or "")

    if inp.kind != "text":
        raise ValidationError(__("Please type the answer."))
    text = inp.text or ""

    if kind == "integer":
        return parse_int(text, f.min, f.max)
    if kind == "rupiah":
        amount = parse_rupiah(text)
        check_range(amount, f.min, f.max, fmt=format_rupiah)
        return amount
    if kind == "nik":
        return parse_nik(text)
    if kind == "kk":
        return parse_kk(text)
    if kind == "phone":
        return parse_phone(text)
    if kind == "date":
        return parse_date(text, today, f.min, f.max).isoformat()
    if kind == "time":
        return parse_time(text).strftime("%H:%M")
    # text. A NIK/KK typed into free text is kept only masked: in the form's state, its
    # summary, and whatever the form's submit stores or sends on (handlers.number_guard
    # deletes the message itself).
    clean = mask_id_numbers(" ".join(text.split()))
    if not clean:
        raise ValidationError(__("Please type the answer."))
    min_len = f.min_length or 1
    max_len = f.max_length or DEFAULT_MAX_TEXT
    if len(clean) < min_len:
        raise ValidationError(__("Please type at least {count} characters."), count=min_len)
    if len(clean) > max_len:
        raise ValidationError(
            __("That is too long: at most {count} characters, please."), count=max_len
        )
    return clean


def _location(lat: float, lon: float) -> dict[str, float]:
    if not (-90 <= lat <= 90 and -180 <= lon <= 180):
        raise ValidationError(__("Please share the location with the button below."))
    return {"lat": round(float(lat), 6), "lon": round(float(lon), 6)}


def _location_from_text(text: str) -> dict[str, float]:
    """'-6.2615, 107.1528' (as copied from a map app) is accepted too."""
    parts = text.replace(";", ",").split(",")
    if len(parts) == 2:
        try:
            return _location(float(parts[0]), float(parts[1]))
        except ValueError:
            pass
    raise ValidationError(__("Please share the location with the button below."))


# --------------------------------------------------------------------------- screens


def _nav_row(state: dict[str, Any], *, back: bool, skip: bool) -> list[tuple[str, str]]:
    row = []
    if back:
        row.append((_("« Back"), "back"))
    if skip:
        row.append((_("Skip"), "skip"))
    row.append((_("Cancel"), "cancel"))
    return row


def _columns(labels: list[str], wanted: int | None) -> int:
    if wanted:
        return wanted
    longest = max((len(x) for x in labels), default=0)
    if longest <= 12:
        return 3
    if longest <= 22:
        return 2
    return 1


def _rows(items: list[tuple[str, str]], columns: int) -> Buttons:
    return [items[k : k + columns] for k in range(0, len(items), columns)]


def _field_question(form: Form, state: dict[str, Any]) -> Question:
    f = form.fields[state["i"]]
    can_back = bool(state["history"]) or state["editing"]
    can_skip = not f.required
    parts = []
    if not state["history"] and not state["editing"]:
        parts.append(str(form.title))
    parts.append(str(f.label))
    if f.help:
        parts.append(str(f.help))

    buttons: Buttons = []
    default = _default(form, state, f)
    if f.kind in ("choice", "multi"):
        options = _options(form, state, f)
        if f.kind == "choice":
            items = [
                (("✅ " if o.value == default else "") + str(o.label), f"pick:{k}")
                for k, o in enumerate(options)
            ]
        else:
            sel = set(state["sel"])
            items = [
                (("✅ " if o.value in sel else "◻️ ") + str(o.label), f"tog:{k}")
                for k, o in enumerate(options)
            ]
            parts.append(_("Tap all that apply, then tap “Done”."))
        buttons = _rows(items, _columns([str(o.label) for o in options], f.columns))
        if f.kind == "multi":
            buttons.append([(_("Done"), "done")])
    elif default is not None:
        shown = _clip(display_value(form, state, f, default), BUTTON_VALUE_CHARS)
        buttons.append([(_("Keep: {value}").format(value=shown), "keep")])
    if f.kind == "photo":
        parts.append(_("Send a photo (tap 📎, then Camera or Gallery)."))
    elif f.kind == "location":
        parts.append(_("Tap “📍 Send my location” below, or send a location from 📎."))
    buttons.append(_nav_row(state, back=can_back, skip=can_skip))

    return Question(
        text="\n\n".join(parts),
        buttons=buttons,
        index=state["i"],
        run=state["run"],
        field=f.name,
        kind=f.kind,
        can_go_back=can_back,
        can_skip=can_skip,
        wants_photo=f.kind == "photo",
        wants_location=f.kind == "location",
        wants_contact=f.kind == "phone" and f.share_contact,
        wants_text=f.kind in TEXT_KINDS,
        secret=bool(f.secret),
    )


def _confirm_question(form: Form, state: dict[str, Any]) -> Question:
    lines = summary_lines(form, state)
    title = form.summary_title or _("Please check your answers:")
    text = str(title) + "\n\n" + "\n".join(lines)
    if form.summary_note is not None:
        note = form.summary_note(_typed(form, state["answers"]), state.get("ctx") or {})
        if note:
            text += "\n\n" + note
    buttons: Buttons = [
        [(_("✅ Confirm"), "confirm")],
        [(_("✏️ Change"), "edit")],
        _nav_row(state, back=bool(state["history"]), skip=False),
    ]
    return Question(
        text=text,
        buttons=buttons,
        index=POS_CONFIRM,
        run=state["run"],
        can_go_back=bool(state["history"]),
    )


def _pick_question(form: Form, state: dict[str, Any]) -> Question:
    items = [
        (_clip(str(f.label), 40), f"editf:{j}")
        for j, f in enumerate(form.fields)
        if f.name in state["answers"] and _relevant(form, state, f)
    ]
    buttons = _rows(items, _columns([label for label, _t in items], None))
    buttons.append(_nav_row(state, back=True, skip=False))
    return Question(
        text=_("Which answer do you want to change?"),
        buttons=buttons,
        index=POS_PICK,
        run=state["run"],
        can_go_back=True,
    )


def _token_for_text(form: Form, state: dict[str, Any], text: str) -> str | None:
    """Typed text equal to a button label (or an option label) counts as that button.

    This makes reply keyboards (phone / location questions) and typing "Lewati" work.
    """
    wanted = " ".join(text.split()).casefold()
    if not wanted:
        return None
    q = question(form, state)
    for row in q.buttons:
        for label, token in row:
            if label.casefold() == wanted:
                return token
    if state["phase"] == "ask":
        f = form.fields[state["i"]]
        if f.kind in ("choice", "multi"):
            prefix = "pick" if f.kind == "choice" else "tog"
            for k, o in enumerate(_options(form, state, f)):
                if str(o.label).casefold() == wanted or o.value.casefold() == wanted:
                    return f"{prefix}:{k}"
    return None
