"""A non-staff account trying every staff command and every staff callback: each is refused
and audited. The list is read from the assembled dispatcher (every router behind a STAFF gate),
so a staff feature added later is covered without touching this test."""

from __future__ import annotations

import enum
import typing
from pathlib import Path

import pytest
from aiogram import Dispatcher, Router
from aiogram.filters import Command
from aiogram.filters.callback_data import CallbackData, CallbackQueryFilter
from sqlalchemy import select

from bot.app import create_dispatcher
from db.models import AuditLog
from handlers.access import STAFF, RoleGate
from tests.fake_telegram import FakeTelegram
from tests.harness import BotApp, account_of, agree, click_data, e2e_settings, t


def _routers(router: Router) -> typing.Iterator[Router]:
    yield router
    for sub in router.sub_routers:
        yield from _routers(sub)


def _staff_gated(observer: typing.Any) -> bool:
    return any(
        isinstance(m, RoleGate) and m.roles == STAFF for m in observer.middleware
    )


def staff_entry_points(dp: Dispatcher) -> tuple[list[str], list[type[CallbackData]]]:
    commands: list[str] = []
    callbacks: list[type[CallbackData]] = []
    for router in _routers(dp):
        if _staff_gated(router.message):
            for handler in router.message.handlers:
                for f in handler.filters or []:
                    if isinstance(f.callback, Command):
                        commands += [c for c in f.callback.commands if isinstance(c, str)]
        if _staff_gated(router.callback_query):
            for handler in router.callback_query.handlers:
                for f in handler.filters or []:
                    if isinstance(f.callback, CallbackQueryFilter):
                        callbacks.append(f.callback.callback_data)
    return sorted(set(commands)), list(dict.fromkeys(callbacks))


def _sample(annotation: typing.Any) -> typing.Any:
    """A plausible value for a callback field (an id, a page, a choice)."""
    origin = typing.get_origin(annotation)
    if origin is typing.Union or str(origin) == "<class 'types.UnionType'>":
        options = [a for a in typing.get_args(annotation) if a is not type(None)]
        return _sample(options[0]) if options else None
    if isinstance(annotation, type) and issubclass(annotation, enum.Enum):
        return next(iter(annotation))
    if annotation is bool:
        return True
    if annotation is int:
        return 1
    if annotation is float:
        return 1.0
    return "x"


def crafted(callback: type[CallbackData]) -> str:
    values = {name: _sample(field.annotation) for name, field in callback.model_fields.items()}
    return callback(**values).pack()


@pytest.fixture
async def tg():
    async with FakeTelegram() as fake:
        yield fake


async def test_every_staff_command_and_callback_is_refused_and_audited(
    tg: FakeTelegram, tmp_path: Path
):
    async with BotApp(tg, e2e_settings(tmp_path, tg)) as app:
        assert app.resources is not None
        commands, callbacks = staff_entry_points(create_dispatcher(app.resources))
        resident = tg.user(801, "Warga")
        await agree(resident)
        refused = t("Sorry, this is only for Dinas Sosial staff.")
        for command in commands:
            await resident.send(f"/{command}")
            answer = await resident.wait_message()
            assert answer.text == refused, f"/{command} was not refused"
        last = resident.messages[-1]
        for callback in callbacks:
            query = await click_data(resident, last, crafted(callback))
            answered = await query.wait_answered()
            assert answered.answer_text == refused, f"{callback.__prefix__} was not refused"
        await tg.wait_idle()
        account = await account_of(app, 801)
        assert account is not None
        async with app.sessionmaker() as session:
            denied = list(
                await session.scalars(
                    select(AuditLog).where(
                        AuditLog.actor_account_id == account.id,
                        AuditLog.action == "access.denied",
                    )
                )
            )
        assert len(denied) == len(commands) + len(callbacks)
