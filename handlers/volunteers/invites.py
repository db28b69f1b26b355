"""Becoming a volunteer: staff `/undang` (invite: role, area, one-time code valid 7 days),
`/relawan` (list and revoke), and the volunteer's `/petugas KODE` or deep link
`t.me/<bot>?start=KODE`."""

from __future__ import annotations

from typing import TYPE_CHECKING

from aiogram import Bot, F, Router
from aiogram.filters import Command, CommandObject
from aiogram.filters.callback_data import CallbackData
from aiogram.types import CallbackQuery, Message
from aiogram.utils.i18n import gettext as _
from aiogram.utils.i18n import lazy_gettext as __
from aiogram.utils.keyboard import InlineKeyboardBuilder
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from conversations.messages import edit_text
from conversations.validators import format_datetime_id
from db.engine import account_cache
from db.models.accounts import Account
from db.models.households import Region
from db.protect import Protector
from domain.roles import PSM, TKSK
from handlers.access import STAFF, gated_router
from handlers.callback_ids import RowId
from handlers.chat import delete_secret, remove_buttons, show_page
from handlers.keyboards import MenuButton, show_menu
from handlers.privacy import show_privacy
from handlers.volunteers.ui import pager
from services import invites

if TYPE_CHECKING:
    from bot.settings import Settings  # handed in by the dispatcher

ROLE_NAMES = {PSM: __("PSM (desa)"), TKSK: __("TKSK (kecamatan)")}


class InviteCb(CallbackData, prefix="inv"):
    step: str  # role | kec | desa | revoke
    role: str = ""
    code: str = ""  # a region code (never the invite code)
    id: RowId = 0


class VolunteerCb(CallbackData, prefix="vol"):
    action: str  # ask | yes | no | page
    id: RowId  # an account id, or a page number for page


# --------------------------------------------------------------------------- staff: invite


async def invite_command(message: Message) -> None:
    builder = InlineKeyboardBuilder()
    for role in (PSM, TKSK):
        builder.button(text=str(ROLE_NAMES[role]), callback_data=InviteCb(step="role", role=role))
    builder.adjust(1)
    await message.answer(_("Invite a volunteer. Which role?"), reply_markup=builder.as_markup())


async def invite_step(
    query: CallbackQuery,
    callback_data: InviteCb,
    session: AsyncSession,
    account: Account,
    protector: Protector,
    bot: Bot,
) -> None:
    await query.answer()
    message = query.message
    if not isinstance(message, Message):
        return
    role = callback_data.role
    if callback_data.step == "revoke":
        done = await invites.revoke_invite(session, account, callback_data.id)
        await remove_buttons(message)
        await message.answer(
            _("The invitation is cancelled; its code no longer works.")
            if done
            else _("This invitation was already used, cancelled or expired.")
        )
        return
    if role not in (PSM, TKSK):
        return
    if callback_data.step == "role":
        kecamatan = await session.scalars(
            select(Region).where(Region.level == "kecamatan").order_by(Region.name)
        )
        builder = InlineKeyboardBuilder()
        for choice in kecamatan:
            step = "kec" if role == PSM else "desa"
            builder.button(
                text=choice.name, callback_data=InviteCb(step=step, role=role, code=choice.code)
            )
        builder.adjust(2)
        await edit_text(
            message,
            _("{role}: choose the kecamatan:").format(role=ROLE_NAMES[role]),
            builder.as_markup(),
        )
        return
    region = await session.get(Region, callback_data.code)
    if region is None:
        return
    if callback_data.step == "kec":
        desa = await session.scalars(
            select(Region).where(Region.parent_code == region.code).order_by(Region.name)
        )
        builder = InlineKeyboardBuilder()
        for place in desa:
            builder.button(
                text=place.name, callback_data=InviteCb(step="desa", role=role, code=place.code)
            )
        builder.adjust(2)
        await edit_text(
            message,
            _("PSM, Kec. {kecamatan}: choose the desa/kelurahan:").format(kecamatan=region.name),
            builder.as_markup(),
        )
        return
    try:
        code, invite = await invites.create(session, protector, account, role, region.code)
    except invites.InviteError:
        await message.answer(_("That area does not fit the role. Please start again: /undang"))
        return
    me = await bot.me()
    link = f"https://t.me/{me.username}?start={code}"
    builder = InlineKeyboardBuilder()
    builder.button(
        text=_("✖️ Cancel this invitation"), callback_data=InviteCb(step="revoke", id=invite.id)
    )
    await remove_buttons(message)
    await message.answer(
        _(
            "Invitation for {role} of {area}.\n\n"
            "Code: {code}\n"
            "Link: {link}\n\n"
            "Give the code or the link to the volunteer only. They send /petugas {code} to "
            "the bot, or open the link. It works once, until {until}."
        ).format(
            role=ROLE_NAMES[role],
            area=region.name,
            code=code,
            link=link,
            until=format_datetime_id(invite.expires_at),
        ),
        reply_markup=builder.as_markup(),
    )


# --------------------------------------------------------------------------- staff: list


VOLUNTEERS_PER_PAGE = 15  # keeps the list under Telegram's message and keyboard limits


async def volunteers_command(message: Message, session: AsyncSession) -> None:
    await show_volunteers(message, session, 0, edit=False)


async def show_volunteers(message: Message, session: AsyncSession, page: int, edit: bool) -> None:
    found = await invites.volunteers(session)
    if not found:
        await message.answer(_("There are no volunteers yet. Invite one with /undang."))
        return
    pages = (len(found) - 1) // VOLUNTEERS_PER_PAGE + 1
    page = min(max(0, page), pages - 1)
    first = page * VOLUNTEERS_PER_PAGE
    lines = [_("Volunteers ({count}):").format(count=len(found))]
    builder = InlineKeyboardBuilder()
    shown = found[first : first + VOLUNTEERS_PER_PAGE]
    for n, (volunteer, region) in enumerate(shown, start=first + 1):
        name = volunteer.first_name or str(volunteer.telegram_id)
        area = region.name if region else "-"
        lines.append(f"{n}. {name} — {volunteer.role.upper()} {area}")
        builder.button(
            text=_("Revoke {n}. {name}").format(n=n, name=name),
            callback_data=VolunteerCb(action="ask", id=volunteer.id),
        )
    builder.adjust(1)
    nav = pager(page, page + 1 < pages, lambda p: VolunteerCb(action="page", id=p))
    if nav:
        builder.row(*nav)
    await show_page(message, "\n".join(lines), builder.as_markup(), edit)


async def volunteer_action(
    query: CallbackQuery,
    callback_data: VolunteerCb,
    session: AsyncSession,
    account: Account,
    bot: Bot,
    sessionmaker: async_sessionmaker[AsyncSession],
) -> None:
    await query.answer()
    message = query.message
    if not isinstance(message, Message):
        return
    if callback_data.action == "page":
        await show_volunteers(message, session, callback_data.id, edit=True)
        return
    target = await session.get(Account, callback_data.id)
    if target is None or target.role not in (PSM, TKSK):
        await message.answer(_("This person is no longer a volunteer."))
        return
    name = target.first_name or str(target.telegram_id)
    if callback_data.action == "ask":
        builder = InlineKeyboardBuilder()
        builder.button(text=_("Yes, revoke"), callback_data=VolunteerCb(action="yes", id=target.id))
        builder.button(text=_("No"), callback_data=VolunteerCb(action="no", id=target.id))
        await message.answer(
            _("Revoke {name} as volunteer? They will no longer see any family data.").format(
                name=name
            ),
            reply_markup=builder.as_markup(),
        )
        return
    await remove_buttons(message)
    if callback_data.action != "yes":
        await message.answer(_("Nothing was changed."))
        return
    await invites.revoke_volunteer(session, account, target.id)
    # This process caches accounts: forget the old role at once (others within the TTL).
    account_cache(sessionmaker).drop(target.telegram_id)
    await message.answer(_("{name} is no longer a volunteer.").format(name=name))


# --------------------------------------------------------------------------- redeem


async def redeem_command(
    message: Message,
    command: CommandObject,
    session: AsyncSession,
    account: Account,
    protector: Protector,
    settings: Settings,
) -> None:
    if not command.args:
        await message.answer(
            _("Please send the code you received from Dinas Sosial, like this: /petugas ABCD2345")
        )
        return
    await redeem(message, command.args, session, account, protector, settings)


async def redeem(
    message: Message,
    code: str,
    session: AsyncSession,
    account: Account,
    protector: Protector,
    settings: Settings,
) -> None:
    """Shared by /petugas and the /start deep link. The role is given first; the volunteer's
    tools (which show personal data) then wait for their consent to the privacy notice."""
    await delete_secret(message)  # an invite code is a credential
    result = await invites.redeem(session, protector, account, code)
    texts = {
        invites.WRONG: _("That code is not right. Please check it and try again."),
        invites.USED: _("That code has already been used. Please ask Dinas Sosial for a new one."),
        invites.EXPIRED: _("That code has expired. Please ask Dinas Sosial for a new one."),
        invites.REVOKED: _("That code was cancelled. Please ask Dinas Sosial for a new one."),
        invites.THROTTLED: _("Too many wrong codes. Please wait an hour and try again."),
        invites.IS_STAFF: _("You are Dinas Sosial staff already; you do not need a code."),
    }
    if result.outcome != invites.OK:
        await show_menu(message, texts[result.outcome], account)
        if account.consent == "none":  # a first contact through a bad link: still greet
            await show_privacy(message, account, settings)
        return
    region = await session.get(Region, result.area_code) if result.area_code else None
    welcome = _("Welcome, you are now {role} for {area}.").format(
        role=ROLE_NAMES[result.role or PSM], area=region.name if region else "-"
    )
    if account.consent != "given":
        await message.answer(
            welcome + "\n\n" + _("Before you start, please read and agree to the privacy notice.")
        )
        await show_privacy(message, account, settings)
        return
    await show_menu(
        message,
        welcome + "\n\n" + _("Your menu has the volunteer tools: tasks, search, visit."),
        account,
    )


async def start_with_code(
    message: Message,
    command: CommandObject,
    session: AsyncSession,
    account: Account,
    protector: Protector,
    settings: Settings,
) -> None:
    await redeem(message, command.args or "", session, account, protector, settings)


def is_invite_payload(command: CommandObject) -> bool:
    return bool(command.args) and invites.looks_like_code(command.args or "")


def create_staff_router() -> Router:
    router = gated_router("volunteer_invites", STAFF)
    router.message.register(invite_command, Command("undang"))
    router.message.register(invite_command, MenuButton("undang"))
    router.callback_query.register(invite_step, InviteCb.filter())
    router.message.register(volunteers_command, Command("relawan"))
    router.message.register(volunteers_command, MenuButton("relawan"))
    router.callback_query.register(
        volunteer_action, VolunteerCb.filter(F.action.in_({"ask", "yes", "no", "page"}))
    )
    return router


def create_redeem_router() -> Router:
    router = Router(name="volunteer_redeem")
    router.message.register(redeem_command, Command("petugas"))
    return router
