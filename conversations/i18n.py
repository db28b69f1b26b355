"""gettext with a context (gettext's msgctxt), which aiogram's I18n does not offer.

One English text can need different Indonesian on different screens: "No, keep it" is
"Tidak, tetap ikut" for a resident cancelling a sign-up but "Tidak, jangan dibatalkan" for
staff cancelling a schedule. A context names the screen's meaning, and the catalog holds one
entry per (context, text). `pybabel extract` finds these calls through the keywords
`pgettext:1c,2` and `lazy_pgettext:1c,2` (scripts/catalog.sh; docs/translations.md).
"""

from __future__ import annotations

from aiogram.utils.i18n import get_i18n
from babel.support import LazyProxy

__all__ = ["lazy_pgettext", "pgettext"]


def pgettext(context: str, message: str) -> str:
    """`message` translated for `context` in the current update's locale, else `message`."""
    i18n = get_i18n()
    translations = i18n.locales.get(i18n.current_locale)
    if translations is None:
        return message
    return translations.pgettext(context, message)


def lazy_pgettext(context: str, message: str) -> LazyProxy:
    """Like aiogram's `lazy_gettext`: translated each time it is used, in that locale."""
    return LazyProxy(pgettext, context, message, enable_cache=False)
