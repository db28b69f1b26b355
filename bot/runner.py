"""`python -m bot run`: migrate and check SECRET_KEY, then long polling or a webhook server."""

from __future__ import annotations

import asyncio
import logging
import signal

from aiogram import Bot, Dispatcher
from aiogram.webhook.aiohttp_server import SimpleRequestHandler, setup_application
from aiohttp import web

from bot.app import create_bot, create_dispatcher, create_resources
from bot.key_check import check_secret_key
from bot.settings import Settings
from bot.workers import start_workers, stop_workers
from handlers.commands import set_default_commands
from services import understanding

log = logging.getLogger("nirmiskin.run")

WEBHOOK_PATH = "/telegram/webhook"


async def _on_startup(bot: Bot, dispatcher: Dispatcher) -> None:
    await set_default_commands(bot, dispatcher["i18n"])
    # Kept on the dispatcher so the tasks are not garbage-collected while they run.
    dispatcher["workers"] = start_workers(bot, dispatcher)
    me = await bot.get_me()
    log.info("bot started as @%s", me.username)


async def _on_shutdown(dispatcher: Dispatcher) -> None:
    await stop_workers(dispatcher.workflow_data.get("workers", []))


async def run(settings: Settings) -> None:
    # Migrates too; a missing or changed SECRET_KEY stops here (SettingsError, exit code 2).
    await check_secret_key(settings)
    log.info("database migrations applied")
    # The free-text reader trains from the labeled set (a second or two) before the first
    # message, in a thread so that nothing else waits on it.
    await asyncio.to_thread(understanding.reader)
    resources = create_resources(settings)
    try:
        bot = create_bot(settings)
        dp = create_dispatcher(resources)
        dp.startup.register(_on_startup)
        dp.shutdown.register(_on_shutdown)
        if settings.webhook_url:
            if not settings.redis_url:
                log.warning(
                    "webhook mode without REDIS_URL: run a single instance (several need Redis "
                    "to keep each user's updates in order and share conversation state)"
                )
            await _serve_webhook(settings, bot, dp)
        else:
            await bot.delete_webhook(drop_pending_updates=False)
            await dp.start_polling(bot, allowed_updates=dp.resolve_used_update_types())
    finally:
        await resources.close()


async def _serve_webhook(settings: Settings, bot: Bot, dp: Dispatcher) -> None:
    """Several instances behind a load balancer: Telegram posts each update to one of them."""
    assert settings.webhook_url is not None
    url = settings.webhook_url.rstrip("/") + WEBHOOK_PATH

    async def register_webhook(bot: Bot) -> None:
        await bot.set_webhook(
            url,
            secret_token=settings.webhook_secret,
            allowed_updates=dp.resolve_used_update_types(),
        )

    dp.startup.register(register_webhook)
    app = web.Application()
    SimpleRequestHandler(dp, bot, secret_token=settings.webhook_secret).register(app, WEBHOOK_PATH)
    setup_application(app, dp, bot=bot)
    runner = web.AppRunner(app)
    await runner.setup()
    site = web.TCPSite(runner, settings.webhook_host, settings.webhook_port)
    await site.start()
    log.info("webhook server on %s:%s", settings.webhook_host, settings.webhook_port)
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(sig, stop.set)
    try:
        await stop.wait()
        log.info("stopping: finishing the updates in hand")
    finally:
        # The webhook stays registered: other instances behind the load balancer go on.
        await runner.cleanup()
