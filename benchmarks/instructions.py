"""Instructions per update, full stack vs aiogram's bare dispatcher, counted by callgrind.

benchmarks/updates.py measures time, which on a shared machine moves by a third from run to
run. This counts the CPU instructions of the same mix of updates (valgrind's callgrind, with
counting switched on only around the measured residents), which does not move: use it to
tell whether a change made the stack cheaper, and updates.py for what it means in updates/s.
Instructions are not time: the full stack touches far more memory than the echo (more cache
misses per instruction), so its time ratio is lower than its instruction ratio.

    .venv/bin/python benchmarks/instructions.py [--users 20]

Needs valgrind (Debian package valgrind). Each side runs ~50x slower than natively, in
parallel: about a minute for 20 residents (300 updates per side).
"""

from __future__ import annotations

import argparse
import asyncio
import logging
import os
import re
import shutil
import subprocess
import sys
import tempfile
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
sys.path.insert(0, str(Path(__file__).resolve().parent))

WARM_USERS = 10


def _count(switch: str) -> None:
    """Switch callgrind's counting on or off for this process."""
    subprocess.run(
        ["callgrind_control", "--instr=" + switch, str(os.getpid())],
        stdout=subprocess.DEVNULL,
        check=True,
    )


async def _inner(side: str, n_users: int) -> None:
    """Run under callgrind: warm up, then count `n_users` residents of one side."""
    import updates
    from aiogram import Bot

    from bot.app import create_bot, create_dispatcher, create_resources
    from bot.key_check import check_secret_key
    from bot.local_session import LocalSession
    from bot.settings import load_settings
    from db.migrate import upgrade

    logging.disable(logging.WARNING)
    data_dir = Path(tempfile.mkdtemp(prefix="nirmiskin-instr-"))
    settings = load_settings(_env_file=None, data_dir=data_dir, throttle_rate=10_000)
    await check_secret_key(settings)  # a fresh database: the key is generated, as on a first run
    resources = create_resources(settings)
    resources.extra_routers.append(updates.bench_router)
    await upgrade(resources.engine)
    users = updates.Users()
    if side == "full":
        bot = create_bot(settings, LocalSession(users.on_call))
        dp, script = create_dispatcher(resources), updates.SCRIPT
    else:
        bot = Bot(token="1:bare", session=LocalSession(users.on_call))
        dp, script = updates.bare_dispatcher(), updates.BARE_SCRIPT
    users.bot = bot  # bound updates: no JSON round trip in feed_update (as polling delivers)
    await updates.drive(dp, bot, users, list(range(1, 1 + WARM_USERS)), 1, script)
    _count("on")
    await updates.drive(dp, bot, users, list(range(1000, 1000 + n_users)), 1, script)
    _count("off")
    await resources.close()


def _measure(side: str, n_users: int) -> int:
    out = Path(tempfile.mkdtemp(prefix="nirmiskin-cg-")) / "callgrind.out"
    result = subprocess.run(
        [
            "valgrind", "--tool=callgrind", "--instr-atstart=no",
            f"--callgrind-out-file={out}",
            sys.executable, __file__, "--inner", side, "--users", str(n_users),
        ],
        capture_output=True,
        text=True,
    )
    found = re.search(r"Collected : (\d+)", result.stderr)
    if result.returncode != 0 or found is None:
        raise SystemExit(f"callgrind run of the {side} side failed:\n{result.stderr[-2000:]}")
    return int(found.group(1))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--users", type=int, default=20, help="residents per side (default 20)")
    parser.add_argument("--inner", choices=["full", "bare"], help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.inner:
        asyncio.run(_inner(args.inner, args.users))
        return
    if shutil.which("valgrind") is None or shutil.which("callgrind_control") is None:
        raise SystemExit("valgrind is not installed (Debian: apt-get install valgrind)")
    from updates import SCRIPT

    with ThreadPoolExecutor(2) as pool:
        full, bare = pool.map(lambda side: _measure(side, args.users), ["full", "bare"])
    n_updates = args.users * len(SCRIPT)
    print(f"mix: {len(SCRIPT)} updates per resident, {args.users} residents, updates bound to "
          f"the bot; instructions counted by callgrind")
    print(f"bare echo   {bare / n_updates / 1e6:6.2f} M instructions/update")
    print(f"full stack  {full / n_updates / 1e6:6.2f} M instructions/update")
    print(f"ratio by instructions: {bare / full:.1%}")


if __name__ == "__main__":
    main()
