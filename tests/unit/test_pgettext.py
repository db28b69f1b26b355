"""conversations.i18n: gettext with a context on top of aiogram's I18n."""

from __future__ import annotations

from pathlib import Path

import pytest
from aiogram.utils.i18n import I18n
from babel.messages.catalog import Catalog
from babel.messages.mofile import write_mo

from conversations.i18n import lazy_pgettext, pgettext


@pytest.fixture
def i18n(tmp_path: Path) -> I18n:
    catalog = Catalog(locale="id")
    catalog.add("No, keep it", "Tidak, tetap ikut", context="enrolment")
    catalog.add("No, keep it", "Tidak, jangan dibatalkan", context="schedule cancel")
    catalog.add("No, keep it", "Tidak")  # the same text without a context
    folder = tmp_path / "id" / "LC_MESSAGES"
    folder.mkdir(parents=True)
    with (folder / "messages.mo").open("wb") as handle:
        write_mo(handle, catalog)
    return I18n(path=tmp_path, default_locale="id", domain="messages")


def test_each_context_has_its_own_translation(i18n: I18n) -> None:
    with i18n.context(), i18n.use_locale("id"):
        assert pgettext("enrolment", "No, keep it") == "Tidak, tetap ikut"
        assert pgettext("schedule cancel", "No, keep it") == "Tidak, jangan dibatalkan"
        assert i18n.gettext("No, keep it") == "Tidak"


def test_falls_back_to_the_message(i18n: I18n) -> None:
    with i18n.context(), i18n.use_locale("id"):
        assert pgettext("training cancel", "No, keep it") == "No, keep it"  # unknown context
        assert pgettext("enrolment", "Something else") == "Something else"
    with i18n.context(), i18n.use_locale("en"):  # no catalog for this locale
        assert pgettext("enrolment", "No, keep it") == "No, keep it"


def test_lazy_text_is_translated_when_used_in_that_locale(i18n: I18n) -> None:
    label = lazy_pgettext("enrolment", "No, keep it")  # made outside any update, as at import
    with i18n.context(), i18n.use_locale("en"):
        assert str(label) == "No, keep it"
    with i18n.context(), i18n.use_locale("id"):
        assert str(label) == "Tidak, tetap ikut"
        assert f"[{label}]" == "[Tidak, tetap ikut]"
    with i18n.context(), i18n.use_locale("en"):
        assert str(label) == "No, keep it"  # not cached from the previous use


def test_needs_an_i18n_context_like_gettext() -> None:
    with pytest.raises(LookupError):
        pgettext("enrolment", "No, keep it")
