"""The e2e harness over HTTP: the bot's own AiohttpSession (``create_bot(settings)``, as in
production) long-polling the fake's HTTP port. The other e2e tests run in-process."""

from __future__ import annotations

from pathlib import Path

from aiogram.client.session.aiohttp import AiohttpSession

from tests.fake_telegram import FakeTelegram
from tests.harness import BotApp, agree, e2e_settings


async def test_the_bot_long_polls_the_fake_over_http(tg: FakeTelegram, tmp_path: Path) -> None:
    async with BotApp(tg, e2e_settings(tmp_path, tg), http=True) as app:
        assert isinstance(app.bot.session, AiohttpSession)
        user = tg.user(6101, "Rani")
        await agree(user)  # a reply keyboard, an inline button, a callback answer, an edit
        await user.send("/menu")
        menu = await user.wait_message()
        assert menu.text == "Menu utama. Silakan pilih tombol di bawah."
        assert tg.calls_of("getUpdates")[0].params["timeout"] == 1  # a short long poll
        # Restarting closes the HTTP session and polls again from the same fake.
        await app.restart()
        await user.send("/menu")
        assert (await user.wait_message()).text == menu.text
