"""What the residents' and the officers' sides of cases share: callback data, labels, and
sending one message of a thread to one person.

Messages are relayed by sending new ones (a text, or the photo, voice note or document again
by its file id), never forwarded: neither side sees the other's Telegram account or phone.
Callback data carries a case id and short codes only; every id is checked again on the server
(the area for officers, the raiser for residents).
"""

from __future__ import annotations

import datetime as dt
import logging

from aiogram import Bot
from aiogram.exceptions import TelegramAPIError, TelegramForbiddenError
from aiogram.filters.callback_data import CallbackData
from aiogram.types import InlineKeyboardButton, InlineKeyboardMarkup, Message
from aiogram.utils.i18n import gettext as _
from aiogram.utils.i18n import lazy_gettext as __

from db.models.accounts import Account
from db.models.cases import Case
from domain.dates import format_date_id, to_wib
from domain.identity import mask_id_numbers
from domain.roles import PETUGAS, PSM, TKSK
from handlers.callback_ids import Page, RowId
from handlers.number_guard import guard_numbers, typed_text
from services import cases
from services.cases import Item

log = logging.getLogger(__name__)

CAPTION_LIMIT = 1024  # Telegram's limit for a photo's or voice note's caption


class CaseCb(CallbackData, prefix="kas"):
    """An officer's button on a case: open | take | reply | up | close | out (an outcome)."""

    a: str
    id: RowId
    o: str = ""


class InboxPageCb(CallbackData, prefix="kpg"):
    page: Page


class MyCaseCb(CallbackData, prefix="akn"):
    """A resident's button on their case: reply | reopen | yes | no (was it helpful?) |
    object (a rejected proposal: the proposer's one objection)."""

    a: str
    id: RowId


KIND_LABELS = {
    cases.ADUAN: __("Complaint"),
    "usulan": __("Proposed, to verify"),
    "laporan_mendesak": __("Urgent report"),
    "koreksi": __("Data correction"),
    "belum_menerima": __("Aid not received"),
    "tidak_terjangkau": __("Cannot be reached by the bot"),
    "tidak_dikunjungi": __("Not visited for 90 days"),
    cases.SANGGAH: __("Objection to a rejected proposal"),
}
# What a resident reads about their case.
RESIDENT_STATES = {
    cases.OPEN: __("received, waiting for an answer"),
    cases.TAKEN: __("being handled"),
    cases.WAITING: __("answered, waiting for your reply"),
    cases.PASSED_UP: __("passed on to the next officer"),
    cases.CLOSED: __("finished"),
}
# What an officer reads about a case.
OFFICER_STATES = {
    cases.OPEN: __("new, not answered yet"),
    cases.TAKEN: __("taken"),
    cases.WAITING: __("answered, waiting for the resident"),
    cases.PASSED_UP: __("passed up"),
    cases.CLOSED: __("closed"),
}
# Who answers, as the resident is told.
WHO_ANSWERS = {
    cases.LEVEL_PSM: __("the PSM of your desa"),
    cases.LEVEL_TKSK: __("the TKSK of your kecamatan"),
    cases.LEVEL_STAFF: __("Dinas Sosial staff"),
}
LEVEL_NAMES = {
    cases.LEVEL_PSM: __("PSM"),
    cases.LEVEL_TKSK: __("TKSK"),
    cases.LEVEL_STAFF: __("Dinas Sosial staff"),
}
OUTCOME_BUTTONS = {
    "answered": __("Question answered"),
    "resolved": __("Problem handled"),
    "referred": __("Referred to another office"),
    "not_eligible": __("Not eligible"),
    "no_response": __("No reply from the resident"),
    cases.VERIFIED: __("✅ Verified: to be proposed to DTKS"),
    cases.REJECTED: __("❌ Not eligible (give the reason)"),
    cases.COLLECTED: __("Collected after all: mark as collected"),
    cases.NOT_ON_LIST: __("Not on that schedule's list"),
    cases.PAYMENT_PROBLEM: __("Payment problem: pass to the bank or post office"),
    cases.OTHER: __("Other (write a note)"),
    cases.CORRECTED: __("Data corrected"),
    cases.ALREADY_RIGHT: __("The data was already right"),
    cases.CANNOT_CHANGE: __("Cannot be changed here (say where to go)"),
    cases.HANDLED: __("Handled: help given"),
    cases.NOT_URGENT: __("Not urgent after checking"),
    cases.DELIVERED: __("Messages passed on"),
    cases.UPHELD: __("Objection accepted: verify again"),
    cases.DISMISSED: __("Objection not accepted (give the reason)"),
}
# The outcome as a sentence for the resident.
OUTCOME_SENTENCES = {
    "answered": __("Your question has been answered."),
    "resolved": __("Your problem has been handled."),
    "referred": __("Your complaint has been passed to the office that handles it."),
    "not_eligible": __("By the rules, your family does not meet the requirements for this."),
    "no_response": __("We did not get a reply from you, so the complaint was closed."),
    cases.VERIFIED: __(
        "The family was checked by our volunteer and is verified. It will be proposed for the "
        "social welfare data (DTKS/DTSEN). This is not yet a decision on aid: we will tell you "
        "when there is news."
    ),
    cases.REJECTED: __("After checking, the proposed family could not be accepted."),
    cases.COLLECTED: __("Our records now show the aid as collected."),
    cases.NOT_ON_LIST: __("Your family was not on the list for that payment."),
    cases.PAYMENT_PROBLEM: __(
        "The problem with the payment has been passed to the paying bank or post office."
    ),
    cases.OTHER: __("The officer has looked into it."),
    cases.CORRECTED: __("Your family's data has been corrected."),
    cases.ALREADY_RIGHT: __("The officer checked: your family's data is already right."),
    cases.CANNOT_CHANGE: __("This cannot be changed by us; the note says where to go."),
    cases.HANDLED: __("A volunteer has handled your report."),
    cases.NOT_URGENT: __("A volunteer checked and found no urgent need now."),
    cases.DELIVERED: __("The messages were passed on to your family."),
    cases.UPHELD: __("Your objection was accepted: the family will be checked again."),
    cases.DISMISSED: __("Your objection was considered, but the decision stays."),
}


def author_label(role: str, author: Account | None) -> str:
    if role == cases.RESIDENT:
        return _("Resident")
    if author is not None and author.role == PETUGAS:
        return _("Dinas Sosial staff")
    if author is not None and author.role in (PSM, TKSK):
        return str(LEVEL_NAMES[author.role])
    return _("Officer")


def due_date(case: Case) -> str:
    return format_date_id(to_wib(case.first_answer_due_at).date())


def age_text(case: Case, now: dt.datetime) -> str:
    days = (now - case.created_at).days
    return _("today") if days <= 0 else _("{days} days ago").format(days=days)


def button(text: str, data: CallbackData) -> InlineKeyboardButton:
    return InlineKeyboardButton(text=text, callback_data=data.pack())


def resident_reply_keyboard(case: Case) -> InlineKeyboardMarkup:
    return InlineKeyboardMarkup(
        inline_keyboard=[[button(_("✍️ Reply"), MyCaseCb(a="reply", id=case.id))]]
    )


def officer_keyboard(case: Case) -> InlineKeyboardMarkup:
    return InlineKeyboardMarkup(
        inline_keyboard=[
            [
                button(_("📂 Open case"), CaseCb(a="open", id=case.id)),
                button(_("✍️ Reply"), CaseCb(a="reply", id=case.id)),
            ]
        ]
    )


async def item_of(message: Message) -> Item | None:
    """What a person sent as an item of a thread: a NIK/KK in it is deleted from the chat (with
    a word why) and kept only masked. None for what a case cannot hold (a sticker...)."""
    text = typed_text(message) or None
    if text is not None and await guard_numbers(message):
        text = mask_id_numbers(text)
    if message.photo:
        return Item(text, message.photo[-1].file_id, "photo")
    if message.voice:
        return Item(text, message.voice.file_id, "voice")
    if message.document:
        return Item(text, message.document.file_id, "document")
    return Item(text) if text else None


async def deliver(
    bot: Bot, account: Account, item: Item | None, header: str,
    markup: InlineKeyboardMarkup | None = None,
) -> bool:  # fmt: skip
    """Send one message of a thread (or a notice, without `item`) to one person. A 403 marks
    the account unreachable; someone who withdrew consent gets nothing (UU PDP)."""
    if account.bot_blocked or account.consent == "withdrawn":
        return False
    text = header + (f"\n\n{item.text}" if item is not None and item.text else "")
    chat = account.telegram_id
    try:
        if item is not None and item.file_id and item.file_kind == "photo":
            await bot.send_photo(chat, item.file_id, caption=text[:CAPTION_LIMIT],
                                 reply_markup=markup)  # fmt: skip
        elif item is not None and item.file_id and item.file_kind == "voice":
            await bot.send_voice(chat, item.file_id, caption=text[:CAPTION_LIMIT],
                                 reply_markup=markup)  # fmt: skip
        elif item is not None and item.file_id:
            await bot.send_document(chat, item.file_id, caption=text[:CAPTION_LIMIT],
                                    reply_markup=markup)  # fmt: skip
        else:
            await bot.send_message(chat, text, reply_markup=markup)
    except TelegramForbiddenError:
        account.bot_blocked = True  # saved with the caller's unit of work
        return False
    except TelegramAPIError as exc:
        log.warning("case message to account %s failed: %s", account.id, type(exc).__name__)
        return False
    return True
