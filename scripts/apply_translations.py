"""Fill empty Indonesian translations from .po fragments or a Python dict file.

    .venv/bin/python scripts/apply_translations.py locales/fragments/forms.po
    .venv/bin/python scripts/apply_translations.py my_texts.py   (defines T = {msgid: msgstr})

Existing translations are kept unless --overwrite is given.
"""

from __future__ import annotations

import runpy
import sys
from pathlib import Path

from babel.messages.pofile import read_po, write_po

PO = Path(__file__).resolve().parent.parent / "locales" / "id" / "LC_MESSAGES" / "messages.po"


def load(source: Path) -> dict[str, str]:
    if source.suffix == ".py":
        return dict(runpy.run_path(str(source))["T"])
    with source.open("rb") as handle:
        return {m.id: m.string for m in read_po(handle) if m.id and m.string}  # type: ignore[misc]


def main(args: list[str]) -> int:
    overwrite = "--overwrite" in args
    with PO.open("rb") as handle:
        catalog = read_po(handle, locale="id")
    filled = 0
    for source in (Path(a) for a in args if a != "--overwrite"):
        for msgid, msgstr in load(source).items():
            message = catalog.get(msgid)
            if message is not None and (overwrite or not message.string):
                message.string = msgstr
                message.flags.discard("fuzzy")
                filled += 1
    catalog.fuzzy = False  # a fuzzy header is dropped when compiling, plural rule and all
    with PO.open("wb") as handle:
        write_po(handle, catalog, width=100, ignore_obsolete=True)
    text = PO.read_text(encoding="utf-8")
    import re

    PO.write_text(
        re.sub(r'"Plural-Forms: [^"]*\\n"', r'"Plural-Forms: nplurals=1; plural=0;\\n"', text),
        encoding="utf-8",
    )
    print(f"filled {filled} translations")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
