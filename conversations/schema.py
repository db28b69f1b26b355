"""Declarations of forms and the values exchanged with the engine.

:class:`Form` / :class:`Field` / :class:`Option` describe questions as data (like ODK's
XLSForm); :class:`Input` is what a person did, :class:`Question` what to show, and
:class:`Ask` / :class:`Confirm` / :class:`Done` / :class:`Cancelled` the engine's answers.
No aiogram objects here.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

STATE_VERSION = 1

KINDS = frozenset(
    {"choice", "multi", "integer", "rupiah", "text", "nik", "kk", "phone", "date", "time",
     "photo", "location"}
)  # fmt: skip
TEXT_KINDS = frozenset({"integer", "rupiah", "text", "nik", "kk", "phone", "date", "time"})
SECRET_KINDS = frozenset({"nik", "kk"})

# Positions used in button tokens for the non-field screens.
POS_CONFIRM = -1
POS_PICK = -2


# --------------------------------------------------------------------------- declarations


@dataclass(frozen=True)
class Option:
    """One choice. ``value`` is what gets stored; ``label`` (lazy gettext) is shown."""

    value: str
    label: Any


OptionsSource = Sequence[Option] | Callable[[dict[str, Any], dict[str, Any]], Sequence[Option]]


@dataclass(frozen=True)
class Field:
    """One question.

    ``question``: what is asked (a sentence, lazy gettext). ``label``: a short name of the
    answer (2–4 words), for the summary and the "which answer to change" buttons, where the
    whole question would make a long message; without one they show the question clipped.
    ``ask_if(answers) -> bool``: when False the field is skipped and any earlier answer
    to it removed. ``prefill(answers, context) -> value``: a default offered as a
    "Keep: <value>" button. ``options`` may be a list or a callable(answers, context).
    ``min``/``max``: numeric bounds (integer, rupiah), number of selections (multi), or
    dates / callables(today) -> date (date). ``constraint(value, answers)`` may raise
    :class:`ValidationError` for extra rules. ``secret`` (default True for nik/kk): the
    value never appears in buttons or the summary unmasked, and the Telegram layer
    deletes the person's message that carried it. ``share_contact`` (phone): offer
    Telegram's "share my number" button. ``columns``: option buttons per row (auto).
    """

    name: str
    kind: str
    question: Any
    options: OptionsSource = ()
    label: Any = None
    required: bool = True
    ask_if: Callable[[dict[str, Any]], bool] | None = None
    min: Any = None
    max: Any = None
    max_length: int | None = None
    min_length: int | None = None
    prefill: Callable[[dict[str, Any], dict[str, Any]], Any] | None = None
    help: Any = None
    secret: bool | None = None
    constraint: Callable[[Any, dict[str, Any]], None] | None = None
    share_contact: bool = True
    columns: int | None = None

    def __post_init__(self) -> None:
        if self.kind not in KINDS:
            raise ValueError(f"unknown field kind {self.kind!r} for {self.name!r}")
        if self.secret is None:
            object.__setattr__(self, "secret", self.kind in SECRET_KINDS)
        if self.kind in ("choice", "multi") and not callable(self.options) and not self.options:
            raise ValueError(f"field {self.name!r} needs options")


@dataclass(frozen=True)
class Form:
    """A named list of fields: questions only. What a confirmed form does is registered by the
    feature's handler (``handlers.forms.on_submit``)."""

    name: str
    title: Any
    fields: Sequence[Field]
    summary_title: Any = None  # default: "Please check your answers:"
    # summary_note(answers, context) -> str: a line shown under the summary (e.g. how many
    # households a schedule reaches, computed before the form started).
    summary_note: Callable[[dict[str, Any], dict[str, Any]], str] | None = None
    # Who may submit it (None: anyone) and whether consent is needed: checked again on the
    # submit step (handlers.forms), since the role may be taken away while the form is open.
    roles: frozenset[str] | None = None
    consent: bool = False

    def __post_init__(self) -> None:
        names = [f.name for f in self.fields]
        if len(set(names)) != len(names):
            raise ValueError(f"form {self.name!r} has duplicate field names")
        if not names:
            raise ValueError(f"form {self.name!r} has no fields")
        object.__setattr__(self, "fields", tuple(self.fields))

    def field(self, name: str) -> Field:
        for f in self.fields:
            if f.name == name:
                return f
        raise KeyError(name)


_REGISTRY: dict[str, Form] = {}


def register_form(form: Form) -> Form:
    """Make ``form`` findable by name (the FSM state stores only the name)."""
    existing = _REGISTRY.get(form.name)
    if existing is not None and existing is not form:
        raise ValueError(f"another form is already registered as {form.name!r}")
    _REGISTRY[form.name] = form
    return form


def get_form(name: str) -> Form:
    return _REGISTRY[name]


# --------------------------------------------------------------------------- inputs / steps


@dataclass(frozen=True)
class Input:
    """Something the person did. Build with the class methods.

    ``at``/``run`` come from the button's callback data and let the engine spot a tap on
    a button of an older question or an older run of the form.
    """

    kind: str  # text | button | photo | location | contact | other
    text: str | None = None
    token: str | None = None
    at: int | None = None
    run: str | None = None
    file_id: str | None = None
    lat: float | None = None
    lon: float | None = None
    phone: str | None = None
    user_id: int | None = None
    sender_id: int | None = None

    @classmethod
    def from_text(cls, text: str) -> Input:
        return cls("text", text=text)

    @classmethod
    def button(cls, token: str, at: int | None = None, run: str | None = None) -> Input:
        return cls("button", token=token, at=at, run=run)

    @classmethod
    def photo(cls, file_id: str) -> Input:
        return cls("photo", file_id=file_id)

    @classmethod
    def location(cls, lat: float, lon: float) -> Input:
        return cls("location", lat=lat, lon=lon)

    @classmethod
    def contact(cls, phone: str, user_id: int | None, sender_id: int | None) -> Input:
        return cls("contact", phone=phone, user_id=user_id, sender_id=sender_id)

    @classmethod
    def other(cls) -> Input:
        return cls("other")

    # navigation shortcuts
    @classmethod
    def back(cls) -> Input:
        return cls.button("back")

    @classmethod
    def skip(cls) -> Input:
        return cls.button("skip")

    @classmethod
    def cancel(cls) -> Input:
        return cls.button("cancel")

    @classmethod
    def confirm(cls) -> Input:
        return cls.button("confirm")

    @classmethod
    def edit(cls) -> Input:
        return cls.button("edit")

    @classmethod
    def keep(cls) -> Input:
        return cls.button("keep")

    @classmethod
    def done(cls) -> Input:
        return cls.button("done")


Buttons = list[list[tuple[str, str]]]


@dataclass(frozen=True)
class Question:
    """What to show. ``buttons``: rows of (label, token). ``index``: field position, or
    POS_CONFIRM / POS_PICK; with ``run`` it goes into callback data."""

    text: str
    buttons: Buttons
    index: int
    run: str
    field: str | None = None
    kind: str | None = None
    can_go_back: bool = False
    can_skip: bool = False
    wants_photo: bool = False
    wants_location: bool = False
    wants_contact: bool = False
    wants_text: bool = False
    secret: bool = False


@dataclass(frozen=True)
class Ask:
    question: Question
    error: str | None = None


@dataclass(frozen=True)
class Confirm:
    summary_lines: list[str]
    question: Question
    error: str | None = None


@dataclass(frozen=True)
class Done:
    answers: dict[str, Any]
    form: str
    # The form's context (``start(..., context=)``), e.g. which household a visit is about:
    # the state is dropped once the form is done, so submit gets it from here.
    context: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class Cancelled:
    form: str


Step = Ask | Confirm | Done | Cancelled
