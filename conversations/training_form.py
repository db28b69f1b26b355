"""The staff form for a training (new or changed) and the texts about a training.

A change form starts at its summary (`begin(..., review=True)`) with the training's id in
its context; a changed training is announced to everyone signed up."""

from __future__ import annotations

import datetime as dt
from typing import Any

from aiogram.utils.i18n import gettext as _
from aiogram.utils.i18n import lazy_gettext as __

from conversations.schema import Field, Form, register_form
from conversations.validators import ValidationError, format_datetime_id
from db.models.aid import Training
from domain.dates import format_date_long, to_wib, wib_datetime
from domain.roles import STAFF

FORM_NAME = "staff_training"
END_OF_DAY = dt.time(23, 59)


def _start_not_past(value: dt.time, answers: dict[str, Any]) -> None:
    day = answers.get("start_date")
    if day is not None and wib_datetime(day, value) <= dt.datetime.now(dt.UTC):
        raise ValidationError(__("That time has already passed. Please choose a later time."))


def _end_date_ok(value: dt.date, answers: dict[str, Any]) -> None:
    if answers.get("start_date") and value < answers["start_date"]:
        raise ValidationError(__("The last day cannot be before the first day."))


def _end_time_ok(value: dt.time, answers: dict[str, Any]) -> None:
    start_day, start_time = answers.get("start_date"), answers.get("start_time")
    if start_day is None or start_time is None:
        return
    end_day = answers.get("end_date") or start_day
    if wib_datetime(end_day, value) <= wib_datetime(start_day, start_time):
        raise ValidationError(__("The end must be after the start."))


def _max_age_ok(value: int, answers: dict[str, Any]) -> None:
    if answers.get("min_age") is not None and value < answers["min_age"]:
        raise ValidationError(__("The oldest age cannot be below the youngest age."))


def _deadline_ok(value: dt.date, answers: dict[str, Any]) -> None:
    if answers.get("start_date") and value > answers["start_date"]:
        raise ValidationError(__("Sign-ups must close by the first day of the training."))


def values_of(answers: dict[str, Any]) -> dict[str, Any]:
    """Form answers -> Training column values (times in WIB -> aware datetimes)."""
    starts = wib_datetime(answers["start_date"], answers["start_time"])
    ends = wib_datetime(answers.get("end_date") or answers["start_date"], answers["end_time"])
    deadline = answers.get("deadline")
    return {
        "title": answers["title"],
        "provider": answers["provider"],
        "description": answers.get("description"),
        "starts_at": starts,
        "ends_at": ends,
        "place": answers["place"],
        "capacity": answers["capacity"],
        "min_age": answers["min_age"],
        "max_age": answers["max_age"],
        "signup_deadline": min(wib_datetime(deadline, END_OF_DAY), starts) if deadline else None,
    }


def initial_of(training: Training) -> dict[str, Any]:
    starts = to_wib(training.starts_at)
    ends = to_wib(training.ends_at or training.starts_at)
    deadline = to_wib(training.signup_deadline).date() if training.signup_deadline else None
    return {
        "title": training.title,
        "provider": training.provider,
        "description": training.description,
        "start_date": starts.date(),
        "start_time": starts.time().replace(tzinfo=None),
        "end_date": ends.date() if ends.date() != starts.date() else None,
        "end_time": ends.time().replace(tzinfo=None),
        "place": training.place,
        "capacity": training.capacity,
        "min_age": training.min_age,
        "max_age": training.max_age,
        "deadline": deadline,
    }


def details(training: Training) -> str:
    lines = [
        _("{title}, by {provider}").format(title=training.title, provider=training.provider),
        _("📅 Starts: {when}").format(when=format_datetime_id(training.starts_at)),
    ]
    if training.ends_at:
        lines.append(_("🏁 Ends: {when}").format(when=format_datetime_id(training.ends_at)))
    lines.append(_("📍 Where: {place}").format(place=training.place))
    lines.append(
        _("👥 Seats: {capacity}; ages {min_age} to {max_age}").format(
            capacity=training.capacity, min_age=training.min_age, max_age=training.max_age
        )
    )
    if training.signup_deadline:
        lines.append(
            _("⏳ Sign up by: {date}").format(
                date=format_date_long(to_wib(training.signup_deadline).date())
            )
        )
    if training.description:
        lines.append(training.description)
    return "\n".join(lines)


def changed_notice(training: Training) -> str:
    return _("📢 A training you signed up for has changed. Now:") + "\n\n" + details(training)


def cancelled_notice(training: Training) -> str:
    return (
        _("📢 This training is cancelled. We are sorry; we will tell you about new trainings.")
        + "\n\n"
        + details(training)
    )


FORM = register_form(
    Form(
        name=FORM_NAME,
        title=__("🎓 Training"),
        fields=[
            Field(
                "title",
                "text",
                __("Name of the training?"),
                help=__("For example: Sewing."),
                max_length=200,
                label=__("Training name"),
            ),
            Field(
                "provider",
                "text",
                __("Who gives it?"),
                help=__("For example: a partner company or the BLK."),
                max_length=200,
                label=__("Given by"),
            ),
            Field(
                "description",
                "text",
                __("Description?"),
                help=__("In short: what people learn, what they get."),
                required=False,
                max_length=1000,
                label=__("Description"),
            ),
            Field(
                "start_date",
                "date",
                __("First day?"),
                help=__("For example: 17-08-2025."),
                min=lambda today: today,
                max=lambda today: today + dt.timedelta(days=366),
                label=__("First day"),
            ),
            Field(
                "start_time",
                "time",
                __("Start time (WIB)?"),
                help=__("For example: 08.00."),
                constraint=_start_not_past,
                label=__("Start time"),
            ),
            Field(
                "end_date",
                "date",
                __("Last day?"),
                help=__("Only if it runs several days; skip if it is one day."),
                required=False,
                constraint=_end_date_ok,
                label=__("Last day"),
            ),
            Field(
                "end_time",
                "time",
                __("End time each day (WIB)?"),
                help=__("For example: 15.00."),
                constraint=_end_time_ok,
                label=__("End time"),
            ),
            Field(
                "place",
                "text",
                __("Place?"),
                help=__("For example: BLK Cikarang."),
                max_length=300,
                label=__("Place"),
            ),
            Field("capacity", "integer", __("How many seats?"), min=1, max=5000, label=__("Seats")),
            Field(
                "min_age",
                "integer",
                __("Youngest age that may join?"),
                min=0,
                max=100,
                prefill=lambda answers, context: 15,
                label=__("Youngest age"),
            ),
            Field(
                "max_age",
                "integer",
                __("Oldest age that may join?"),
                min=0,
                max=100,
                prefill=lambda answers, context: 64,
                constraint=_max_age_ok,
                label=__("Oldest age"),
            ),
            Field(
                "deadline",
                "date",
                __("Last day to sign up?"),
                help=__("Skip to allow sign-ups until the training starts."),
                required=False,
                constraint=_deadline_ok,
                label=__("Sign-up deadline"),
            ),
        ],
        summary_title=__("Please check the training:"),
        roles=STAFF,
    )
)
