"""What the person sees at each step of a form: the question of a field with its buttons, the
summary to confirm, the picker of an answer to change; and typed text that matches a button.

Buttons carry tokens the engine reads back: ``pick:<k>`` (a choice), ``tog:<k>`` (a multi
toggle), ``editf:<j>`` (the field to change), and back / skip / cancel / keep / done /
confirm / edit.
"""

from __future__ import annotations

from datetime import date, time
from typing import Any

from aiogram.utils.i18n import gettext as _
from babel.numbers import format_decimal

from domain.dates import format_date_id, format_time_id
from domain.identity import mask_number
from domain.money import format_rupiah
from domain.phone import format_phone_national

from .form_state import default_of, is_relevant, options_of, typed_answers
from .schema import POS_CONFIRM, POS_PICK, SECRET_KINDS, TEXT_KINDS, Buttons, Field, Form, Question

BUTTON_VALUE_CHARS = 40  # value shown inside a "Keep: …" button
SUMMARY_TEXT_CHARS = 200
LABEL_CHARS = 40  # a field's name in the summary and on its "change" button


def clip(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"


def short_label(f: Field) -> str:
    """The field's short name; a field declared without one shows its question, clipped."""
    return str(f.label) if f.label is not None else clip(str(f.question), LABEL_CHARS)


def display_value(form: Form, state: dict[str, Any], f: Field, value: Any) -> str:
    """Human form of a stored answer (NIK/KK masked, rupiah, Indonesian dates…)."""
    if value is None or value == []:
        return "—"
    kind = f.kind
    if kind in ("choice", "multi"):
        labels = {o.value: str(o.label) for o in options_of(form, state, f)}
        values = value if kind == "multi" else [value]
        return ", ".join(labels.get(v, str(v)) for v in values)
    if f.secret or kind in SECRET_KINDS:
        return mask_number(str(value))
    if kind == "rupiah":
        # "Rp0" reads like a missing figure; no income is a real answer, said in words.
        return format_rupiah(int(value)) if int(value) else _("none (zero rupiah)")
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


def summary_lines(form: Form, state: dict[str, Any]) -> list[str]:
    """One "label: value" line per answered (and still relevant) field."""
    lines = []
    for f in form.fields:
        if f.name in state["answers"] and is_relevant(form, state, f):
            value = display_value(form, state, f, state["answers"][f.name])
            lines.append(f"{short_label(f)}: {clip(value, SUMMARY_TEXT_CHARS)}")
    return lines


def question(form: Form, state: dict[str, Any]) -> Question:
    """The screen for the current state (a field, the summary, or the field picker)."""
    phase = state["phase"]
    if phase == "confirm":
        return _confirm_question(form, state)
    if phase == "pick":
        return _pick_question(form, state)
    return _field_question(form, state)


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
    parts.append(str(f.question))
    if f.help:
        parts.append(str(f.help))

    buttons: Buttons = []
    default = default_of(form, state, f)
    if f.kind in ("choice", "multi"):
        options = options_of(form, state, f)
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
        shown = clip(display_value(form, state, f, default), BUTTON_VALUE_CHARS)
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
        note = form.summary_note(typed_answers(form, state["answers"]), state.get("ctx") or {})
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
        (short_label(f), f"editf:{j}")
        for j, f in enumerate(form.fields)
        if f.name in state["answers"] and is_relevant(form, state, f)
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


def token_for_text(form: Form, state: dict[str, Any], text: str) -> str | None:
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
            for k, o in enumerate(options_of(form, state, f)):
                if str(o.label).casefold() == wanted or o.value.casefold() == wanted:
                    return f"{prefix}:{k}"
    return None


def token_index(token: str, size: int) -> int | None:
    try:
        j = int(token.split(":", 1)[1])
    except (IndexError, ValueError):
        return None
    return j if 0 <= j < size else None
