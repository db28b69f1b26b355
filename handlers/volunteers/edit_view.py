"""What the household editor (handlers.volunteers.edit) shows and says: its menus, a change in
words (before → after; a NIK only masked), and the telling of it to the editor, to the family's
linked accounts and in the household's open correction case."""

from __future__ import annotations

import datetime as dt

from aiogram import Bot
from aiogram.types import InlineKeyboardMarkup
from aiogram.utils.i18n import gettext as _
from aiogram.utils.i18n import lazy_gettext as __
from aiogram.utils.keyboard import InlineKeyboardBuilder
from sqlalchemy.ext.asyncio import AsyncSession

from conversations import notify
from conversations.household_edit import NAME_RULE, RELATION_LABELS
from db.models.accounts import Account
from db.models.base import utcnow
from db.models.households import Household, Member
from domain.dates import format_date_long
from domain.phone import format_phone_national
from handlers.volunteers.ui import EditCb, HouseholdCb, kk_text
from services import cases, household_edit
from services.household_edit import ADDED, LEFT, Edit

FIELD_LABELS = {
    "name": __("Name"), "birth_date": __("Date of birth"), "relation": __("Relation"),
    "address": __("Address"), "rt": __("RT"), "rw": __("RW"), "phone": __("Mobile number"),
    "no_kk": __("No. KK"),
}  # fmt: skip
LEAVE_BUTTONS = {
    household_edit.MOVED_OUT: __("🚚 Moved out"),
    household_edit.MARRIED_OUT: __("💍 Married and moved out"),
    household_edit.DIED: __("🕊 Died"),
}
LEAVE_REASONS = {
    household_edit.MOVED_OUT: __("moved out"),
    household_edit.MARRIED_OUT: __("married and moved out"),
    household_edit.DIED: __("died"),
}
LEAVE_SENTENCES = {
    household_edit.MOVED_OUT: __("{name} moved out and is no longer on the family's list."),
    household_edit.MARRIED_OUT: __("{name} married and moved out of the family."),
    household_edit.DIED: __("{name} has died."),
}
REFUSALS = {
    household_edit.NIK_TAKEN: __(
        "This NIK is already recorded for another person, so nothing was saved. Please check "
        "the number, or add the member without a NIK."
    ),
    household_edit.NOT_A_MEMBER: __(
        "This person is no longer a member of the family. Please open the family card again."
    ),
    household_edit.HEAD_TAKEN: __(
        "The family already has a head. First change the relation of the current head, then "
        "choose the new head."
    ),
    household_edit.UNKNOWN_CODE: __("Please choose again with the buttons."),
    household_edit.KK_TAKEN: __(
        "This No. KK is already recorded for another family, so nothing was saved. Please "
        "check the number."
    ),
    household_edit.KK_KNOWN: __("This family already has a No. KK."),
    household_edit.BAD_NAME: NAME_RULE,
    household_edit.BAD_ADDRESS: __(
        "Please type the address (street, block, house number), at least 5 characters."
    ),
}
RT_RW_RULE = __("Please type the RT and RW like 3/1 (RT 3, RW 1).")
TELL_LIMIT = 600  # one short message: what people read at a glance
VALUE_SHOWN = 120  # characters of a value in a before → after line


def relation_text(code: str | None) -> str:
    return str(RELATION_LABELS.get(code or "", code or "-"))


def birth_text(day: dt.date | None) -> str:
    return format_date_long(day) if day is not None else "-"


def value_text(field: str, value: str | None) -> str:
    if value is None:
        return "-"
    if field == "birth_date":
        return birth_text(dt.date.fromisoformat(value))
    if field == "relation":
        return relation_text(value)
    if field == "phone":
        return format_phone_national(value)
    # A long address twice (before and after) would not fit one short message.
    return value if len(value) <= VALUE_SHOWN else value[: VALUE_SHOWN - 1] + "…"


def change_lines(edit: Edit) -> list[str]:
    """The change in words, one line per value; a NIK only masked (as the service gives it)."""
    if edit.kind == ADDED:
        values = {change.field: change.after for change in edit.changes}
        line = _("New member: {name} ({relation})").format(
            name=edit.member_name, relation=relation_text(values.get("relation"))
        )
        if values.get("birth_date"):
            line += ", " + _("born {date}").format(
                date=value_text("birth_date", values["birth_date"])
            )
        if values.get("nik"):
            line += ", " + _("NIK {nik}").format(nik=values["nik"])
        return [line]
    if edit.kind == LEFT:
        return [
            str(LEAVE_SENTENCES[change.after or ""]).format(name=edit.member_name)
            for change in edit.changes
            if change.after in LEAVE_SENTENCES
        ]
    lines = []
    for change in edit.changes:
        before, after = (
            value_text(change.field, change.before),
            value_text(change.field, change.after),
        )
        what = str(FIELD_LABELS.get(change.field, change.field))
        if edit.member_id is not None:
            what = _("{field} of {name}").format(field=what, name=edit.member_name)
        lines.append(_("{what}: {before} → {after}").format(what=what, before=before, after=after))
    return lines


def family_text(lines: list[str]) -> str:
    head = _("Your family's data was updated by an officer:")
    tail = _("If something is not right, open /dataku and ask for a correction.")
    body = "\n".join("• " + line for line in lines)
    room = TELL_LIMIT - len(head) - len(tail) - 4
    if len(body) > room:
        body = body[: room - 1] + "…"
    return f"{head}\n{body}\n\n{tail}"


async def publish(
    session: AsyncSession, bot: Bot, account: Account, household: Household, edit: Edit
) -> str:
    """Tell the family's linked accounts and note the change in the household's open
    correction case; the text that confirms it to the editor."""
    lines = change_lines(edit)
    if not lines:
        return _("Nothing changed: the data already says that.")
    told = 0
    for person in await household_edit.linked_accounts(session, household.id):
        if person.id != account.id and await notify.send(bot, person, family_text(lines)):
            told += 1
    case = await household_edit.open_correction_case(session, household.id)
    if case is not None:
        item = cases.Item(_("Data changed: {changes}").format(changes="; ".join(lines)))
        cases.add_message(session, case, account, cases.SYSTEM, item, utcnow())
    confirmation = [_("✅ Saved."), *("• " + line for line in lines), ""]
    confirmation.append(
        _("The family was told in the bot.")
        if told
        else _("Nobody of this family uses the bot: please tell them in person.")
    )
    return "\n".join(confirmation)


# --------------------------------------------------------------------------- menus


def menu_text(household: Household, head: Member | None) -> str:
    return _("✏️ Edit the data of the family of {name} (No. KK {kk}). What should change?").format(
        name=head.name if head else "-", kk=kk_text(household)
    )


def menu_keyboard(
    household: Household, members: list[Member], staff: bool = False
) -> InlineKeyboardMarkup:
    """The editor's menu; staff also add the No. KK of a family that has none."""
    h = household.id
    builder = InlineKeyboardBuilder()
    builder.button(text=_("➕ Add a member"), callback_data=EditCb(a="add", h=h))
    for member in members:
        label = f"👤 {member.name} ({relation_text(member.relationship_to_head)})"
        builder.button(text=label[:60], callback_data=EditCb(a="mem", h=h, m=member.id))
    builder.button(text=_("Address"), callback_data=EditCb(a="addr", h=h))
    builder.button(text=_("RT/RW"), callback_data=EditCb(a="rtrw", h=h))
    builder.button(text=_("Mobile number"), callback_data=EditCb(a="phone", h=h))
    if staff and household.kk_hash is None:
        builder.button(text=_("➕ No. KK"), callback_data=EditCb(a="kk", h=h))
    builder.adjust(*([1] * (len(members) + 1)), 3, 1)
    return builder.as_markup()


def member_text(member: Member) -> str:
    birth = birth_text(member.birth_date)
    return "\n".join(
        [
            f"👤 {member.name}",
            _("Relation: {relation}").format(relation=relation_text(member.relationship_to_head)),
            _("Date of birth: {date}").format(date=birth),
            _("NIK: {nik}").format(nik=member.nik_masked or "-"),
            "",
            _("What should change?"),
        ]
    )


def member_keyboard(household_id: int, member_id: int) -> InlineKeyboardMarkup:
    h, m = household_id, member_id
    builder = InlineKeyboardBuilder()
    builder.button(text=_("Name"), callback_data=EditCb(a="name", h=h, m=m))
    builder.button(text=_("Date of birth"), callback_data=EditCb(a="birth", h=h, m=m))
    builder.button(text=_("Relation"), callback_data=EditCb(a="rel", h=h, m=m))
    builder.button(text=_("🚪 Remove from the KK"), callback_data=EditCb(a="out", h=h, m=m))
    builder.button(text=_("« Back"), callback_data=EditCb(a="menu", h=h))
    builder.adjust(3, 1, 1)
    return builder.as_markup()


def relation_keyboard(household_id: int, member: Member) -> InlineKeyboardMarkup:
    builder = InlineKeyboardBuilder()
    for code in household_edit.RELATIONS:
        if code != member.relationship_to_head:
            data = EditCb(a="setrel", h=household_id, m=member.id, v=code)
            builder.button(text=relation_text(code), callback_data=data)
    builder.button(text=_("« Back"), callback_data=EditCb(a="mem", h=household_id, m=member.id))
    builder.adjust(2)
    return builder.as_markup()


def leave_keyboard(household_id: int, member_id: int) -> InlineKeyboardMarkup:
    builder = InlineKeyboardBuilder()
    for reason, label in LEAVE_BUTTONS.items():
        data = EditCb(a="why", h=household_id, m=member_id, v=reason)
        builder.button(text=str(label), callback_data=data)
    builder.button(text=_("« Back"), callback_data=EditCb(a="mem", h=household_id, m=member_id))
    builder.adjust(1)
    return builder.as_markup()


def confirm_leave_keyboard(household_id: int, member_id: int, reason: str) -> InlineKeyboardMarkup:
    builder = InlineKeyboardBuilder()
    builder.button(
        text=_("✅ Yes, remove"),
        callback_data=EditCb(a="bye", h=household_id, m=member_id, v=reason),
    )
    builder.button(text=_("« Back"), callback_data=EditCb(a="mem", h=household_id, m=member_id))
    builder.adjust(1)
    return builder.as_markup()


def head_keyboard(household_id: int, members: list[Member]) -> InlineKeyboardMarkup:
    builder = InlineKeyboardBuilder()
    for member in members:
        data = EditCb(a="head", h=household_id, m=member.id)
        builder.button(text=f"👤 {member.name}"[:60], callback_data=data)
    builder.adjust(1)
    return builder.as_markup()


def after_keyboard(household_id: int) -> InlineKeyboardMarkup:
    builder = InlineKeyboardBuilder()
    builder.button(text=_("✏️ Edit more"), callback_data=EditCb(a="menu", h=household_id))
    builder.button(
        text=_("🏠 Family card"), callback_data=HouseholdCb(action="open", id=household_id)
    )
    builder.adjust(2)
    return builder.as_markup()
