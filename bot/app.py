"""Application assembly: the one place where the bot and dispatcher are built."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from aiogram import Bot, Dispatcher, Router
from aiogram.client.session.aiohttp import AiohttpSession
from aiogram.client.session.base import BaseSession
from aiogram.client.telegram import TelegramAPIServer
from aiogram.fsm.storage.base import BaseEventIsolation, BaseStorage, DefaultKeyBuilder
from aiogram.fsm.storage.memory import SimpleEventIsolation
from aiogram.fsm.storage.redis import RedisEventIsolation, RedisStorage
from aiogram.methods.base import Response
from aiogram.types import Message, User
from aiogram.utils.i18n import I18n
from redis.asyncio import Redis
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker

from bot import middlewares
from bot.commit_first import CommitBeforeSending
from bot.i18n import create_i18n
from bot.settings import Settings
from bot.telegram_retry import RetryAfterMiddleware
from db.account_versions import AccountVersions
from db.engine import account_cache, account_versions, create_engine, create_sessionmaker
from db.fsm_storage import SQLStorage, sealed_json
from db.protect import Protector
from handlers import common, errors, fallback, form_parking, forms, office, opt_out, start
from handlers.residents import check as resident_check
from handlers.residents import complaint as resident_complaint
from handlers.residents import data as resident_data
from handlers.residents import free_text
from handlers.residents import link as resident_link
from handlers.residents import link_no_kk as resident_link_no_kk
from handlers.residents import my_cases as resident_cases
from handlers.residents import objection as resident_objection
from handlers.residents import report as resident_report
from handlers.residents import schedule as resident_schedule
from handlers.residents import training as resident_training
from handlers.staff import broadcast as staff_broadcast
from handlers.staff import data as staff_data
from handlers.staff import payout as staff_payout
from handlers.staff import schedule as staff_schedule
from handlers.staff import stats as staff_stats
from handlers.staff import training as staff_training
from handlers.volunteers import case_close as volunteer_case_close
from handlers.volunteers import cases as volunteer_cases
from handlers.volunteers import edit as volunteer_edit
from handlers.volunteers import field as volunteer_field
from handlers.volunteers import invites as volunteer_invites
from handlers.volunteers import proposal as volunteer_proposal
from handlers.volunteers import quick_report
from handlers.volunteers import visit as volunteer_visit


@dataclass
class Resources:
    """What one bot process holds open; closed together on shutdown."""

    settings: Settings
    engine: AsyncEngine
    sessionmaker: async_sessionmaker[AsyncSession]
    i18n: I18n
    protector: Protector  # NIK/KK hashing and encryption, keyed by SECRET_KEY
    redis: Redis | None = None
    # Routers a caller adds before the fallback (tests, benchmarks); fresh ones per dispatcher.
    extra_routers: list[Router] = field(default_factory=list)

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
        sessionmaker=create_sessionmaker(
            engine,
            _account_cache_seconds(settings),
            AccountVersions(redis) if redis is not None else None,
        ),
        i18n=create_i18n(),
        # Reading the key here makes the first start generate it (with a warning) on the
        # SQLite default, rather than the first resident who links a household.
        protector=Protector(settings.secret),
        redis=redis,
    )


def single_process(settings: Settings) -> bool:
    """Whether one process owns this bot's updates: long polling (Telegram allows one poller
    per bot) without Redis. Only then may a process keep conversations in memory, and accounts
    without asking anyone; with Redis, accounts are kept but checked against Redis on every
    update (db.account_versions); several webhook instances without Redis read everything."""
    return not settings.webhook_url and not settings.redis_url


def _account_cache_seconds(settings: Settings) -> float:
    # Several instances without Redis have no way to tell each other what changed: no cache.
    if single_process(settings) or settings.redis_url:
        return settings.account_cache_seconds
    return 0.0


# aiogram reads every Bot API answer as `Response[<the method's result type>]`. pydantic keeps
# a parametrised generic only while something refers to it, and building one again costs
# milliseconds (measured: a sixth of an update's CPU time). The answers the bot gets on every
# update are kept built here.
ANSWER_TYPES = (Response[Message], Response[Message | bool], Response[bool], Response[User])


def create_bot(settings: Settings, session: BaseSession | None = None) -> Bot:
    if session is None:
        session = AiohttpSession(api=TelegramAPIServer.from_base(settings.telegram_api_base))
    token = settings.bot_token or "1:local-chat"
    session.middleware(CommitBeforeSending())
    session.middleware(RetryAfterMiddleware())
    return Bot(token=token, session=session)


def _fsm(resources: Resources) -> tuple[BaseStorage, BaseEventIsolation]:
    retention = dt.timedelta(days=resources.settings.fsm_retention_days)
    if resources.redis is not None:
        key_builder = DefaultKeyBuilder(prefix="nirmiskin:fsm", with_destiny=True)
        dumps, loads = sealed_json(resources.protector)
        return (
            # Redis forgets idle conversations by itself; bot.workers.maintenance purges SQL ones.
            RedisStorage(
                resources.redis,
                key_builder=key_builder,
                state_ttl=retention,
                data_ttl=retention,
                json_dumps=dumps,
                json_loads=loads,
            ),
            RedisEventIsolation(resources.redis, key_builder=key_builder),
        )
    # Without Redis: ordering within a process is enough, since Telegram sends one user's
    # updates to one poller. Several webhook instances share no memory: no FSM cache then.
    storage = SQLStorage(
        resources.sessionmaker,
        cache=single_process(resources.settings),
        protector=resources.protector,
    )
    return storage, SimpleEventIsolation()


def create_dispatcher(resources: Resources) -> Dispatcher:
    settings = resources.settings
    storage, isolation = _fsm(resources)
    dp = Dispatcher(storage=storage, events_isolation=isolation)
    dp["settings"] = settings
    dp["sessionmaker"] = resources.sessionmaker
    dp["i18n"] = resources.i18n
    dp["protector"] = resources.protector

    dp.update.outer_middleware(
        middlewares.UpdateMiddleware(
            middlewares.Guard(
                middlewares.RecentUpdates(resources.redis),
                middlewares.FloodControl(
                    settings.throttle_rate, settings.throttle_window, resources.redis
                ),
                resources.i18n,
            ),
            middlewares.UnitOfWork(
                resources.sessionmaker,
                set(settings.admin_ids),
                account_cache(resources.sessionmaker),
                resources.i18n,
                account_versions(resources.sessionmaker),
            ),
        )
    )

    # Before any router: a command or a menu button in the middle of a form sets the form aside
    # (or ends a feature's waiting step), so that the feature it names answers.
    dp.message.outer_middleware(form_parking.SetFormAside())

    dp.include_router(errors.create_router(resources.i18n))
    dp.include_routers(
        # First: "berhenti"/"stop" win over a form in progress (and over its "batal").
        opt_out.create_router(),
        # Before common/forms: an answer to a field visit left for hours asks "continue?".
        volunteer_visit.create_resume_router(),
        form_parking.create_router(),  # /lanjut
        start.create_router(),
        common.create_router(),
        forms.create_router(),
        resident_report.create_router(),
        resident_schedule.create_router(),
        resident_training.create_router(),
        volunteer_invites.create_redeem_router(),
        volunteer_invites.create_staff_router(),
        volunteer_field.create_router(),
        volunteer_visit.create_router(),
        volunteer_edit.create_router(),
        quick_report.create_router(),
        staff_schedule.create_router(),
        staff_payout.create_router(),
        staff_training.create_router(),
        staff_stats.create_router(),
        staff_data.create_router(),
        resident_link.create_router(),
        resident_link_no_kk.create_router(),
        volunteer_proposal.create_router(),
        resident_data.create_router(),
        resident_check.create_router(),
        staff_broadcast.create_router(),
        office.create_router(),
        resident_complaint.create_router(),
        resident_cases.create_router(),
        resident_objection.create_router(),
        volunteer_cases.create_router(),
        volunteer_case_close.create_router(),
        *resources.extra_routers,
        free_text.create_router(),  # just before the fallback: typed questions to commands
        fallback.create_router(),
    )
    return dp
