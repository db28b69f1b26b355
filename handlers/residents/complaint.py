"""A resident's complaint or question reaches a person (`/aduan`, "📣 Complaint", and anything
the bot did not understand): it becomes a case (services.cases) that the desa's PSM, the
kecamatan's TKSK or the office answers in this chat.

What the resident sent waits as a draft in the conversation's data (FSM, encrypted at rest,
forgotten after FSM_RETENTION_DAYS), never in a table, until they confirm: only then is it a
case. A NIK/KK in it is deleted from the chat and kept masked (handlers.number_guard).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from aiogram import Bot, Router
from aiogram.filters import Command, StateFilter
from aiogram.filters.callback_data import CallbackData
from aiogram.fsm.context import FSMContext
from aiogram.fsm.state import State, StatesGroup
from aiogram.types import CallbackQuery, InlineKeyboardButton, InlineKeyboardMarkup, Message
from aiogram.utils.i18n import gettext as _
from aiogram.utils.i18n import lazy_gettext as __
from sqlalchemy.ext.asyncio import AsyncSession

from db import regions
from db.models.accounts import Account
from db.models.base import utcnow
from db.models.households import Household
from domain.roles import WARGA
from handlers.case_relay import to_officers, urgent_advice
from handlers.case_ui import WHO_ANSWERS, button, due_date, item_of
from handlers.commands import COMMANDS, CommandInfo
from handlers.filters import NotACommand
from handlers.keyboards import MENU_ENTRIES, MenuButton, MenuEntry, consent_keyboard, show_menu
from services import cases
from services.cases import Item

if TYPE_CHECKING:
    from bot.settings import Settings

RESIDENTS = frozenset({WARGA})
KABUPATEN = "32.16"  # Kabupaten Bekasi: its kecamatan are the first list of the picker
DRAFT_KEY = "aduan_draft"  # FSM data: the items waiting to be sent, as Item.as_json()
MAX_ITEMS = 10

MENU_ENTRIES.append(MenuEntry("aduan", __("📣 Complaint"), roles=RESIDENTS))
COMMANDS.append(
    CommandInfo(
        "aduan",
        __("Complaint or question"),
        __("sends a complaint or question (text, photo or voice note) to an officer."),
        roles=RESIDENTS,
    )
)


class ComplaintFlow(StatesGroup):
    collecting = State()  # /aduan: texts, photos and voice notes until "Send"


class ComplaintCb(CallbackData, prefix="adu"):
    a: str  # send | cancel | kec (list the kecamatan) | desa (list its desa) | at (this desa)
    code: str = ""


def send_button() -> InlineKeyboardButton:
    return button(_("📣 Send to an officer"), ComplaintCb(a="send"))


async def offer_to_officer(
    message: Message,
    state: FSMContext,
    account: Account,
    *,
    lead: str | None = None,
    extra_buttons: list[InlineKeyboardButton] | None = None,
) -> None:
    """Keep the message (text, photo or voice note) as a draft and offer to send it to an
    officer with one tap; `extra_buttons` (each on its own row) come first, e.g. the command
    the bot guessed. The classifier calls this for what it did not understand."""
    item = await item_of(message)
    if item is None:  # a sticker, a location...: nothing a person could answer
        await show_menu(message, _("Sorry, I did not understand that."), account)
        return
    await state.update_data({DRAFT_KEY: [item.as_json()]})
    rows = [[extra] for extra in extra_buttons or []] + [[send_button()]]
    await message.answer(
        lead
        or _(
            "Sorry, I did not understand that. An officer can read your message and answer "
            "you here."
        ),
        reply_markup=InlineKeyboardMarkup(inline_keyboard=rows),
    )


def collecting_keyboard() -> InlineKeyboardMarkup:
    return InlineKeyboardMarkup(
        inline_keyboard=[
            [button(_("📣 Send"), ComplaintCb(a="send"))],
            [button(_("Cancel"), ComplaintCb(a="cancel"))],
        ]
    )


async def complaint_command(message: Message, state: FSMContext, account: Account) -> None:
    if account.role != WARGA:
        await show_menu(message, _("Complaints are for residents. Please use /kasus."), account)
        return
    if account.consent != "given":
        await message.answer(
            _("Please first agree to the privacy notice."), reply_markup=consent_keyboard()
        )
        return
    await state.set_state(ComplaintFlow.collecting)
    await state.update_data({DRAFT_KEY: []})
    await message.answer(
        _(
            "Write your complaint or question, or send a photo or a voice note. You can send "
            "several. Then tap Send."
        ),
        reply_markup=InlineKeyboardMarkup(
            inline_keyboard=[[button(_("Cancel"), ComplaintCb(a="cancel"))]]
        ),
    )


async def collect(message: Message, state: FSMContext) -> None:
    item = await item_of(message)
    if item is None:
        await message.answer(_("Please send text, a photo or a voice note."))
        return
    drafts: list[dict[str, Any]] = list((await state.get_data()).get(DRAFT_KEY) or [])
    if len(drafts) >= MAX_ITEMS:
        await message.answer(_("That is enough for one complaint. Please tap Send."),
                             reply_markup=collecting_keyboard())  # fmt: skip
        return
    drafts.append(item.as_json())
    await state.update_data({DRAFT_KEY: drafts})
    await message.answer(
        _("Received. Send more, or tap Send."), reply_markup=collecting_keyboard()
    )


async def complaint_button(
    query: CallbackQuery,
    callback_data: ComplaintCb,
    state: FSMContext,
    session: AsyncSession,
    account: Account,
    settings: Settings,
    bot: Bot,
) -> None:
    message = query.message
    if not isinstance(message, Message):
        await query.answer()
        return
    if callback_data.a == "cancel":
        await _forget_draft(state)
        await query.answer()
        await show_menu(message, _("Cancelled. Nothing was sent."), account)
        return
    drafts = (await state.get_data()).get(DRAFT_KEY) or []
    if not drafts:
        await query.answer(_("Please write your message again: /aduan"), show_alert=True)
        return
    if account.consent != "given" or account.role != WARGA:
        await query.answer(_("Please first agree to the privacy notice."), show_alert=True)
        return
    await query.answer()
    household = await session.get(Household, account.household_id) if account.household_id else None
    if household is not None:
        await submit(message, state, session, account, settings, bot,
                     household.desa_code, household.kecamatan_code, household.id)  # fmt: skip
        return
    if callback_data.a in ("send", "kec"):
        await _pick(message, await regions.children(session, KABUPATEN), "desa",
                    _("Where do you live? Choose the kecamatan:"))  # fmt: skip
        return
    region = await regions.by_code(session, callback_data.code)
    if callback_data.a == "desa" and region is not None and region.level == "kecamatan":
        await _pick(message, await regions.children(session, region.code), "at",
                    _("Choose the desa or kelurahan:"))  # fmt: skip
        return
    if (
        callback_data.a == "at"
        and region is not None
        and region.level in ("desa", "kelurahan")
        and region.parent_code
    ):
        await submit(message, state, session, account, settings, bot,
                     region.code, region.parent_code, None)  # fmt: skip
        return
    await message.answer(_("Please choose again."))


async def _pick(message: Message, choices: list[Any], action: str, prompt: str) -> None:
    rows = [
        [button(region.name, ComplaintCb(a=action, code=region.code)) for region in pair]
        for pair in (choices[i : i + 2] for i in range(0, len(choices), 2))
    ]
    await message.answer(prompt, reply_markup=InlineKeyboardMarkup(inline_keyboard=rows))


async def _forget_draft(state: FSMContext) -> None:
    data = await state.get_data()
    data.pop(DRAFT_KEY, None)
    await state.set_data(data)
    if await state.get_state() == ComplaintFlow.collecting.state:
        await state.set_state(None)


async def submit(
    message: Message, state: FSMContext, session: AsyncSession, account: Account,
    settings: Settings, bot: Bot, desa: str, kecamatan: str, household_id: int | None,
) -> None:  # fmt: skip
    items = [Item.from_json(d) for d in (await state.get_data()).get(DRAFT_KEY) or []]
    raised = await cases.raise_or_add(
        session, account, items, desa_code=desa, kecamatan_code=kecamatan,
        household_id=household_id, now=utcnow(), times=settings.answer_times,
    )  # fmt: skip
    await _forget_draft(state)
    case = raised.case
    values = {"number": cases.number(case), "who": WHO_ANSWERS[case.level]}
    if raised.created:
        text = _(
            "Thank you. Your message is recorded as complaint {number}. It will be answered "
            "by {who}, at the latest on {date}. The answer comes here."
        ).format(date=due_date(case), **values)
    else:
        text = _(
            "Thank you. Your message was added to your open complaint {number}. It will be "
            "answered here by {who}."
        ).format(**values)
    await show_menu(message, text + "\n" + _("Your complaints: /aduanku"), account)
    if raised.became_urgent:
        await message.answer(urgent_advice(settings))
    await to_officers(session, bot, case, items, new=raised.created,
                      urgent_now=raised.became_urgent)  # fmt: skip


def create_router() -> Router:
    router = Router(name="resident_complaint")
    router.message.register(complaint_command, Command("aduan"))
    router.message.register(complaint_command, MenuButton("aduan"))
    router.message.register(collect, StateFilter(ComplaintFlow.collecting), NotACommand())
    router.callback_query.register(complaint_button, ComplaintCb.filter())
    return router
