"""The volunteer's field-visit form (`/kunjungan`), declared as data.

The household's members come from the form context (`services.field_reports.visit_context`),
so one multi-choice per category lists them by name ("who is elderly?"): the engine needs no
repeating groups. A proposed household gets the same form plus the verify/reject decision.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from aiogram.utils.i18n import lazy_gettext as __

from conversations.i18n import lazy_pgettext
from conversations.schema import Field, Form, Option, register_form
from domain.roles import VOLUNTEERS_AND_STAFF
from services.field_reports import DATA_WRONG, DIED, MET, MOVED, NOBODY_HOME, NOT_FOUND, in_bekasi
from services.field_work import REJECTED, VERIFIED

VISIT = "field_visit"
VISIT_PROPOSAL = "field_visit_proposal"
FORMS = (VISIT, VISIT_PROPOSAL)

OUTCOME_OPTIONS = (
    Option(MET, __("Met the family")),
    Option(NOBODY_HOME, __("Nobody home")),
    Option(MOVED, __("Moved away")),
    Option(DIED, __("Head of family died")),
    Option(NOT_FOUND, __("Address not found")),
    Option(DATA_WRONG, __("Data is wrong")),
)
WORK_OPTIONS = (
    Option("tidak_bekerja", __("No work")),
    Option("buruh_harian", __("Daily labourer")),
    Option("petani_nelayan", __("Farmer or fisher")),
    Option("pedagang_kecil", __("Small trader")),
    Option("karyawan", __("Employee")),
    # TRANSLATORS: the last choice of "what work does the head of the family do?".
    Option("lainnya", lazy_pgettext("occupation", "Other")),
)
HOUSE_OPTIONS = (
    Option("atap", __("Roof")),
    Option("lantai", __("Floor")),
    Option("dinding", __("Walls")),
    Option("jamban", __("Toilet")),
)
AID_OPTIONS = (
    Option("BLT", __("BLT")),
    Option("PKH", __("PKH")),
    Option("BPNT", __("BPNT / Sembako")),
    Option("PBI", __("PBI-JK (BPJS)")),
    Option("RUTILAHU", __("Rutilahu")),
)
NEEDS_OPTIONS = (
    Option("pangan", __("Food")),
    Option("kesehatan", __("Health care")),
    Option("sekolah", __("Schooling")),
    Option("pekerjaan", __("Work or training")),
    Option("rumah", __("House repair")),
    Option("dokumen", __("KTP/KK documents")),
)
DECISION_OPTIONS = (
    Option(VERIFIED, __("✅ Eligible: verify")),
    Option(REJECTED, __("✖️ Not eligible: reject")),
)
LOCATION_OK_OPTIONS = (
    Option("keep", __("Keep this location")),
    Option("drop", __("Leave the location out")),
)


def _members(ctx: dict[str, Any]) -> list[dict[str, Any]]:
    return list(ctx.get("members") or [])


def member_options(answers: dict[str, Any], ctx: dict[str, Any]) -> list[Option]:
    """Every member by name, except those marked as no longer living here."""
    gone = set(answers.get("gone") or [])
    return [Option(m["id"], m["name"]) for m in _members(ctx) if m["id"] not in gone]


def all_member_options(answers: dict[str, Any], ctx: dict[str, Any]) -> list[Option]:
    return [Option(m["id"], m["name"]) for m in _members(ctx)]


def _prefill(rule: Callable[[dict[str, Any]], bool]) -> Callable[..., list[str]]:
    """Offer what the data says (age from the birth date, the disability flag) ticked."""

    def prefill(answers: dict[str, Any], ctx: dict[str, Any]) -> list[str]:
        gone = set(answers.get("gone") or [])
        return [m["id"] for m in _members(ctx) if m["id"] not in gone and rule(m)]

    return prefill


def _met(answers: dict[str, Any]) -> bool:
    return answers.get("outcome") == MET


def _far(answers: dict[str, Any]) -> bool:
    location = answers.get("location")
    if not location:
        return False
    return not in_bekasi(location["lat"], location["lon"])


def _fields(proposal: bool) -> list[Field]:
    fields = [
        Field(
            "outcome",
            "choice",
            __("What happened at the visit?"),
            options=OUTCOME_OPTIONS,
            label=__("Visit outcome"),
        ),
        Field(
            "gone",
            "multi",
            __("Who no longer lives here? Tap nobody if everyone still lives here."),
            options=all_member_options,
            required=False,
            ask_if=_met,
            label=__("Moved away"),
        ),
        Field(
            "productive",
            "multi",
            __("Who is of working age (15–64) and able to work?"),
            options=member_options,
            prefill=_prefill(lambda m: m["age"] is not None and 15 <= m["age"] <= 64),
            required=False,
            ask_if=_met,
            label=__("Able to work"),
        ),
        Field(
            "lansia",
            "multi",
            __("Who is elderly (60 or older)?"),
            options=member_options,
            prefill=_prefill(lambda m: m["age"] is not None and m["age"] >= 60),
            required=False,
            ask_if=_met,
            label=__("Elderly"),
        ),
        Field(
            "difabel",
            "multi",
            __("Who has a severe disability?"),
            options=member_options,
            prefill=_prefill(lambda m: bool(m["difabel"])),
            required=False,
            ask_if=_met,
            label=__("Severe disability"),
        ),
        Field(
            "work",
            "choice",
            __("Main work of the head of the family?"),
            options=WORK_OPTIONS,
            ask_if=_met,
            label=__("Main work"),
        ),
        Field(
            "income",
            "rupiah",
            __("Income of the whole family in a month? (0 if none)"),
            min=0,
            ask_if=_met,
            label=__("Monthly income"),
        ),
        Field(
            "house",
            "multi",
            __("Which parts of the house are in bad condition? (for Rutilahu)"),
            options=HOUSE_OPTIONS,
            required=False,
            ask_if=_met,
            label=__("House in bad condition"),
        ),
        Field(
            "aid",
            "multi",
            __("Which aid does the family receive now?"),
            options=AID_OPTIONS,
            required=False,
            ask_if=_met,
            label=__("Aid received"),
        ),
        Field(
            "needs",
            "multi",
            __("What does the family need most?"),
            options=NEEDS_OPTIONS,
            required=False,
            ask_if=_met,
            label=__("Main needs"),
        ),
    ]
    if proposal:
        fields += [
            Field(
                "decision",
                "choice",
                __("This family was proposed for the list. Is it eligible?"),
                options=DECISION_OPTIONS,
                columns=1,
                ask_if=lambda a: a.get("outcome") != NOBODY_HOME,
                label=__("Eligible?"),
            ),
            Field(
                "reject_reason",
                "text",
                __("Why is it not eligible? (the proposer will read this)"),
                max_length=300,
                ask_if=lambda a: a.get("decision") == REJECTED,
                label=__("Reason not eligible"),
            ),
        ]
    fields += [
        Field(
            "photo",
            "photo",
            __("A photo of the house?"),
            required=False,
            ask_if=lambda a: a.get("outcome") != NOT_FOUND,
            label=__("House photo"),
        ),
        Field(
            "location",
            "location",
            __("The location of the house?"),
            required=False,
            label=__("House location"),
        ),
        Field(
            "location_ok",
            "choice",
            __("This location is outside Kabupaten Bekasi. Is it right?"),
            options=LOCATION_OK_OPTIONS,
            columns=1,
            ask_if=_far,
            label=__("Location outside Bekasi"),
        ),
        Field(
            "note",
            "text",
            __("A note? (optional)"),
            required=False,
            max_length=500,
            label=__("Note"),
        ),
    ]
    return fields


register_form(
    Form(
        name=VISIT,
        title=__("Field visit"),
        fields=_fields(proposal=False),
        summary_title=__("Please check the visit report:"),
        roles=VOLUNTEERS_AND_STAFF,
        consent=True,
    )
)
register_form(
    Form(
        name=VISIT_PROPOSAL,
        title=__("Field visit (verification of a proposed family)"),
        fields=_fields(proposal=True),
        summary_title=__("Please check the visit report:"),
        roles=VOLUNTEERS_AND_STAFF,
        consent=True,
    )
)
