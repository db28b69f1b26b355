"""One-tap actions with consequences ask first (the issue "Forms and menus that let go", §3.2),
and a form's summary is short (§3.3): "I do not agree" in /privasi after consent, a training
sign-up, and the summary of the correction form."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import select

from conversations.validators import format_datetime_id
from db.models.aid import Enrollment, Training
from db.models.base import utcnow
from tests.fake_telegram import FakeTelegram
from tests.harness import BotApp, account_of, agree, eventually, in_id, t
from tests.residents import linked_resident

NOTHING_CHANGED = "Nothing was changed. Here is the main menu."
WITHDRAW_QUESTION = (
    "Withdraw your consent and unlink your account?\n\n"
    "• Your account is taken off your household.\n"
    "• What you typed yourself (notes, photos, locations, your name and phone) is "
    "deleted or made anonymous.\n"
    "• Training sign-ups are cancelled and you get no more messages from us.\n"
    "• The office's list (BNBA) is not changed: your household stays on it.\n\n"
    "You can agree again later with /privasi."
)


async def test_declining_in_privasi_after_consent_asks_first(app: BotApp, tg: FakeTelegram):
    user = tg.user(7701, "Siti")
    await agree(user)
    await linked_resident(app, user.id, [("Siti Aminah", dt.date(1980, 1, 1))])
    await user.send("/privasi")
    notice = await user.wait_message()
    await (await user.click(notice, t("✖️ I do not agree"))).wait_answered()
    sure = await user.wait_message()
    assert sure.text == t(WITHDRAW_QUESTION)
    assert sure.buttons == [t("Yes, withdraw and delete my data"), t("No, keep everything")]
    assert notice.buttons == []  # the notice's buttons went: one question on screen

    await (await user.click(sure, t("No, keep everything"))).wait_answered()
    kept = await user.wait_message()
    assert kept.text == t(NOTHING_CHANGED)
    account = await account_of(app, user.id)
    assert account is not None
    assert account.consent == "given" and account.household_id is not None


async def test_a_training_sign_up_is_confirmed_first(app: BotApp, tg: FakeTelegram):
    start = (utcnow() + dt.timedelta(days=10)).replace(hour=1, minute=0, second=0, microsecond=0)
    async with app.sessionmaker() as session, session.begin():
        training = Training(
            title="Menjahit", provider="BLK", place="BLK Cikarang Barat", starts_at=start,
            capacity=5,
        )  # fmt: skip
        session.add(training)
    user = tg.user(7702, "Ibu Sumi")
    await agree(user)
    await linked_resident(app, user.id, [("Sumi", dt.date(1990, 5, 1))])

    async def ask_for_sumi():
        await user.send("/pelatihan")
        listing = await user.wait_message()
        await (await user.click(listing, t("✍️ Sign up: {title}", title="Menjahit"))).wait_answered()
        who = await user.wait_message()
        await (await user.click(who, "Sumi")).wait_answered()
        return await user.wait_message()

    sure = await ask_for_sumi()
    when = in_id(format_datetime_id, start)
    assert sure.text == t("Sign up {name} for “{title}” on {when}?", name="Sumi",
                          title="Menjahit", when=when)  # fmt: skip
    assert sure.buttons == [t("✅ Yes, sign up"), t("✖️ No")]
    await (await user.click(sure, t("✖️ No"))).wait_answered()
    assert (await user.wait_message()).text == t(NOTHING_CHANGED)
    async with app.sessionmaker() as session:
        assert list(await session.scalars(select(Enrollment))) == []

    sure = await ask_for_sumi()
    await (await user.click(sure, t("✅ Yes, sign up"))).wait_answered()
    done = await user.wait_message()
    assert done.text == t(
        "Done: {name} is signed up for “{title}”. Please come on {when} at {place}. "
        "Bring your KTP.",
        name="Sumi", title="Menjahit", when=when, place="BLK Cikarang Barat",
    )  # fmt: skip

    async def enrolled() -> list[Enrollment]:
        async with app.sessionmaker() as session:
            return list(await session.scalars(select(Enrollment)))

    assert len(await eventually(enrolled)) == 1


async def test_the_summary_names_the_answer_by_its_short_label(app: BotApp, tg: FakeTelegram):
    user = tg.user(7703, "Siti")
    await agree(user)
    await linked_resident(app, user.id, [("Siti Aminah", dt.date(1980, 1, 1))])
    await user.send("/dataku")
    shown = await user.wait_message()
    await (await user.click(shown, t("✏️ Ask for a correction"))).wait_answered()
    await user.wait_message()
    await user.send("Kami sudah pindah ke RT 04")
    summary = await user.wait_message()
    assert summary.text == "\n\n".join(
        [
            t("Please check your request:"),
            f"{t('Correction requested')}: Kami sudah pindah ke RT 04",
        ]
    )
