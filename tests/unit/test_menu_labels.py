"""Menu labels are looked up once per language, and the cache never hides a change."""

from __future__ import annotations

from aiogram.utils.i18n import lazy_gettext as __

from handlers.keyboards import MENU_ENTRIES, MenuEntry, is_menu_label, menu_label
from tests.harness import in_id, t


def test_labels_are_the_translated_texts():
    help_entry = next(entry for entry in MENU_ENTRIES if entry.key == "help")
    assert in_id(menu_label, help_entry) == t("❓ Help")
    assert in_id(is_menu_label, t("❓ Help"))
    assert not in_id(is_menu_label, "❓ Help")  # the English source is not what users see
    assert not in_id(is_menu_label, "kapan bansos cair")


def test_an_entry_added_after_the_first_lookup_is_recognised():
    assert not in_id(is_menu_label, "🧪 Test entry")
    entry = MenuEntry("test-entry", __("🧪 Test entry"))
    MENU_ENTRIES.append(entry)
    try:
        assert in_id(is_menu_label, "🧪 Test entry")  # no translation: the source text
    finally:
        MENU_ENTRIES.remove(entry)
    assert not in_id(is_menu_label, "🧪 Test entry")
