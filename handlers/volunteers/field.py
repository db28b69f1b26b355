"""Volunteers (and staff) in the field: `/tugas` (what to visit), `/cari` (find a family) and
the household card. Everything is scoped to the volunteer's area on the server."""

from __future__ import annotations

import re

from aiogram import F, Router
from aiogram.filters import Command, CommandObject, StateFilter
from aiogram.fsm.context import FSMContext
from aiogram.fsm.state import State, StatesGroup
from aiogram.types import CallbackQuery, InlineKeyboardButton, InlineKeyboardMarkup, Message
from aiogram.utils.i18n import gettext as _
from aiogram.utils.keyboard import InlineKeyboardBuilder
from sqlalchemy.ext.asyncio import AsyncSession

from db import audit, regions
from db.models.accounts import Account
from db.models.households import Region
from db.protect import Protector
from domain.dates import today_wib
from domain.roles import PSM
from handlers.access import VOLUNTEERS_AND_STAFF, gated_router, require_consent
from handlers.case_ui import CaseCb
from handlers.chat import delete_secret, remove_buttons, show_page
from handlers.keyboards import MenuButton, main_menu, show_menu
from handlers.volunteers.ui import (
    TASK_ICONS,
    TASK_LABELS,
    HouseholdCb,
    SearchCb,
    TaskPageCb,
    TaskPlaceCb,
    card_keyboard,
    household_label,
    households_keyboard,
    pager,
    render_card,
    tapped_household,
)
from services import cases, field_work, tasks
from services.volunteer_area import covers

NUMBER_RE = re.compile(r"^[\d\s.\-]+$")  # a number typed with spaces, dots or dashes
SEARCH_KEY = "cari"  # FSM data: the last name searched, for its next pages


class SearchFlow(StatesGroup):
    query = State()


# --------------------------------------------------------------------------- tasks


async def show_tasks(
    target: Message, session: AsyncSession, account: Account, page: int, edit: bool,
    where: field_work.TaskFilter | None = None,
) -> None:  # fmt: skip
    where = where or field_work.TaskFilter()
    items, has_more = await field_work.task_page(session, account, page, where=where)
    totals = await field_work.task_totals(session, account, where)
    if not items and page == 0 and where == field_work.TaskFilter():
        await target.answer(
            _("No families to visit in your area right now. Thank you!"),
            reply_markup=main_menu(account),
        )
        return
    heads = await field_work.head_names(session, [item.household.id for item in items])
    # A PSM's list is one desa; a TKSK's or staff's spans several: the desa on every line.
    desa_names = {} if account.role == PSM or where.desa else {
        item.household.id: await regions.name_of(session, item.household.desa_code)
        for item in items
    }  # fmt: skip
    lines = [await _list_title(session, where, totals["total"], page)]
    builder = InlineKeyboardBuilder()
    group = None
    for n, item in enumerate(items, start=page * field_work.PAGE_SIZE + 1):
        if where.desa:  # one desa: grouped by RT/RW, as a volunteer walks it
            here = (item.household.rt, item.household.rw)
            if here != group:
                group = here
                lines.append(_("— RT {rt}/RW {rw} —").format(rt=here[0] or "-", rw=here[1] or "-"))
        label = household_label(
            item.household, heads.get(item.household.id), desa_names.get(item.household.id)
        )
        late = " ⏰" if item.overdue else ""
        number = f" {cases.number(item.case)}" if item.case is not None else ""
        lines.append(
            f"{n}. {TASK_ICONS[item.kind]} {TASK_LABELS[item.kind]}{number}{late}: {label}"
        )
        builder.button(
            text=f"{n}. {label}"[:60],
            callback_data=HouseholdCb(action="open", id=item.household.id),
        )
    if not items:
        lines.append(_("Nothing here. Choose another filter."))
    builder.adjust(1)
    nav = pager(page, has_more, lambda p: _page_cb(where, p))
    if nav:
        builder.row(*nav)
    for row in _filter_rows(account, where, totals):
        builder.row(*row)
    await show_page(target, "\n".join(lines), builder.as_markup(), edit)


async def _list_title(
    session: AsyncSession, where: field_work.TaskFilter, total: int, page: int
) -> str:
    parts = []
    if where.kind:
        parts.append(str(TASK_LABELS[where.kind]))
    if where.desa:
        parts.append(await regions.name_of(session, where.desa))
    if where.rt:
        parts.append(_("RT {rt}").format(rt=where.rt))
    scope = f" ({', '.join(parts)})" if parts else ""
    return _("Families to visit{scope}: {total}, most urgent first. Page {page}:").format(
        scope=scope, total=total, page=page + 1
    )


def _page_cb(where: field_work.TaskFilter, page: int) -> TaskPageCb:
    return TaskPageCb(page=page, k=where.kind or "", d=where.desa or "", r=where.rt or "")


def _filter_rows(
    account: Account, where: field_work.TaskFilter, totals: dict[str, int]
) -> list[list[InlineKeyboardButton]]:
    """Filters: a kind (with how many families have it), the desa (a TKSK or staff), the RT;
    and back to everything."""
    rows: list[list[InlineKeyboardButton]] = []
    kinds = [
        InlineKeyboardButton(
            text=f"{TASK_ICONS[k]} {totals[k]}",
            callback_data=_page_cb(field_work.TaskFilter(k, where.desa, where.rt), 0).pack(),
        )
        for k in TASK_LABELS
        if totals.get(k) and k != where.kind
    ]
    for start in range(0, len(kinds), 4):
        rows.append(kinds[start : start + 4])
    places = []
    if account.role != PSM and not where.desa:
        places.append(InlineKeyboardButton(
            text=_("🏘 Choose desa"), callback_data=TaskPlaceCb(k=where.kind or "").pack()
        ))  # fmt: skip
    desa = where.desa or (account.area_code if account.role == PSM else None)
    if desa and not where.rt:
        places.append(InlineKeyboardButton(
            text=_("🏠 Choose RT"), callback_data=TaskPlaceCb(k=where.kind or "", d=desa).pack()
        ))  # fmt: skip
    if where != field_work.TaskFilter():
        places.append(InlineKeyboardButton(
            text=_("All"), callback_data=TaskPageCb(page=0).pack()
        ))  # fmt: skip
    if places:
        rows.append(places)
    return rows


async def tasks_command(message: Message, session: AsyncSession, account: Account) -> None:
    await show_tasks(message, session, account, 0, edit=False)


async def tasks_page(
    query: CallbackQuery, callback_data: TaskPageCb, session: AsyncSession, account: Account
) -> None:
    await query.answer()
    if not isinstance(query.message, Message):
        return
    where = await _checked_filter(session, account, callback_data.k, callback_data.d,
                                  callback_data.r)  # fmt: skip
    await show_tasks(query.message, session, account, max(0, callback_data.page), True, where)


async def _checked_filter(
    session: AsyncSession, account: Account, kind: str, desa: str, rt: str
) -> field_work.TaskFilter:
    """The filter from a tapped button, with what is not in the tapper's area dropped."""
    region = await session.get(Region, desa) if desa else None
    if region is None or region.parent_code is None or not _covers(account, region):
        region = None
    return field_work.TaskFilter(
        kind if kind in TASK_LABELS else None,
        region.code if region is not None else None,
        rt[:3] if region is not None and rt else None,
    )


async def task_place(
    query: CallbackQuery, callback_data: TaskPlaceCb, session: AsyncSession, account: Account
) -> None:
    """Choose the desa (then the RT) the list is narrowed to."""
    await query.answer()
    if not isinstance(query.message, Message):
        return
    where = await _checked_filter(session, account, callback_data.k, callback_data.d, "")
    builder = InlineKeyboardBuilder()
    if where.desa is None:
        choices = await field_work.desa_choices(session, account, callback_data.c or None)
        staff_kecamatan_list = bool(choices) and choices[0].level == "kecamatan"
        for region in choices:
            data = (
                TaskPlaceCb(k=callback_data.k, c=region.code) if staff_kecamatan_list
                else _page_cb(field_work.TaskFilter(where.kind, region.code), 0)
            )  # fmt: skip
            builder.button(text=region.name, callback_data=data)
        builder.adjust(2)
        prompt = _("Choose the kecamatan:") if staff_kecamatan_list else _("Choose the desa:")
        await query.message.answer(prompt, reply_markup=builder.as_markup())
        return
    for rt in await field_work.rts_of(session, account, where.desa):
        if rt:
            builder.button(
                text=_("RT {rt}").format(rt=rt),
                callback_data=_page_cb(field_work.TaskFilter(where.kind, where.desa, rt), 0),
            )
    builder.adjust(4)
    await query.message.answer(_("Choose the RT:"), reply_markup=builder.as_markup())


# --------------------------------------------------------------------------- card


async def open_card(
    query: CallbackQuery, callback_data: HouseholdCb, session: AsyncSession, account: Account,
    protector: Protector,
) -> None:  # fmt: skip
    household = await tapped_household(query, callback_data, session, account)
    if household is None:
        return
    card = await field_work.card(session, account, household, protector)
    await query.answer()
    if isinstance(query.message, Message):
        await query.message.answer(
            render_card(card, today_wib()),
            reply_markup=card_keyboard(household.id, card.open_tasks),
        )


async def messages_passed_on(
    query: CallbackQuery, callback_data: HouseholdCb, session: AsyncSession, account: Account
) -> None:
    """ "Sudah disampaikan": the family was told in person; no visit form needed."""
    household = await tapped_household(query, callback_data, session, account)
    if household is None:
        return
    closed = await tasks.resolve_household_tasks(
        session, household.id, account, cases.DELIVERED, kinds=[tasks.UNREACHABLE]
    )
    await query.answer()
    if not isinstance(query.message, Message):
        return
    await remove_buttons(query.message)
    if not closed:
        await query.message.answer(_("There was nothing left to pass on to this family."))
        return
    await query.message.answer(
        _("Thank you: the messages are recorded as passed on to the family."),
        reply_markup=InlineKeyboardMarkup(inline_keyboard=[[InlineKeyboardButton(
            text=_("📝 Add a note (optional)"),
            callback_data=CaseCb(a="note", id=closed[0].id).pack(),
        )]]),
    )  # fmt: skip


# --------------------------------------------------------------------------- search


def search_prompt_keyboard() -> InlineKeyboardMarkup:
    builder = InlineKeyboardBuilder()
    builder.button(text=_("🏘 By desa and RT"), callback_data=SearchCb(kind="kec"))
    return builder.as_markup()


async def search_command(
    message: Message,
    command: CommandObject,
    state: FSMContext,
    session: AsyncSession,
    account: Account,
    protector: Protector,
) -> None:
    if command.args:
        await run_search(message, command.args, state, session, account, protector)
        return
    await state.set_state(SearchFlow.query)
    await message.answer(
        _("Type part of a name, or a NIK or No. KK (16 digits). Or find families by desa and RT:"),
        reply_markup=search_prompt_keyboard(),
    )


async def search_menu(message: Message, state: FSMContext) -> None:
    await state.set_state(SearchFlow.query)
    await message.answer(
        _("Type part of a name, or a NIK or No. KK (16 digits). Or find families by desa and RT:"),
        reply_markup=search_prompt_keyboard(),
    )


async def search_text(
    message: Message,
    state: FSMContext,
    session: AsyncSession,
    account: Account,
    protector: Protector,
) -> None:
    if not message.text:
        await message.answer(_("Please type a name or a number."))
        return
    await run_search(message, message.text, state, session, account, protector)


async def run_search(
    message: Message,
    text: str,
    state: FSMContext,
    session: AsyncSession,
    account: Account,
    protector: Protector,
) -> None:
    text = " ".join(text.split())
    digits = re.sub(r"\D", "", text)
    if NUMBER_RE.match(text) and len(digits) >= 6:
        await delete_secret(message)  # even a mistyped one
        if len(digits) != 16:
            await message.answer(
                _("A NIK or No. KK has 16 digits; you typed {count}. Please type it again.").format(
                    count=len(digits)
                )
            )
            return
        await state.set_state(None)
        household = await field_work.search_number(session, account, protector.lookup_hash(digits))
        if household is None:
            await show_menu(
                message,
                _("Not found in your area. Check the number, or search by name."),
                account,
            )
            return
        card = await field_work.card(session, account, household, protector)
        await message.answer(
            render_card(card, today_wib()),
            reply_markup=card_keyboard(household.id, card.open_tasks),
        )
        return
    if len(text) < 3:
        await message.answer(_("Please type at least 3 letters of the name."))
        return
    await state.set_state(None)
    await state.update_data({SEARCH_KEY: text[:60]})
    await show_name_results(message, session, account, text[:60], 0, edit=False)


async def show_name_results(
    message: Message, session: AsyncSession, account: Account, text: str, page: int, edit: bool
) -> None:
    found, has_more = await field_work.search_name(session, account, text, page)
    audit.record(session, account, "household.searched", "household", None, by="name", page=page)
    if not found:
        await show_menu(
            message, _("No family with that name in your area. Try another spelling."), account
        )
        return
    heads = await field_work.head_names(session, [h.id for h in found])
    markup = households_keyboard(
        found, heads, pager(page, has_more, lambda p: SearchCb(kind="name", page=p))
    )
    text_out = _("Families found (page {page}). Tap one to open its card:").format(page=page + 1)
    await show_page(message, text_out, markup, edit)


async def search_button(
    query: CallbackQuery,
    callback_data: SearchCb,
    state: FSMContext,
    session: AsyncSession,
    account: Account,
) -> None:
    await query.answer()
    message = query.message
    if not isinstance(message, Message):
        return
    kind, code = callback_data.kind, callback_data.code
    if kind == "name":
        text = (await state.get_data()).get(SEARCH_KEY)
        if not text:
            await message.answer(_("Please search again with /cari."))
            return
        await show_name_results(message, session, account, text, max(0, callback_data.page), True)
        return
    await state.set_state(None)
    if kind == "kec":
        regions = await field_work.desa_choices(session, account, code or None)
        builder = InlineKeyboardBuilder()
        staff_kecamatan_list = bool(regions) and regions[0].level == "kecamatan"
        for choice in regions:
            next_kind = "kec" if staff_kecamatan_list else "desa"
            builder.button(
                text=choice.name, callback_data=SearchCb(kind=next_kind, code=choice.code)
            )
        builder.adjust(2)
        prompt = _("Choose the kecamatan:") if staff_kecamatan_list else _("Choose the desa:")
        await message.answer(prompt, reply_markup=builder.as_markup())
        return
    region = await session.get(Region, code) if code else None
    if region is None or region.parent_code is None or not _covers(account, region):
        audit.record(session, account, "household.out_of_area", "region", None, area=code[:13])
        await show_menu(message, _("This desa is not in your area."), account)
        return
    if kind == "desa":
        rts = await field_work.rts_of(session, account, region.code)
        if not rts:
            await message.answer(_("No families recorded in {desa}.").format(desa=region.name))
            return
        builder = InlineKeyboardBuilder()
        for rt in rts:
            builder.button(
                text=_("RT {rt}").format(rt=rt or "-"),
                callback_data=SearchCb(kind="rt", code=region.code, rt=rt or "-"),
            )
        builder.adjust(4)
        await message.answer(
            _("{desa}: choose the RT:").format(desa=region.name), reply_markup=builder.as_markup()
        )
        return
    rt = None if callback_data.rt == "-" else callback_data.rt
    page = max(0, callback_data.page)
    found, has_more = await field_work.search_rt(session, account, region.code, rt, page)
    audit.record(session, account, "household.searched", "region", None, by="rt", desa=region.code)
    heads = await field_work.head_names(session, [h.id for h in found])
    markup = households_keyboard(
        found,
        heads,
        pager(
            page,
            has_more,
            lambda p: SearchCb(kind="rt", code=region.code, rt=callback_data.rt, page=p),
        ),
    )
    await message.answer(
        _("{desa}, RT {rt}: tap a family to open its card.").format(desa=region.name, rt=rt or "-"),
        reply_markup=markup,
    )


def _covers(account: Account, desa: Region) -> bool:
    return covers(account, desa.code, desa.parent_code or "")


def create_router() -> Router:
    router = require_consent(gated_router("volunteer_field", VOLUNTEERS_AND_STAFF))
    router.message.register(tasks_command, Command("tugas"))
    router.message.register(tasks_command, MenuButton("tugas"))
    router.callback_query.register(tasks_page, TaskPageCb.filter())
    router.callback_query.register(task_place, TaskPlaceCb.filter())
    router.callback_query.register(open_card, HouseholdCb.filter(F.action == "open"))
    router.callback_query.register(messages_passed_on, HouseholdCb.filter(F.action == "told"))
    router.message.register(search_command, Command("cari"))
    router.message.register(search_menu, MenuButton("cari"))
    router.message.register(search_text, StateFilter(SearchFlow.query))
    router.callback_query.register(search_button, SearchCb.filter())
    return router
