"""Application assembly: the one place where the bot and dispatcher are built."""

from __future__ import annotations

from dataclasses import dataclass, field

from aiogram import Bot, Dispatcher
from aiogram.client.session.aiohttp import AiohttpSession
from aiogram.client.session.base import BaseSession
from aiogram.client.telegram import TelegramAPIServer
from aiogram.fsm.storage.base import BaseEventIsolation, BaseStorage, DefaultKeyBuilder
from aiogram.fsm.storage.memory import SimpleEventIsolation
from aiogram.fsm.storage.redis import RedisEventIsolation, RedisStorage
from aiogram.utils.i18n import I18n
from redis.asyncio import Redis
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker

from bot import middlewares
from bot.i18n import create_i18n
from bot.settings import Settings
from db.engine import create_engine, create_sessionmaker
from db.fsm_storage import SQLStorage
from handlers import common, errors, fallback, forms, start


@dataclass
class Resources:
    """What one bot process holds open; closed together on shutdown."""

    settings: Settings
    engine: AsyncEngine
    sessionmaker: async_sessionmaker[AsyncSession]
    i18n: I18n
    redis: Redis | None = None
    extra_routers: list = field(default_factory=list)

    async def close(self) -> None:
        if self.redis is not None:
            await self.redis.aclose()
        await self.engine.dispose()


def create_resources(settings: Settings) -> Resources:
    engine = create_engine(settings.db_url)
    redis = Redis.from_url(settings.redis_url) if settings.redis_url else None
    return Resources(
        settings=settings,
        engine=engine,
        sessionmaker=create_sessionmaker(engine),
        i18n=create_i18n(),
        redis=redis,
    )


def create_bot(settings: Settings, session: BaseSession | None = None) -> Bot:
    if session is None:
        session = AiohttpSession(api=TelegramAPIServer.from_base(settings.telegram_api_base))
    token = settings.bot_token or "1:local-chat"
    return Bot(token=token, session=session)


def _fsm(resources: Resources) -> tuple[BaseStorage, BaseEventIsolation]:
    if resources.redis is not None:
        key_builder = DefaultKeyBuilder(prefix="nirmiskin:fsm", with_destiny=True)
        return (
            RedisStorage(resources.redis, key_builder=key_builder),
            RedisEventIsolation(resources.redis, key_builder=key_builder),
        )
    # One process per database file or PostgreSQL without Redis: ordering within a process
    # is enough, since Telegram sends one user's updates to one poller.
    return SQLStorage(resources.sessionmaker), SimpleEventIsolation()


def create_dispatcher(resources: Resources) -> Dispatcher:
    settings = resources.settings
    storage, isolation = _fsm(resources)
    dp = Dispatcher(storage=storage, events_isolation=isolation)
    dp["settings"] = settings
    dp["sessionmaker"] = resources.sessionmaker
    dp["i18n"] = resources.i18n

    dp.update.outer_middleware(middlewares.UpdateDedupMiddleware(resources.redis))
    dp.update.outer_middleware(middlewares.UnitOfWorkMiddleware(resources.sessionmaker))
    dp.update.outer_middleware(middlewares.AccountMiddleware(set(settings.admin_ids)))
    dp.update.outer_middleware(middlewares.i18n_middleware(resources.i18n))
    dp.update.outer_middleware(
        middlewares.ThrottleMiddleware(
            settings.throttle_rate, settings.throttle_window, resources.redis
        )
    )
    dp.update.outer_middleware(middlewares.RoleCommandsMiddleware())

    dp.include_router(errors.create_router(resources.i18n))
    dp.include_routers(
        start.router, common.router, forms.router, *resources.extra_routers, fallback.router
    )
    return dp
