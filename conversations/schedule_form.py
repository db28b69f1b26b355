"""The staff form for a disbursement schedule (new or changed) and the texts residents get;
what a confirmed form does is in handlers/staff/schedule.py.

The target (who the schedule reaches) is chosen before the form starts
(`handlers/staff/schedule_target.py`) and travels in the form's context: its description, the
household count shown in the summary, and for a KK list the Telegram file id (the numbers
themselves are never kept in the conversation state). A change form carries the id of the
schedule it edits instead.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from aiogram.utils.i18n import gettext as _
from aiogram.utils.i18n import lazy_gettext as __
from babel.numbers import format_decimal

from conversations.i18n import lazy_pgettext
from conversations.schema import Field, Form, Option, register_form
from conversations.validators import ValidationError, format_datetime_id
from db.models.aid import Disbursement
from domain.dates import to_wib, wib_datetime
from domain.money import format_rupiah
from domain.roles import STAFF

FORM_NAME = "staff_disbursement"

PROGRAMS = (
    Option("BLT", __("BLT")),
    Option("PKH", __("PKH")),
    Option("BPNT", __("BPNT")),
    Option("RUTILAHU", __("Rutilahu")),
    # TRANSLATORS: an aid program not in this list; also shown as "{title} (Other)".
    Option("LAINNYA", lazy_pgettext("aid program", "Other")),
)
PROGRAM_LABELS = {option.value: option.label for option in PROGRAMS}


def program_label(code: str) -> str:
    return str(PROGRAM_LABELS.get(code, code))


def _not_past(value: dt.time, answers: dict[str, Any]) -> None:
    day = answers.get("date")
    if day is not None and wib_datetime(day, value) <= dt.datetime.now(dt.UTC):
        raise ValidationError(__("That time has already passed. Please choose a later time."))


def _note(answers: dict[str, Any], context: dict[str, Any]) -> str:
    return _("This schedule reaches {count} households: {target}.").format(
        count=format_decimal(context.get("households", 0), locale="id"),
        target=context.get("target_label", ""),
    )


def details(disbursement: Disbursement, program_code: str) -> str:
    """The schedule as residents and staff read it (no personal data)."""
    lines = [
        _("{title} ({program})").format(
            title=disbursement.title, program=program_label(program_code)
        ),
        _("📅 When: {when}").format(when=format_datetime_id(disbursement.scheduled_at)),
        _("📍 Where: {place}").format(place=disbursement.place),
    ]
    if disbursement.amount:
        lines.append(_("💰 Amount: {amount}").format(amount=format_rupiah(disbursement.amount)))
    if disbursement.bring:
        lines.append(_("🎒 Bring: {bring}").format(bring=disbursement.bring))
    return "\n".join(lines)


def new_notice(disbursement: Disbursement, program_code: str) -> str:
    return _("📢 There is an aid schedule for your household:") + (
        "\n\n" + details(disbursement, program_code)
    )


def changed_notice(disbursement: Disbursement, program_code: str) -> str:
    return _("📢 An aid schedule for your household has changed. The new schedule:") + (
        "\n\n" + details(disbursement, program_code)
    )


def cancelled_notice(disbursement: Disbursement, program_code: str) -> str:
    return (
        _("📢 This aid schedule is cancelled. Please do not come; we will tell you the new one.")
        + "\n\n"
        + details(disbursement, program_code)
    )


FORM = register_form(
    Form(
        name=FORM_NAME,
        title=__("🗓 Aid disbursement schedule"),
        fields=[
            Field("program", "choice", __("Which program?"), options=PROGRAMS, label=__("Program")),
            Field(
                "title",
                "text",
                __("Name of this disbursement?"),
                help=__("For example: BLT Dana Desa, stage 2."),
                max_length=200,
                label=__("Disbursement name"),
            ),
            Field(
                "amount",
                "rupiah",
                __("Amount per household?"),
                help=__("Type 0 if it is goods, not money."),
                min=0,
                max=100_000_000,
                label=__("Amount per household"),
            ),
            Field(
                "date",
                "date",
                __("Date?"),
                help=__("For example: 17-08-2025."),
                min=lambda today: today,
                max=lambda today: today + dt.timedelta(days=366),
                label=__("Date"),
            ),
            Field(
                "time",
                "time",
                __("Time (WIB)?"),
                help=__("For example: 09.00."),
                constraint=_not_past,
                label=__("Time"),
            ),
            Field(
                "place",
                "text",
                __("Place?"),
                help=__("For example: Kantor Desa Cibening."),
                max_length=300,
                label=__("Place"),
            ),
            Field(
                "bring",
                "text",
                __("What should people bring?"),
                help=__("For example: KTP, KK, KKS card."),
                required=False,
                max_length=300,
                label=__("What to bring"),
            ),
        ],
        summary_title=__("Please check the schedule:"),
        summary_note=_note,
        roles=STAFF,
    )
)


def initial_of(disbursement: Disbursement, program_code: str) -> dict[str, Any]:
    """A schedule's values as answers for the change form (it opens at the summary)."""
    local = to_wib(disbursement.scheduled_at)
    return {
        "program": program_code,
        "title": disbursement.title,
        "amount": disbursement.amount,
        "date": local.date(),
        "time": local.time().replace(second=0, microsecond=0, tzinfo=None),
        "place": disbursement.place,
        "bring": disbursement.bring,
    }
