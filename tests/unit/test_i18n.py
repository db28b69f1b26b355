"""Every text in the code has an Indonesian translation with the same placeholders."""

from __future__ import annotations

import re
import string

from babel.messages.pofile import read_po

from bot.i18n import create_i18n
from scripts.update_catalog import extract
from tests import ROOT

PO = ROOT / "locales" / "id" / "LC_MESSAGES" / "messages.po"


def placeholders(text: str) -> set[str]:
    return {name for _lit, name, _spec, _conv in string.Formatter().parse(text) if name}


def test_every_text_is_translated_to_indonesian() -> None:
    with PO.open("rb") as handle:
        catalog = read_po(handle, locale="id")
    missing, fuzzy, broken = [], [], []
    for message in extract():
        if not message.id:
            continue
        translated = catalog.get(message.id)
        if translated is None or not translated.string:
            missing.append(message.id)
        elif translated.fuzzy:
            fuzzy.append(message.id)
        elif placeholders(str(message.id)) != placeholders(str(translated.string)):
            broken.append(message.id)
    assert not missing, f"untranslated texts (run scripts/update_catalog.py): {missing}"
    assert not fuzzy, f"fuzzy translations: {fuzzy}"
    assert not broken, f"placeholders differ from the source: {broken}"


def test_indonesian_has_one_plural_form_and_a_final_header() -> None:
    text = PO.read_text(encoding="utf-8")
    assert re.search(r'"Plural-Forms: nplurals=1; plural=0;\\n"', text)
    with PO.open("rb") as handle:
        assert not read_po(handle, locale="id").fuzzy  # a fuzzy header is not compiled


def test_compiled_catalog_is_used() -> None:
    i18n = create_i18n()
    with i18n.context(), i18n.use_locale("id"):
        assert i18n.gettext("Main menu") == "Menu utama"
