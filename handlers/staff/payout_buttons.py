"""The payout-day buttons of a schedule's card, and their callback data (handlers/staff/payout.py
and payout_mark.py answer them)."""

from __future__ import annotations

from aiogram.filters.callback_data import CallbackData
from aiogram.utils.i18n import gettext as _
from aiogram.utils.keyboard import InlineKeyboardBuilder

from handlers.callback_ids import RowId

# What a payout button does: lists (pdf: choose a desa, pdfd: its PDF; wait: choose a desa,
# waitd: its families not collected yet, waitp: another page), mark or undo one family, add
# or remove one (ask for it, pick it, give the reason).
ACTIONS = (
    "pdf", "pdfd", "wait", "waitd", "waitp", "mark", "undo",
    "add", "remove", "pick_add", "pick_rm", "why_add", "why_rm",
)  # fmt: skip


class PayoutCb(CallbackData, prefix="po"):
    a: str  # one of ACTIONS
    id: RowId
    h: RowId = 0  # a household, or a page
    d: str = ""  # a desa code, or a reason


def payout_buttons(builder: InlineKeyboardBuilder, disbursement_id: int) -> None:
    """The payout-day buttons of a schedule's card."""
    builder.button(
        text=_("🖨 Payout lists (PDF)"), callback_data=PayoutCb(a="pdf", id=disbursement_id)
    )
    builder.button(
        text=_("⏳ Not collected yet"), callback_data=PayoutCb(a="wait", id=disbursement_id)
    )
    builder.button(text=_("➕ Add a family"), callback_data=PayoutCb(a="add", id=disbursement_id))
    builder.button(
        text=_("➖ Remove a family"), callback_data=PayoutCb(a="remove", id=disbursement_id)
    )
