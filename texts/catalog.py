"""The gettext catalog: `locales/*/LC_MESSAGES/messages.po`, compiled to `.mo` when needed."""

from __future__ import annotations

import gettext
from pathlib import Path

from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po

import texts

LOCALES = Path(__file__).resolve().parent.parent / "locales"
DOMAIN = "messages"
DEFAULT_LOCALE = "id"


def compile_catalogs(locales: Path = LOCALES) -> None:
    """Write each `.mo` next to its `.po` when missing or older, so no build step is forgotten."""
    for po_path in locales.glob(f"*/LC_MESSAGES/{DOMAIN}.po"):
        mo_path = po_path.with_suffix(".mo")
        if mo_path.exists() and mo_path.stat().st_mtime >= po_path.stat().st_mtime:
            continue
        with po_path.open("rb") as handle:
            catalog = read_po(handle)
        tmp = mo_path.with_suffix(".mo.tmp")
        with tmp.open("wb") as handle:
            write_mo(handle, catalog)
        tmp.replace(mo_path)


def install_catalog(locale: str = DEFAULT_LOCALE) -> None:
    """Outside the bot (the CLI): the texts of `texts` in `locale`, from the catalog itself."""
    compile_catalogs()
    found = gettext.translation(DOMAIN, localedir=LOCALES, languages=[locale], fallback=True)
    texts.install(found.gettext, found.pgettext)
