"""aiogram's I18n over the gettext catalog (texts.catalog), in the update's language."""

from __future__ import annotations

from aiogram.utils.i18n import I18n

import texts
from texts.catalog import DEFAULT_LOCALE, DOMAIN, LOCALES, compile_catalogs


def create_i18n() -> I18n:
    compile_catalogs()
    i18n = I18n(path=LOCALES, default_locale=DEFAULT_LOCALE, domain=DOMAIN)

    def pgettext(context: str, message: str) -> str:
        translations = i18n.locales.get(i18n.current_locale)
        return message if translations is None else translations.pgettext(context, message)

    # The words of `texts` (rules, import report) follow the same language as the rest.
    texts.install(lambda message: i18n.gettext(message), pgettext)
    return i18n
