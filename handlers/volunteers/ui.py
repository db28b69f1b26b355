"""Callback data, keyboards and renderings shared by the volunteers' handlers.

Callback data carries only ids, codes of regions and page numbers: never a name, NIK or KK.
Every household id in it is checked against the tapper's area again on the server.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Sequence

from aiogram.filters.callback_data import CallbackData
from aiogram.types import (
    CallbackQuery,
    InlineKeyboardButton,
    InlineKeyboardMarkup,
)
from aiogram.utils.i18n import gettext as _
from aiogram.utils.i18n import lazy_gettext as __
from aiogram.utils.keyboard import InlineKeyboardBuilder
from sqlalchemy.ext.asyncio import AsyncSession

from conversations.household_edit import RELATION_LABELS
from conversations.i18n import lazy_pgettext
from conversations.lapor import FOOD, HOUSE_SAFETY, SICKNESS
from conversations.validators import format_datetime_id
from db.models.accounts import Account
from db.models.cases import Case
from db.models.households import Household
from domain.money import format_rupiah
from handlers.access import STAFF, VOLUNTEERS, VOLUNTEERS_AND_STAFF
from handlers.callback_ids import Page, RowId
from handlers.case_ui import CaseCb
from handlers.commands import COMMANDS, CommandInfo
from handlers.keyboards import MENU_ENTRIES, MenuEntry
from services import cases, field_reports, field_work, tasks
from services.volunteer_area import household_in_area

# The feature's menu buttons and commands, in the order people see them.
MENU_ENTRIES.append(MenuEntry("tugas", __("📋 Tasks"), roles=VOLUNTEERS_AND_STAFF))
MENU_ENTRIES.append(MenuEntry("cari", __("🔎 Find a family"), roles=VOLUNTEERS_AND_STAFF))
MENU_ENTRIES.append(MenuEntry("kunjungan", __("📝 Visit"), roles=VOLUNTEERS_AND_STAFF))
MENU_ENTRIES.append(MenuEntry("laporcepat", __("⚡ Quick report"), roles=VOLUNTEERS))
MENU_ENTRIES.append(MenuEntry("undang", __("✉️ Invite a volunteer"), roles=STAFF))
MENU_ENTRIES.append(MenuEntry("relawan", __("👥 Volunteers"), roles=STAFF))
COMMANDS.append(
    CommandInfo(
        "tugas",
        __("Families to visit"),
        __("families in your area to visit, most urgent first."),
        roles=VOLUNTEERS_AND_STAFF,
    )
)
COMMANDS.append(
    CommandInfo(
        "cari",
        __("Find a family"),
        __("find a family by name, NIK, No. KK, or desa and RT."),
        roles=VOLUNTEERS_AND_STAFF,
    )
)
COMMANDS.append(
    CommandInfo(
        "kunjungan",
        __("Record a field visit"),
        __("record a visit to a family: what you saw, a photo and the location."),
        roles=VOLUNTEERS_AND_STAFF,
    )
)
COMMANDS.append(
    CommandInfo(
        "laporcepat",
        __("Quick report"),
        __("send one message (and a photo) about any family or situation to the office."),
        roles=VOLUNTEERS,
    )
)
COMMANDS.append(
    CommandInfo(
        "undang",
        __("Invite a volunteer"),
        __("creates a one-time code for a new PSM or TKSK (valid 7 days)."),
        roles=STAFF,
    )
)
COMMANDS.append(
    CommandInfo(
        "relawan",
        __("Volunteers"),
        __("lists the volunteers and lets you revoke one."),
        roles=STAFF,
    )
)


class HouseholdCb(CallbackData, prefix="hh"):
    action: str  # open | visit | told (the messages for a family without the bot passed on)
    id: RowId


async def tapped_household(
    query: CallbackQuery, callback_data: HouseholdCb, session: AsyncSession, account: Account
) -> Household | None:
    """The household of a tapped HouseholdCb button when it is in the tapper's area; otherwise
    None, after telling them (an old button, or a hand-made one)."""
    household = await household_in_area(session, account, callback_data.id)
    if household is None:
        await query.answer(_("This family was not found in your area."), show_alert=True)
    return household


class EditCb(CallbackData, prefix="ed"):
    """A button of the household editor (handlers.volunteers.edit): the step `a`, the household
    `h`, the member `m` (0: none) and a code of a fixed list `v` (a relation, a reason to
    leave). Both ids are checked on the server again."""

    a: str
    h: RowId
    m: RowId = 0
    v: str = ""


class TaskPageCb(CallbackData, prefix="tg"):
    page: Page
    k: str = ""  # only this kind of task ("" for all)
    d: str = ""  # only this desa (a region code; checked against the area)
    r: str = ""  # only this RT of that desa


class TaskPlaceCb(CallbackData, prefix="tp"):
    k: str = ""  # the kind the list is filtered to
    c: str = ""  # staff: the kecamatan whose desa to choose from
    d: str = ""  # the desa whose RT to choose


class SearchCb(CallbackData, prefix="sr"):
    kind: str  # name (next page of the last name search) | kec | desa | rt
    code: str = ""
    rt: str = ""
    page: Page = 0


TASK_LABELS = {
    tasks.URGENT_REPORT: __("Urgent report"),
    tasks.NOT_RECEIVED: __("Aid not received"),
    tasks.USULAN: __("Proposed, to verify"),
    tasks.CORRECTION: __("Data correction"),
    tasks.UNREACHABLE: __("Cannot be reached by the bot"),
    tasks.NOT_VISITED: __("Not visited for 90 days"),
}
TASK_ICONS = {
    tasks.URGENT_REPORT: "🔴",
    tasks.NOT_RECEIVED: "🟠",
    tasks.USULAN: "🟡",
    tasks.CORRECTION: "🔵",
    tasks.UNREACHABLE: "📵",
    tasks.NOT_VISITED: "⚪",
}
VERIFICATION_LABELS = {
    "terdaftar": __("on the list"),
    field_work.WAITING: __("proposed, waiting for verification"),
    field_work.VERIFIED: __("verified"),
    # TRANSLATORS: a family found not eligible at the verification visit.
    field_work.REJECTED: lazy_pgettext("verification", "rejected"),
}
OUTCOME_LABELS = {
    field_reports.MET: __("met the family"),
    field_reports.NOBODY_HOME: __("nobody home"),
    field_reports.MOVED: __("moved away"),
    field_reports.DIED: __("head of family died"),
    field_reports.NOT_FOUND: __("address not found"),
    field_reports.DATA_WRONG: __("data is wrong"),
}


def household_label(household: Household, head: str | None, desa: str | None = None) -> str:
    rt = household.rt or "-"
    # A family proposed without documents has no KK yet: never show "None".
    name = head or household.kk_masked or "-"
    if desa:  # a TKSK's or staff's list spans several desa
        return _("{name} · {desa} RT {rt}").format(name=name, desa=desa, rt=rt)
    return _("{name} · RT {rt}").format(name=name, rt=rt)


def households_keyboard(
    households: list[Household],
    heads: dict[int, str | None],
    page_buttons: list[InlineKeyboardButton],
) -> InlineKeyboardMarkup:
    builder = InlineKeyboardBuilder()
    for household in households:
        builder.button(
            text=household_label(household, heads.get(household.id)),
            callback_data=HouseholdCb(action="open", id=household.id),
        )
    builder.adjust(1)
    if page_buttons:
        builder.row(*page_buttons)
    return builder.as_markup()


def pager(
    page: int, has_more: bool, make: Callable[[int], CallbackData]
) -> list[InlineKeyboardButton]:
    """The « Previous / Next » buttons of a paged list (none on a single page); `make` gives
    the callback data of a page number."""
    buttons = []
    if page > 0:
        buttons.append((_("« Previous"), make(page - 1)))
    if has_more:
        buttons.append((_("Next »"), make(page + 1)))
    return [InlineKeyboardButton(text=text, callback_data=data.pack()) for text, data in buttons]


def when(moment: dt.datetime | None) -> str:
    return format_datetime_id(moment) if moment is not None else _("never")


# The lists a household may come from, by their own names (not translated).
SOURCE_NAMES = {"p3ke": "P3KE", "dtks": "DTKS/BDT", "regsosek": "Regsosek/DTSEN",
                "siks": "DTKS (SIKS-NG)", "kpm": "KPM Kemensos"}  # fmt: skip


def kk_text(household: Household) -> str:
    """The masked No. KK, or words saying there is none yet (a P3KE family, a proposal)."""
    return household.kk_masked or _("none yet")


def _list_lines(card: field_work.Card) -> list[str]:
    """What the lists Dinsos receives say: where from, desil, programmes."""
    h = card.household
    lines = []
    if h.source_system and h.source_household_id:
        lines.append(
            _("From the list: {name}, family id {id}").format(
                name=SOURCE_NAMES.get(h.source_system, h.source_system), id=h.source_household_id
            )
        )
    if h.desil is not None:
        lines.append(_("Welfare decile (desil): {desil} of 10").format(desil=h.desil))
    programs = [*card.programs, *(h.source_programs.split(", ") if h.source_programs else [])]
    if programs:
        lines.append(_("Programs: {names}").format(names=", ".join(dict.fromkeys(programs))))
    return lines


def _proposal_lines(h: Household) -> list[str]:
    """What a proposer gave (phone, declared members, description): what a volunteer
    verifying the proposal needs at the door. The phone is a tap to call."""
    lines = []
    if h.phone:
        lines.append(_("Phone: {phone}").format(phone=h.phone))
    if h.declared_members:
        lines.append(_("Members declared: {count}").format(count=h.declared_members))
    if h.description:
        lines.append(_("Proposal: {text}").format(text=" ".join(h.description.split())[:200]))
    return lines


def render_card(card: field_work.Card, today: dt.date) -> str:
    h = card.household
    place = ", ".join(
        part
        for part in (
            h.address,
            _("RT {rt}/RW {rw}").format(rt=h.rt or "-", rw=h.rw or "-"),
            card.desa.name if card.desa else None,
            _("Kec. {name}").format(name=card.kecamatan.name) if card.kecamatan else None,
        )
        if part
    )
    lines = [
        _("🏠 Family card"),
        _("No. KK: {kk}").format(kk=card.kk_full or kk_text(h)),
        _("Address: {place}").format(place=place),
        _("Status: {status}").format(
            status=VERIFICATION_LABELS.get(h.verification, h.verification)
        ),
        *_list_lines(card),
        *_proposal_lines(h),
        "",
        _("Members:"),
    ]
    for member in card.members:
        age = field_work.age_on(member.birth_date, today)
        tags = []
        if age is not None:
            tags.append(_("{age} yrs").format(age=age))
            if age >= 60:
                tags.append(_("elderly"))
        if member.severe_disability:
            tags.append(_("severe disability"))
        if member.padan_dukcapil is not None:
            tags.append(_("Padan Dukcapil") if member.padan_dukcapil else _("not Padan Dukcapil"))
        lines.append(
            "• {name} ({rel}), NIK {nik}{tags}".format(
                name=member.name or "-",
                rel=RELATION_LABELS.get(member.relationship_to_head, member.relationship_to_head),
                nik=member.nik_masked or "-",
                tags=", " + ", ".join(tags) if tags else "",
            )
        )
    if not card.members:
        lines.append(_("• no members recorded"))
    lines.append("")
    if card.report is not None:
        report = card.report
        detail = []
        if report.income_monthly is not None:
            detail.append(
                _("income {amount} a month").format(amount=format_rupiah(report.income_monthly))
            )
        if report.urgent:
            detail.append(_("URGENT"))
        lines.append(
            _("Latest self-report: {when}").format(when=when(report.created_at))
            + (" — " + ", ".join(detail) if detail else "")
        )
    else:
        lines.append(_("Latest self-report: none"))
    if card.visit is not None:
        lines.append(
            _("Last visit: {when} ({outcome})").format(
                when=when(card.visit.visited_at),
                outcome=OUTCOME_LABELS.get(card.visit.outcome, card.visit.outcome),
            )
        )
    else:
        lines.append(_("Last visit: never"))
    if card.open_tasks:
        lines.append("")
        lines.append(_("Open cases:"))
        for case in card.open_tasks:
            lines.append(case_line(case, card.details.get(case.id, [])))
    return "\n".join(lines)


def case_line(case: Case, texts: list[str]) -> str:
    """An open case on a card: its kind, number and what it says (the messages to pass on at
    the door, one per line; the latest words of the others)."""
    text = f"{TASK_ICONS.get(case.kind, '📣')} {kind_label(case.kind)} {cases.number(case)}"
    if case.kind == tasks.UNREACHABLE and texts:
        text += ":\n" + "\n".join(texts)[:400]
    elif texts:
        text += f": {task_detail(case.kind, texts[-1])[:200]}"
    return text


def kind_label(kind: str) -> str:
    return str(TASK_LABELS.get(kind) or _("Complaint or question"))


def task_detail(kind: str, detail: str) -> str:
    """A task's detail as volunteers read it: an urgent report keeps its reasons as codes
    ("food, house_safety"), said here in words."""
    if kind != tasks.URGENT_REPORT:
        return detail
    words = {
        "food": FOOD[-1].label, "sickness": SICKNESS[-1].label,
        "house_safety": HOUSE_SAFETY[-1].label,
    }  # fmt: skip
    return ", ".join(str(words.get(code.strip(), code.strip())) for code in detail.split(","))


def card_keyboard(household_id: int, open_cases: Sequence[Case] = ()) -> InlineKeyboardMarkup:
    """The card's buttons: one per open case to end it with an outcome (messages waiting to
    be told to the family in person end with one tap), a visit, back to the list."""
    builder = InlineKeyboardBuilder()
    for case in open_cases:
        if case.kind == tasks.UNREACHABLE:
            builder.button(
                text=_("✅ Messages passed on"),
                callback_data=HouseholdCb(action="told", id=household_id),
            )
        elif case.kind in cases.WRITTEN:
            builder.button(
                text=_("📂 Open {number}").format(number=cases.number(case)),
                callback_data=CaseCb(a="open", id=case.id),
            )
        else:
            builder.button(
                text=_("✅ Finish {number}").format(number=cases.number(case)),
                callback_data=CaseCb(a="close", id=case.id),
            )
    builder.button(
        text=_("📝 Record a visit"), callback_data=HouseholdCb(action="visit", id=household_id)
    )
    builder.button(text=_("✏️ Edit data"), callback_data=EditCb(a="menu", h=household_id))
    builder.button(text=_("📋 Tasks"), callback_data=TaskPageCb(page=0))
    builder.adjust(1)
    return builder.as_markup()
