"""Staff: the buttons under a broadcast's progress message (`/siaran`, once confirmed): pause,
resume, cancel, and send again to those that failed. The sender (bot/workers/broadcast_sender.py)
keeps the message current; each action is audited."""

from __future__ import annotations

from aiogram.types import CallbackQuery, Message
from aiogram.utils.i18n import gettext as _
from babel.numbers import format_decimal
from sqlalchemy.ext.asyncio import AsyncSession

from conversations.messages import edit_text
from db import audit
from db.models.accounts import Account
from db.models.broadcasts import Broadcast
from handlers import broadcast_progress
from handlers.broadcast_progress import BroadcastControl
from services import broadcasts


async def control(
    query: CallbackQuery,
    callback_data: BroadcastControl,
    session: AsyncSession,
    account: Account,
) -> None:
    action = callback_data.action
    if action == "resend":
        again = await broadcasts.resend_failed(session, callback_data.id)
        done = again > 0
        note = (
            _("Sending again to {n}.").format(n=format_decimal(again, locale="id"))
            if done
            else _("Nothing to resend.")
        )
    elif action in ("pause", "resume", "cancel"):
        done = await broadcasts.set_status(session, callback_data.id, action) is not None
        note = (
            {
                "pause": _("Paused."),
                "resume": _("Sending again."),
                "cancel": _("Cancelled."),
            }[action]
            if done
            else _("That is no longer possible.")
        )
    else:
        await query.answer()
        return
    if done:
        audit.record(session, account, f"broadcast.{action}", "broadcast", callback_data.id)
    await query.answer(note)
    broadcast = await session.get(Broadcast, callback_data.id)
    if broadcast is None or not isinstance(query.message, Message):
        return
    progress = await broadcast_progress.load(session, broadcast)
    text = broadcast_progress.text(progress)
    if text != query.message.text:
        await edit_text(query.message, text, broadcast_progress.keyboard(progress))
