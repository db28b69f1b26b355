"""How long the CLI takes to start, and how much memory, for commands that do not talk to
Telegram (goal: `python -m bot grant --help` under 1 s and 80 MB), against a process that
imports aiogram (what every command cost when the CLI imported the whole app).

    .venv/bin/python benchmarks/cli_start.py [--runs 7]

Each command runs as a fresh process; the figures are the median wall time and the median
peak resident memory (the kernel's maxrss for that child).
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
COMMANDS = {
    "python -m bot --help": ["-m", "bot", "--help"],
    "python -m bot grant --help": ["-m", "bot", "grant", "--help"],
    "python -m bot import --help": ["-m", "bot", "import", "--help"],
    "baseline: import aiogram": ["-c", "import aiogram.utils.i18n, aiogram.dispatcher.dispatcher"],
}


def run_once(args: list[str], cwd: str) -> tuple[float, float]:
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    started = time.perf_counter()
    child = subprocess.Popen(
        [sys.executable, *args], cwd=cwd, env=env,
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )  # fmt: skip
    _pid, status, usage = os.wait4(child.pid, 0)
    elapsed = time.perf_counter() - started
    if os.waitstatus_to_exitcode(status) != 0:
        raise SystemExit(f"{args} failed")
    return elapsed, usage.ru_maxrss / 1024  # KiB -> MiB


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--runs", type=int, default=7)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as cwd:
        for name, argv in COMMANDS.items():
            run_once(argv, cwd)  # warm the file cache
            samples = [run_once(argv, cwd) for _ in range(args.runs)]
            wall = statistics.median(s[0] for s in samples)
            rss = statistics.median(s[1] for s in samples)
            print(f"{name:<32} {wall * 1000:7.0f} ms  {rss:6.1f} MiB")


if __name__ == "__main__":
    main()
