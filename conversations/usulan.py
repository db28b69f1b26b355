"""Forms of the residents' data features: proposing a household (usulan) and a correction.
What each does on confirmation is in the handlers (handlers/residents/proposal.py,
handlers/volunteers/proposal.py, handlers/residents/data.py).

Two usulan forms share their questions: a resident's (after a failed /daftar, so NIK and KK are
already known and kept out of the form) and a volunteer's (`/usul`, who may not know them).
Kecamatan and desa are picked from buttons; a volunteer only sees their own area (PSM: their
desa; TKSK: the desa of their kecamatan). The lists come from the region CSV the first
migration seeds, read once, so the option callables need no database.
"""

from __future__ import annotations

from functools import cache
from typing import Any

from aiogram.utils.i18n import lazy_gettext as __

from conversations.i18n import lazy_pgettext
from conversations.schema import Field, Form, Option, register_form
from conversations.validators import ValidationError
from db.seed import read_regions
from domain.identity import is_kota_bekasi
from domain.roles import VOLUNTEERS_AND_STAFF

# Conversation data keys of /daftar: NIK and KK, kept encrypted by the protector until the
# proposal is saved (the form's own answers hold neither).
NIK_KEY = "link_nik"
# FSM data: the resident's NIK is on the list under another KK (a split-family proposal).
SPLIT_KEY = "usulan_split"
KK_KEY = "link_kk"

RESIDENT_FORM = "usulan_warga"
VOLUNTEER_FORM = "usulan_relawan"
CORRECTION_FORM = "koreksi_data"


@cache
def _regions() -> tuple[dict[str, str], dict[str, list[tuple[str, str]]]]:
    """(kecamatan code -> name, kecamatan code -> [(desa code, desa name)]), sorted by name."""
    kecamatan: dict[str, str] = {}
    desa: dict[str, list[tuple[str, str]]] = {}
    for row in read_regions():
        code, name = str(row["code"]), str(row["name"])
        if row["level"] == "kecamatan":
            kecamatan[code] = name
        elif row["level"] in ("desa", "kelurahan"):
            desa.setdefault(str(row["parent_code"]), []).append((code, name))
    for items in desa.values():
        items.sort(key=lambda item: item[1])
    return dict(sorted(kecamatan.items(), key=lambda item: item[1])), desa


def region_name(code: str) -> str:
    kecamatan, desa = _regions()
    if code in kecamatan:
        return kecamatan[code]
    for items in desa.values():
        for desa_code, name in items:
            if desa_code == code:
                return name
    return code


def _area(context: dict[str, Any]) -> str | None:
    return context.get("area") or None


def kecamatan_options(answers: dict[str, Any], context: dict[str, Any]) -> list[Option]:
    kecamatan, _desa = _regions()
    area = _area(context)
    return [
        Option(code, name)
        for code, name in kecamatan.items()
        if area is None or area == code or area.startswith(code + ".")
    ]


def desa_options(answers: dict[str, Any], context: dict[str, Any]) -> list[Option]:
    _kecamatan, desa = _regions()
    area = _area(context)
    return [
        Option(code, name)
        for code, name in desa.get(answers.get("kecamatan") or "", [])
        if area is None or area == code or code.startswith(area + ".")
    ]


def _not_kota_bekasi(value: Any, answers: dict[str, Any]) -> None:
    if value and is_kota_bekasi(str(value)):
        raise ValidationError(KOTA_BEKASI_FORM)


KOTA_BEKASI_FORM = __(
    "This KK number is from Kota Bekasi (32.75). This service is for Kabupaten Bekasi: "
    "the family should go to Dinas Sosial Kota Bekasi. Type another KK number or tap Skip."
)

RELATIONSHIPS = (
    Option("kepala", __("Head of the family")),
    Option("pasangan", __("Wife / husband")),
    Option("anak", __("Child")),
    # TRANSLATORS: relationship to the head of the family, none of the above.
    Option("lainnya", lazy_pgettext("relationship", "Other")),
)

_PLACE = [
    Field("kecamatan", "choice", __("Which kecamatan does the family live in?"),
          options=kecamatan_options, columns=2, label=__("Kecamatan")),
    Field("desa", "choice", __("Which desa or kelurahan?"), options=desa_options, columns=2,
          label=__("Desa/kelurahan")),
]  # fmt: skip
_ADDRESS = [
    Field("address", "text", __("Address: street or kampung, house number (no RT/RW yet)."),
          max_length=200, min_length=3, label=__("Address")),
    Field("rt", "integer", __("RT number? (for example 3)"), min=1, max=999, label=__("RT")),
    Field("rw", "integer", __("RW number? (for example 5)"), min=1, max=999, label=__("RW")),
    Field("members", "integer", __("How many people are on the family card (KK)?"),
          min=1, max=30, label=__("People on the KK")),
]  # fmt: skip
_DESCRIPTION = Field(
    "description",
    "text",
    __(
        "Briefly describe the family's situation: work and income, the house, health, "
        "children's school."
    ),
    max_length=600,
    min_length=10,
    label=__("Family's situation"),
)


RESIDENT = register_form(
    Form(
        name=RESIDENT_FORM,
        title=__("Propose your household (usulan)"),
        fields=[
            Field("name", "text", __("Your full name, as on the KTP?"), max_length=120,
                  min_length=3, label=__("Your full name")),
            Field("relationship", "choice", __("Your place in the family?"),
                  options=RELATIONSHIPS, columns=2, label=__("Place in the family")),
            *_PLACE,
            *_ADDRESS,
            Field("phone", "phone", __("A phone number we can call? Tap the button to send "
                                       "yours, type another one, or tap Skip."),
                  required=False, label=__("Phone number")),
            _DESCRIPTION,
        ],
        summary_title=__("Please check the proposal:"),
    )
)  # fmt: skip

VOLUNTEER = register_form(
    Form(
        name=VOLUNTEER_FORM,
        title=__("Propose a household (usulan)"),
        fields=[
            *_PLACE,
            Field("kk", "kk", __("The family's KK number (16 digits)? Tap Skip if nobody "
                                 "knows it."), required=False, constraint=_not_kota_bekasi,
                  label=__("No. KK")),
            Field("name", "text", __("Full name of the head of the family?"), max_length=120,
                  min_length=3, label=__("Head of the family")),
            Field("nik", "nik", __("NIK of the head of the family (16 digits)? Tap Skip if "
                                   "unknown."), required=False, label=__("NIK of the head")),
            *_ADDRESS,
            Field("phone", "phone", __("The family's phone number, if they have one? Type it, "
                                       "or tap Skip."), required=False, share_contact=False,
                  label=__("Family's phone")),
            _DESCRIPTION,
        ],
        summary_title=__("Please check the proposal:"),
        roles=VOLUNTEERS_AND_STAFF,
        consent=True,
    )
)  # fmt: skip

CORRECTION = register_form(
    Form(
        name=CORRECTION_FORM,
        title=__("Ask for a correction of your data"),
        fields=[
            Field(
                "text",
                "text",
                __(
                    "What is wrong, and what is right? For example: “My mother died in 2024” "
                    "or “We moved to RT 04”. Do not type NIK or KK numbers."
                ),
                max_length=800,
                min_length=5,
                label=__("Correction requested"),
            )
        ],
        summary_title=__("Please check your request:"),
    )
)
