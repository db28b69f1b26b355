"""Two faults found under attack: a double tap on a staff screen, and a conversation that can
no longer be opened (sealed under another key). Neither may end in "Maaf, ada gangguan"."""

from __future__ import annotations

from pathlib import Path

from aiogram.fsm.storage.base import DefaultKeyBuilder, StorageKey

from db.models.system import FsmRecord
from db.protect import Protector
from tests import broadcast_seed as seed
from tests.fake_telegram import FakeTelegram
from tests.harness import BotApp, agree, as_role, click_data, e2e_settings, t

SORRY = "Sorry, something went wrong on our side. Please try again in a moment; what you " \
    "already answered is kept."  # fmt: skip
LOST = (
    "Sorry, your unfinished form could not be opened any more, so it was closed. Please start "
    "it again from the menu."
)


async def test_a_double_tap_on_a_staff_screen_is_not_an_error(tg: FakeTelegram, tmp_path: Path):
    async with BotApp(tg, e2e_settings(tmp_path, tg, throttle_rate=1000)) as app:
        async with app.sessionmaker() as session, session.begin():
            await seed.resident(session, 8101, await seed.household(session, seed.SETU_DESA))
        staff = tg.user(8801, "Petugas")
        await as_role(app, staff, "petugas")
        await staff.send("/siaran")
        await staff.wait_message()
        await staff.send("Pencairan BLT besok di balai desa.")
        ask = await staff.wait_message(predicate=lambda m: m.text == t("Who should receive it?"))
        button = ask.button(t("A kecamatan"))
        assert button is not None
        await (await staff.click(ask, t("A kecamatan"))).wait_answered()
        await tg.wait_for(lambda: ask.text == t("Which kecamatan?"))
        shown = list(ask.buttons)
        # The second tap of a double tap: the same screen again, which Telegram refuses to
        # draw ("message is not modified").
        before = tg.count("editMessageText")
        await (await click_data(staff, ask, button["callback_data"])).wait_answered()
        await staff.wait_idle()
        assert tg.count("editMessageText") == before + 1  # it was tried, and refused
        assert ask.text == t("Which kecamatan?") and ask.buttons == shown
        assert t(SORRY) not in [m.text for m in staff.messages]
        await (await staff.click(ask, "Setu")).wait_answered()  # the screen still works
        await staff.wait_message(predicate=lambda m: "Setu" in (m.text or "") or m.buttons)


async def test_a_conversation_sealed_under_another_key_is_dropped_and_the_person_told(
    tg: FakeTelegram, tmp_path: Path
):
    app = BotApp(tg, e2e_settings(tmp_path, tg))
    async with app:
        user = tg.user(8802, "Warga")
        await agree(user)
        assert app.bot is not None
        bot_id = app.bot.id
        # A half-filled form written under another key (a restored backup, say).
        row_key = DefaultKeyBuilder(with_destiny=True).build(StorageKey(bot_id, 8802, 8802))
        other = Protector(b"another-key-0123456789-abcdefghijklmnopqrstuv")
        async with app.sessionmaker() as session, session.begin():
            session.add(
                FsmRecord(
                    key=row_key,
                    state="FormFlow:active",
                    data={"sealed": other.seal('{"form": {"form": "lapor", "answers": {}}}')},
                )
            )
    async with app:  # a fresh process: nothing of that conversation in memory
        await user.send("/batal")
        told = await user.wait_message()
        assert told.text == t(LOST)
        answer = await user.wait_message()
        assert answer.text != t(SORRY)
        await user.send("/start")  # and everything works again
        welcome = await user.wait_message()
        assert welcome.text != t(SORRY) and welcome.text != t(LOST)
        assert t(SORRY) not in [m.text for m in user.messages]
        async with app.sessionmaker() as session:
            row = await session.get(FsmRecord, row_key)
            assert row is None or (row.state is None and "sealed" not in (row.data or {}))
