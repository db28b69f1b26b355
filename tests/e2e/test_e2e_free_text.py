"""End to end: what residents type is read by the classifier and acted on, or, when the bot is
not sure, the likeliest journeys are offered as buttons."""

from __future__ import annotations

import datetime as dt

from tests.fake_telegram import FakeTelegram
from tests.harness import BotApp, agree, t
from tests.residents import linked_resident

SCAM = (
    "SELAMAT! Keluarga Anda terpilih menerima BLT Rp600.000 dari Dinas Sosial. Segera transfer "
    "biaya admin Rp50.000 ke rekening BRI a.n. Dinsos Bekasi lalu kirim kode OTP."
)


async def resident(app: BotApp, tg: FakeTelegram, telegram_id: int):
    user = tg.user(telegram_id, "Ani")
    await agree(user)
    await linked_resident(app, telegram_id, [("Ani", dt.date(1980, 1, 1))])
    return user


async def test_a_question_about_payment_shows_the_schedule(app: BotApp, tg: FakeTelegram):
    user = await resident(app, tg, 1101)
    await user.send("kpn bnsos cair min?")
    reply = await user.wait_message()
    assert reply.text.startswith(
        t(
            "There is no aid scheduled for your household yet. We will send you a message as "
            "soon as there is one."
        )
    )


async def test_training_and_a_greeting(app: BotApp, tg: FakeTelegram):
    user = await resident(app, tg, 1102)
    await user.send("ada pelatihan menjahit gak bu")
    assert (await user.wait_message()).text.startswith(
        t(
            "There is no open training right now. We will announce new trainings here. "
            "Your sign-ups: tap “My trainings”."
        )
    )
    await user.send("assalamualaikum")
    greeting = await user.wait_message()
    assert greeting.text == t("Hello! How can we help? Choose a button below.")
    assert t("❓ Help") in [b for row in greeting.button_rows for b in row]  # the menu with it


async def test_a_pasted_scam_message_is_checked_at_once(app: BotApp, tg: FakeTelegram):
    user = await resident(app, tg, 1103)
    await user.send(SCAM)
    reply = await user.wait_message()
    assert reply.text.startswith(
        t(
            "❌ This message was NOT sent by this bot, and it asks for money, a transfer or a "
            "secret code: it is a scam. Do not reply and do not send anything."
        )
    )


async def test_unsure_offers_the_likeliest_journeys_and_a_tap_runs_one(
    app: BotApp, tg: FakeTelegram
):
    user = await resident(app, tg, 1104)
    await user.send("bu mau tanya")
    offer = await user.wait_message()
    assert offer.text.startswith(
        t("Which of these do you mean? Tap one, or send your message to an officer.")
    )
    labels = offer.buttons
    assert 2 <= len(labels) <= 4
    await user.click(offer, labels[0])
    assert await user.wait_message()
