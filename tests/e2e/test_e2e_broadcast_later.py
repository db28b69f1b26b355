"""Staff schedule a broadcast ("⏰ Send later", a day and time in WIB typed forgivingly): it is
shown as scheduled, two sender processes on a fake clock send nothing before its time and each
message once after it; another scheduled broadcast is cancelled from /siaran's list before its
time and never sent."""

from __future__ import annotations

import asyncio
import datetime as dt
from pathlib import Path

from babel.dates import format_date
from sqlalchemy import func, select

from bot.workers.broadcast_sender import Sender
from bot.workers.telegram_send import sender_bot
from conversations.validators import format_datetime_id
from db.models.base import utcnow
from db.models.broadcasts import Broadcast, Delivery
from db.models.system import AuditLog
from domain.dates import WIB
from tests.fake_telegram import FakeMessage, FakeTelegram, FakeUser
from tests.harness import BotApp, as_role, e2e_settings, in_id, t, tp

from .test_e2e_broadcast import _compose, _seed_setu

RESIDENTS = range(8101, 8107)  # Setu's linked residents (_seed_setu)


def _senders(clock: dict[str, dt.datetime]) -> list:
    """Two sender processes' workers, reading the time of day from `clock`."""

    def worker(holder: str):
        async def run(bot, dp) -> None:
            await Sender(sender_bot(bot), dp["sessionmaker"], dp["i18n"], 50, holder=holder,
                         clock=lambda: clock["now"]).run()  # fmt: skip

        return run

    return [worker("one"), worker("two")]


async def _schedule(staff: FakeUser, text: str, when: str) -> FakeMessage:
    ask = await _compose(staff, text)
    await (await staff.click(ask, t("A kecamatan"))).wait_answered()
    await staff.wait_for(lambda: ask.text == t("Which kecamatan?"))
    await (await staff.click(ask, "Setu")).wait_answered()
    confirm = await staff.wait_message(predicate=lambda m: t("⏰ Send later") in m.buttons)
    await (await staff.click(confirm, t("⏰ Send later"))).wait_answered()
    await staff.wait_message(predicate=lambda m: m.text.startswith("Kapan siaran dikirim?"))
    await staff.send(when)
    sure = await staff.wait_message()
    await (await staff.click(sure, t("⏰ Schedule it"))).wait_answered()
    return await staff.wait_message(predicate=lambda m: m.text.startswith("⏰ Siaran #"))


def _received(tg: FakeTelegram, text: str) -> list[int]:
    return [[m.text for m in tg.chat_messages(chat)].count(text) for chat in RESIDENTS]


async def test_a_scheduled_broadcast_goes_out_once_at_its_time(tg: FakeTelegram, tmp_path: Path):
    clock = {"now": utcnow()}
    settings = e2e_settings(tmp_path, tg, throttle_rate=1000)
    async with BotApp(tg, settings, workers=_senders(clock)) as app:
        staff = tg.user(851, "Petugas")
        await as_role(app, staff, "petugas")
        await _seed_setu(app)
        day = dt.datetime.now(WIB).date() + dt.timedelta(days=2)
        send_at = dt.datetime.combine(day, dt.time(9, 30), WIB)

        # Forgiving input, with a reason when it cannot be used.
        ask = await _compose(staff, "Posyandu lansia hari Sabtu.")
        await (await staff.click(ask, t("A kecamatan"))).wait_answered()
        await staff.wait_for(lambda: ask.text == t("Which kecamatan?"))
        await (await staff.click(ask, "Setu")).wait_answered()
        confirm = await staff.wait_message(predicate=lambda m: t("⏰ Send later") in m.buttons)
        await (await staff.click(confirm, t("⏰ Send later"))).wait_answered()
        await staff.wait_message()
        for typed, reason in (
            ("kemarin 09.00", "That time has already passed. Please choose a later time."),
            (f"{day:%d-%m-%Y}", "Please add the time (WIB), like: 17-08-2025 09.30."),
            ("Sabtu pagi", "Please type the day and the time (WIB), like: besok 08.00 or "
                           "17-08-2025 09.30."),
        ):  # fmt: skip
            await staff.send(typed)
            assert (await staff.wait_message()).text == t(reason), typed
        month = format_date(day, "MMMM", locale="id")  # "17 Agustus 2025 jam 9.30 pagi"
        await staff.send(f"{day.day} {month} {day.year} jam 9.30 pagi")
        sure = await staff.wait_message()
        when = in_id(format_datetime_id, send_at)
        assert sure.text.startswith(f"Kirim pada {when} ke Kecamatan Setu? Saat ini 6 orang")
        await (await staff.click(sure, t("⏰ Schedule it"))).wait_answered()
        progress = await staff.wait_message(predicate=lambda m: m.text.startswith("⏰ Siaran #1"))
        assert progress.text.startswith(
            t("⏰ Broadcast #{id} is scheduled for {when}.").format(id=1, when=when)
        )
        assert progress.buttons == [tp("broadcast sending", "✖️ Cancel")]

        await asyncio.sleep(2.5)  # both senders look a few times: not its time yet
        assert _received(tg, "Posyandu lansia hari Sabtu.") == [0] * 6
        async with app.sessionmaker() as s:
            assert await s.scalar(select(Broadcast.status)) == "queued"
            assert await s.scalar(select(func.count()).select_from(Delivery)) == 0

        clock["now"] = send_at.astimezone(dt.UTC) + dt.timedelta(seconds=1)
        done = t("✅ Broadcast #{id} is finished.").format(id=1)
        assert await tg.wait_for(lambda: progress.text.startswith(done), 20), progress.text
        await asyncio.sleep(1.5)  # more rounds of both: nothing again
        assert _received(tg, "Posyandu lansia hari Sabtu.") == [1] * 6
        async with app.sessionmaker() as s:
            holders = set(await s.scalars(select(Delivery.claimed_by)))
            actions = list(await s.scalars(select(AuditLog.action)))
        assert len(holders) == 1 and "broadcast.queued" in actions


async def test_a_scheduled_broadcast_cancelled_before_its_time(tg: FakeTelegram, tmp_path: Path):
    clock = {"now": utcnow()}
    settings = e2e_settings(tmp_path, tg, throttle_rate=1000)
    async with BotApp(tg, settings, workers=_senders(clock)) as app:
        staff = tg.user(852, "Petugas")
        await as_role(app, staff, "petugas")
        await _seed_setu(app)
        day = dt.datetime.now(WIB).date() + dt.timedelta(days=3)
        await _schedule(staff, "Kedua", f"{day:%d-%m-%Y} 10.00")

        # /siaran lists what waits for its time; cancel it there.
        await staff.send("/siaran")
        start = await staff.wait_message()
        listed = t("⏰ Scheduled broadcasts ({count})").format(count=1)
        assert start.buttons == [listed]
        await (await staff.click(start, listed)).wait_answered()
        card = await staff.wait_message(predicate=lambda m: "Kedua" in m.text)
        assert "dijadwalkan" in card.text
        await (await staff.click(card, tp("broadcast sending", "✖️ Cancel"))).wait_answered()
        cancelled = t("✖️ Broadcast #{id} was cancelled.").format(id=1)
        assert await tg.wait_for(lambda: card.text.startswith(cancelled))
        assert t("Nothing was sent.") in card.text and card.buttons == []
        await staff.send("/batal")

        clock["now"] = dt.datetime.combine(day, dt.time(10, 1), WIB).astimezone(dt.UTC)
        await asyncio.sleep(2.5)
        assert _received(tg, "Kedua") == [0] * 6
        async with app.sessionmaker() as s:
            assert await s.scalar(select(Broadcast.status)) == "cancelled"
            assert await s.scalar(select(func.count()).select_from(Delivery)) == 0
            assert "broadcast.cancel" in list(await s.scalars(select(AuditLog.action)))
        await staff.send("/siaran")
        start = await staff.wait_message()
        assert start.buttons == []  # nothing waits any more
