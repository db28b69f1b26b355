"""`python -m bot understand`: how the bot reads messages, for staff and for evaluation. It
needs no database, no BOT_TOKEN and no .env."""

from __future__ import annotations

import os
import re
import subprocess
import sys

from tests import ROOT

LINE = re.compile(
    r"^(?P<intent>[a-z_]+|-)\t(?P<confidence>[01]\.\d\d)\t(?P<flag>darurat|-)\t(?P<text>.+)$"
)


def understand(*args: str, stdin: str = "", tmp_path: object = None) -> list[dict[str, str]]:
    env = {k: v for k, v in os.environ.items() if k not in {"BOT_TOKEN", "DATABASE_URL"}}
    done = subprocess.run(
        [sys.executable, "-m", "bot", "understand", *args],
        input=stdin, capture_output=True, text=True, cwd=tmp_path or ROOT, env=env,
        timeout=120, check=True,
    )
    lines = done.stdout.splitlines()
    matches = [LINE.match(line) for line in lines]
    assert all(matches), lines
    return [m.groupdict() for m in matches if m]


def test_arguments_and_standard_input(tmp_path) -> None:
    rows = understand("kapan bansos cair", "tolong pak sy belum makan dari kemarin",
                      tmp_path=tmp_path)
    assert [r["text"] for r in rows] == [
        "kapan bansos cair", "tolong pak sy belum makan dari kemarin",
    ]
    assert rows[0]["intent"] == "jadwal"
    assert rows[1]["flag"] == "darurat"
    rows = understand(stdin="assalamualaikum\n\nnomor telpon dinsos\n", tmp_path=tmp_path)
    assert [r["intent"] for r in rows] == ["sapaan", "bantuan"]
