"""The CLI commands that do not talk to Telegram never import its framework: they start in a
fraction of the time and memory (benchmarks/cli_start.py measures it)."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from tests import ROOT
from tests.conftest import TEST_SECRET

# Runs the CLI as `python -m bot` does, then says which framework modules got imported.
PROBE = """
import runpy, sys
sys.argv = ["bot", *sys.argv[1:]]
try:
    runpy.run_module("bot", run_name="__main__")
except SystemExit as stop:
    code = stop.code
else:
    code = 0
loaded = sorted({m.split(".")[0] for m in sys.modules} & {"aiogram", "aiohttp"})
print("EXIT", code, "LOADED", ",".join(loaded) or "-", file=sys.stderr)
"""


@pytest.mark.parametrize(
    "args",
    [
        ["--help"],
        ["grant", "--help"],
        ["import", "--help"],
        ["export", "--help"],
        ["db", "upgrade"],
        ["grant", "5551", "--role", "petugas"],
        ["import", str(ROOT / "docs" / "contoh_bnba.csv")],
        ["export", "rumah_tangga", "--output", "{tmp}/rumah_tangga.xlsx"],
    ],
    ids=lambda args: " ".join(a for a in args if "/" not in a),
)
def test_the_command_runs_without_the_telegram_framework(args: list[str], tmp_path: Path) -> None:
    env = {k: v for k, v in os.environ.items() if k not in {"BOT_TOKEN", "DATABASE_URL"}}
    env.update(PYTHONPATH=str(ROOT), DATA_DIR=str(tmp_path / "data"), SECRET_KEY=TEST_SECRET)
    argv = [a.replace("{tmp}", str(tmp_path)) for a in args]
    result = subprocess.run(
        [sys.executable, "-c", PROBE, *argv], cwd=tmp_path, env=env,
        capture_output=True, text=True, timeout=120,
    )  # fmt: skip
    last = result.stderr.strip().splitlines()[-1]
    assert last == "EXIT 0 LOADED -", result.stderr
