"""End to end: `python -m bot run` as a real process against the fake Bot API.

The fake runs in the test's event loop; the bot process polls it over HTTP with the default
configuration (SQLite in DATA_DIR, migrations applied on start). Startup costs 1-2 s, so the
process is started once for the whole scenario.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import signal
import sqlite3
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import pytest

# Importing the app registers every feature's commands, as in the bot process.
from bot.app import create_dispatcher as _registers_features  # noqa: F401
from handlers.commands import commands_for
from handlers.privacy import privacy_notice, welcome_text
from tests import ROOT
from tests.conftest import make_settings
from tests.fake_telegram import FakeTelegram
from tests.harness import in_id, t

TOKEN = "123456:TEST"
NIK = "3216065212850001"
USER_TEXT = f"NIK saya {NIK} tolong dicek bantuannya"
STARTUP = 30.0  # seconds for the process to migrate and start polling
WAIT = 10.0
# Variables of a developer's shell that must not leak into the process under test.
CLEARED = {
    "BOT_TOKEN",
    "TELEGRAM_API_BASE",
    "DATABASE_URL",
    "DATA_DIR",
    "REDIS_URL",
    "ADMIN_IDS",
    "SECRET_KEY",
    "LOG_LEVEL",
    "WEBHOOK_URL",
    "WEBHOOK_SECRET",
    "THROTTLE_RATE",
    "THROTTLE_WINDOW",
}


def bot_env(**values: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k.upper() not in CLEARED}
    env["PYTHONPATH"] = str(ROOT)
    env.update(values)
    return env


BOT_COMMAND = [sys.executable, "-m", "bot", "run"]


class BotProcess:
    """`python -m bot run` as a child process, its output collected, always stopped."""

    def __init__(self, tmp_path: Path, env: dict[str, str]) -> None:
        self.tmp_path = tmp_path
        self.env = env

    async def __aenter__(self) -> BotProcess:
        self.proc = await asyncio.create_subprocess_exec(
            *BOT_COMMAND,
            cwd=self.tmp_path,
            env=self.env,
            stdin=asyncio.subprocess.DEVNULL,
            stdout=asyncio.subprocess.PIPE,
            stderr=asyncio.subprocess.PIPE,
        )
        assert self.proc.stdout is not None and self.proc.stderr is not None
        self._out = asyncio.create_task(self.proc.stdout.read())
        self._err = asyncio.create_task(self.proc.stderr.read())
        return self

    async def __aexit__(self, *exc: object) -> None:
        if self.proc.returncode is None:
            with contextlib.suppress(ProcessLookupError):
                self.proc.kill()
            await self.proc.wait()

    async def started(self, tg: FakeTelegram, ready: Callable[[], object]) -> None:
        up = await tg.wait_for(lambda: self.proc.returncode is not None or ready(), STARTUP)
        if self.proc.returncode is not None or not up:
            await self.__aexit__()
            pytest.fail(
                f"the bot did not start (exit {self.proc.returncode}):\n{await self.output()}"
            )

    async def terminate(self) -> int:
        self.proc.send_signal(signal.SIGTERM)
        return await asyncio.wait_for(self.proc.wait(), WAIT)

    async def output(self) -> str:
        out, err = await asyncio.gather(self._out, self._err)
        return out.decode(errors="replace") + err.decode(errors="replace")


async def test_bot_process_serves_a_user_and_stops_cleanly_on_sigterm(tmp_path: Path):
    data_dir = tmp_path / "data"
    async with FakeTelegram() as tg:
        env = bot_env(
            BOT_TOKEN=TOKEN,
            TELEGRAM_API_BASE=tg.base_url,
            DATA_DIR=str(data_dir),
            LOG_LEVEL="DEBUG",  # the most talkative level still must not log what users say
        )
        async with BotProcess(tmp_path, env) as bot:
            await bot.started(
                tg, lambda: tg.command_names("all_private_chats") and tg.count("getUpdates")
            )
            # setMyCommands for all private chats: the residents' list, in Indonesian (features
            # add theirs on import; tests.harness imports the whole app).
            commands = tg.commands("all_private_chats", token=TOKEN)
            # The app's own list (features add theirs after the six common ones, in the order
            # their modules are imported: in this test session, whichever test imported first).
            assert sorted(c["command"] for c in commands) == sorted(
                c.name for c in commands_for("warga")
            )
            assert [c["command"] for c in commands][:6] == [
                "menu",
                "bantuan",
                "batal",
                "lanjut",
                "privasi",
                "start",
            ]
            assert commands[0]["description"] == "Menu utama"
            assert tg.count("deleteWebhook") == 1

            user = tg.user(5101, "Sari")
            await user.send("/start")
            welcome = await user.wait_message(WAIT)
            assert welcome.text == in_id(welcome_text)
            notice = await user.wait_message(WAIT)
            assert notice.text == in_id(privacy_notice, make_settings(tmp_path))
            assert notice.buttons == ["✅ Saya setuju", "✖️ Saya tidak setuju"]

            sent = await user.send(USER_TEXT)
            reply = await user.wait_message(WAIT)
            # It carried a NIK: deleted once read, and the sender told why.
            assert reply.text.startswith(t(
                "For your safety, we deleted your message because it contained a NIK or KK "
                "number. Please do not send these numbers in a chat; we only keep them hidden "
                "(for example 3216********0001)."
            ))  # fmt: skip
            assert await user.wait_for(lambda: sent.message_id in user.deleted_message_ids)
            await user.wait_idle(quiet=0.3)
            code = await bot.terminate()
            text = await bot.output()

    assert code == 0, f"exit code {code} after SIGTERM:\n{text}"
    assert "Traceback" not in text, text
    assert "bot started as @" in text, text
    # No SECRET_KEY on the SQLite default: one is generated, kept, and the operator warned.
    assert "SECRET_KEY is not set: generated one in" in text
    assert (data_dir / "secret.key").stat().st_mode & 0o077 == 0
    assert (data_dir / "nirmiskin.db").stat().st_mode & 0o077 == 0  # created 0600 before use
    # What the user typed never reaches the logs, not even at DEBUG.
    assert NIK not in text, text
    assert "tolong dicek" not in text, text

    # Default database: SQLite in DATA_DIR, migrated; before consent only the Telegram id.
    db = sqlite3.connect(data_dir / "nirmiskin.db")
    try:
        rows = db.execute(
            "SELECT first_name, consent FROM accounts WHERE telegram_id = ?", (5101,)
        ).fetchall()
        regions = db.execute("SELECT COUNT(*) FROM regions").fetchone()[0]
    finally:
        db.close()
    assert rows == [(None, "none")]
    assert regions > 200  # the Bekasi regions were seeded by the first migration


def test_run_with_empty_bot_token_in_env_file_exits_2_naming_it(tmp_path: Path):
    (tmp_path / ".env").write_text("BOT_TOKEN=\nLOG_LEVEL=INFO\n")
    result = subprocess.run(
        BOT_COMMAND,
        cwd=tmp_path,
        env=bot_env(),
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 2, result.stderr
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("BOT_TOKEN:"), result.stderr
    assert result.stdout == ""
    assert not (tmp_path / "data").exists()  # nothing created before the check


def free_port() -> int:
    import socket

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


async def test_webhook_instance_on_postgres_and_redis(
    tmp_path: Path, postgres_url: str, redis_url: str
):
    """The several-instances setup: webhook behind a load balancer, PostgreSQL, Redis, a secret
    token. Telegram (the fake) posts the update to the instance, which answers over the API."""
    port = free_port()
    async with FakeTelegram() as tg:
        env = bot_env(
            BOT_TOKEN=TOKEN,
            TELEGRAM_API_BASE=tg.base_url,
            DATA_DIR=str(tmp_path / "data"),
            DATABASE_URL=postgres_url,
            SECRET_KEY="k" * 48,
            REDIS_URL=redis_url,
            WEBHOOK_URL=f"http://127.0.0.1:{port}",
            WEBHOOK_SECRET="s3cret-token",
            WEBHOOK_HOST="127.0.0.1",
            WEBHOOK_PORT=str(port),
        )
        async with BotProcess(tmp_path, env) as bot:
            await bot.started(tg, lambda: tg.count("setWebhook"))
            hook = tg.calls_of("setWebhook")[-1].params
            assert hook["url"] == f"http://127.0.0.1:{port}/telegram/webhook"
            assert hook["secret_token"] == "s3cret-token"
            assert tg.count("getUpdates") == 0  # webhook mode: no polling

            user = tg.user(5201, "Ujang")
            await user.send("/start")
            assert (await user.wait_message(WAIT)).text == in_id(welcome_text)
            code = await bot.terminate()
            text = await bot.output()
    assert code == 0, text
    assert "Traceback" not in text, text
    assert tg.count("deleteWebhook") == 0  # stopping one instance leaves the others served
