"""The staff → resident chain of issue 5: staff schedule a payout through the bot, the reminder
is queued the day before and delivered by the sender worker, and the resident sees the same
schedule in /jadwal. Each part has its own tests; this one checks that they fit together."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from sqlalchemy import select

from bot.workers import broadcast_sender, reminders
from db.models.aid import Disbursement
from domain.dates import WIB
from tests.fake_telegram import FakeTelegram
from tests.harness import BotApp, agree, as_role, e2e_settings, eventually, t
from tests.residents import linked_resident

from .test_staff_schedules import make_schedule


async def _schedule(app: BotApp) -> Disbursement | None:
    async with app.sessionmaker() as session:
        return await session.scalar(select(Disbursement))


async def test_schedule_then_reminder_then_jadwal(tg: FakeTelegram, tmp_path: Path):
    settings = e2e_settings(tmp_path, tg, throttle_rate=1000)
    async with BotApp(tg, settings, workers=[broadcast_sender.broadcast_sender]) as app:
        assert app.resources is not None
        resident = tg.user(8801, "Ibu Warga")
        await agree(resident)
        await linked_resident(app, 8801, [("Siti Aminah", dt.date(1980, 5, 1))])
        elsewhere = tg.user(8802, "Warga Lain")  # a household of another kecamatan
        await agree(elsewhere)
        await linked_resident(
            app, 8802, [("Budi", dt.date(1975, 1, 1))],
            desa="32.16.18.2003", kecamatan="32.16.18",
        )  # fmt: skip

        staff = tg.user(8803, "Petugas")
        await as_role(app, staff, "petugas")
        await make_schedule(staff, "Tambun Utara", expect_count=1)
        payout = await eventually(lambda: _schedule(app))
        assert payout is not None

        # The day before at REMINDER_HOUR (WIB) the reminder is queued once, then sent.
        due = reminders.remind_at(payout.scheduled_at, settings.reminder_hour)
        early = due - dt.timedelta(minutes=1)
        i18n, hour = app.resources.i18n, settings.reminder_hour
        assert await reminders.queue_due_reminders(app.sessionmaker, i18n, hour, now=early) == []
        queued = await reminders.queue_due_reminders(app.sessionmaker, i18n, hour, now=due)
        assert queued == [reminders.dedup_key("disbursement", payout.id, payout.scheduled_at)]
        # Told at once when it was made, then reminded.
        told = await resident.wait_message(timeout=20)
        assert told.text.startswith(t("📢 There is an aid schedule for your household:"))
        reminder = await resident.wait_message(timeout=20)
        assert reminder.text.startswith("⏰")
        assert "BLT Dana Desa tahap 2" in reminder.text and "pukul 09.00 WIB" in reminder.text
        assert await reminders.queue_due_reminders(app.sessionmaker, i18n, hour, now=due) == []

        await resident.send("/jadwal")
        shown = await resident.wait_message()
        when = payout.scheduled_at.astimezone(WIB)
        assert when.hour == 9
        assert "BLT Dana Desa tahap 2" in shown.text
        assert "Rp300.000" in shown.text and "Balai Desa Cibening" in shown.text
        assert "pukul 09.00 WIB" in shown.text and "KTP dan KK asli" in shown.text

        # Only the schedule's households were reminded.
        await tg.wait_idle()
        assert not [m for m in elsewhere.messages if "BLT Dana Desa" in (m.text or "")]
