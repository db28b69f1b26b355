"""Words of a household's members shared by the card and the editor (relations to the head),
and the form that adds a member (handlers.volunteers.edit), declared as data.

The form's context says which household (its id: checked against the area again on submit)
and whether it has a head already, so that "head of the family" is offered only when it has
none (services.household_edit refuses a second head in any case).
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from aiogram.utils.i18n import lazy_gettext as __

from conversations.schema import Field, Form, Option, register_form
from conversations.validators import ValidationError
from domain.roles import VOLUNTEERS_AND_STAFF
from services.household_edit import HEAD, RELATIONS, clean_name

RELATION_LABELS = {
    "kepala": __("head of the family"), "istri": __("wife"), "suami": __("husband"),
    "anak": __("child"), "menantu": __("son/daughter-in-law"), "cucu": __("grandchild"),
    "orang_tua": __("parent"), "mertua": __("parent-in-law"), "famili_lain": __("relative"),
    "lainnya": __("other"), "belum_diketahui": __("relation not known yet"),
}  # fmt: skip

ADD_MEMBER = "household_member_add"
EARLIEST_BIRTH = dt.date(1900, 1, 1)


def relation_options(answers: dict[str, Any], context: dict[str, Any]) -> list[Option]:
    """Every relation of the list; the head only for a household without one."""
    return [
        Option(code, RELATION_LABELS[code])
        for code in RELATIONS
        if code != HEAD or not context.get("has_head")
    ]


def check_name(value: str, answers: dict[str, Any]) -> None:
    if clean_name(value) is None:
        raise ValidationError(NAME_RULE)


NAME_RULE = __("Please type the name in letters (at least 2), without numbers.")

ADD_MEMBER_FORM = register_form(
    Form(
        name=ADD_MEMBER,
        title=__("Add a family member"),
        fields=[
            Field(
                "name",
                "text",
                __("The new member's full name, as on the KK or KTP?"),
                min_length=2,
                max_length=120,
                constraint=check_name,
                label=__("Name"),
            ),
            Field(
                "relation",
                "choice",
                __("Relation to the head of the family?"),
                options=relation_options,
                columns=2,
                label=__("Relation"),
            ),
            Field(
                "birth_date",
                "date",
                __("Date of birth? For example 17-8-1975 or 17 Agustus 1975."),
                required=False,
                min=EARLIEST_BIRTH,
                max=lambda today: today,
                label=__("Date of birth"),
            ),
            Field(
                "nik",
                "nik",
                __("NIK (16 digits, on the KTP or KK)? Tap Skip if it is not known."),
                required=False,
                label=__("NIK"),
            ),
        ],
        summary_title=__("Add this member?"),
        roles=VOLUNTEERS_AND_STAFF,
        consent=True,
    )
)
