"""Two bot processes behind a load balancer (webhook, PostgreSQL, Redis): an account change
made on one instance is seen by the other on the next message.

Telegram (the fake) posts every update to the balancer, which hands them to the two
instances in turn, as a round-robin load balancer would.
"""

from __future__ import annotations

import asyncio
import itertools
from pathlib import Path

import aiohttp
from aiohttp import web

from handlers.privacy import welcome_text
from tests.fake_telegram import FakeTelegram
from tests.harness import in_id, t

from .test_e2e_process import TOKEN, WAIT, BotProcess, bot_env, free_port

WEBHOOK_PATH = "/telegram/webhook"


class RoundRobin:
    """A tiny HTTP load balancer: each POST goes to the next instance, headers and all."""

    def __init__(self, ports: list[int]) -> None:
        self.targets = itertools.cycle(ports)
        self.port = free_port()
        self.served: list[int] = []

    async def forward(self, request: web.Request) -> web.Response:
        port = next(self.targets)
        self.served.append(port)
        headers = {k: v for k, v in request.headers.items() if k.lower().startswith("x-")}
        async with (
            aiohttp.ClientSession() as http,
            http.post(
                f"http://127.0.0.1:{port}{WEBHOOK_PATH}",
                data=await request.read(),
                headers={**headers, "Content-Type": "application/json"},
            ) as answer,
        ):
            return web.Response(status=answer.status, body=await answer.read())

    async def __aenter__(self) -> RoundRobin:
        app = web.Application()
        app.router.add_post(WEBHOOK_PATH, self.forward)
        self.runner = web.AppRunner(app)
        await self.runner.setup()
        await web.TCPSite(self.runner, "127.0.0.1", self.port).start()
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.runner.cleanup()


async def test_consent_on_one_instance_is_seen_by_the_other(
    tmp_path: Path, migrated_postgres_url: str, redis_url: str
) -> None:
    # The database is migrated already, as when a second instance is added: two instances
    # migrating one empty database at the same moment would race (tests/process/
    # test_e2e_process.py migrates an empty PostgreSQL database from a bot process).
    postgres_url = migrated_postgres_url
    ports = [free_port(), free_port()]
    async with FakeTelegram() as tg, RoundRobin(ports) as balancer:
        common = {
            "BOT_TOKEN": TOKEN,
            "TELEGRAM_API_BASE": tg.base_url,
            "DATABASE_URL": postgres_url,
            "SECRET_KEY": "k" * 48,
            "REDIS_URL": redis_url,
            "WEBHOOK_URL": f"http://127.0.0.1:{balancer.port}",
            "WEBHOOK_SECRET": "s3cret-token",
            "WEBHOOK_HOST": "127.0.0.1",
        }
        (tmp_path / "a").mkdir()
        (tmp_path / "b").mkdir()
        env_a = bot_env(**common, DATA_DIR=str(tmp_path / "a"), WEBHOOK_PORT=str(ports[0]))
        env_b = bot_env(**common, DATA_DIR=str(tmp_path / "b"), WEBHOOK_PORT=str(ports[1]))
        # Both start at once: each spends seconds importing before it registers the webhook.
        async with BotProcess(tmp_path / "a", env_a) as a, BotProcess(tmp_path / "b", env_b) as b:
            await a.started(tg, lambda: tg.count("setWebhook") >= 2)
            await b.started(tg, lambda: tg.count("setWebhook") >= 2)
            for n in range(6):
                user = tg.user(5300 + n, f"Warga{n}")
                await user.send("/start")  # one instance: welcome and privacy notice
                assert (await user.wait_message(WAIT)).text == in_id(welcome_text)
                notice = await user.wait_message(WAIT)
                await user.click(notice, "✅ Saya setuju")  # the other instance
                await user.wait_idle(quiet=0.2)
                await user.send("/daftar")  # the first again: consent must be seen
                asked = await user.wait_message(WAIT)
                assert asked.text != t(
                    "Please first choose whether you agree to the privacy notice."
                ), f"user {n}: consent given on one instance was not seen by the other"
                assert "NIK" in asked.text
            assert await asyncio.gather(b.terminate(), a.terminate()) == [0, 0]
        assert set(balancer.served) == set(ports)  # both instances served updates
