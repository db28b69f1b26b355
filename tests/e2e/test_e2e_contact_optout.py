"""End to end: /kontak with and without the office's phone, WhatsApp and hours (an empty one is
left out); "berhenti" stops broadcasts (a broadcast then skips the person) and a form in
progress, answers to one's own complaint still come, and "mulai" turns broadcasts on again."""

from __future__ import annotations

from pathlib import Path

from sqlalchemy import select

from bot.workers import broadcast_sender
from db.models.broadcasts import Broadcast, Delivery
from services import broadcasts
from tests.fake_telegram import FakeTelegram
from tests.harness import BotApp, account_of, agree, e2e_settings, eventually, t
from tests.residents import linked_resident
from tests.volunteers_support import DESA_A, KEC_A, committed, wait_text

ADDRESS = "Dinas Sosial Kabupaten Bekasi, Cikarang Pusat"
STOPPED = (
    "Done: you will get no more announcements and reminders from us. Answers to your own "
    "complaints still come here. To turn them on again, send: mulai"
)


async def test_kontak_without_the_optional_settings(app: BotApp, tg: FakeTelegram) -> None:
    user = tg.user(4001, "Warga")
    await user.send("/kontak")
    answer = await user.wait_message()
    assert answer.text == "\n".join(
        [
            t("How to reach Dinas Sosial Kabupaten Bekasi:"),
            t("Address: {address}", address=ADDRESS),
            "",
            t("In an emergency (danger to life), call 112."),
        ]
    )


async def test_kontak_help_and_privacy_with_the_settings(tg: FakeTelegram, tmp_path: Path) -> None:
    settings = e2e_settings(
        tmp_path, tg, office_phone="(021) 0000-TEST", office_whatsapp="0800-TEST",
        office_hours="Senin-Jumat 08.00-16.00",
    )  # fmt: skip
    async with BotApp(tg, settings):
        user = tg.user(4002, "Warga")
        await user.send("/kontak")
        answer = await user.wait_message()
        for line in (
            t("Phone: {phone}", phone="(021) 0000-TEST"),
            t("WhatsApp: {number}", number="0800-TEST"),
            t("Opening hours: {hours}", hours="Senin-Jumat 08.00-16.00"),
        ):
            assert line in answer.text
        await user.send("/bantuan")
        assert t("Phone: {phone}", phone="(021) 0000-TEST") in (await user.wait_message()).text
        asked = await user.send("/privasi")
        notice = await wait_text(user, "0800-TEST", since=asked)
        assert "(021) 0000-TEST" in notice.text and "0800-TEST" in notice.text


async def test_berhenti_skips_broadcasts_until_mulai(tg: FakeTelegram, tmp_path: Path) -> None:
    settings = e2e_settings(tmp_path, tg, broadcast_rate=50)
    async with BotApp(tg, settings, workers=[broadcast_sender.broadcast_sender]) as app:
        stays, leaves = tg.user(4101, "Tetap"), tg.user(4102, "Keluar")
        for user in (stays, leaves):
            await agree(user)
            await linked_resident(app, user.id, [("Warga", None)], desa=DESA_A, kecamatan=KEC_A)

        await leaves.send("/lapor")  # a form in progress is cancelled too
        await leaves.wait_message()
        await leaves.send("Berhenti")
        await wait_text(leaves, t("Cancelled. Nothing was saved. Here is the main menu."))
        await wait_text(leaves, t(STOPPED))
        account = await committed(app, leaves.id)
        assert account.opted_out_at is not None

        async with app.sessionmaker() as session, session.begin():
            sent = await broadcasts.queue(
                session, text="Info pembagian beras", audience={"type": "residents"},
                created_by=None,
            )  # fmt: skip
            broadcast_id = sent.id

        async def finished() -> bool:
            async with app.sessionmaker() as session:
                found = await session.get(Broadcast, broadcast_id)
                return found is not None and found.status == "done"

        assert await eventually(finished, 15)
        await wait_text(stays, "Info pembagian beras")
        assert not any("Info pembagian beras" in (m.text or "") for m in leaves.messages)
        async with app.sessionmaker() as session:
            chats = list(await session.scalars(
                select(Delivery.chat_id).where(Delivery.broadcast_id == broadcast_id)
            ))  # fmt: skip
        assert chats == [stays.id]

        await leaves.send("mulai")
        await wait_text(leaves, t("Announcements and reminders are on again."))
        assert (await committed(app, leaves.id, opted_out_at=None)) is not None
        await leaves.send("MULAI")
        await wait_text(leaves, t("You already get our announcements and reminders."))
        assert (await account_of(app, leaves.id)) is not None
