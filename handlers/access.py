"""Role gates for feature routers: staff-only and volunteer-only commands and buttons.

A gate is a router-level inner middleware, so it runs only when one of the router's handlers
matched (a command, a button, callback data). Someone without the role is refused politely,
and the attempt is written to the audit log (UU PDP: who tried to reach personal data). A
hand-crafted callback is refused the same way as a typed command.

    router = gated_router("staff_import", STAFF)
    router.message.register(start_import, Command("impor"))
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

from aiogram import BaseMiddleware, Router
from aiogram.types import CallbackQuery, Message, TelegramObject
from aiogram.utils.i18n import gettext as _

from bot.roles import PETUGAS, PSM, TKSK
from db import audit
from db.models import Account
from handlers.keyboards import main_menu

STAFF = frozenset({PETUGAS})
VOLUNTEERS = frozenset({PSM, TKSK})
# Staff may do what volunteers do (e.g. look up a household); their area is the kabupaten.
VOLUNTEERS_AND_STAFF = frozenset({PSM, TKSK, PETUGAS})


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
        session = data.get("session")
        if session is not None:
            what = event.data if isinstance(event, CallbackQuery) else _command_of(event)
            audit.record(
                session,
                account,
                "access.denied",
                "feature",
                None,
                feature=self.feature,
                attempted=(what or "")[:64],
            )
        text = (
            _("Sorry, this is only for Dinas Sosial staff.")
            if self.roles == STAFF
            else _("Sorry, this is only for volunteers (PSM/TKSK) and staff.")
        )
        if isinstance(event, CallbackQuery):
            await event.answer(text, show_alert=True)
        elif isinstance(event, Message):
            markup = main_menu(account) if account is not None else None
            await event.answer(text, reply_markup=markup)
        return None


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
