"""Staff announce a new training in one step: right after saving it, "📣 Announce" offers
audiences that fit (the training's ages; all residents, a kecamatan, a desa); the preview is the
ready text with the exact count; one confirmation queues it, and the sender delivers it to the
right residents only, once."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from sqlalchemy import func, select

from bot.workers import broadcast_sender
from db.models.accounts import Account
from db.models.broadcasts import Broadcast
from db.models.system import AuditLog
from tests.fake_telegram import FakeTelegram
from tests.harness import BotApp, as_role, click_data, e2e_settings, eventually, t
from tests.staff_data import BURANGKENG, CIBENING, SRIJAYA, add_household

from .test_staff_trainings import create_training

ADULT, ELDER = dt.date(1995, 6, 1), dt.date(1950, 6, 1)


async def _residents(app: BotApp) -> None:
    """Setu: a family with an adult (7201), one with only an elder (7202), one whose birth
    dates nobody knows (7204); Tambun Utara: a family with an adult (7203)."""
    families = [
        (7201, 1, CIBENING, ADULT), (7202, 2, CIBENING, ELDER), (7203, 3, SRIJAYA, ADULT),
        (7204, 4, BURANGKENG, None),
    ]  # fmt: skip
    for telegram_id, serial, desa, born in families:
        home = await add_household(app, serial, desa, members=[{"name": f"W{serial}",
                                                                "born": born}])  # fmt: skip
        async with app.sessionmaker() as session, session.begin():
            session.add(Account(telegram_id=telegram_id, role="warga", consent="given",
                                household_id=home))  # fmt: skip


async def test_announce_a_new_training_to_a_kecamatan_in_one_step(tg: FakeTelegram, tmp_path):
    settings = e2e_settings(tmp_path, tg, throttle_rate=1000)
    async with BotApp(tg, settings, workers=[broadcast_sender.broadcast_sender]) as app:
        staff = tg.user(841, "Petugas")
        await as_role(app, staff, "petugas")
        await _residents(app)
        _saved, offer = await create_training(staff)
        assert offer.text.startswith("📣 Umumkan pelatihan #1 ke warga?")
        assert offer.buttons == [
            t("👥 All linked residents aged {min_age}-{max_age}", min_age=15, max_age=64),
            t("🏘 Residents of a kecamatan"),
            t("🏠 Residents of a desa/kelurahan"),
            t("Not now"),
        ]

        # A desa first: Burangkeng has one family (birth dates unknown: not left out).
        await (await click_data(staff, offer, "tan:kecd:1:")).wait_answered()
        await staff.wait_for(lambda: offer.text == t("Which kecamatan?"))
        await (await staff.click(offer, "Setu")).wait_answered()
        await staff.wait_for(lambda: offer.text == t("Which desa/kelurahan?"))
        await (await staff.click(offer, "Burangkeng")).wait_answered()
        one = await staff.wait_message(predicate=lambda m: m.text.startswith("Penerima:"))
        assert one.text == t("Recipients: {audience}, {n} people. Send it?").format(
            audience=t("residents of Desa/Kelurahan {name} aged {min_age}-{max_age}").format(
                name="Burangkeng", min_age=15, max_age=64), n="1")  # fmt: skip

        # Another audience: the kecamatan Setu, adults and unknown ages (not the elder).
        await (await staff.click(one, t("⬅️ Choose another audience"))).wait_answered()
        offer = await staff.wait_message(predicate=lambda m: m.text.startswith("📣 Umumkan"))
        await (await staff.click(offer, t("🏘 Residents of a kecamatan"))).wait_answered()
        await staff.wait_for(lambda: offer.text == t("Which kecamatan?"))
        await (await staff.click(offer, "Setu")).wait_answered()
        preview = await staff.wait_message(predicate=lambda m: m.text.startswith("📣 Pelatihan"))
        audience = t("residents of Kecamatan {name} aged {min_age}-{max_age}").format(
            name="Setu", min_age=15, max_age=64
        )
        confirm = await staff.wait_message(predicate=lambda m: m.text.startswith("Penerima:"))
        assert confirm.text == t("Recipients: {audience}, {n} people. Send it?").format(
            audience=audience, n="2"
        )
        text = preview.text
        for part in ("📣 Pelatihan baru: Menjahit", "Penyelenggara: PT Maju Garmen",
                     "08.00-15.00 WIB", "Tempat: BLK Cikarang", "usia 15-64 tahun",
                     'tekan tombol "🎓 Pelatihan"', "/pelatihan"):  # fmt: skip
            assert part in text, (part, text)
        assert len(text) <= 600
        send = t("✅ Send to {n} people").format(n="2")
        data = confirm.button(send)["callback_data"]
        await (await staff.click(confirm, send)).wait_answered()
        await staff.wait_message(predicate=lambda m: m.text.startswith("✅ Siaran #1"), timeout=20)

        for chat, want in ((7201, 1), (7204, 1), (7202, 0), (7203, 0)):
            got = [m for m in tg.chat_messages(chat) if m.text == text]
            assert len(got) == want, chat
        # A second tap on "send" (a stale button): nothing queued again.
        again = await click_data(staff, confirm, data)
        await again.wait_answered()
        assert again.answer_text == t("It was already sent to {audience}.").format(
            audience=audience
        )
        async with app.sessionmaker() as session:
            assert await session.scalar(select(func.count()).select_from(Broadcast)) == 1
            broadcast = await session.scalar(select(Broadcast))
            actions = list(await session.scalars(select(AuditLog.action)))
        assert broadcast.audience["type"] == "kecamatan" and broadcast.audience["ages"]["min"] == 15
        assert broadcast.dedup_key == "announce:training:1:k32.16.18"
        assert "broadcast.queued" in actions


async def test_not_now_and_a_closed_training(tg: FakeTelegram, tmp_path: Path):
    async with BotApp(tg, e2e_settings(tmp_path, tg, throttle_rate=1000)) as app:
        staff = tg.user(842, "Petugas")
        await as_role(app, staff, "petugas")
        _saved, offer = await create_training(staff)
        await (await staff.click(offer, t("Not now"))).wait_answered()
        await staff.wait_for(lambda: offer.text == t(
            "Not announced. You can still announce it with /siaran."))  # fmt: skip
        assert offer.buttons == []
        _saved, offer = await create_training(staff)
        listing = await _reply(staff, "/daftarpelatihan")
        await staff.click(listing, next(b for b in listing.buttons if b.startswith("#2 ")))
        await staff.wait_for(lambda: t("🔒 Close sign-ups") in listing.buttons)
        await staff.click(listing, t("🔒 Close sign-ups"))
        await staff.wait_for(lambda: t("🔒 Close sign-ups") not in listing.buttons)
        query = await click_data(staff, offer, "tan:aud:2:all")
        await query.wait_answered()
        assert query.answer_text == t(
            "Sign-ups for this training are closed, so it is not announced."
        )
        assert await eventually(lambda: _no_broadcast(app))


async def _reply(user, text: str):
    await user.send(text)
    return await user.wait_message()


async def _no_broadcast(app: BotApp) -> bool:
    async with app.sessionmaker() as session:
        return await session.scalar(select(func.count()).select_from(Broadcast)) == 0
