"""Keyboards and callback data shared by all audiences, and the main-menu registry."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from aiogram.filters import BaseFilter
from aiogram.filters.callback_data import CallbackData
from aiogram.types import InlineKeyboardMarkup, Message, ReplyKeyboardMarkup
from aiogram.utils.i18n import get_i18n
from aiogram.utils.i18n import lazy_gettext as __
from aiogram.utils.keyboard import InlineKeyboardBuilder, ReplyKeyboardBuilder
from babel.support import LazyProxy

from db.models.accounts import Account
from domain.roles import ALL_ROLES


class ConsentCallback(CallbackData, prefix="consent"):
    agree: bool


@dataclass(frozen=True)
class MenuEntry:
    key: str
    label: LazyProxy
    roles: frozenset[str] = ALL_ROLES
    needs_consent: bool = True


# Only entries that work are listed; each feature appends its own when it is built.
MENU_ENTRIES: list[MenuEntry] = [
    MenuEntry("help", __("❓ Help"), needs_consent=False),
    MenuEntry("privacy", __("🔒 Privacy"), needs_consent=False),
]


# The order people see: what they came for first, help and privacy last. Features register
# their entries on import, so the import order must not decide this.
MENU_ORDER = (
    "link", "lapor", "jadwal", "pelatihan", "my_data", "aduan",
    "tugas", "kasus", "kunjungan", "cari", "laporcepat",
    "broadcast", "staff_schedule_new", "staff_schedules", "staff_trainings", "staff_stats",
    "staff_import", "staff_export", "undang", "relawan",
    "check", "help", "privacy",
)  # fmt: skip


def _menu_rank(entry: MenuEntry) -> int:
    return MENU_ORDER.index(entry.key) if entry.key in MENU_ORDER else len(MENU_ORDER)


def menu_entries(account: Account) -> list[MenuEntry]:
    consented = account.consent == "given"
    entries = [
        entry
        for entry in MENU_ENTRIES
        if account.role in entry.roles and (consented or not entry.needs_consent)
    ]
    return sorted(entries, key=_menu_rank)  # stable: unknown keys keep their order, last


_MENUS: dict[tuple[str, bool, str], ReplyKeyboardMarkup] = {}


def main_menu(account: Account) -> ReplyKeyboardMarkup:
    """Big buttons under the text field: easier than typing on a cheap phone.

    Built once per role, consent and language: it is sent with most answers, and building a
    keyboard is a good share of the cost of a simple update."""
    key = (account.role, account.consent == "given", get_i18n().current_locale)
    menu = _MENUS.get(key)
    if menu is None:
        builder = ReplyKeyboardBuilder()
        for entry in menu_entries(account):
            builder.button(text=str(entry.label))
        builder.adjust(2)
        menu = _MENUS[key] = builder.as_markup(resize_keyboard=True, is_persistent=True)
    return menu


async def show_menu(message: Message, text: str, account: Account) -> None:
    """Answer with `text` and the account's main menu under it."""
    await message.answer(text, reply_markup=main_menu(account))


# Labels in each language, looked up once: a lazy text does a catalog look-up every time it
# is read, and every message meets a dozen menu-button filters on its way through the routers.
# Each cache keeps the entries it was built from, so an entry added later is never missed.
_LABELS: dict[tuple[int, str], tuple[MenuEntry, str]] = {}
_LABEL_KEYS: dict[str, tuple[tuple[MenuEntry, ...], dict[str, str]]] = {}


def menu_label(entry: MenuEntry) -> str:
    """The entry's label in the current language (as ``str(entry.label)``)."""
    key = (id(entry), get_i18n().current_locale)
    cached = _LABELS.get(key)
    if cached is None or cached[0] is not entry:
        cached = _LABELS[key] = (entry, str(entry.label))
    return cached[1]


def menu_key_of(text: str) -> str | None:
    """The key of the main-menu entry whose label, in the current language, is ``text``."""
    locale = get_i18n().current_locale
    entries = tuple(MENU_ENTRIES)
    cached = _LABEL_KEYS.get(locale)
    if cached is None or cached[0] != entries:
        cached = _LABEL_KEYS[locale] = (entries, {menu_label(e): e.key for e in entries})
    return cached[1].get(text)


def is_menu_label(text: str) -> bool:
    """Whether ``text`` is the label of a main-menu button in the current language."""
    return menu_key_of(text) is not None


class MenuButton(BaseFilter):
    """Matches the text of a main-menu button in the user's language (async: no thread hop)."""

    def __init__(self, key: str) -> None:
        self.entry = next(entry for entry in MENU_ENTRIES if entry.key == key)

    async def __call__(self, message: Message, account: Account | None = None) -> Any:
        if account is None or message.text is None or message.text != menu_label(self.entry):
            return False
        return account.role in self.entry.roles


_CONSENT: dict[str, InlineKeyboardMarkup] = {}


def consent_keyboard() -> InlineKeyboardMarkup:
    """Built once per language, like the main menu: every new user is shown it."""
    locale = get_i18n().current_locale
    markup = _CONSENT.get(locale)
    if markup is None:
        builder = InlineKeyboardBuilder()
        builder.button(text=str(__("✅ I agree")), callback_data=ConsentCallback(agree=True))
        builder.button(
            text=str(__("✖️ I do not agree")), callback_data=ConsentCallback(agree=False)
        )
        builder.adjust(1)
        markup = _CONSENT[locale] = builder.as_markup()
    return markup
