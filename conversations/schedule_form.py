"""The staff form for a disbursement schedule (new or changed) and the texts residents get.

The target (who the schedule reaches) is chosen before the form starts
(`handlers/staff/schedule.py`) and travels in the form's context: its description, the
household count shown in the summary, and for a KK list the Telegram file id (the numbers
themselves are never kept in the conversation state). A change form carries the id of the
schedule it edits instead.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from aiogram import Bot
from aiogram.utils.i18n import gettext as _
from aiogram.utils.i18n import lazy_gettext as __
from babel.numbers import format_decimal

from conversations.i18n import lazy_pgettext
from conversations.schema import Field, Form, Option, register_form
from conversations.validators import ValidationError, format_datetime_id
from db.models import Disbursement
from domain.dates import to_wib, wib_datetime
from domain.money import format_rupiah
from domain.roles import STAFF
from services import kk_list, schedules
from services.bnba_file import FileProblem

FORM_NAME = "staff_disbursement"
MAX_FILE_BYTES = 5 * 1024 * 1024

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


async def download(bot: Bot, file_id: str) -> bytes:
    buffer = await bot.download(file_id)
    assert buffer is not None
    return buffer.read()


async def _submit(answers: dict[str, Any], data: dict[str, Any]) -> str:
    session, account = data["session"], data["account"]
    context = data.get("form_context") or {}
    when = wib_datetime(answers["date"], answers["time"])
    if when <= dt.datetime.now(dt.UTC):
        return _("That time has already passed, so nothing was saved. Please start again.")
    values = {
        "program_code": answers["program"],
        "title": answers["title"],
        "amount": answers["amount"],
        "scheduled_at": when,
        "place": answers["place"],
        "bring": answers.get("bring"),
    }
    if "disbursement_id" in context:
        return await _submit_change(session, account, int(context["disbursement_id"]), values)
    target = schedules.Target.from_json(context["target"])
    if target.type == "list":
        content = await download(data["bot"], context["file_id"])
        try:
            match = await kk_list.match_file(session, data["protector"], content)
        except FileProblem:  # it was read once already, when it was sent: not expected
            return _("The file of KK numbers can no longer be read, so nothing was saved.")
        target.household_ids = match.household_ids
    disbursement, count = await schedules.create(session, account, target=target, **values)
    return _(
        "Saved: schedule #{id} for {count} households. Residents with the bot will get a "
        "reminder. See all schedules with /daftarjadwal."
    ).format(id=disbursement.id, count=format_decimal(count, locale="id"))


async def _submit_change(session: Any, account: Any, disbursement_id: int, values: dict) -> str:
    disbursement = await schedules.get(session, disbursement_id)
    if disbursement is None or disbursement.status != "scheduled":
        return _("This schedule can no longer be changed (it was cancelled).")
    # The notice is rendered from the new values; the service queues it only if any changed.
    preview = Disbursement(**{k: v for k, v in values.items() if k != "program_code"})
    notice = changed_notice(preview, values["program_code"])
    changed = await schedules.change(session, account, disbursement, notice, **values)
    if not changed:
        return _("Nothing was changed.")
    count = await schedules.recipients_count(session, disbursement.id)
    return _("Saved. The {count} households of schedule #{id} will be told of the change.").format(
        count=format_decimal(count, locale="id"), id=disbursement.id
    )


FORM = register_form(
    Form(
        name=FORM_NAME,
        title=__("🗓 Aid disbursement schedule"),
        fields=[
            Field("program", "choice", __("Which program?"), options=PROGRAMS),
            Field(
                "title",
                "text",
                __("Name of this disbursement?"),
                help=__("For example: BLT Dana Desa, stage 2."),
                max_length=200,
            ),
            Field(
                "amount",
                "rupiah",
                __("Amount per household?"),
                help=__("Type 0 if it is goods, not money."),
                min=0,
                max=100_000_000,
            ),
            Field(
                "date",
                "date",
                __("Date?"),
                help=__("For example: 17-08-2025."),
                min=lambda today: today,
                max=lambda today: today + dt.timedelta(days=366),
            ),
            Field(
                "time",
                "time",
                __("Time (WIB)?"),
                help=__("For example: 09.00."),
                constraint=_not_past,
            ),
            Field(
                "place",
                "text",
                __("Place?"),
                help=__("For example: Kantor Desa Cibening."),
                max_length=300,
            ),
            Field(
                "bring",
                "text",
                __("What should people bring?"),
                help=__("For example: KTP, KK, KKS card."),
                required=False,
                max_length=300,
            ),
        ],
        summary_title=__("Please check the schedule:"),
        summary_note=_note,
        submit=_submit,
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
