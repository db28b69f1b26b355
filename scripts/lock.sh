#!/usr/bin/env bash
# Regenerate the pinned lock files from pyproject.toml:
#   requirements.lock        what the bot needs to run (./run.sh installs from it)
#   requirements-test.lock   the same pins plus the test tools (./test.sh installs from it)
# Run it after changing dependencies or their ranges in pyproject.toml (./run.sh and
# ./test.sh reinstall when pyproject.toml or the lock changes), and commit both files.
# Versions already pinned are kept unless pyproject.toml rules them out; to move on:
#   scripts/lock.sh --upgrade                 every package to its newest allowed version
#   scripts/lock.sh --upgrade-package NAME    one package (the option can be repeated)
# Pins are for CPython 3.11 on Linux x86_64, the machines the bot and its tests run on.
# The resolver is uv (`uv pip compile`); when `uv` is not on PATH it is installed into a
# virtualenv of its own under ~/.cache/nirmiskin (never into .venv).
set -euo pipefail
cd "$(dirname "$0")/.."

UV_VERSION="0.13.9"
uv="$(command -v uv || true)"
if [ -z "$uv" ]; then
  tools="${XDG_CACHE_HOME:-$HOME/.cache}/nirmiskin/uv-$UV_VERSION"
  if [ ! -x "$tools/bin/uv" ]; then
    "${PYTHON:-python3}" -m venv "$tools"
    "$tools/bin/python" -m pip install --quiet "uv==$UV_VERSION"
  fi
  uv="$tools/bin/uv"
fi

compile() {
  "$uv" pip compile pyproject.toml --quiet \
    --python-version 3.11 --python-platform x86_64-unknown-linux-gnu \
    --annotation-style line --custom-compile-command "scripts/lock.sh" "$@"
}
# The runtime pins first; the test lock is constrained by them, so both files agree on
# every package they share.
compile -o requirements.lock "$@"
compile --extra test -c requirements.lock -o requirements-test.lock "$@"
echo "Wrote requirements.lock and requirements-test.lock." >&2
