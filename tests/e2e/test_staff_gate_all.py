"""A non-staff account trying every staff command and every staff callback: each is refused
and audited. The list is read from the assembled dispatcher (every router behind a STAFF gate),
so a staff feature added later is covered without touching this test."""

from __future__ import annotations

import ast
import enum
import inspect
import sys
import typing
from pathlib import Path

from aiogram import Dispatcher, Router
from aiogram.filters import Command
from aiogram.filters.callback_data import CallbackQueryFilter
from aiogram.types import CallbackQuery, User
from sqlalchemy import select

from bot.app import create_dispatcher
from db.models.system import AuditLog
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


def staff_entry_points(dp: Dispatcher) -> tuple[list[str], list[CallbackQueryFilter]]:
    commands: list[str] = []
    callbacks: list[CallbackQueryFilter] = []
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
                        callbacks.append(f.callback)
    return sorted(set(commands)), callbacks


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


def _module_strings(cls: type) -> list[str]:
    """String literals of the module that defines a callback class: the action names its
    handlers' rules accept (e.g. ``F.action.in_({"ask", "yes"})``) are among them."""
    source = inspect.getsource(sys.modules[cls.__module__])
    found = {
        node.value
        for node in ast.walk(ast.parse(source))
        if isinstance(node, ast.Constant) and isinstance(node.value, str)
    }
    return sorted(v for v in found if v and len(v) <= 20 and ":" not in v)


async def crafted(handler_filter: CallbackQueryFilter) -> str:
    """Callback data this handler accepts: sample values, then each string field varied over the
    module's string literals until the handler's own filter (and its rule) matches."""
    cls = handler_filter.callback_data
    base = {name: _sample(field.annotation) for name, field in cls.model_fields.items()}
    candidates = [base]
    for name, field in cls.model_fields.items():
        if _sample(field.annotation) == "x":
            candidates += [{**base, name: word} for word in _module_strings(cls)]
    user = User(id=1, is_bot=False, first_name="x")
    for values in candidates:
        try:
            data = cls(**values).pack()
        except (ValueError, TypeError):
            continue
        query = CallbackQuery(id="1", from_user=user, chat_instance="1", data=data)
        if await handler_filter(query):
            return data
    raise AssertionError(f"could not craft callback data for {cls.__name__}")


async def test_every_staff_command_and_callback_is_refused_and_audited(
    tg: FakeTelegram, tmp_path: Path
):
    # Many refusals in a row: flood control (20 updates per 10 s) is not what is tested here.
    async with BotApp(tg, e2e_settings(tmp_path, tg, throttle_rate=1000)) as app:
        assert app.resources is not None
        commands, callbacks = staff_entry_points(create_dispatcher(app.resources))
        assert "undang" in commands and callbacks  # the staff features are really there
        resident = tg.user(801, "Warga")
        await agree(resident)
        refused = t("Sorry, this is only for Dinas Sosial staff.")
        for command in commands:
            await resident.send(f"/{command}")
            answer = await resident.wait_message()
            assert answer.text == refused, f"/{command} was not refused"
        last = resident.messages[-1]
        for callback in callbacks:
            data = await crafted(callback)
            query = await click_data(resident, last, data)
            answered = await query.wait_answered()
            assert answered.answer_text == refused, f"{data} was not refused"
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
