"""Staff sign up a person of a family without Telegram, by name, from the training's card."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from sqlalchemy import select

from db.models.aid import Enrollment
from db.models.system import AuditLog
from tests.fake_telegram import FakeTelegram
from tests.harness import BotApp, as_role, e2e_settings, eventually, t
from tests.staff_data import CIBENING, add_household

from .test_e2e_res_training import add_training


async def test_staff_add_a_participant_by_name(tg: FakeTelegram, tmp_path: Path):
    async with BotApp(tg, e2e_settings(tmp_path, tg, throttle_rate=1000)) as app:
        staff = tg.user(1301, "Petugas")
        await as_role(app, staff, "petugas")
        await add_household(
            app, 1, CIBENING, members=[{"name": "Rina Marlina", "born": dt.date(1995, 3, 1)}]
        )
        training = await add_training(app, capacity=5)
        await staff.send("/daftarpelatihan")
        listing = await staff.wait_message()
        await staff.click(listing, next(b for b in listing.buttons if "Menjahit" in b))
        await staff.wait_for(lambda: t("➕ Add a participant") in listing.buttons)
        await staff.click(listing, t("➕ Add a participant"))
        await staff.wait_message()
        typed = await staff.send("rina marlna")  # a typo
        who = await staff.wait_message()
        assert typed.deleted  # a NIK may be typed here: nothing stays in the chat
        assert who.buttons[0].startswith("Rina Marlina · Cibening")
        await staff.click(who, who.buttons[0])
        done = await staff.wait_message()
        assert "Rina Marlina" in done.text

        async def enrolled() -> Enrollment | None:
            async with app.sessionmaker() as session:
                return await session.scalar(
                    select(Enrollment).where(Enrollment.training_id == training.id)
                )

        found = await eventually(enrolled)
        assert found.status == "enrolled"
        async with app.sessionmaker() as session:
            actions = list(await session.scalars(select(AuditLog.action)))
        assert "training.participant_added" in actions
