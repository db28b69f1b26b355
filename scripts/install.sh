# Sourced by run.sh and test.sh: a virtualenv in .venv with the project installed in it.
# Reinstalls only when pyproject.toml changes, so the second start is quick.
install_project() {
  local extras="$1"
  local python="${PYTHON:-python3}"
  if ! "$python" -c 'import sys; sys.exit(sys.version_info < (3, 11))' 2>/dev/null; then
    echo "Nirmiskin needs Python 3.11 or newer (set PYTHON=/path/to/python3.11)." >&2
    exit 2
  fi
  if [ ! -x .venv/bin/python ]; then
    "$python" -m venv .venv
  fi
  local stamp=".venv/.nirmiskin-installed${extras}"
  local want
  want="$(sha256sum pyproject.toml | cut -d' ' -f1)"
  if [ ! -f "$stamp" ] || [ "$(cat "$stamp")" != "$want" ]; then
    echo "Installing Nirmiskin into .venv (first run, or pyproject.toml changed)..." >&2
    local log=".venv/install.log"
    if ! { .venv/bin/python -m pip install --upgrade pip \
           && .venv/bin/python -m pip install -e ".${extras}"; } >"$log" 2>&1; then
      cat "$log" >&2
      echo "Installing failed; the output above is also in $log." >&2
      exit 1
    fi
    echo "$want" > "$stamp"
  fi
}
