"""`python -m bot chat` as a real process: the command line, stdin and stdout (the chat itself
is tested in-process in tests/e2e/test_chat_cli.py)."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from tests import ROOT


def test_command_line_chat_ends_at_end_of_input(tmp_path: Path) -> None:
    env = {k: v for k, v in os.environ.items() if k not in {"BOT_TOKEN", "DATABASE_URL"}}
    env.update(PYTHONPATH=str(ROOT), DATA_DIR=str(tmp_path / "data"), LOG_LEVEL="WARNING")
    result = subprocess.run(
        [sys.executable, "-m", "bot", "chat", "--as", "petugas", "--files", "unduhan"],
        input="2\n", cwd=tmp_path, env=env, capture_output=True, text=True, timeout=120,
    )  # fmt: skip
    assert result.returncode == 0, result.stderr
    assert "Traceback" not in result.stderr
    assert "petugas" in result.stdout.splitlines()[0]
    assert str(tmp_path / "unduhan") in result.stdout.splitlines()[0]  # --files, from here
    assert "Baik, kami menghormati pilihan Bapak/Ibu" in result.stdout
