"""What the bot tells a person is already true: the update's work is committed before the
bot speaks.

Without this, a reply could reach the person before the update's commit: their next message,
or a test, or another instance behind the load balancer, might then read the database as it
was before (asked to consent again right after consenting; a request confirmed that is not
saved yet). So before a Bot API call that shows something to someone, pending work of the
update in hand (db.engine.current_session) is committed; the rest commits at the update's end
as usual. Calls that only read from Telegram do not wait for a commit.
"""

from __future__ import annotations

from typing import Any

from aiogram import Bot
from aiogram.client.session.middlewares.base import BaseRequestMiddleware, NextRequestMiddlewareType
from aiogram.methods import (
    GetChat,
    GetFile,
    GetMe,
    GetMyCommands,
    GetUpdates,
    GetWebhookInfo,
    TelegramMethod,
)
from aiogram.methods.base import TelegramType

from db.account_versions import AccountVersions
from db.engine import current_session, needs_commit

READ_ONLY = (GetMe, GetFile, GetChat, GetMyCommands, GetUpdates, GetWebhookInfo)


class CommitBeforeSending(BaseRequestMiddleware):
    async def __call__(
        self,
        make_request: NextRequestMiddlewareType[TelegramType],
        bot: Bot,
        method: TelegramMethod[TelegramType],
    ) -> Any:
        session = current_session.get()
        if session is not None and not isinstance(method, READ_ONLY):
            if needs_commit(session):
                await session.commit()
            versions: AccountVersions | None = session.info.get("account_versions")
            if versions is not None:
                await versions.settled()  # the other instances know what changed
        return await make_request(bot, method)
