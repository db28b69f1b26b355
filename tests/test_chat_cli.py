"""`python -m bot chat`: the real bot in a terminal, buttons as numbers (no network)."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def chat(tmp_path: Path, typed: str, *args: str) -> str:
    env = {k: v for k, v in os.environ.items() if k not in {"BOT_TOKEN", "DATABASE_URL"}}
    env.update(PYTHONPATH=str(ROOT), DATA_DIR=str(tmp_path / "data"), LOG_LEVEL="WARNING")
    result = subprocess.run(
        [sys.executable, "-m", "bot", "chat", *args], input=typed, cwd=tmp_path, env=env,
        capture_output=True, text=True, timeout=120,
    )
    assert result.returncode == 0, result.stderr
    assert "Traceback" not in result.stderr
    return result.stdout


def test_resident_agrees_by_number_and_reads_help(tmp_path: Path) -> None:
    out = chat(tmp_path, "1\n/bantuan\nqwerty\n:keluar\n")
    assert "Selamat datang di Nirmiskin" in out
    assert "[1] ✅ Saya setuju" in out and "[2] ✖️ Saya tidak setuju" in out
    assert "Terima kasih. Persetujuan Bapak/Ibu sudah dicatat." in out
    assert "/privasi: menjelaskan penggunaan data" in out
    assert "Maaf, saya belum mengerti." in out


def test_staff_chat_starts_with_the_staff_role(tmp_path: Path) -> None:
    out = chat(tmp_path, "2\n:keluar\n", "--as", "petugas")
    assert "petugas" in out.splitlines()[0]
    assert "Baik, kami menghormati pilihan Bapak/Ibu" in out


def test_end_of_input_ends_the_chat(tmp_path: Path) -> None:
    out = chat(tmp_path, "")
    assert "Selamat datang" in out
