"""Who a broadcast's audience is: the households it is about, by type, and a training's ages.

An audience is a small dict (the broadcast contract in docs/staff.md):
`{"type": "residents"}`, `{"type": "kecamatan", "codes": [...]}`, `{"type": "desa", "codes":
[...]}`, `{"type": "program", "code": "BLT"}`, `{"type": "disbursement", "id": 12}` (with
`"waiting": true`: only the families that have not collected yet), `{"type": "training",
"id": 3}`, `{"type": "volunteers", "area": "32.16.05" | None}`. A household audience may add
`"ages": {"min": 15, "max": 64, "on": "2025-08-17"}` (`ages()`): only households with a member
of those ages on that day, or of an unknown birth date, which a training's sign-up does not
refuse either (services/enrollment.py). Who of a household is reached (linked accounts,
consent, opt-out) is services/broadcasts.py's part. No aiogram, no gettext.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import Select, and_, or_, select

from db.models.accounts import Account
from db.models.aid import DisbursementRecipient, Enrollment
from db.models.households import AidProgram, Household, HouseholdProgram, Member

AUDIENCE_TYPES = (
    "residents",
    "kecamatan",
    "desa",
    "program",
    "disbursement",
    "training",
    "volunteers",
)

# Sign-ups a training's notices reach: a seat, whether or not they came on a day already.
SEATED = ("enrolled", "attended")


class AudienceError(ValueError):
    """An audience dict that does not follow the contract."""


def household_ids(audience: dict[str, Any]) -> Select[Any] | None:
    """The households an audience is about (None: it is not about households), of the
    audience's ages when it names some."""
    households = _households(audience)
    if households is None or audience.get("ages") is None:
        return households
    return _of_age(audience, households)


def _households(audience: dict[str, Any]) -> Select[Any] | None:
    kind = audience.get("type")
    if kind == "residents":
        return select(Account.household_id).where(Account.household_id.is_not(None))
    # Area and programme audiences leave out households a visit found moved, died or gone.
    active = Household.status == "aktif"
    if kind == "kecamatan":
        return select(Household.id).where(Household.kecamatan_code.in_(codes(audience)), active)
    if kind == "desa":
        return select(Household.id).where(Household.desa_code.in_(codes(audience)), active)
    if kind == "program":
        return (
            select(HouseholdProgram.household_id)
            .join(AidProgram, AidProgram.id == HouseholdProgram.program_id)
            .join(Household, Household.id == HouseholdProgram.household_id)
            .where(AidProgram.code == str(audience.get("code", "")), active)
        )
    if kind == "disbursement":
        recipients = select(DisbursementRecipient.household_id).where(
            DisbursementRecipient.disbursement_id == audience_id(audience)
        )
        if audience.get("waiting"):  # only the families that have not collected yet
            recipients = recipients.where(DisbursementRecipient.collected_at.is_(None))
        return recipients
    if kind == "training":
        return (
            select(Member.household_id)
            .join(Enrollment, Enrollment.member_id == Member.id)
            .where(Enrollment.training_id == audience_id(audience), Enrollment.status.in_(SEATED))
        )
    if kind == "volunteers":
        return None
    raise AudienceError(f"unknown audience type {kind!r}")


def _of_age(audience: dict[str, Any], households: Select[Any]) -> Select[Any]:
    """`households` narrowed to those with a member of the audience's ages."""
    try:
        rule = audience["ages"]
        youngest, oldest = int(rule["min"]), int(rule["max"])
        day = dt.date.fromisoformat(str(rule["on"]))
    except (KeyError, TypeError, ValueError):
        raise AudienceError("ages needs min, max and on (YYYY-MM-DD)") from None
    born_by = _years_before(day, youngest)  # at least `youngest` years old on `day`
    born_after = _years_before(day, oldest + 1)  # not yet `oldest + 1` years old
    fits = select(Member.household_id).where(
        Member.left_at.is_(None),
        or_(
            Member.birth_date.is_(None),  # unknown: not refused at sign-up either
            and_(Member.birth_date <= born_by, Member.birth_date > born_after),
        ),
    )
    return select(Household.id).where(
        Household.id.in_(households.scalar_subquery()), Household.id.in_(fits.scalar_subquery())
    )


def _years_before(day: dt.date, years: int) -> dt.date:
    """The same day `years` earlier (29 February becomes the 28th): the last birth date of
    someone who is `years` old on `day` (services.enrollment.age_on)."""
    year = day.year - years
    try:
        return day.replace(year=year)
    except ValueError:
        return dt.date(year, 2, 28)


def ages(youngest: int, oldest: int, on: dt.date) -> dict[str, Any]:
    """The `ages` part of an audience: members aged `youngest`..`oldest` on `on`."""
    return {"min": youngest, "max": oldest, "on": on.isoformat()}


def codes(audience: dict[str, Any]) -> list[str]:
    found = audience.get("codes")
    if not isinstance(found, list) or not found:
        raise AudienceError("audience needs a non-empty list of codes")
    return [str(code) for code in found]


def audience_id(audience: dict[str, Any]) -> int:
    try:
        return int(audience["id"])
    except (KeyError, TypeError, ValueError):
        raise AudienceError("audience needs an id") from None
