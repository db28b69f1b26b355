"""Role gates for feature routers: staff-only and volunteer-only commands and buttons.

A gate is a router-level inner middleware, so it runs only when one of the router's handlers
matched (a command, a button, callback data). Someone without the role is refused politely,
and the attempt is written to the audit log (UU PDP: who tried to reach personal data). A
hand-crafted callback is refused the same way as a typed command. A role-gated form is
checked again when it is submitted (`may_submit`, called by handlers.forms), and the
volunteers' tools wait for consent (`require_consent`).

    router = gated_router("staff_import", STAFF)
    router.message.register(start_import, Command("impor"))
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

from aiogram import BaseMiddleware, Router
from aiogram.types import CallbackQuery, Message, TelegramObject
from aiogram.utils.i18n import gettext as _

from db import audit
from db.models.accounts import Account
from domain.roles import STAFF, VOLUNTEERS, VOLUNTEERS_AND_STAFF
from handlers.keyboards import consent_keyboard, main_menu

__all__ = ["STAFF", "VOLUNTEERS", "VOLUNTEERS_AND_STAFF", "gated_router", "may_submit",
           "require_consent"]


class RoleGate(BaseMiddleware):
    def __init__(self, roles: frozenset[str], feature: str) -> None:
        self.roles = roles
        self.feature = feature

    async def __call__(
        self,
        handler: Callable[[TelegramObject, dict[str, Any]], Awaitable[Any]],
        event: TelegramObject,
        data: dict[str, Any],
    ) -> Any:
        account: Account | None = data.get("account")
        if account is not None and account.role in self.roles:
            return await handler(event, data)
        what = event.data if isinstance(event, CallbackQuery) else _command_of(event)
        await _refuse(event, data, self.roles, self.feature, what)
        return None


async def _refuse(
    event: TelegramObject | None,
    data: dict[str, Any],
    roles: frozenset[str],
    feature: str,
    what: str | None,
) -> None:
    account: Account | None = data.get("account")
    session = data.get("session")
    if session is not None:
        audit.record(
            session,
            account,
            "access.denied",
            "feature",
            None,
            feature=feature,
            attempted=(what or "")[:64],
        )
    text = (
        _("Sorry, this is only for Dinas Sosial staff.")
        if roles == STAFF
        else _("Sorry, this is only for volunteers (PSM/TKSK) and staff.")
    )
    if isinstance(event, CallbackQuery):
        await event.answer(text, show_alert=True)
    elif isinstance(event, Message):
        markup = main_menu(account) if account is not None else None
        await event.answer(text, reply_markup=markup)


async def may_submit(
    message: Message | None,
    data: dict[str, Any],
    form: str,
    roles: frozenset[str] | None,
    consent: bool,
) -> bool:
    """The role (and consent) of a role-gated form, checked again on its last step: the
    account in ``data`` is this update's, so someone demoted (or who withdrew consent) while
    filling it in is refused like at the start, and nothing is saved. The area is checked by
    each form's submit, against the same fresh account. ``message``: where to answer (the
    button's callback was already answered by the form step)."""
    account: Account | None = data.get("account")
    if roles is not None and (account is None or account.role not in roles):
        await _refuse(message, data, roles, form, "submit")
        return False
    if consent and (account is None or account.consent != "given"):
        if message is not None:
            await message.answer(
                _("Please first agree to the privacy notice."), reply_markup=consent_keyboard()
            )
        return False
    return True


class ConsentFirst(BaseMiddleware):
    """Volunteers' tools show personal data: only after the volunteer agreed to the privacy
    notice too (an invite can be redeemed before that)."""

    async def __call__(
        self,
        handler: Callable[[TelegramObject, dict[str, Any]], Awaitable[Any]],
        event: TelegramObject,
        data: dict[str, Any],
    ) -> Any:
        account: Account | None = data.get("account")
        if account is not None and account.consent == "given":
            return await handler(event, data)
        text = _("Please first agree to the privacy notice.")
        if isinstance(event, CallbackQuery):
            await event.answer(text, show_alert=True)
        elif isinstance(event, Message):
            await event.answer(text, reply_markup=consent_keyboard())
        return None


def require_consent(router: Router) -> Router:
    router.message.middleware(ConsentFirst())
    router.callback_query.middleware(ConsentFirst())
    return router


def _command_of(event: TelegramObject) -> str | None:
    """Only the command word is audited, never what followed it (it may hold personal data)."""
    if isinstance(event, Message) and event.text and event.text.startswith("/"):
        return event.text.split(maxsplit=1)[0]
    return None


def gated_router(name: str, roles: frozenset[str]) -> Router:
    router = Router(name=name)
    gate = RoleGate(roles, name)
    router.message.middleware(gate)
    router.callback_query.middleware(gate)
    return router
