"""End to end over HTTP: a staff member broadcasts with /siaran to a kecamatan while some
recipients blocked the bot and Telegram answers 429 in the middle; the live progress message
ends in the final report; "resend to those that failed"; a non-staff account is refused
every staff command and button (and audited)."""

from __future__ import annotations

from pathlib import Path

from sqlalchemy import func, select

from bot.workers import broadcast_sender
from db.models.accounts import Account
from db.models.broadcasts import Broadcast, Delivery
from db.models.cases import Case
from db.models.system import AuditLog
from tests import broadcast_seed as seed
from tests.fake_telegram import FakeMessage, FakeTelegram, FakeUser
from tests.harness import BotApp, agree, as_role, click_data, e2e_settings, eventually, t, tp

TEXT = "Pembagian beras hari Sabtu di balai desa."


def _workers():
    return [broadcast_sender.broadcast_sender]


async def _seed_setu(app: BotApp) -> None:
    async with app.sessionmaker() as s, s.begin():
        for i in range(6):
            await seed.resident(s, 8101 + i, await seed.household(s, seed.SETU_DESA))
        await seed.household(s, seed.SETU_DESA)  # never linked: a visit task at the end
        await seed.resident(s, 8110, await seed.household(s, seed.TAMBUN_DESA))


async def _compose(staff: FakeUser, text: str) -> FakeMessage:
    await staff.send("/siaran")
    await staff.wait_message()
    await staff.send(text)
    return await staff.wait_message(predicate=lambda m: m.text == t("Who should receive it?"))


async def _progress(staff: FakeUser, headline: str, tg: FakeTelegram) -> FakeMessage:
    found = await tg.wait_for(
        lambda: next((m for m in staff.messages if m.text.startswith(headline)), None), 30
    )
    assert found, [m.text for m in staff.messages]
    return found


async def test_staff_broadcast_to_a_kecamatan_with_blocked_and_429(tg, tmp_path: Path):
    settings = e2e_settings(tmp_path, tg, broadcast_rate=50)
    async with BotApp(tg, settings, workers=_workers()) as app:
        staff = tg.user(801, "Petugas")
        await as_role(app, staff, "petugas")
        await _seed_setu(app)
        tg.block(8103)
        tg.block(8104)

        ask = await _compose(staff, TEXT)
        await (await staff.click(ask, t("A kecamatan"))).wait_answered()
        await tg.wait_for(lambda: ask.text == t("Which kecamatan?"))
        await (await staff.click(ask, "Setu")).wait_answered()
        question = t("Recipients: {audience}, {n} people. Send it?").format(
            audience=t("Kecamatan {name}").format(name="Setu"), n="6"
        )
        confirm = await staff.wait_message(predicate=lambda m: m.text == question)
        assert TEXT in [m.text for m in staff.messages]  # the preview, as residents see it
        await (await staff.click(confirm, t("✅ Send to {n} people").format(n="6"))).wait_answered()
        first = await staff.wait_message(predicate=lambda m: m.text.startswith("📣"))
        tg.fail_next("sendMessage", 1, retry_after=1)  # Telegram's flood control mid-way

        async with app.sessionmaker() as s:
            bid = await s.scalar(select(func.max(Broadcast.id)))
        done = await _progress(staff, t("✅ Broadcast #{id} is finished.").format(id=bid), tg)
        assert done.message_id == first.message_id  # one message, updated
        assert t("Sent {sent} of {total} ({percent}%) · failed {failed} · blocked {blocked}"
                 ).format(sent="4", total="6", percent=66, failed="0", blocked="2") in done.text
        # Blocked (2) and never linked (1): visit tasks for the desa's volunteers.
        assert t("{n} households could not be reached by the bot: they are now visit tasks for "
                 "the volunteers of their desa.").format(n="3") in done.text
        assert tg.too_many_requests == 1
        for chat in range(8101, 8107):
            got = [m for m in tg.chat_messages(chat) if m.text == TEXT]
            assert len(got) == (0 if chat in (8103, 8104) else 1), chat
        assert [m for m in tg.chat_messages(8110) if m.text == TEXT] == []  # other kecamatan

        async with app.sessionmaker() as s:
            blocked = set(await s.scalars(select(Account.telegram_id).where(Account.bot_blocked)))
            tasks = await s.scalar(
                select(func.count()).where(Case.kind == "tidak_terjangkau", Case.state == "open")
            )
            actions = list(await s.scalars(select(AuditLog.action)))
        assert blocked == {8103, 8104} and tasks == 3
        assert "broadcast.queued" in actions

        # Next broadcast: blocked accounts are left out; one message fails for good (400),
        # and "resend to those that failed" is one button.
        ask = await _compose(staff, "Kedua")
        await (await staff.click(ask, t("A kecamatan"))).wait_answered()
        await tg.wait_for(lambda: ask.text == t("Which kecamatan?"))
        await (await staff.click(ask, "Setu")).wait_answered()
        confirm = await staff.wait_message(predicate=lambda m: m.text.startswith(
            t("Recipients: {audience}, {n} people. Send it?").format(
                audience=t("Kecamatan {name}").format(name="Setu"), n="4")))
        await (await staff.click(confirm, t("✅ Send to {n} people").format(n="4"))).wait_answered()
        await staff.wait_message(predicate=lambda m: m.text.startswith("📣"))
        tg.fail_next("sendMessage", 1, error_code=400, description="Bad Request: chat not found")
        done = await _progress(staff, t("✅ Broadcast #{id} is finished.").format(id=bid + 1), tg)
        assert "· gagal 1 ·" in done.text
        resend = t("🔁 Resend to the {n} that failed").format(n="1")
        assert done.buttons == [resend]
        await (await staff.click(done, resend)).wait_answered()
        await tg.wait_for(lambda: "· gagal 0 ·" in done.text and not done.buttons, 20)
        for chat in (8101, 8102, 8105, 8106):
            assert [m.text for m in tg.chat_messages(chat)].count("Kedua") == 1, chat


async def test_pause_resume_and_cancel(tg, tmp_path: Path):
    settings = e2e_settings(tmp_path, tg, broadcast_rate=2)
    async with BotApp(tg, settings, workers=_workers()) as app:
        staff = tg.user(802)
        await as_role(app, staff, "petugas")
        await _seed_setu(app)
        ask = await _compose(staff, "Pelan")
        await (await staff.click(ask, t("All linked residents"))).wait_answered()
        confirm = await staff.wait_message(predicate=lambda m: m.text.startswith(
            t("Recipients: {audience}, {n} people. Send it?").format(
                audience=t("all linked residents"), n="7")))
        await (await staff.click(confirm, t("✅ Send to {n} people").format(n="7"))).wait_answered()
        progress = await staff.wait_message(predicate=lambda m: m.text.startswith("📣"))
        await tg.wait_for(lambda: any(m.text == "Pelan" for m in tg.chat_messages(8101)), 10)
        await (await staff.click(progress, t("⏸ Pause"))).wait_answered()
        paused = t("⏸ Broadcast #{id} is paused.").format(id=1)
        assert await tg.wait_for(lambda: progress.text.startswith(paused))
        async with app.sessionmaker() as s:
            before = await s.scalar(select(func.count()).where(Delivery.status == "sent"))
        await (await staff.click(progress, t("▶️ Resume"))).wait_answered()
        stop = tp("broadcast sending", "✖️ Cancel")
        assert stop == "✖️ Batalkan siaran"  # not the draft's "✖️ Batal"
        await tg.wait_for(lambda: stop in progress.buttons)
        await (await staff.click(progress, stop)).wait_answered()
        cancelled = t("✖️ Broadcast #{id} was cancelled.").format(id=1)
        assert await tg.wait_for(lambda: progress.text.startswith(cancelled))
        assert progress.buttons == []
        async with app.sessionmaker() as s:
            after = await s.scalar(select(func.count()).where(Delivery.status == "sent"))
            status = await s.scalar(select(Broadcast.status))
        assert status == "cancelled" and after < 7 and after >= before


async def test_non_staff_is_refused_every_staff_command_and_button(tg, tmp_path: Path):
    async with BotApp(tg, e2e_settings(tmp_path, tg), workers=_workers()) as app:
        async with app.sessionmaker() as s, s.begin():
            b = Broadcast(kind="manual", status="done", text="x", audience={"type": "residents"})
            s.add(b)
            await s.flush()
            bid = b.id
        for role in ("warga", "psm"):
            user = tg.user(811 if role == "warga" else 812)
            if role == "warga":
                await agree(user)
            else:
                await as_role(app, user, "psm", seed.SETU_DESA)
            await user.send("/siaran")
            refused = await user.wait_message()
            assert refused.text == t("Sorry, this is only for Dinas Sosial staff.")
            attempts = [
                "bcx:aud:residents", "bcx:kec:32.16.18", "bcx:kecd:32.16.18",
                "bcx:desa:32.16.18.2001", "bcx:prog:BLT", "bcx:disb:1", "bcx:trn:1",
                "bcx:change:", "bcx:stop:", "bcx:send:", f"bcc:pause:{bid}",
                f"bcc:resume:{bid}", f"bcc:cancel:{bid}", f"bcc:resend:{bid}",
            ]
            for data in attempts:
                query = await click_data(user, refused, data)
                await query.wait_answered()
                assert query.show_alert and query.answer_text == t(
                    "Sorry, this is only for Dinas Sosial staff.")
            want = 1 + len(attempts)
            denied = await eventually(lambda u=user, n=want: _denied(app, u.id, n))
            assert denied == want
        async with app.sessionmaker() as s:
            assert await s.scalar(select(Broadcast.status)) == "done"
            assert await s.scalar(select(func.count()).select_from(Broadcast)) == 1


async def _denied(app: BotApp, telegram_id: int, want: int) -> int | None:
    async with app.sessionmaker() as s:
        n = await s.scalar(
            select(func.count())
            .select_from(AuditLog)
            .join(Account, Account.id == AuditLog.actor_account_id)
            .where(Account.telegram_id == telegram_id, AuditLog.action == "access.denied")
        )
    return n if n == want else None


async def test_photo_broadcast_to_volunteers_of_an_area(tg, tmp_path: Path):
    async with BotApp(tg, e2e_settings(tmp_path, tg), workers=_workers()) as app:
        staff = tg.user(803)
        await as_role(app, staff, "petugas")
        async with app.sessionmaker() as s, s.begin():
            await seed.resident(s, 8301, None, role="psm", area=seed.SETU_DESA)
            await seed.resident(s, 8302, None, role="tksk", area=seed.TAMBUN)
            await seed.resident(s, 8303, await seed.household(s, seed.SETU_DESA))
        await staff.send("/siaran")
        await staff.wait_message()
        await staff.send_photo(caption="Foto lokasi posko")
        ask = await staff.wait_message(predicate=lambda m: m.text == t("Who should receive it?"))
        await (await staff.click(ask, t("Volunteers (PSM/TKSK)"))).wait_answered()
        confirm = await staff.wait_message(predicate=lambda m: m.text.startswith(
            t("Recipients: {audience}, {n} people. Send it?").format(
                audience=t("all volunteers (PSM/TKSK)"), n="2")))
        preview = [m for m in staff.messages if m.kind == "photo"]
        assert preview and preview[-1].text == "Foto lokasi posko"
        await (await staff.click(confirm, t("✅ Send to {n} people").format(n="2"))).wait_answered()
        await _progress(staff, t("✅ Broadcast #{id} is finished.").format(id=1), tg)
        for chat in (8301, 8302):
            got = tg.chat_messages(chat)
            assert [(m.kind, m.text) for m in got] == [("photo", "Foto lokasi posko")]
        assert tg.chat_messages(8303) == []  # a resident, not a volunteer


async def test_desa_and_program_audiences_change_and_stop(tg, tmp_path: Path):
    async with BotApp(tg, e2e_settings(tmp_path, tg)) as app:
        staff = tg.user(804)
        await as_role(app, staff, "petugas")
        await _seed_setu(app)
        ask = await _compose(staff, "Rapat warga")
        await (await staff.click(ask, t("A desa/kelurahan"))).wait_answered()
        await tg.wait_for(lambda: ask.text == t("Which kecamatan?"))
        await (await staff.click(ask, "Setu")).wait_answered()
        await tg.wait_for(lambda: ask.text == t("Which desa/kelurahan?"))
        await (await staff.click(ask, "Cijengkol")).wait_answered()
        audience = t("Desa/Kelurahan {name}").format(name="Cijengkol")
        confirm = await staff.wait_message(predicate=lambda m: m.text == t(
            "Recipients: {audience}, {n} people. Send it?").format(audience=audience, n="6"))
        await (await staff.click(confirm, t("⬅️ Choose another audience"))).wait_answered()
        ask = await staff.wait_message(predicate=lambda m: m.text == t("Who should receive it?"))
        await (await staff.click(ask, t("A program"))).wait_answered()
        await tg.wait_for(lambda: ask.text == t("Which program?"))
        await (await staff.click(ask, "BLT")).wait_answered()
        nobody = t("Nobody in {audience} can receive it (no linked account, or they blocked the "
                   "bot).").format(audience=t("program {code}").format(code="BLT"))
        empty = await staff.wait_message(predicate=lambda m: m.text == nobody)
        await (await staff.click(empty, tp("broadcast draft", "✖️ Cancel"))).wait_answered()
        await tg.wait_for(lambda: empty.text == t("Broadcast cancelled. Nothing was sent."))
        stale = await staff.click(confirm, t("✅ Send to {n} people").format(n="6"))
        await stale.wait_answered()
        assert stale.answer_text == t("This draft is closed. Start again with /siaran.")
        async with app.sessionmaker() as s:
            assert await s.scalar(select(func.count()).select_from(Broadcast)) == 0
