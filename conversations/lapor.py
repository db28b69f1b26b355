"""The self-report form (`/lapor`): the household's condition now, as questions declared as data.

Context given when the form starts (`ctx`): counts taken from the household's members on
record (`members`, `elderly`, `disabled`, `out_of_school`), offered as "Keep: …" so that most
people only tap. The urgent questions (food, sickness, house safety) are asked only when the
matching need was ticked, to keep the form short.
"""

from __future__ import annotations

from typing import Any

from aiogram.utils.i18n import lazy_gettext as __

from .schema import Field, Form, Option, register_form
from .validators import ValidationError

FORM_NAME = "lapor"

WORK = (
    Option("tidak_bekerja", __("Not working")),
    Option("buruh_harian", __("Daily labourer")),
    Option("tani_nelayan", __("Farmer or fisher")),
    Option("dagang", __("Small trader")),
    Option("karyawan", __("Employee")),
    Option("lainnya", __("Other work")),
)
FLOOR = (
    Option("tanah", __("Earth")),
    Option("kayu_bambu", __("Wood or bamboo")),
    Option("semen", __("Cement")),
    Option("keramik", __("Tiles")),
)
WALLS = (
    Option("bambu", __("Bamboo or woven mat")),
    Option("kayu", __("Wood or board")),
    Option("tembok_rusak", __("Brick, damaged")),
    Option("tembok", __("Brick, good")),
)
ROOF = (
    Option("daun", __("Leaves or straw")),
    Option("seng_asbes", __("Zinc or asbestos")),
    Option("genteng", __("Roof tiles")),
    Option("beton", __("Concrete")),
)
WATER = (
    Option("sungai_hujan", __("River or rain")),
    Option("sumur_terbuka", __("Open well")),
    Option("sumur_terlindung", __("Protected well or pump")),
    Option("pam_kemasan", __("Piped or bought water")),
)
TOILET = (
    Option("tidak_ada", __("None (river, field)")),
    Option("bersama", __("Shared")),
    Option("sendiri", __("Own toilet")),
)
ELECTRICITY = (
    Option("tidak_ada", __("None")),
    Option("numpang", __("From a neighbour")),
    Option("pln_450", __("PLN 450 VA")),
    Option("pln_900", __("PLN 900 VA or more")),
)
NEEDS = (
    Option("food", __("Food")),
    Option("health", __("Health")),
    Option("house", __("House repair")),
    Option("work", __("Work")),
    Option("school", __("School costs")),
)
FOOD = (
    Option("cukup", __("Enough")),
    Option("kurang", __("Not enough")),
    Option("tidak_ada", __("No food at all")),
)
SICKNESS = (
    Option("ringan", __("Ill, being treated")),
    Option("parah", __("Severely ill, not treated")),
)
HOUSE_SAFETY = (
    Option("aman", __("Safe")),
    Option("rusak", __("Damaged but livable")),
    Option("tidak_aman", __("Unsafe, may collapse")),
)


def _from_ctx(name: str) -> Any:
    def prefill(_answers: dict[str, Any], ctx: dict[str, Any]) -> Any:
        return ctx.get(name)

    return prefill


def _at_most_members(value: int, answers: dict[str, Any]) -> None:
    members = answers.get("members")
    if members is not None and value > members:
        raise ValidationError(
            __("That is more than the {count} members of the household. Please check again."),
            count=members,
        )


def _needs(*wanted: str) -> Any:
    def ask_if(answers: dict[str, Any]) -> bool:
        return any(need in (answers.get("needs") or []) for need in wanted)

    return ask_if


FORM = register_form(
    Form(
        name=FORM_NAME,
        title=__("Report your household's condition now. It takes about 3 minutes."),
        fields=[
            Field(
                "work",
                "choice",
                __("What is the main work of the head of household?"),
                options=WORK,
                label=__("Main work"),
            ),
            Field(
                "income",
                "rupiah",
                __("How much is the income of the whole household in a month?"),
                help=__("For example: 800 ribu, 1,5 juta or 1.500.000. No income: type 0."),
                min=0,
                label=__("Monthly income"),
            ),
            Field(
                "members",
                "integer",
                __("How many people live in the household?"),
                min=1,
                max=30,
                prefill=_from_ctx("members"),
                label=__("Household members"),
            ),
            Field(
                "elderly",
                "integer",
                __("How many of them are elderly (60 years or older)?"),
                min=0,
                max=30,
                prefill=_from_ctx("elderly"),
                constraint=_at_most_members,
                label=__("Elderly members"),
            ),
            Field(
                "disabled",
                "integer",
                __("How many of them have a severe disability?"),
                min=0,
                max=30,
                prefill=_from_ctx("disabled"),
                constraint=_at_most_members,
                label=__("Severely disabled"),
            ),
            Field(
                "out_of_school",
                "integer",
                __("How many children of school age (7-18 years) do not go to school?"),
                min=0,
                max=30,
                prefill=_from_ctx("out_of_school"),
                constraint=_at_most_members,
                label=__("Children out of school"),
            ),
            Field(
                "floor",
                "choice",
                __("What is the floor of the house?"),
                options=FLOOR,
                label=__("House floor"),
            ),
            Field(
                "walls",
                "choice",
                __("What are the walls of the house?"),
                options=WALLS,
                label=__("House walls"),
            ),
            Field(
                "roof",
                "choice",
                __("What is the roof of the house?"),
                options=ROOF,
                label=__("House roof"),
            ),
            Field(
                "water",
                "choice",
                __("Where does your drinking water come from?"),
                options=WATER,
                label=__("Drinking water"),
            ),
            Field(
                "toilet",
                "choice",
                __("What toilet does the household use?"),
                options=TOILET,
                label=__("Toilet"),
            ),
            Field(
                "electricity",
                "choice",
                __("What electricity does the house have?"),
                options=ELECTRICITY,
                label=__("Electricity"),
            ),
            Field(
                "needs",
                "multi",
                __("What does the household need most urgently now?"),
                options=NEEDS,
                required=False,
                help=__("Nothing urgent: tap “Done” without choosing."),
                label=__("Urgent needs"),
            ),
            Field(
                "food",
                "choice",
                __("Is there food at home for today?"),
                options=FOOD,
                ask_if=_needs("food"),
                label=__("Food today"),
            ),
            Field(
                "sickness",
                "choice",
                __("How ill is the sick family member?"),
                options=SICKNESS,
                ask_if=_needs("health"),
                label=__("Sick member"),
            ),
            Field(
                "house_safety",
                "choice",
                __("Is the house safe to live in?"),
                options=HOUSE_SAFETY,
                ask_if=_needs("house"),
                label=__("House safety"),
            ),
            Field(
                "photo",
                "photo",
                __("A photo of the house (optional)."),
                required=False,
                label=__("House photo"),
            ),
            Field(
                "location",
                "location",
                __("The location of the house (optional)."),
                required=False,
                label=__("House location"),
            ),
            Field(
                "note",
                "text",
                __("Anything else you want to tell us? (optional)"),
                required=False,
                max_length=500,
                label=__("Note"),
            ),
        ],
        summary_title=__("Please check your report:"),
    )
)
