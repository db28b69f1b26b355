#!/usr/bin/env bash
# Bring the translation catalog up to date after adding or changing a text in the code:
#   scripts/catalog.sh     (PYBABEL=/path/to/pybabel to use another install than .venv)
# then translate the new empty entries (docs/translations.md). Standard Babel only, two steps:
#   1. extract: every text of the code (babel.cfg says which files) into the template
#      locales/messages.pot; `pgettext`/`lazy_pgettext` calls carry a context
#      (conversations/i18n.py); a `# TRANSLATORS:` comment just above a text becomes `#.`.
#   2. update: merge the template into locales/<lang>/LC_MESSAGES/messages.po. New texts come
#      in empty, texts gone from the code are dropped, translations are kept; -N: no guessed
#      ("fuzzy") translations. The .po keeps its own header, so Indonesian keeps
#      `Plural-Forms: nplurals=1; plural=0;` (tests/test_i18n.py checks it).
# Running it twice changes nothing: no file:line references (--no-location) and entries sorted
# by text (--sort-output), so moving code does not touch the catalog; no date in the template
# (--omit-header, --ignore-pot-creation-date). tests/test_i18n.py reads the options below.
# The bot compiles the .po itself when it starts (bot/i18n.py); `pybabel compile -d locales`
# does the same by hand.
set -euo pipefail
cd "$(dirname "$0")/.."
PYBABEL="${PYBABEL:-.venv/bin/pybabel}"

"$PYBABEL" extract -F babel.cfg -o locales/messages.pot --no-default-keywords \
  -k _ -k __ -k gettext -k lazy_gettext -k pgettext:1c,2 -k lazy_pgettext:1c,2 \
  -c TRANSLATORS: --no-location --sort-output --omit-header -w 100 .
"$PYBABEL" update -i locales/messages.pot -d locales -N --ignore-obsolete \
  --ignore-pot-creation-date -w 100
