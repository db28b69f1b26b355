#!/usr/bin/env bash
# Install what the bot needs from requirements.lock (first time, or when it or pyproject.toml
# changed) and run it.
#   ./run.sh            the bot on Telegram (needs BOT_TOKEN in .env)
#   ./run.sh chat       talk to the bot in this terminal, without Telegram
#   ./run.sh --help     every command (grant, db upgrade, ...)
set -euo pipefail
# File names given to import/export are meant from here, not from the project folder.
export NIRMISKIN_CALLER_DIR="$PWD"
cd "$(dirname "$0")"
source ./scripts/install.sh
install_project requirements.lock
if [ $# -eq 0 ]; then set -- run; fi
exec .venv/bin/python -m bot "$@"
