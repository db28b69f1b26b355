"""/start, the privacy notice and consent (UU PDP 27/2022)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from aiogram import F, Router
from aiogram.filters import Command, CommandStart
from aiogram.fsm.context import FSMContext
from aiogram.types import CallbackQuery, Message
from aiogram.utils.i18n import gettext as _
from sqlalchemy.ext.asyncio import AsyncSession

from conversations.parking import kept_form
from db import accounts, audit
from db.models.accounts import Account
from handlers import photo_links
from handlers.chat import remove_buttons
from handlers.form_parking import FormSetAside, waiting_line
from handlers.keyboards import ConsentCallback, MenuButton, show_menu
from handlers.privacy import show_privacy, welcome_text
from handlers.residents import data as resident_data
from handlers.residents import link as resident_link
from handlers.volunteers import invites as volunteer_invites
from services import invites
from services import photo_links as services_photo_links

if TYPE_CHECKING:
    from bot.settings import Settings  # handed in by the dispatcher


async def start(
    message: Message,
    account: Account,
    settings: Settings,
    state: FSMContext,
    form_set_aside: FormSetAside | None = None,
) -> None:
    await show_menu(message, welcome_text(), account)
    if account.consent != "given":
        await show_privacy(message, account, settings)
    # /start in the middle of a form sets it aside (handlers.form_parking), as does any
    # command: say here, after the welcome, how to go on with it or drop it.
    if form_set_aside is not None:
        form_set_aside.mentioned = True
    if kept_form(await state.get_data()) is not None:
        await message.answer(waiting_line())


async def privacy(message: Message, account: Account, settings: Settings) -> None:
    await show_privacy(message, account, settings)


async def agree(query: CallbackQuery, account: Account, session: AsyncSession) -> None:
    accounts.set_consent(account, True, query.from_user.first_name)
    audit.record(session, account, "consent.given", "account", account.id)
    # Committed before the answer: the next message (often the NIK) may reach another
    # instance, which must already see the consent.
    await session.commit()
    await query.answer()
    if isinstance(query.message, Message):
        await remove_buttons(query.message)
        # Before the thanks, so that the thanks and the menu are the last thing on screen.
        await resident_link.offer_after_consent(query.message, account)
        await show_menu(
            query.message,
            _("Thank you. Your consent is recorded. Choose what you need from the menu."),
            account,
        )


async def decline(query: CallbackQuery, account: Account, session: AsyncSession) -> None:
    await query.answer()
    message = query.message if isinstance(query.message, Message) else None
    if message is not None:
        await remove_buttons(message)
    if account.consent == "given":
        # Withdrawing consent always unlinks and anonymises, wherever it is done: a tap on the
        # notice, read again later, must not do that without asking (handlers.residents.data).
        if message is not None:
            await resident_data.confirm_withdrawal(message, via="privasi")
        return
    accounts.set_consent(account, False, None)
    audit.record(session, account, "consent." + account.consent, "account", account.id)
    if message is not None:
        await show_menu(
            message,
            _(
                "All right, we respect your choice: we keep no personal data of yours. "
                "You can still read /bantuan. If you change your mind, send /privasi."
            ),
            account,
        )


def create_router() -> Router:
    """A fresh router per dispatcher (a router can belong to one dispatcher only)."""
    router = Router(name="start")
    # First: t.me/<bot>?start=foto_<kind>_<id>, a photo link of an export (handlers.photo_links).
    router.message.register(
        photo_links.open_photo,
        CommandStart(deep_link=True, magic=F.args.func(services_photo_links.looks_like_payload)),
    )
    # t.me/<bot>?start=KODE: a volunteer's invitation (handlers.volunteers.invites).
    router.message.register(
        volunteer_invites.start_with_code,
        CommandStart(deep_link=True, magic=F.args.func(invites.looks_like_code)),
    )
    router.message.register(start, CommandStart())
    router.message.register(privacy, Command("privasi"))
    router.message.register(privacy, MenuButton("privacy"))
    router.callback_query.register(agree, ConsentCallback.filter(F.agree.is_(True)))
    router.callback_query.register(decline, ConsentCallback.filter(F.agree.is_(False)))
    return router
