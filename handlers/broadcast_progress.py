"""The staff member's one progress message of a broadcast: its text and buttons.

Rendered by the sender (live counts, final report) and by the staff handler (right after a
pause, resume, cancel or resend tap), so both show the same thing.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from aiogram.filters.callback_data import CallbackData
from aiogram.types import InlineKeyboardMarkup
from aiogram.utils.i18n import gettext as _
from aiogram.utils.keyboard import InlineKeyboardBuilder
from babel.numbers import format_decimal
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from conversations.i18n import pgettext
from conversations.validators import format_datetime_id
from db.models.base import utcnow
from db.models.broadcasts import Broadcast
from db.models.cases import Case, CaseMessage
from handlers.callback_ids import RowId
from services import broadcasts


class BroadcastControl(CallbackData, prefix="bcc"):
    action: str  # pause | resume | cancel | resend
    id: RowId


@dataclass(frozen=True)
class Progress:
    broadcast_id: int
    status: str
    total: int
    counts: dict[str, int]
    tasks: int  # households the broadcast could not reach, now visit tasks
    send_at: dt.datetime | None = None  # staff scheduled it for then ("Kirim nanti")

    @property
    def percent(self) -> int:
        return self.counts["sent"] * 100 // self.total if self.total else 100

    @property
    def scheduled(self) -> bool:
        """Waiting for its time: not started, and the time has not come yet."""
        return (
            self.status == "queued" and self.send_at is not None and self.send_at > utcnow()
        )


async def load(session: AsyncSession, broadcast: Broadcast) -> Progress:
    counts = await broadcasts.counts(session, broadcast.id)
    # Each household the broadcast missed has this message on its open case's list.
    tasks = await session.scalar(
        select(func.count(func.distinct(CaseMessage.case_id)))
        .join(Case, Case.id == CaseMessage.case_id)
        .where(Case.kind == "tidak_terjangkau", CaseMessage.text.like(f"#{broadcast.id}:%"))
    )
    return Progress(
        broadcast.id, broadcast.status, broadcast.total, counts, int(tasks or 0), broadcast.send_at
    )


def _n(value: int) -> str:
    return format_decimal(value, locale="id")


def text(progress: Progress) -> str:
    c = progress.counts
    headline = {
        "queued": _("📣 Broadcast #{id}: preparing the recipient list…"),
        "sending": _("📣 Broadcast #{id}: sending…"),
        "paused": _("⏸ Broadcast #{id} is paused."),
        "cancelled": _("✖️ Broadcast #{id} was cancelled."),
        "done": _("✅ Broadcast #{id} is finished."),
    }.get(progress.status, _("📣 Broadcast #{id}"))
    if progress.scheduled and progress.send_at is not None:
        return "\n".join([
            _("⏰ Broadcast #{id} is scheduled for {when}.").format(
                id=progress.broadcast_id, when=format_datetime_id(progress.send_at)
            ),
            _("The recipients are counted when it goes out. You can cancel it until then."),
        ])  # fmt: skip
    lines = [headline.format(id=progress.broadcast_id)]
    never_started = progress.status == "cancelled" and not progress.total
    if progress.status != "queued" and not never_started:
        lines.append(
            _("Sent {sent} of {total} ({percent}%) · failed {failed} · blocked {blocked}").format(
                sent=_n(c["sent"]),
                total=_n(progress.total),
                percent=progress.percent,
                failed=_n(c["failed"]),
                blocked=_n(c["blocked"]),
            )
        )
    if c["unknown"]:
        lines.append(
            _(
                "{n} uncertain: the bot stopped while sending to them; not sent again, so that "
                "nobody gets it twice."
            ).format(n=_n(c["unknown"]))
        )
    if progress.status == "cancelled" and c["pending"]:
        lines.append(_("{n} were not sent.").format(n=_n(c["pending"])))
    elif never_started:
        lines.append(_("Nothing was sent."))  # cancelled before it started (a scheduled one)
    if progress.status == "done" and progress.tasks:
        lines.append(
            _(
                "{n} households could not be reached by the bot: they are now visit tasks for "
                "the volunteers of their desa."
            ).format(n=_n(progress.tasks))
        )
    return "\n".join(lines)


def keyboard(progress: Progress) -> InlineKeyboardMarkup | None:
    builder = InlineKeyboardBuilder()
    bid = progress.broadcast_id
    # TRANSLATORS: staff button under a broadcast being sent: stop it, send to nobody else.
    cancel = pgettext("broadcast sending", "✖️ Cancel")
    if progress.scheduled:  # nothing to pause yet: it waits for its time
        builder.button(text=cancel, callback_data=BroadcastControl(action="cancel", id=bid))
    elif progress.status in ("queued", "sending"):
        builder.button(text=_("⏸ Pause"), callback_data=BroadcastControl(action="pause", id=bid))
        builder.button(text=cancel, callback_data=BroadcastControl(action="cancel", id=bid))
    elif progress.status == "paused":
        builder.button(text=_("▶️ Resume"), callback_data=BroadcastControl(action="resume", id=bid))
        builder.button(text=cancel, callback_data=BroadcastControl(action="cancel", id=bid))
    elif progress.status == "done" and progress.counts["failed"]:
        builder.button(
            text=_("🔁 Resend to the {n} that failed").format(n=_n(progress.counts["failed"])),
            callback_data=BroadcastControl(action="resend", id=bid),
        )
    else:
        return None
    builder.adjust(2)
    return builder.as_markup()
