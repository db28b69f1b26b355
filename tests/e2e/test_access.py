"""Role gates: a command of a staff-only router is refused (and audited) for anyone else."""

from __future__ import annotations

from pathlib import Path

from aiogram.filters import Command
from aiogram.types import Message

from handlers.access import STAFF, gated_router
from tests.fake_telegram import FakeTelegram
from tests.harness import BotApp, agree, as_role, audit_actions, e2e_settings, eventually, t


def staff_only_routers():
    router = gated_router("test_staff", STAFF)

    @router.message(Command("rahasia"))
    async def secret(message: Message) -> None:
        await message.answer("ok-staff")

    return [router]


async def test_staff_command_refused_and_audited_for_a_resident(tg: FakeTelegram, tmp_path: Path):
    async with BotApp(tg, e2e_settings(tmp_path, tg), routers=staff_only_routers) as app:
        resident = tg.user(701)
        await agree(resident)
        await resident.send("/rahasia 3216065212850001")
        refused = await resident.wait_message()
        assert refused.text == t("Sorry, this is only for Dinas Sosial staff.")
        account = await eventually(lambda: _account_id(app, 701))
        actions = await eventually(lambda: _denied(app, account))
        assert actions == ["consent.given", "access.denied"]

        staff = tg.user(702)
        await as_role(app, staff, "petugas")
        await staff.send("/rahasia")
        answer = await staff.wait_message()
        assert answer.text == "ok-staff"


async def _account_id(app: BotApp, telegram_id: int) -> int | None:
    from tests.harness import account_of

    account = await account_of(app, telegram_id)
    return account.id if account else None


async def _denied(app: BotApp, account_id: int) -> list[str] | None:
    actions = await audit_actions(app, account_id)
    return actions if "access.denied" in actions else None
