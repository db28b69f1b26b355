"""The catalog: every text in the code has its Indonesian, with the same placeholders.

The texts are found with Babel's extraction API exactly as `pybabel extract` finds them in
scripts/catalog.sh: the same babel.cfg, and the keywords (contexts included) and comment tag
read from that script, so the test and the tool cannot drift apart.
"""

from __future__ import annotations

import contextlib
import io
import re
import string
from functools import cache
from pathlib import Path

from babel.messages.catalog import Catalog
from babel.messages.extract import extract_from_dir
from babel.messages.frontend import parse_keywords, parse_mapping_cfg
from babel.messages.pofile import read_po

from bot.i18n import create_i18n
from conversations.i18n import pgettext

ROOT = Path(__file__).resolve().parents[2]
PO = ROOT / "locales" / "id" / "LC_MESSAGES" / "messages.po"
POT = ROOT / "locales" / "messages.pot"
SCRIPT = ROOT / "scripts" / "catalog.sh"
UPDATE = "run scripts/catalog.sh, then translate (docs/translations.md)"

Key = tuple[str | None, str]  # (context, msgid)
Locations = list[tuple[str, int]]


# English texts that meant different things on different screens, one Indonesian for all (in one
# case the wrong one: staff cancelling a schedule saw "Tidak, tetap ikut"). Each use now has a
# context; the Indonesian per context. docs/translations.md lists them too.
FIXED_COLLISIONS: dict[str, dict[str, str]] = {
    "No, keep it": {
        "enrolment": "Tidak, tetap ikut",
        "schedule cancel": "Tidak, jangan dibatalkan",
        "training cancel": "Tidak, jangan dibatalkan",
    },
    "✖️ Cancel": {"broadcast draft": "✖️ Batal", "broadcast sending": "✖️ Batalkan siaran"},
    "Other": {"occupation": "Lainnya", "aid program": "Program lain", "relationship": "Lainnya"},
    "cancelled": {"enrolment": "pendaftaran dibatalkan", "training status": "dibatalkan"},
    "rejected": {"import row": "ditolak", "verification": "ditolak"},
}


def _option(flag: str) -> list[str]:
    """The values of a `pybabel extract` option in scripts/catalog.sh, e.g. every `-k X`."""
    lines = SCRIPT.read_text(encoding="utf-8").splitlines()
    commands = "\n".join(line for line in lines if not line.lstrip().startswith("#"))
    return re.findall(rf"\s{flag}\s+(\S+)", commands)


@cache
def _extract() -> tuple[dict[Key, Locations], str]:
    """(context, msgid) -> where in the code, and what the extractor complained about."""
    keywords = parse_keywords(_option("-k"))
    assert {"_", "__", "pgettext", "lazy_pgettext"} <= keywords.keys()
    with (ROOT / _option("-F")[0]).open(encoding="utf-8") as cfg:
        method_map, options_map = parse_mapping_cfg(cfg)
    found: dict[Key, Locations] = {}
    warnings = io.StringIO()
    with contextlib.redirect_stderr(warnings):  # Babel reports skipped f-strings on stderr
        for filename, lineno, message, _comments, context in extract_from_dir(
            ROOT, method_map, options_map, keywords=keywords, comment_tags=_option("-c")
        ):
            msgid = message if isinstance(message, str) else message[0]
            found.setdefault((context, msgid), []).append((filename, lineno))
    return found, warnings.getvalue()


def extracted() -> dict[Key, Locations]:
    return _extract()[0]


def read(path: Path) -> Catalog:
    with path.open("rb") as handle:
        return read_po(handle, locale="id" if path == PO else None)


def keys(catalog: Catalog) -> set[Key]:
    return {(m.context, str(m.id)) for m in catalog if m.id}


def placeholders(text: str) -> set[str]:
    return {name for _lit, name, _spec, _conv in string.Formatter().parse(text) if name}


def where(key: Key) -> str:
    context, msgid = key
    places = ", ".join(f"{f}:{n}" for f, n in extracted()[key])
    return f"{msgid!r}" + (f" (context {context!r})" if context else "") + f" at {places}"


def test_every_text_is_translated_to_indonesian() -> None:
    catalog = read(PO)
    missing, fuzzy, broken = [], [], []
    for key in extracted():
        context, msgid = key
        translated = catalog.get(msgid, context=context)
        if translated is None or not translated.string:
            missing.append(where(key))
        elif translated.fuzzy:
            fuzzy.append(where(key))
        elif placeholders(msgid) != placeholders(str(translated.string)):
            broken.append(where(key))
    assert not missing, f"untranslated texts ({UPDATE}): {missing}"
    assert not fuzzy, f"fuzzy translations: {fuzzy}"
    assert not broken, f"placeholders differ from the source: {broken}"


def test_catalog_matches_the_code() -> None:
    """No entry the code no longer uses, no fuzzy or obsolete one; the template is current."""
    code = set(extracted())
    catalog = read(PO)
    stale = sorted(str(key) for key in keys(catalog) - code)
    assert not stale, f"texts no longer in the code ({UPDATE}): {stale}"
    assert keys(read(POT)) == code, f"locales/messages.pot is out of date ({UPDATE})"
    assert not [m.id for m in catalog if m.id and m.fuzzy], "fuzzy entries in messages.po"
    assert not catalog.obsolete, "obsolete (#~) entries in messages.po"


def test_indonesian_has_one_plural_form_and_a_final_header() -> None:
    text = PO.read_text(encoding="utf-8")
    assert re.search(r'"Plural-Forms: nplurals=1; plural=0;\\n"', text)
    catalog = read(PO)
    assert catalog.num_plurals == 1 and catalog.plural_expr == "0"
    assert not catalog.fuzzy  # a fuzzy header is not compiled


def test_no_f_string_inside_gettext() -> None:
    """`_(f"...")` cannot be translated: Babel skips it; use `_("... {x}").format(x=...)`."""
    assert not _extract()[1], _extract()[1]


def test_fixed_collisions_stay_fixed() -> None:
    """Each use of these texts keeps its context: none goes back to the bare text, whose one
    Indonesian would again serve every screen."""
    code = extracted()
    catalog = read(PO)
    for msgid, contexts in FIXED_COLLISIONS.items():
        bare = [f"{f}:{n}" for f, n in code.get((None, msgid), [])]
        assert not bare, f"{msgid!r} without a context (use pgettext, see FIXED_COLLISIONS): {bare}"
        used = {context for context, text in code if text == msgid}
        assert used == set(contexts), f"contexts of {msgid!r}: {sorted(used)}"
        for context, indonesian in contexts.items():
            assert catalog.get(msgid, context=context).string == indonesian, (msgid, context)


def test_compiled_catalog_is_used() -> None:
    i18n = create_i18n()
    with i18n.context(), i18n.use_locale("id"):
        assert i18n.gettext("Main menu") == "Menu utama"
        assert pgettext("enrolment", "No, keep it") == "Tidak, tetap ikut"
        assert pgettext("schedule cancel", "No, keep it") == "Tidak, jangan dibatalkan"


def test_no_indonesian_text_is_longer_than_a_message_may_be() -> None:
    """A message is at most 600 characters: long ones are not read on a small phone."""
    with PO.open("rb") as handle:
        catalog = read_po(handle, locale="id")
    too_long = [m.id for m in catalog if m.id and isinstance(m.string, str) and len(m.string) > 600]
    assert not too_long


def test_the_privacy_notice_with_its_status_fits_in_one_short_message(tmp_path) -> None:  # type: ignore[no-untyped-def]
    from aiogram.utils.i18n import gettext

    from handlers.privacy import privacy_notice
    from tests.conftest import make_settings
    from tests.harness import in_id

    notice = in_id(privacy_notice, make_settings(tmp_path))
    status = in_id(lambda: gettext("You have withdrawn your consent."))
    assert len(status + "\n\n" + notice) <= 600
