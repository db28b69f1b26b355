"""Words for people in code that also runs outside the bot: the reasons a rule gives and the
BNBA import report, which the CLI (`python -m bot import`) prints too.

gettext goes through whichever translator is installed: the bot installs aiogram's I18n
(`bot.i18n.create_i18n`, so the update's language applies), the CLI the catalog's own
translations (`texts.catalog.install_catalog`), without importing the Telegram framework.
Nothing installed: the English source text. The extraction keywords are the usual ones
(`_`, `__`, `lazy_gettext`, `pgettext`, `lazy_pgettext`: scripts/catalog.sh).
"""

from __future__ import annotations

from collections.abc import Callable

from babel.support import LazyProxy

Gettext = Callable[[str], str]
Pgettext = Callable[[str, str], str]

_translator: tuple[Gettext, Pgettext] = (lambda message: message, lambda _c, message: message)


def install(gettext: Gettext, pgettext: Pgettext) -> None:
    """Make `gettext`/`pgettext` the translation of every text of this package's users."""
    global _translator
    _translator = (gettext, pgettext)


def gettext(message: str) -> str:
    return _translator[0](message)


def pgettext(context: str, message: str) -> str:
    return _translator[1](context, message)


def lazy_gettext(message: str) -> LazyProxy:
    """Translated each time it is shown, in the language then in force."""
    return LazyProxy(gettext, message, enable_cache=False)


def lazy_pgettext(context: str, message: str) -> LazyProxy:
    return LazyProxy(pgettext, context, message, enable_cache=False)
