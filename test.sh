#!/usr/bin/env bash
# Install the project with its test tools from requirements-test.lock, then lint (ruff), check
# the types (mypy) and the import rules (import-linter), both configured in pyproject.toml, and
# run the whole test suite.
# PostgreSQL and Redis tests run when the servers are reachable (TEST_POSTGRES_URL,
# TEST_REDIS_URL); with CI=true they must be.
set -euo pipefail
cd "$(dirname "$0")"
source ./scripts/install.sh
install_project requirements-test.lock
.venv/bin/ruff check .
.venv/bin/mypy
.venv/bin/lint-imports
exec .venv/bin/python -m pytest "$@"
