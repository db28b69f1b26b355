# Sourced by run.sh and test.sh: a virtualenv in .venv with the pinned dependencies of a lock
# file (requirements.lock or requirements-test.lock, made by scripts/lock.sh) and the project
# itself (editable, without resolving again). Reinstalls only when the lock or pyproject.toml
# changes, so the second start is quick.
install_project() {
  local lock="$1"
  local python="${PYTHON:-python3}"
  if ! "$python" -c 'import sys; sys.exit(sys.version_info < (3, 11))' 2>/dev/null; then
    echo "Nirmiskin needs Python 3.11 or newer (set PYTHON=/path/to/python3.11)." >&2
    exit 2
  fi
  if [ ! -x .venv/bin/python ]; then
    "$python" -m venv .venv
  fi
  local stamp=".venv/.nirmiskin-installed-${lock}"
  local want
  want="$(cat pyproject.toml "$lock" | sha256sum | cut -d' ' -f1)"
  if [ ! -f "$stamp" ] || [ "$(cat "$stamp")" != "$want" ]; then
    echo "Installing Nirmiskin into .venv from $lock (first run, or it or pyproject.toml" \
      "changed)..." >&2
    local log=".venv/install.log"
    if ! { .venv/bin/python -m pip install --upgrade pip \
           && .venv/bin/python -m pip install -r "$lock" \
           && .venv/bin/python -m pip install --no-deps -e .; } >"$log" 2>&1; then
      cat "$log" >&2
      echo "Installing failed; the output above is also in $log." >&2
      exit 1
    fi
    echo "$want" > "$stamp"
  fi
}
