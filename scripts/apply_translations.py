"""Fill empty Indonesian translations from .po fragments or a Python dict file.

    .venv/bin/python -m scripts.apply_translations locales/fragments/forms.po
    .venv/bin/python -m scripts.apply_translations my_texts.py   (defines T = {msgid: msgstr})

Existing translations are kept unless --overwrite is given.
"""

from __future__ import annotations

import runpy
import sys
from pathlib import Path

from babel.messages.pofile import read_po

from scripts.update_catalog import PO, write_catalog

# A msgid or msgstr as babel types it: tuples for plural messages.
MessageText = str | tuple[str, ...] | list[str]


def load(source: Path) -> dict[MessageText, MessageText]:
    if source.suffix == ".py":
        return dict(runpy.run_path(str(source))["T"])
    with source.open("rb") as handle:
        return {m.id: m.string for m in read_po(handle) if m.id and m.string}


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
    write_catalog(catalog)
    print(f"filled {filled} translations")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
