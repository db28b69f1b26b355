"""What residents read about a training: its card in the list, and the outcome of a sign-up."""

from __future__ import annotations

from aiogram.utils.i18n import gettext as _

from conversations.validators import format_datetime_id
from db.models.aid import Training
from db.models.households import Member
from domain.dates import format_date_long, to_wib
from services import enrollment as svc


def when_text(training: Training) -> str:
    """The days and the daily hours: a course of several days meets at the same hours each
    day (the form asks first and last day, start and end time)."""
    start = format_datetime_id(training.starts_at)
    if training.ends_at is None:
        return start
    first, last = to_wib(training.starts_at), to_wib(training.ends_at)
    hours = {"start": f"{first:%H.%M}", "end": f"{last:%H.%M}"}
    if first.date() == last.date():
        return _("{day}, {start}-{end} WIB").format(day=format_date_long(first.date()), **hours)
    return _("{first} to {last}, every day {start}-{end} WIB").format(
        first=format_date_long(first.date()), last=format_date_long(last.date()), **hours
    )


DESCRIPTION_SHOWN = 120  # characters of the staff's description in a list of trainings


def training_text(training: Training, waiting: int) -> str:
    left = training.capacity - training.seats_taken
    seats = (
        _("Seats left: {left} of {capacity}").format(left=left, capacity=training.capacity)
        if left > 0
        else _("Full. Waiting list: {count} people").format(count=waiting)
    )
    text = _(
        "🎓 {title}\nBy: {provider}\nWhen: {when}\nWhere: {place}\n{seats}\n"
        "Who may join: aged {min_age}-{max_age} years"
    ).format(
        title=training.title,
        provider=training.provider,
        when=when_text(training),
        place=training.place,
        seats=seats,
        min_age=training.min_age,
        max_age=training.max_age,
    )
    description = " ".join((training.description or "").split())
    if description:
        if len(description) > DESCRIPTION_SHOWN:
            description = description[: DESCRIPTION_SHOWN - 1].rstrip() + "…"
        text += "\n" + description
    return text


def outcome_text(result: svc.SignUp, member: Member) -> str:
    training = result.training
    title = training.title if training is not None else ""
    name = member.name
    # enrolled, too_young and too_old always come with their training.
    if result.outcome == svc.ENROLLED and training is not None:
        return _(
            "Done: {name} is signed up for “{title}”. Please come on {when} at {place}. "
            "Bring your KTP."
        ).format(
            name=name,
            title=title,
            when=format_datetime_id(training.starts_at),
            place=training.place,
        )
    if result.outcome == svc.WAITING:
        return _(
            "“{title}” is full. {name} is on the waiting list, number {position}. We will "
            "tell you here as soon as a seat frees up."
        ).format(name=name, title=title, position=result.position)
    if result.outcome == "already":
        if result.position:
            return _(
                "{name} is already on the waiting list of “{title}”, number {position}."
            ).format(name=name, title=title, position=result.position)
        return _("{name} is already signed up for “{title}”.").format(name=name, title=title)
    if result.outcome == "too_young" and training is not None:
        return _(
            "Sorry, {name} is too young for “{title}”: it is for people aged {min_age} to "
            "{max_age}. You can sign up another member of the household."
        ).format(name=name, title=title, min_age=training.min_age, max_age=training.max_age)
    if result.outcome == "too_old" and training is not None:
        return _(
            "Sorry, {name} is older than the age limit of “{title}”: it is for people aged "
            "{min_age} to {max_age}. You can sign up another member of the household."
        ).format(name=name, title=title, min_age=training.min_age, max_age=training.max_age)
    return _("Sorry, sign-up for this training is closed. See /pelatihan for open ones.")
