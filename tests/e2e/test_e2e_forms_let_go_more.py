"""Forms that let go (the issue "Forms and menus that let go", §3.1), continued: the words for
"stop" typed inside a form, /start while a form waits, /batal and /lanjut on a set-aside form,
a tap on the set-aside form's own button, a new form replacing the kept one, and the features'
own waiting steps (/cek, /daftar) dropped when the person moves on."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from conversations.parking import PARKED_KEY
from conversations.telegram import STATE_KEY
from conversations.usulan import NIK_KEY
from handlers.start import welcome_text
from tests.fake_telegram import FakeMessage, FakeTelegram, FakeUser
from tests.harness import BotApp, agree, e2e_settings, in_id, t
from tests.residents import linked_resident

WAITING = "Your unfinished form is kept: /lanjut to continue it, /batal to cancel it."
REPLACED = "The earlier unfinished form was cancelled."
CANCELLED = "Cancelled. Nothing was saved. Here is the main menu."
NO_FORM = "There is no unfinished form. Here is the main menu."
Q_WORK = "What is the main work of the head of household?"
Q_INCOME = "How much is the income of the whole household in a month?"
STOP_WORDS = (
    "batal", "Gak jadi", "ga jadi", "tidak jadi", "nggak jadi.", "stop", "Berhenti", "gak  jadi!",
)  # fmt: skip


async def fsm_data(app: BotApp, user: FakeUser) -> tuple[str | None, dict]:
    state = app.dp.fsm.get_context(app.bot, chat_id=user.id, user_id=user.id)
    return await state.get_state(), await state.get_data()


async def resident(app: BotApp, tg: FakeTelegram, telegram_id: int) -> FakeUser:
    user = tg.user(telegram_id, "Siti")
    await agree(user)
    await linked_resident(app, user.id, [("Siti Aminah", dt.date(1980, 1, 1))])
    return user


async def lapor_to_income(user: FakeUser) -> FakeMessage:
    """/lapor, first answer given: the income question on screen (the same message)."""
    await user.send("/lapor")
    question = await user.wait_message(predicate=lambda m: t(Q_WORK) in m.text)
    await (await user.click(question, t("Not working"))).wait_answered()
    await user.wait_for(lambda: t(Q_INCOME) in question.text)
    return question


async def test_the_words_for_stop_cancel_a_form(tg: FakeTelegram, tmp_path: Path) -> None:
    async with BotApp(tg, e2e_settings(tmp_path, tg, throttle_rate=1000)) as app:
        user = await resident(app, tg, 7901)
        for word in STOP_WORDS:
            await lapor_to_income(user)
            await user.send(word)
            answer = await user.wait_message()
            assert answer.text == t(CANCELLED), (word, user.transcript())
            assert user.reply_keyboard  # the main menu is back
            state, data = await fsm_data(app, user)
            assert state is None and STATE_KEY not in data, word


async def test_start_says_a_form_waits_and_lanjut_takes_it_up(
    app: BotApp, tg: FakeTelegram
) -> None:
    user = await resident(app, tg, 7902)
    question = await lapor_to_income(user)
    pending = question.text

    # Under way: /start welcomes, then says the form waits.
    await user.send("/start")
    assert (await user.wait_message()).text == in_id(welcome_text)
    assert (await user.wait_message()).text == t(WAITING)
    await user.send("/lanjut")
    assert (await user.wait_message()).text == pending

    # Set aside by a menu button, then /start: said again, once.
    await user.send(t("📅 Aid schedule"))
    await user.wait_message(predicate=lambda m: m.text == t(WAITING))
    await user.send("/start")
    assert (await user.wait_message()).text == in_id(welcome_text)
    assert (await user.wait_message()).text == t(WAITING)
    await user.send("/lanjut")
    again = await user.wait_message()
    assert again.text == pending
    await user.send("1,5 juta")  # the answer goes on where it stopped
    assert t("How many people live in the household?") in (await user.wait_message()).text

    # Nothing waiting: /start says nothing more, /lanjut says there is nothing.
    await user.send("/batal")
    await user.wait_message(predicate=lambda m: m.text == t(CANCELLED))
    await user.send("/start")
    await user.wait_message()
    await user.send("/lanjut")
    assert (await user.wait_message()).text == t(NO_FORM)
    assert [m.text for m in user.messages].count(t(WAITING)) == 3


async def test_batal_drops_a_set_aside_form(app: BotApp, tg: FakeTelegram) -> None:
    user = await resident(app, tg, 7903)
    await lapor_to_income(user)
    await user.send("/jadwal")
    await user.wait_message(predicate=lambda m: m.text == t(WAITING))
    state, data = await fsm_data(app, user)
    assert state is None and data[PARKED_KEY] and data[STATE_KEY]["answers"]
    await user.send("batal")
    assert (await user.wait_message()).text == t(CANCELLED)
    await user.send("/lanjut")
    assert (await user.wait_message()).text == t(NO_FORM)
    assert (await fsm_data(app, user)) == (None, {})


async def test_a_tap_on_the_set_aside_form_takes_it_up(app: BotApp, tg: FakeTelegram) -> None:
    user = await resident(app, tg, 7904)
    await user.send("/lapor")
    question = await user.wait_message(predicate=lambda m: t(Q_WORK) in m.text)
    await user.send("/bantuan")
    await user.wait_message(predicate=lambda m: m.text == t(WAITING))
    await (await user.click(question, t("Not working"))).wait_answered()
    await user.wait_for(lambda: t(Q_INCOME) in question.text)
    await user.send("800 ribu")  # typed answers reach the form again
    assert t("How many people live in the household?") in (await user.wait_message()).text


async def test_a_new_form_replaces_the_kept_one_and_says_so(app: BotApp, tg: FakeTelegram):
    user = await resident(app, tg, 7905)
    await lapor_to_income(user)
    await user.send("/dataku")
    shown = await user.wait_message()
    await user.wait_message(predicate=lambda m: m.text == t(WAITING))
    await (await user.click(shown, t("✏️ Ask for a correction"))).wait_answered()
    first = await user.wait_message()
    assert first.text.startswith(t(REPLACED) + "\n\n" + t("Ask for a correction of your data"))
    _state, data = await fsm_data(app, user)
    assert data[STATE_KEY]["form"] == "koreksi_data" and PARKED_KEY not in data


async def test_cek_stops_waiting_once_the_person_moves_on(app: BotApp, tg: FakeTelegram):
    user = await resident(app, tg, 7906)
    await user.send(t("📅 Aid schedule"))
    expected = (await user.wait_message()).text
    await user.send("/cek")
    await user.wait_message()
    assert (await fsm_data(app, user))[0] == "CheckFlow:waiting"
    await user.send(t("📅 Aid schedule"))
    assert (await user.wait_message()).text == expected
    assert (await fsm_data(app, user))[0] is None
    # What comes next is read as free text (a question about the schedule), not as the
    # message to check.
    await user.send("kapan bansos cair bu")
    answer = await user.wait_message()
    assert answer.text == expected
    assert t(WAITING) not in [m.text for m in user.messages]  # nothing was kept


async def test_daftar_stops_waiting_and_forgets_the_nik(app: BotApp, tg: FakeTelegram):
    user = tg.user(7907, "Dedi")
    await agree(user)
    await user.send("/daftar")
    await user.wait_message(predicate=lambda m: "NIK" in m.text)
    await user.send("3216054107900001")
    await user.wait_message(predicate=lambda m: "KK" in m.text)
    state, data = await fsm_data(app, user)
    assert state == "LinkFlow:kk" and data.get(NIK_KEY)
    await user.send("/bantuan")
    help_ = await user.wait_message()
    assert help_.text.startswith(
        t("Write your question in your own words, or tap a button below:")
    )
    state, data = await fsm_data(app, user)
    assert state is None and NIK_KEY not in data
    typed = await user.send("3216050101001234")  # no answer to /daftar now: guarded, not read
    await user.wait_message()
    await user.wait_for(lambda: typed.message_id in user.deleted_message_ids)
    assert (await fsm_data(app, user))[0] is None
    assert t(WAITING) not in [m.text for m in user.messages]
