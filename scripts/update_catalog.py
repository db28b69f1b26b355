"""Extract texts from the code and merge them into locales/id/LC_MESSAGES/messages.po.

Run after adding or changing a text: `.venv/bin/python scripts/update_catalog.py`, then
translate the new entries (tests/unit/test_i18n.py fails while any is missing). Babel writes the
wrong plural header for Indonesian (nplurals=2); this script sets nplurals=1 (DOMAIN.md §5).
"""

from __future__ import annotations

import re
import sys
from pathlib import Path

from babel.messages.catalog import Catalog
from babel.messages.extract import extract_from_dir
from babel.messages.pofile import read_po, write_po

ROOT = Path(__file__).resolve().parent.parent
PO = ROOT / "locales" / "id" / "LC_MESSAGES" / "messages.po"
POT = ROOT / "locales" / "messages.pot"
KEYWORDS = {"_": None, "__": None, "gettext": None, "lazy_gettext": None}
PLURAL_FORMS = "nplurals=1; plural=0;"


def extract() -> Catalog:
    template = Catalog(project="nirmiskin", charset="utf-8")
    with (ROOT / "babel.cfg").open() as cfg:
        from babel.messages.frontend import parse_mapping_cfg

        method_map, options_map = parse_mapping_cfg(cfg)
    for filename, lineno, message, comments, context in extract_from_dir(
        ROOT,
        method_map,
        options_map,
        keywords=KEYWORDS,
        comment_tags=("TRANSLATORS:",),
    ):
        template.add(message, None, [(filename, lineno)], auto_comments=comments, context=context)
    return template


def write_catalog(catalog: Catalog) -> None:
    """Write the Indonesian catalog: one plural form, a final (not fuzzy) header."""
    catalog._num_plurals, catalog._plural_expr = 1, "0"  # Babel has no 'id' plural entry
    catalog.fuzzy = False  # a fuzzy header is dropped when compiling, plural rule and all
    with PO.open("wb") as handle:
        write_po(handle, catalog, width=100, omit_header=False, ignore_obsolete=True)
    text = PO.read_text(encoding="utf-8")
    if PLURAL_FORMS not in text:
        text = re.sub(r'"Plural-Forms: [^"]*\\n"', f'"Plural-Forms: {PLURAL_FORMS}\\\\n"', text)
        PO.write_text(text, encoding="utf-8")


def main() -> int:
    template = extract()
    with POT.open("wb") as handle:
        write_po(handle, template, width=100)
    if PO.exists():
        with PO.open("rb") as handle:
            catalog = read_po(handle, locale="id")
    else:
        catalog = Catalog(locale="id", project="nirmiskin", charset="utf-8")
    catalog.update(template, no_fuzzy_matching=True)
    write_catalog(catalog)
    missing = [m.id for m in catalog if m.id and not m.string]
    print(f"{len(template)} texts; {len(missing)} without Indonesian translation")
    return 0


if __name__ == "__main__":
    sys.exit(main())
