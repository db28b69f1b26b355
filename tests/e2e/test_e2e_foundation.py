"""End to end: the real dispatcher over HTTP against the fake Bot API, with scripted users.

What a resident sees (Indonesian texts from the catalog), what is stored (consent, audit log,
nothing personal before consent), forms with validation and NIK hygiene, a conversation
surviving a restart (SQLite, PostgreSQL, Redis), and how Telegram errors, floods and
duplicate updates are handled.
"""

from __future__ import annotations

import asyncio
import copy
import json
import logging
from pathlib import Path
from typing import Any

import pytest
from aiogram import Router
from aiogram.filters import Command
from aiogram.fsm.context import FSMContext
from aiogram.types import Message
from sqlalchemy import select

from bot.app import create_dispatcher, create_resources
from conversations import Field, Form, Option, begin, format_rupiah, mask_number, register_form
from db.models.accounts import Account
from db.models.system import FsmRecord
from handlers.commands import commands_for, help_lines
from handlers.common import SHORT_HELP
from handlers.forms import on_submit
from handlers.keyboards import main_menu
from handlers.privacy import privacy_notice, welcome_text
from services.grant import grant_role
from tests.conftest import make_settings
from tests.fake_telegram import FakeTelegram
from tests.harness import (
    CONSENT_THANKS,
    WAIT,
    BotApp,
    account_of,
    agree,
    audit_actions,
    bot_texts,
    click_data,
    e2e_settings,
    eventually,
    in_id,
    t,
)

NIK = "3216065212850001"
NIK_15 = "321606521285000"
PHONE = "+6281234567890"

# --------------------------------------------------------------------------- test-only forms

SUBMITTED: dict[int, dict[str, Any]] = {}
THANKS = "Terima kasih, survei sudah tersimpan."


@on_submit("e2e_survey")
@on_submit("e2e_short")
async def _submit(answers: dict[str, Any], data: dict[str, Any]) -> str:
    account: Account = data["account"]
    SUBMITTED[account.telegram_id] = dict(answers)
    return THANKS


WORK = (Option("buruh", "Buruh"), Option("tani", "Petani"), Option("none", "Tidak bekerja"))

SURVEY = register_form(
    Form(
        name="e2e_survey",
        title="Survei uji",
        fields=[
            Field("work", "choice", "Pekerjaan kepala keluarga?", options=WORK),
            Field("income", "rupiah", "Penghasilan sebulan?"),
            Field("members", "integer", "Jumlah anggota keluarga?", min=1, max=30),
            Field("nik", "nik", "NIK kepala keluarga?"),
            Field("phone", "phone", "Nomor HP yang bisa dihubungi?"),
            Field("photo", "photo", "Foto rumah?", required=False),
        ],
    )
)

SHORT = register_form(
    Form(
        name="e2e_short",
        title="Survei singkat",
        fields=[
            Field("work", "choice", "Pekerjaan kepala keluarga?", options=WORK),
            Field("income", "rupiah", "Penghasilan sebulan?"),
            Field("members", "integer", "Jumlah anggota keluarga?", min=1, max=30),
        ],
    )
)

SECRET_WORD = "rahasia-pengguna-xyz"


def make_routers() -> list[Router]:
    """A fresh test router for every dispatcher (it goes in resources.extra_routers)."""
    router = Router(name="e2e")

    @router.message(Command("survei"))
    async def survey(message: Message, state: FSMContext) -> None:
        await begin(SURVEY.name, message, state)

    @router.message(Command("singkat"))
    async def short(message: Message, state: FSMContext) -> None:
        await begin(SHORT.name, message, state)

    @router.message(Command("meledak"))
    async def explode(message: Message) -> None:
        # The message quotes the user's text, as parsing errors often do.
        raise RuntimeError(f"cannot handle {message.text!r}")

    return [router]


# --------------------------------------------------------------------------- fixtures/helpers


@pytest.fixture
async def app(tg: FakeTelegram, tmp_path: Path):
    async with BotApp(tg, e2e_settings(tmp_path, tg), routers=make_routers) as running:
        yield running


# The resident's menu as built from the registry (features add their entries on import).
MAIN_MENU = in_id(
    lambda: [
        [b.text for b in row] for row in main_menu(Account(role="warga", consent="given")).keyboard
    ]
)
WARGA_COMMANDS = [c.name for c in commands_for("warga")]
SORRY = (
    "Sorry, something went wrong on our side. Please try again in a moment; "
    "what you already answered is kept."
)


def help_text() -> str:
    office = [
        t("How to reach Dinas Sosial Kabupaten Bekasi:"),
        t("Address: {address}", address="Dinas Sosial Kabupaten Bekasi, Cikarang Pusat"),
    ]  # the phone, WhatsApp and hours are not set in the tests' settings: left out
    short = in_id(lambda: [str(line) for line in SHORT_HELP["warga"]])
    return "\n".join([*short, "", *office])


# --------------------------------------------------------------------------- consent


async def test_start_then_agree_stores_consent_and_shows_the_menu(app: BotApp, tg: FakeTelegram):
    user = tg.user(601, "Siti")
    await user.send("/start")
    welcome = await user.wait_message()
    assert welcome.text == in_id(welcome_text)
    assert welcome.text.startswith("Selamat datang di Nirmiskin")
    notice = await user.wait_message()
    assert notice.text == in_id(privacy_notice, app.settings)
    assert notice.buttons == ["✅ Saya setuju", "✖️ Saya tidak setuju"]
    # Before consent only the Telegram id is stored.
    before = await eventually(lambda: account_of(app, 601))
    assert before is not None
    assert before.first_name is None and before.consent == "none"
    assert await audit_actions(app, before.id) == []

    query = await user.click(notice, "✅ Saya setuju")
    await query.wait_answered()
    await user.wait_message(predicate=lambda m: m.text == t(CONSENT_THANKS))
    await user.wait_for(lambda: notice.buttons == [])  # the consent buttons are gone
    assert user.reply_keyboard == MAIN_MENU

    async def agreed() -> Account | None:
        account = await account_of(app, 601)
        return account if account is not None and account.consent == "given" else None

    after = await eventually(agreed)
    assert after is not None, "consent was not stored"
    assert after.first_name == "Siti" and after.consent_at is not None
    assert await audit_actions(app, after.id) == ["consent.given"]


async def test_decline_is_respected_and_can_be_changed_with_privasi(app: BotApp, tg: FakeTelegram):
    user = tg.user(602, "Budi")
    await user.send("/start")
    await user.wait_message()
    notice = await user.wait_message()
    query = await user.click(notice, "✖️ Saya tidak setuju")
    await query.wait_answered()
    reply = await user.wait_message()
    assert "/privasi" in reply.text and "/bantuan" in reply.text
    await user.wait_for(lambda: notice.buttons == [])

    async def consent_is(value: str) -> Account | None:
        account = await account_of(app, 602)
        return account if account is not None and account.consent == value else None

    declined = await eventually(lambda: consent_is("declined"))
    assert declined is not None and declined.first_name is None
    assert await audit_actions(app, declined.id) == ["consent.declined"]

    await user.send("/privasi")
    again = await user.wait_message()
    assert again.text.startswith("Bapak/Ibu belum menyetujui.\n\n")
    assert again.buttons == ["✅ Saya setuju", "✖️ Saya tidak setuju"]
    query = await user.click(again, "✅ Saya setuju")
    await query.wait_answered()
    await user.wait_message(predicate=lambda m: m.text == t(CONSENT_THANKS))
    given = await eventually(lambda: consent_is("given"))
    assert given is not None and given.first_name == "Budi"
    assert await audit_actions(app, given.id) == ["consent.declined", "consent.given"]


# --------------------------------------------------------------------------- common commands


async def test_menu_help_cancel_and_fallbacks(app: BotApp, tg: FakeTelegram):
    user = tg.user(603, "Ani")
    await agree(user)

    await user.send("/menu")
    menu = await user.wait_message()
    assert menu.text == "Menu utama. Silakan pilih tombol di bawah."
    assert menu.button_rows == MAIN_MENU

    await user.send("/bantuan")
    help_ = await user.wait_message()
    assert help_.text == help_text()
    assert len(help_.text) <= 600 and help_.text.count("\n") <= 8  # a few lines per role
    assert "/privasi\n" not in help_.text  # the consent reminder is only for non-consenters
    # Every command is one tap away, in messages of at most 600 characters.
    await user.click(help_, t("📖 All commands"))
    pages = [await user.wait_message()]
    while t("More »") in pages[-1].buttons:
        await user.click(pages[-1], t("More »"))
        pages.append(await user.wait_message())
    listed = "\n".join(p.text for p in pages)
    assert listed == "\n".join(in_id(help_lines, "warga"))
    for name in ("menu", "bantuan", "batal", "privasi", "start"):
        assert f"/{name}: " in listed

    await user.press("❓ Bantuan")
    assert (await user.wait_message()).text == help_text()

    await user.send("/batal")
    nothing = await user.wait_message()
    assert nothing.text == "Tidak ada yang perlu dibatalkan. Ini menu utama."
    assert nothing.button_rows == MAIN_MENU

    await user.send("/survei")
    first = await user.wait_message()
    assert "Pekerjaan kepala keluarga?" in first.text
    await user.send("/batal")
    cancelled = await user.wait_message()
    assert cancelled.text == "Sudah dibatalkan. Tidak ada yang disimpan. Ini menu utama."
    assert cancelled.button_rows == MAIN_MENU
    # A button of the cancelled form is not a crash either.
    query = await user.click(first, "Petani")
    await query.wait_answered()
    assert query.answer_text == t("This form has already ended.")

    await user.send("qwerty zxcv?")  # typed questions with a known intent: test_e2e_residents
    fallback = await user.wait_message()  # a resident is offered a person (test_e2e_complaints)
    assert fallback.text == t(
        "Sorry, I did not understand that. An officer can read your message and answer you here."
    )
    assert fallback.buttons == [t("📣 Send to an officer")]

    query = await click_data(user, menu, "v0:an-old-button")
    await query.wait_answered()
    assert query.answer_text == "Tombol ini sudah tidak berlaku."
    after = await user.wait_message()
    assert after.text == t("Please choose from the main menu.")
    assert after.button_rows == MAIN_MENU
    await user.wait_idle(quiet=0.1)
    assert user.errors == []  # no failed API call in this whole conversation


async def test_help_before_consent_points_to_privasi(app: BotApp, tg: FakeTelegram):
    user = tg.user(604)
    await user.send("/bantuan")
    help_ = await user.wait_message()
    assert help_.text.startswith(in_id(lambda: str(SHORT_HELP["warga"][0])))
    assert help_.text.endswith(
        t("To use the services, first agree to the privacy notice: /privasi")
    )
    await user.send("apa ini?")
    answer = await user.wait_message()
    assert answer.text == t("Please first choose whether you agree to the privacy notice.")
    assert answer.buttons == ["✅ Saya setuju", "✖️ Saya tidak setuju"]


# --------------------------------------------------------------------------- commands per role


async def test_command_lists_per_role(tg: FakeTelegram, tmp_path: Path):
    settings = e2e_settings(tmp_path, tg, admin_ids=[9001])
    async with BotApp(tg, settings):
        default = tg.commands("all_private_chats")
        assert [c["command"] for c in default] == WARGA_COMMANDS
        expected = in_id(lambda: [str(c.description) for c in commands_for("warga")])
        assert [c["description"] for c in default] == expected
        assert default[0]["description"] == "Menu utama"
        assert default[2]["description"] == "Batal"

        resident = tg.user(9003)
        await resident.send("/start")
        await resident.wait_message()
        await resident.wait_message()
        await resident.wait_idle(quiet=0.1)
        assert tg.commands(("chat", 9003)) == []  # residents use the default list
        assert resident.commands() == WARGA_COMMANDS

        staff = tg.user(9001)  # in ADMIN_IDS
        await staff.send("/start")
        first = await staff.wait_message()
        assert first.text == in_id(welcome_text), "the staff member's first update failed"
        assert await tg.wait_for(lambda: tg.commands(("chat", 9001)), WAIT)

        assert staff.commands() == tg.command_names(("chat", 9001))


async def test_granted_role_gets_its_command_list_on_the_next_update(
    tg: FakeTelegram, tmp_path: Path
):
    """`python -m bot grant` (services.grant) writes from another process; with the account
    cache off the bot picks the new role up on the user's next update and gives them their
    own command list (with the cache, within ACCOUNT_CACHE_SECONDS: see test_account_cache)."""
    settings = e2e_settings(tmp_path, tg, account_cache_seconds=0)
    async with BotApp(tg, settings):
        volunteer = tg.user(9002)
        await volunteer.send("/menu")
        await volunteer.wait_message()
        await volunteer.wait_idle(quiet=0.1)
        assert tg.commands(("chat", 9002)) == []

        message = await grant_role(settings.db_url, 9002, "tksk", "Setu")
        assert "tksk" in message
        await volunteer.send("/menu")
        menu = await volunteer.wait_message()
        assert menu.text == "Menu utama. Silakan pilih tombol di bawah.", "the update failed"
        assert await tg.wait_for(lambda: tg.commands(("chat", 9002)), WAIT), (
            "the role granted by services.grant.grant_role was not seen on the user's next "
            "update (no chat-scoped setMyCommands)"
        )
        assert volunteer.commands()[0] == "menu"

        await grant_role(settings.db_url, 9002, "warga", None)
        await volunteer.send("/menu")
        await volunteer.wait_message()
        assert await tg.wait_for(lambda: not tg.commands(("chat", 9002)), WAIT)
        assert tg.count("deleteMyCommands") >= 1


# --------------------------------------------------------------------------- a form end to end


async def test_form_end_to_end_with_validation_and_nik_hygiene(
    app: BotApp, tg: FakeTelegram, caplog: pytest.LogCaptureFixture
):
    caplog.set_level(logging.DEBUG)  # not even DEBUG logs (SQL drivers...) may carry a NIK
    user = tg.user(701, "Rina", phone_number=PHONE)
    await agree(user)

    await user.send("/survei")
    q1 = await user.wait_message()
    assert q1.text.startswith("Survei uji\n\nPekerjaan kepala keluarga?")
    assert q1.buttons == ["Buruh", "Petani", "Tidak bekerja", "Batal"]
    query = await user.click(q1, "Petani")
    await query.wait_answered()
    await user.wait_for(lambda: "Penghasilan sebulan?" in q1.text)  # same message, edited
    assert q1.buttons == [t("« Back"), "Batal"]  # required: no "Lewati"

    await user.send("abc")
    error = await user.wait_message()
    assert error.text == (
        t("Please type an amount in rupiah, for example 1.500.000 or 1,5 juta.")
        + "\n\nPenghasilan sebulan?"
    )
    await user.send("1,5 juta")
    q3 = await user.wait_message()
    assert q3.text == "Jumlah anggota keluarga?"
    await user.send("empat puluh")
    again = await user.wait_message()
    assert again.text.endswith("\n\nJumlah anggota keluarga?") and again.text != q3.text
    await user.send("4")
    q4 = await user.wait_message()
    assert q4.text == "NIK kepala keluarga?"

    short = await user.send(NIK_15)
    nik_error = await user.wait_message()
    assert nik_error.text == (
        "NIK harus 16 angka. Bapak/Ibu mengetik 15 angka.\n\nNIK kepala keluarga?"
    )
    nik_message = await user.send(NIK)
    q5 = await user.wait_message()
    assert q5.text == "Nomor HP yang bisa dihubungi?"
    await user.wait_for(lambda: nik_message.message_id in user.deleted_message_ids)
    assert short.message_id in user.deleted_message_ids  # a wrong NIK is deleted too
    assert user.reply_keyboard is not None and ["📱 Kirim nomor saya"] in user.reply_keyboard

    await user.press("📱 Kirim nomor saya")
    q6 = await user.wait_message(predicate=lambda m: m.text and "Foto rumah?" in m.text)
    assert "Lewati" in q6.buttons
    query = await user.click(q6, "Lewati")
    await query.wait_answered()
    await user.wait_for(lambda: q6.text.startswith(t("Please check your answers:")))
    summary = q6.text
    for line in (
        "Pekerjaan kepala keluarga?: Petani",
        f"Penghasilan sebulan?: {format_rupiah(1_500_000)}",
        "Jumlah anggota keluarga?: 4",
        f"NIK kepala keluarga?: {mask_number(NIK)}",
        "Nomor HP yang bisa dihubungi?: 0812-3456-7890",
        "Foto rumah?: —",
    ):
        assert line in summary, summary
    assert user.reply_keyboard is None  # the contact keyboard was taken away

    query = await user.click(q6, t("✅ Confirm"))
    await query.wait_answered()
    thanks = await user.wait_message(predicate=lambda m: m.text == THANKS)
    assert thanks.button_rows == MAIN_MENU
    assert SUBMITTED[701] == {
        "work": "tani",
        "income": 1_500_000,
        "members": 4,
        "nik": NIK,
        "phone": PHONE,
        "photo": None,
    }
    await user.wait_idle(quiet=0.1)

    # The NIK never went back to Telegram: no text, button, callback data or edit has it.
    sent = bot_texts(tg)
    assert sent, "no calls recorded"
    assert not [s for s in sent if NIK in s or NIK_15 in s]
    assert not [d for m in user.messages for d in m.callback_data if NIK[4:12] in d]
    # ... and it does not linger in the FSM storage once the form is done.
    async with app.sessionmaker() as session:
        records = list(await session.scalars(select(FsmRecord)))
    assert not [r for r in records if NIK in json.dumps(r.data)]
    assert not [r.name for r in caplog.records if NIK in r.getMessage() or NIK_15 in r.getMessage()]


# --------------------------------------------------------------------------- restart mid-form


async def _restart_mid_form(tg: FakeTelegram, settings: Any, user_id: int) -> None:
    app = BotApp(tg, settings, routers=make_routers)
    await app.start()
    try:
        user = tg.user(user_id, "Dewi")
        await agree(user)
        await user.send("/singkat")
        q1 = await user.wait_message()
        query = await user.click(q1, "Buruh")
        await query.wait_answered()
        await user.wait_for(lambda: "Penghasilan sebulan?" in q1.text)
        await user.send("2.250.000")
        q3 = await user.wait_message()
        assert q3.text == "Jumlah anggota keluarga?"

        await app.restart()  # new resources, dispatcher and bot; same database and fake

        await user.send("5 orang")
        summary = await user.wait_message()
        assert summary.text.startswith(t("Please check your answers:")), user.transcript()
        assert "Pekerjaan kepala keluarga?: Buruh" in summary.text
        assert f"Penghasilan sebulan?: {format_rupiah(2_250_000)}" in summary.text
        assert "Jumlah anggota keluarga?: 5" in summary.text
        query = await user.click(summary, t("✅ Confirm"))
        await query.wait_answered()
        await user.wait_message(predicate=lambda m: m.text == THANKS)
        assert SUBMITTED[user_id] == {"work": "buruh", "income": 2_250_000, "members": 5}
        # The old dispatcher answered nothing after the restart; each update was handled once.
        await user.wait_idle(quiet=0.1)
        assert [m.text for m in user.messages].count(THANKS) == 1
    finally:
        await app.stop()
    assert app.starts == 2


async def test_restart_mid_form_resumes(tg: FakeTelegram, tmp_path: Path, database_url: str):
    settings = e2e_settings(tmp_path, tg, database_url=database_url)
    await _restart_mid_form(tg, settings, 801)


async def test_restart_mid_form_resumes_with_redis_fsm(
    tg: FakeTelegram, tmp_path: Path, redis_url: str
):
    settings = e2e_settings(tmp_path, tg, redis_url=redis_url)
    await _restart_mid_form(tg, settings, 802)


# --------------------------------------------------------------------------- Telegram errors


async def test_blocked_user_does_not_stop_the_bot(
    app: BotApp, tg: FakeTelegram, caplog: pytest.LogCaptureFixture
):
    caplog.set_level(logging.INFO)
    blocked = tg.user(901)
    await agree(blocked)
    tg.block(blocked.id)
    await blocked.send("/menu")
    await blocked.wait_idle(quiet=0.1)
    # One failed send (the reply): the bot does not try again to apologise to a blocked chat.
    assert len(blocked.errors) == 1 and blocked.errors[0].status == 403
    stored = await account_of(app, blocked.id)
    assert stored is not None and stored.bot_blocked  # left out of audiences from now on

    other = tg.user(902)
    await other.send("/start")
    assert (await other.wait_message()).text == in_id(welcome_text)
    assert app.task is not None and not app.task.done()

    tg.unblock(blocked.id)
    await blocked.send("/menu")
    assert (await blocked.wait_message()).text == "Menu utama. Silakan pilih tombol di bawah."
    await blocked.wait_idle(quiet=0.1)  # the update commits after its reply
    stored = await account_of(app, blocked.id)
    assert stored is not None and not stored.bot_blocked  # writing again means reachable
    assert any("TelegramForbiddenError" in r.getMessage() for r in caplog.records)


async def test_429_on_send_message_is_waited_out_and_the_reply_arrives(
    app: BotApp, tg: FakeTelegram
):
    """Telegram's 429 retry_after is obeyed (bot/telegram_retry.py): the reply arrives once,
    after the wait, and the next update is served as usual."""
    user = tg.user(903)
    await agree(user)
    tg.fail_next("sendMessage", retry_after=1)
    started = asyncio.get_running_loop().time()
    await user.send("/menu")
    menu = await user.wait_message()
    assert menu.text == "Menu utama. Silakan pilih tombol di bawah."
    assert asyncio.get_running_loop().time() - started >= 1.0
    assert tg.too_many_requests == 1
    await user.send("/menu")
    assert (await user.wait_message()).text == menu.text
    assert [m.text for m in user.messages].count(menu.text) == 2  # each exactly once


async def test_429_longer_than_worth_waiting_gets_the_polite_error(
    app: BotApp, tg: FakeTelegram
):
    """A retry_after beyond what a person should wait goes to the error handler, whose own
    message gets through; the next update is served."""
    user = tg.user(913)
    await agree(user)
    tg.fail_next("sendMessage", retry_after=120)
    await user.send("/menu")
    sorry = await user.wait_message()
    assert sorry.text == t(SORRY)
    await user.send("/menu")
    assert (await user.wait_message()).text == "Menu utama. Silakan pilih tombol di bawah."


async def test_handler_exception_is_answered_politely_and_logged_without_text(
    app: BotApp, tg: FakeTelegram, caplog: pytest.LogCaptureFixture
):
    caplog.set_level(logging.DEBUG)
    user = tg.user(904)
    await agree(user)
    text = f"/meledak {NIK} {SECRET_WORD}"
    await user.send(text)
    sorry = await user.wait_message()
    assert sorry.text == t(SORRY)
    await user.send("/menu")
    assert (await user.wait_message()).text == "Menu utama. Silakan pilih tombol di bawah."
    await user.wait_idle(quiet=0.1)

    failures = [r for r in caplog.records if "RuntimeError" in r.getMessage()]
    assert failures, "the failure was not logged"
    assert all(r.levelno >= logging.ERROR for r in failures)
    for record in caplog.records:
        logged = record.getMessage() + (record.exc_text or "")
        if record.exc_info:
            logged += repr(record.exc_info[1])
        assert NIK not in logged and SECRET_WORD not in logged, record.name


# --------------------------------------------------------------------------- flood, duplicates


async def test_flood_is_throttled_with_one_warning(tg: FakeTelegram, tmp_path: Path):
    settings = e2e_settings(tmp_path, tg, throttle_rate=5, throttle_window=30)
    async with BotApp(tg, settings):
        user = tg.user(905)
        for k in range(9):
            await user.send(f"halo {k}")
        # Idle alone could be declared before a slow machine answered the first one: wait for
        # the six expected messages, then make sure nothing more comes.
        await user.wait_for(lambda: len(user.messages) >= 6, timeout=10)
        await user.wait_idle(quiet=0.3)
        texts = [m.text for m in user.messages]
        warning = t("Too many messages at once. Please wait a moment.")
        assert warning == "Terlalu banyak pesan sekaligus. Mohon tunggu sebentar."
        assert texts.count(warning) == 1, user.transcript()
        assert len(texts) == 6, user.transcript()  # 5 answers + 1 warning; the rest dropped

        other = tg.user(906)  # flood control is per user
        await other.send("/start")
        assert (await other.wait_message()).text == in_id(welcome_text)


async def _duplicate_update(tg: FakeTelegram, settings: Any) -> None:
    menu_text = "Menu utama. Silakan pilih tombol di bawah."
    async with BotApp(tg, settings):
        user = tg.user(907)
        await agree(user)
        sent = await user.send("/menu")
        update_id = user.bot.updates[-1]["update_id"]
        # Re-delivered in the same batch ...
        await tg.feed_update({"message": copy.deepcopy(sent.raw), "update_id": update_id})
        await user.wait_idle(quiet=0.2)
        assert [m.text for m in user.messages].count(menu_text) == 1, user.transcript()
        # ... and again later (as a webhook retry would).
        await tg.feed_update({"message": copy.deepcopy(sent.raw), "update_id": update_id})
        await user.wait_idle(quiet=0.2)
        assert [m.text for m in user.messages].count(menu_text) == 1, user.transcript()
        await user.send("/menu")  # a new update is of course served
        assert (await user.wait_message()).text == menu_text


async def test_duplicate_update_is_handled_once(tg: FakeTelegram, tmp_path: Path):
    await _duplicate_update(tg, e2e_settings(tmp_path, tg))


async def test_duplicate_update_is_handled_once_with_redis(
    tg: FakeTelegram, tmp_path: Path, redis_url: str
):
    await _duplicate_update(tg, e2e_settings(tmp_path, tg, redis_url=redis_url))


# --------------------------------------------------------------------------- assembly


async def test_create_dispatcher_twice_in_one_process(tmp_path: Path):
    """A restart in one process (or two bots) builds a second dispatcher: its routers must be
    its own (aiogram refuses to attach a router to two parents)."""
    resources = create_resources(make_settings(tmp_path))
    built = []
    try:
        built.append(create_dispatcher(resources))
        built.append(create_dispatcher(resources))
        first, second = built
        assert not {id(r) for r in first.sub_routers} & {id(r) for r in second.sub_routers}
    finally:
        await resources.close()


async def test_huge_text_gets_a_short_friendly_answer(app: BotApp, tg: FakeTelegram):
    """A message of Telegram's maximum length, as free text and as a form answer: the bot
    answers briefly (never quoting it back past Telegram's 4096 limit) and keeps the form."""
    user = tg.user(921)
    await agree(user)
    huge = "qwerty " * 585  # 4095 characters
    await user.send(huge)
    reply = await user.wait_message()
    assert reply.text.startswith("Maaf, saya belum mengerti.")
    await user.send("/singkat")
    question = await user.wait_message()
    await user.click(question, question.buttons[0])
    await user.wait_idle(quiet=0.1)  # the question is edited into the income question
    assert "Penghasilan" in user.messages[-1].text
    await user.send(huge)
    error = await user.wait_message()
    assert len(error.text) < 1000 and "qwerty qwerty qwerty" not in error.text
    await user.send("1,5 juta")  # nothing was lost: the form goes on at the same question
    assert "Jumlah anggota" in (await user.wait_message()).text
    await user.wait_idle(quiet=0.1)
    assert not [e for e in user.errors if e.status == 400]  # nothing Telegram refused
