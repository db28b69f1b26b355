"""Callback data and keyboards of the residents' link, data and check features.

Callback data carries actions only: never a NIK, a KK number or a name (UU PDP).
The features' menu buttons and commands are registered here, in the order residents see them.
"""

from __future__ import annotations

from aiogram.filters.callback_data import CallbackData
from aiogram.types import InlineKeyboardButton, InlineKeyboardMarkup
from aiogram.utils.i18n import get_i18n
from aiogram.utils.i18n import gettext as _
from aiogram.utils.i18n import lazy_gettext as __
from aiogram.utils.keyboard import InlineKeyboardBuilder

from domain.roles import PETUGAS, PSM, TKSK, WARGA
from handlers.commands import COMMANDS, CommandInfo
from handlers.keyboards import MENU_ENTRIES, MenuEntry

RESIDENTS = frozenset({WARGA})
MENU_ENTRIES.extend(
    [
        MenuEntry("link", __("🏠 Link household"), roles=RESIDENTS),
        MenuEntry("my_data", __("📄 My data"), roles=RESIDENTS),
        MenuEntry("check", __("🔎 Check a message"), needs_consent=False),
    ]
)
COMMANDS.extend(
    [
        CommandInfo(
            "daftar",
            __("Link your household"),
            __("links your account to your family on the list, with NIK and KK."),
            roles=RESIDENTS,
        ),
        CommandInfo(
            "dataku",
            __("My data"),
            __("shows your household's data, asks for a correction, or withdraws your consent."),
            roles=RESIDENTS,
        ),
        CommandInfo(
            "cek",
            __("Check a message"),
            __("checks whether a message you got really comes from Dinas Sosial."),
        ),
        CommandInfo(
            "usul",
            __("Propose a household"),
            __("proposes a family that is not on the list yet (usulan)."),
            roles=frozenset({PSM, TKSK, PETUGAS}),
        ),
    ]
)


class LinkCallback(CallbackData, prefix="lnk"):
    # start | yes | no | propose | cancel | nokk (no KK number: link with the date of birth)
    a: str


class DataCallback(CallbackData, prefix="dat"):
    # fix | withdraw | withdraw_yes (asked in /dataku) | withdraw_yes_privasi (asked when
    # "I do not agree" is tapped in /privasi) | withdraw_no
    a: str


WITHDRAW_YES = {"dataku": "withdraw_yes", "privasi": "withdraw_yes_privasi"}


def _keyboard(*rows: list[tuple[str, CallbackData]]) -> InlineKeyboardMarkup:
    builder = InlineKeyboardBuilder()
    for row in rows:
        builder.row(*[_button(text, data) for text, data in row])
    return builder.as_markup()


def _button(text: str, data: CallbackData) -> InlineKeyboardButton:
    return InlineKeyboardButton(text=text, callback_data=data.pack())


_LINK_START: dict[str, InlineKeyboardMarkup] = {}


def link_start_keyboard() -> InlineKeyboardMarkup:
    """Built once per language: every resident who agrees to the notice is offered it."""
    locale = get_i18n().current_locale
    markup = _LINK_START.get(locale)
    if markup is None:
        markup = _LINK_START[locale] = _keyboard(
            [(_("🏠 Link my household"), LinkCallback(a="start"))]
        )
    return markup


def cancel_keyboard() -> InlineKeyboardMarkup:
    return _keyboard([(_("Cancel"), LinkCallback(a="cancel"))])


def kk_step_keyboard() -> InlineKeyboardMarkup:
    """The KK step: a family on a list without KK numbers links with the date of birth."""
    return _keyboard(
        [(_("🪪 I have no KK number"), LinkCallback(a="nokk"))],
        [(_("Cancel"), LinkCallback(a="cancel"))],
    )


def confirm_keyboard() -> InlineKeyboardMarkup:
    return _keyboard(
        [(_("✅ Yes, this is my family"), LinkCallback(a="yes"))],
        [(_("✖️ No, this is not my family"), LinkCallback(a="no"))],
    )


def retry_keyboard(can_retry: bool, can_propose: bool) -> InlineKeyboardMarkup | None:
    rows: list[list[tuple[str, CallbackData]]] = []
    if can_propose:
        rows.append([(_("📝 Propose my household"), LinkCallback(a="propose"))])
    if can_retry:
        rows.append([(_("🔁 Try again"), LinkCallback(a="start"))])
    return _keyboard(*rows) if rows else None


def my_data_keyboard(linked: bool) -> InlineKeyboardMarkup:
    rows: list[list[tuple[str, CallbackData]]] = []
    if linked:
        rows.append([(_("✏️ Ask for a correction"), DataCallback(a="fix"))])
    rows.append([(_("🗑 Withdraw consent and unlink"), DataCallback(a="withdraw"))])
    return _keyboard(*rows)


def withdraw_keyboard(via: str = "dataku") -> InlineKeyboardMarkup:
    """`via`: where the withdrawal was asked (/dataku or /privasi), kept for the audit log."""
    return _keyboard(
        [(_("Yes, withdraw and delete my data"), DataCallback(a=WITHDRAW_YES[via]))],
        [(_("No, keep everything"), DataCallback(a="withdraw_no"))],
    )
