"""The inbox of cases (`/kasus`, "📥 Cases") for PSM (their desa), TKSK (their kecamatan) and
staff (everything; what was passed up to staff first): the list, a case's card with its
thread, and Take / Reply / Pass up. Closing is in handlers.volunteers.case_close.

Every case id from a button is checked against the tapper's area on the server
(services.case_queries.in_area): a crafted callback for another area's case is refused and audited.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from aiogram import Bot, F, Router
from aiogram.filters import Command, StateFilter
from aiogram.fsm.context import FSMContext
from aiogram.fsm.state import State, StatesGroup
from aiogram.types import CallbackQuery, InlineKeyboardMarkup, Message
from aiogram.utils.i18n import gettext as _
from aiogram.utils.i18n import lazy_gettext as __
from sqlalchemy.ext.asyncio import AsyncSession

from db import audit, regions
from db.models.accounts import Account
from db.models.base import utcnow
from db.models.cases import Case
from db.models.households import Household
from db.protect import Protector
from domain.dates import to_wib
from domain.roles import PETUGAS
from handlers.access import VOLUNTEERS_AND_STAFF, gated_router, require_consent
from handlers.case_ui import (
    KIND_LABELS,
    LEVEL_NAMES,
    OFFICER_STATES,
    WHO_ANSWERS,
    CaseCb,
    InboxPageCb,
    age_text,
    author_label,
    button,
    deliver,
    due_date,
    item_of,
    officer_keyboard,
    resident_reply_keyboard,
)
from handlers.chat import show_page
from handlers.commands import COMMANDS, CommandInfo
from handlers.filters import NotACommand
from handlers.keyboards import MENU_ENTRIES, MenuButton, MenuEntry, main_menu, show_menu
from handlers.volunteers.ui import HouseholdCb, pager, task_detail
from services import case_queries, cases, field_work

if TYPE_CHECKING:
    from bot.settings import Settings

MENU_ENTRIES.append(MenuEntry("kasus", __("📥 Cases"), roles=VOLUNTEERS_AND_STAFF))
COMMANDS.append(
    CommandInfo(
        "kasus",
        __("Complaints to answer"),
        __("residents' complaints and questions of your area, urgent first, then oldest."),
        roles=VOLUNTEERS_AND_STAFF,
    )
)
REPLY_KEY = "case_reply"  # FSM data: the id of the case being answered
THREAD_SHOWN = 15  # messages of the thread on a case's card
BODY_SHOWN = 240  # characters of each (the full text came in the message that relayed it)


class CaseReplyFlow(StatesGroup):
    text = State()


async def tapped_case(
    query: CallbackQuery, case_id: int, session: AsyncSession, account: Account
) -> Case | None:
    """The case of a tapped button when it is in the tapper's area; otherwise None after
    telling them (an old button, a volunteer moved elsewhere, or a hand-made one)."""
    case = await case_queries.in_area(session, account, case_id)
    if case is None:
        await query.answer(_("This case was not found in your area."), show_alert=True)
    return case


async def tapped_open_case(
    query: CallbackQuery, case_id: int, session: AsyncSession, account: Account
) -> Case | None:
    """As `tapped_case`, and still open (a closed case can be neither answered nor closed
    again); the tap is answered."""
    case = await tapped_case(query, case_id, session, account)
    if case is None:
        return None
    if case.state == cases.CLOSED:
        await query.answer(_("This case is already closed."), show_alert=True)
        return None
    await query.answer()
    return case


# --------------------------------------------------------------------------- the inbox


async def show_inbox(
    target: Message, session: AsyncSession, account: Account, page: int, edit: bool
) -> None:
    found, total = await case_queries.inbox(session, account, page)
    if total == 0 or not found:
        await target.answer(
            _("No open complaints in your area right now. Thank you!"),
            reply_markup=main_menu(account),
        )
        return
    now = utcnow()
    lines = [
        _("Open complaints in your area: {total} (urgent first, then oldest). Page {page}:").format(
            total=total, page=page + 1
        )
    ]
    rows = []
    for n, case in enumerate(found, start=page * case_queries.PAGE_SIZE + 1):
        desa = await regions.name_of(session, case.desa_code)
        mark = "🔴 " if case.urgent else ""
        lines.append(
            f"{n}. {mark}{cases.number(case)} · {KIND_LABELS[case.kind]} · "
            f"{OFFICER_STATES[case.state]} · {age_text(case, now)} · {desa}"
        )
        rows.append([button(f"{n}. {mark}{cases.number(case)}", CaseCb(a="open", id=case.id))])
    has_more = (page + 1) * case_queries.PAGE_SIZE < total
    nav = pager(page, has_more, lambda p: InboxPageCb(page=p))
    if nav:
        rows.append(nav)
    await show_page(
        target, "\n".join(lines), InlineKeyboardMarkup(inline_keyboard=rows), edit
    )


async def inbox_command(message: Message, session: AsyncSession, account: Account) -> None:
    await show_inbox(message, session, account, 0, edit=False)


async def inbox_page(
    query: CallbackQuery, callback_data: InboxPageCb, session: AsyncSession, account: Account
) -> None:
    await query.answer()
    if isinstance(query.message, Message):
        await show_inbox(query.message, session, account, callback_data.page, edit=True)


# --------------------------------------------------------------------------- the card


def card_keyboard(case: Case, account: Account) -> InlineKeyboardMarkup:
    rows = []
    if case.raised_by_account_id is not None:  # someone to answer (not a notice to pass on)
        rows.append([button(_("✍️ Reply"), CaseCb(a="reply", id=case.id))])
    if case.household_id is not None:
        rows.append([button(_("🏠 Family card"), HouseholdCb(action="open", id=case.household_id))])
    if case.holder_account_id != account.id:
        rows.append([button(_("🙋 Take"), CaseCb(a="take", id=case.id))])
    if case.level != cases.LEVEL_STAFF:
        rows.append([button(_("↗ Pass up"), CaseCb(a="up", id=case.id))])
    rows.append([button(_("✅ Close"), CaseCb(a="close", id=case.id))])
    return InlineKeyboardMarkup(inline_keyboard=rows)


async def family_line(
    session: AsyncSession, account: Account, case: Case, protector: Protector | None = None
) -> str:
    """Who the family is: the head's name and the No. KK, in full for staff (who may see it
    and search by it), masked for volunteers (a view of personal data, audited as the
    household card is)."""
    if case.household_id is None:
        return _("Family: the resident has not linked a family on the list.")
    household = await session.get(Household, case.household_id)
    if household is None:
        return _("Family: the resident has not linked a family on the list.")
    head = (await field_work.head_names(session, [household.id])).get(household.id)
    audit.record(session, account, "household.viewed", "household", household.id, via="case")
    full = (
        protector.try_decrypt(household.kk_encrypted)
        if protector is not None and account.role == PETUGAS and household.kk_encrypted
        else None
    )
    return _("Family: {name}, No. KK {kk}, RT {rt}/RW {rw}").format(
        name=head or "-", kk=full or household.kk_masked or "-", rt=household.rt or "-",
        rw=household.rw or "-",
    )  # fmt: skip


def taken_by(holder: Account | None, account: Account) -> str:
    if holder is None:
        return _("nobody yet")
    if holder.id == account.id:
        return _("you")
    return holder.first_name or author_label(cases.answerer_role(holder), holder)


async def open_case(
    query: CallbackQuery, callback_data: CaseCb, session: AsyncSession, account: Account,
    bot: Bot, protector: Protector,
) -> None:  # fmt: skip
    case = await tapped_case(query, callback_data.id, session, account)
    if case is None:
        return
    await query.answer()
    audit.record(session, account, "case.viewed", "case", case.id)
    now = utcnow()
    holder = await session.get(Account, case.holder_account_id) if case.holder_account_id else None
    head = _("📂 {kind} {number}").format(kind=KIND_LABELS[case.kind], number=cases.number(case))
    lines = [
        head + (" · " + _("🔴 URGENT") if case.urgent else ""),
        _("State: {state}; with: {level}").format(
            state=OFFICER_STATES[case.state], level=LEVEL_NAMES[case.level]
        ),
        _("Taken by: {who}").format(who=taken_by(holder, account)),
        _("Received: {age}; first answer due: {date}").format(
            age=age_text(case, now), date=due_date(case)
        ),
        _("Place: {desa}, Kec. {kecamatan}").format(
            desa=await regions.name_of(session, case.desa_code),
            kecamatan=await regions.name_of(session, case.kecamatan_code),
        ),
        await family_line(session, account, case, protector),
        "",
        _("Messages:"),
    ]
    thread = await case_queries.thread(session, case.id)
    if len(thread) > THREAD_SHOWN:  # the newest ones: a card must fit in one message
        lines.append(_("({count} earlier messages not shown)").format(
            count=len(thread) - THREAD_SHOWN))  # fmt: skip
        thread = thread[-THREAD_SHOWN:]
    authors = {m.author_account_id for m in thread if m.author_account_id is not None}
    people = {a: await session.get(Account, a) for a in authors}
    files = []
    for message in thread:
        when = to_wib(message.created_at).strftime("%d/%m %H.%M")
        who = author_label(message.role, people.get(message.author_account_id or 0))
        if message.role == cases.SYSTEM:
            # A note of the bot's (what to pass on, a change made, a report's reasons), or
            # the case passed up.
            note = task_detail(case.kind, message.text) if message.text else _("passed up")
            lines.append(f"[{when}] " + ("ℹ️ " if message.text else "↗ ") + note[:BODY_SHOWN])
            continue
        body = message.text or ""
        if len(body) > BODY_SHOWN:
            body = body[:BODY_SHOWN] + "…"
        if message.file_id:
            body = (body + " " if body else "") + _("(file sent below)")
            files.append(message)
        lines.append(f"[{when}] {who}: {body}")
    if not isinstance(query.message, Message):
        return
    text = "\n".join(lines)
    await query.message.answer(text[:4000], reply_markup=card_keyboard(case, account))
    for message in files:
        who = author_label(message.role, people.get(message.author_account_id or 0))
        item = cases.Item(message.text, message.file_id, message.file_kind)
        await deliver(bot, account, item, f"{cases.number(case)} · {who}")


async def take_case(
    query: CallbackQuery, callback_data: CaseCb, session: AsyncSession, account: Account
) -> None:
    case = await tapped_case(query, callback_data.id, session, account)
    if case is None:
        return
    if not cases.take(session, case, account):
        await query.answer(_("This case is already closed."), show_alert=True)
        return
    await query.answer(_("You took complaint {number}.").format(number=cases.number(case)))


async def pass_up_case(
    query: CallbackQuery, callback_data: CaseCb, session: AsyncSession, account: Account,
    settings: Settings, bot: Bot,
) -> None:  # fmt: skip
    case = await tapped_case(query, callback_data.id, session, account)
    if case is None:
        return
    level = await cases.pass_up(session, case, account, utcnow(), settings.answer_times)
    if level is None:
        await query.answer(_("This case cannot be passed up any further."), show_alert=True)
        return
    await query.answer(
        _("Complaint {number} was passed up to {level}.").format(
            number=cases.number(case), level=LEVEL_NAMES[level]
        ),
        show_alert=True,
    )
    await tell_passed_up(session, bot, case, level)


async def tell_passed_up(session: AsyncSession, bot: Bot, case: Case, level: str) -> None:
    """The new level's people get the case; the resident is told who answers now."""
    desa = await regions.name_of(session, case.desa_code)
    header = _("↗ Complaint {number} ({desa}) was passed up to you. Please answer it.").format(
        number=cases.number(case), desa=desa
    )
    for person in await cases.level_people(session, case, level):
        await deliver(bot, person, None, header, officer_keyboard(case))
    resident = await raiser(session, case)
    if resident is not None:
        await deliver(bot, resident, None, _(
            "Your complaint {number} was passed on. It will be answered by {who}."
        ).format(number=cases.number(case), who=WHO_ANSWERS[level]))  # fmt: skip


async def raiser(session: AsyncSession, case: Case) -> Account | None:
    if case.raised_by_account_id is None:
        return None
    return await session.get(Account, case.raised_by_account_id)


# --------------------------------------------------------------------------- reply


async def reply_button(
    query: CallbackQuery, callback_data: CaseCb, state: FSMContext, session: AsyncSession,
    account: Account,
) -> None:  # fmt: skip
    case = await tapped_open_case(query, callback_data.id, session, account)
    if case is None:
        return
    await state.set_state(CaseReplyFlow.text)
    await state.update_data({REPLY_KEY: case.id})
    if isinstance(query.message, Message):
        await query.message.answer(
            _(
                "Write your answer to the resident for {number} (text, photo or voice note). "
                "They will not see your phone number or account. /batal to stop."
            ).format(number=cases.number(case))
        )


async def reply_text(
    message: Message, state: FSMContext, session: AsyncSession, account: Account, bot: Bot
) -> None:
    case_id = (await state.get_data()).get(REPLY_KEY)
    item = await item_of(message)
    if item is None:
        await message.answer(_("Please send text, a photo or a voice note."))
        return
    case = await case_queries.in_area(session, account, int(case_id or 0))
    await state.set_state(None)
    if case is None or await cases.reply(session, case, account, item, utcnow()) is None:
        await show_menu(message, _("This case is closed or no longer in your area."), account)
        return
    resident = await raiser(session, case)
    header = _("💬 Answer to your complaint {number} from {who}:").format(
        number=cases.number(case), who=author_label(cases.answerer_role(account), account)
    )
    sent = resident is not None and await deliver(
        bot, resident, item, header, resident_reply_keyboard(case)
    )
    text = (
        _("Sent to the resident of {number}.") if sent
        else _("Saved with {number}, but the resident cannot be reached by the bot now.")
    )  # fmt: skip
    await show_menu(message, text.format(number=cases.number(case)), account)


def create_router() -> Router:
    router = require_consent(gated_router("volunteer_cases", VOLUNTEERS_AND_STAFF))
    router.message.register(inbox_command, Command("kasus"))
    router.message.register(inbox_command, MenuButton("kasus"))
    router.callback_query.register(inbox_page, InboxPageCb.filter())
    router.callback_query.register(open_case, CaseCb.filter(F.a == "open"))
    router.callback_query.register(take_case, CaseCb.filter(F.a == "take"))
    router.callback_query.register(pass_up_case, CaseCb.filter(F.a == "up"))
    router.callback_query.register(reply_button, CaseCb.filter(F.a == "reply"))
    router.message.register(reply_text, StateFilter(CaseReplyFlow.text), NotACommand())
    return router
