"""What a person's input means for the field asked: a tapped option, a typed number, rupiah,
NIK/KK, phone, date or time, a photo, a location; the value to store, or a ValidationError."""

from __future__ import annotations

from datetime import date
from typing import Any

from aiogram.utils.i18n import lazy_gettext as __

from domain.identity import mask_id_numbers
from domain.money import format_rupiah

from .form_state import options_of
from .schema import Field, Form, Input
from .screens import token_index
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


class Stay(Exception):
    """Internal: the input changed the question (multi toggle) but did not answer it."""


def read_value(form: Form, state: dict[str, Any], f: Field, inp: Input, today: date) -> Any:
    kind = f.kind
    token = inp.token if inp.kind == "button" else None

    if kind == "choice":
        options = options_of(form, state, f)
        if token and token.startswith("pick:"):
            j = token_index(token, len(options))
            if j is not None:
                return options[j].value
        raise ValidationError(__("Please choose one of the options with the buttons."))

    if kind == "multi":
        options = options_of(form, state, f)
        if token and token.startswith("tog:"):
            j = token_index(token, len(options))
            if j is not None:
                value = options[j].value
                sel = state["sel"]
                if value in sel:
                    sel.remove(value)
                else:
                    sel.append(value)
                raise Stay
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
