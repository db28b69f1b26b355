"""Tests of the fake Telegram Bot API, driven by a real aiogram Bot: in-process (the fake's
FakeSession, as the e2e tests use it) and, where marked ``bot_both``, over HTTP as well."""

from __future__ import annotations

import asyncio
import contextlib
import json

import aiohttp
import pytest
from aiogram import Dispatcher, F, Router
from aiogram.enums import ParseMode
from aiogram.exceptions import (
    TelegramBadRequest,
    TelegramConflictError,
    TelegramForbiddenError,
    TelegramNotFound,
    TelegramRetryAfter,
    TelegramUnauthorizedError,
)
from aiogram.filters import CommandObject, CommandStart
from aiogram.types import (
    BotCommand,
    BotCommandScopeAllPrivateChats,
    BotCommandScopeChat,
    BotCommandScopeDefault,
    BufferedInputFile,
    CallbackQuery,
    InlineKeyboardButton,
    InlineKeyboardMarkup,
    KeyboardButton,
    Message,
    ReplyKeyboardMarkup,
    ReplyKeyboardRemove,
)
from aiohttp import web

from tests.fake_telegram import (
    BOT_USERNAME,
    DEFAULT_TOKEN,
    FakeTelegram,
)


@pytest.fixture
async def bot(tg):
    bot = tg.make_bot()
    yield bot
    await bot.session.close()


@pytest.fixture(params=[False, True], ids=["in-process", "http"])
async def bot_both(tg, request):
    """The same test through the in-process session and over HTTP (aiohttp, multipart)."""
    bot = tg.make_bot(http=request.param)
    yield bot
    await bot.session.close()


def kb(*buttons: tuple[str, str]) -> InlineKeyboardMarkup:
    return InlineKeyboardMarkup(
        inline_keyboard=[[InlineKeyboardButton(text=t, callback_data=d)] for t, d in buttons]
    )


# ----------------------------------------------------------------------------- basics


async def test_get_me_and_token_validation(tg, bot):
    me = await bot.get_me()
    assert me.id == 1000 == bot.id
    assert me.username == BOT_USERNAME and me.is_bot

    async with aiohttp.ClientSession() as http:
        async with http.post(f"{tg.base_url}/botNOT-A-TOKEN/getMe") as resp:
            assert resp.status == 401
            assert await resp.json() == {
                "ok": False, "error_code": 401, "description": "Unauthorized",
            }
        async with http.post(f"{tg.base_url}/bot{DEFAULT_TOKEN}/noSuchMethod") as resp:
            assert resp.status == 404
        # JSON bodies work too, like on the real API
        async with http.post(
            f"{tg.base_url}/bot{DEFAULT_TOKEN}/sendMessage", json={"chat_id": 5, "text": "hi"}
        ) as resp:
            body = await resp.json()
            assert body["ok"] and body["result"]["text"] == "hi"

    tg.revoke(DEFAULT_TOKEN)
    with pytest.raises(TelegramUnauthorizedError):
        await bot.get_me()


async def test_send_edit_delete_round_trip(tg, bot_both):
    bot = bot_both
    user = tg.user(user_id=501, first_name="Siti", language_code="id")
    await user.send("halo")  # user messages share the per-chat message_id counter

    sent = await bot.send_message(
        501,
        "  Halo <Siti> & 'x'\n",
        reply_markup=kb(("Daftar", "reg"), ("Bantuan", "help")),
        disable_notification=True,
    )
    assert isinstance(sent, Message)
    assert sent.message_id == 2
    assert sent.chat.id == 501 and sent.chat.type == "private" and sent.chat.first_name == "Siti"
    assert sent.from_user.id == 1000 and sent.from_user.is_bot
    assert sent.text == "Halo <Siti> & 'x'"  # plain text, stripped as Telegram does
    assert sent.reply_markup.inline_keyboard[0][0].callback_data == "reg"

    fake = user.last_message
    assert fake.message_id == 2 and fake.text == "Halo <Siti> & 'x'"
    assert fake.source_text == "  Halo <Siti> & 'x'\n" and fake.parse_mode is None
    assert fake.buttons == ["Daftar", "Bantuan"]
    assert fake.params["disable_notification"] is True
    with pytest.raises(TelegramBadRequest, match="unsupported parse_mode"):
        await bot.send_message(501, "<b>x</b>", parse_mode=ParseMode.HTML)  # the bot never does

    edited = await bot.edit_message_text(
        text="Halo lagi", chat_id=501, message_id=2, reply_markup=kb(("OK", "ok"))
    )
    assert edited.text == "Halo lagi" and edited.edit_date is not None
    assert fake.text == "Halo lagi" and fake.edited and fake.history == ["Halo <Siti> & 'x'"]
    assert fake.buttons == ["OK"]

    with pytest.raises(TelegramBadRequest, match="message is not modified"):
        await bot.edit_message_text(
            text="Halo lagi", chat_id=501, message_id=2, reply_markup=kb(("OK", "ok"))
        )
    # editing the text without reply_markup removes the keyboard (real Telegram does so)
    await bot.edit_message_text(text="Halo lagi", chat_id=501, message_id=2)
    assert fake.buttons == []
    await bot.edit_message_reply_markup(chat_id=501, message_id=2, reply_markup=kb(("A", "a")))
    assert fake.buttons == ["A"]
    with pytest.raises(TelegramBadRequest, match="message is not modified"):
        await bot.edit_message_reply_markup(
            chat_id=501, message_id=2, reply_markup=kb(("A", "a"))
        )
    with pytest.raises(TelegramBadRequest, match="message to edit not found"):
        await bot.edit_message_text(text="x", chat_id=501, message_id=99)
    with pytest.raises(TelegramBadRequest, match="message can't be edited"):
        await bot.edit_message_text(text="x", chat_id=501, message_id=1)

    assert await bot.delete_message(501, 2) is True
    assert await bot.delete_message(501, 1) is True  # the user's own message (e.g. with a NIK)
    assert fake.deleted and user.deleted_message_ids == [2, 1]
    with pytest.raises(TelegramBadRequest, match="message to delete not found"):
        await bot.delete_message(501, 2)
    with pytest.raises(TelegramBadRequest, match="message to edit not found"):
        await bot.edit_message_text(text="x", chat_id=501, message_id=2)

    nxt = await bot.send_message(501, "baru")
    assert nxt.message_id == 3
    assert "[deleted]" in user.transcript() and "baru" in user.transcript()
    assert [c.method for c in tg.calls].count("sendMessage") == 3


async def test_reply_keyboard(tg, bot):
    user = tg.user(502)
    markup = ReplyKeyboardMarkup(
        keyboard=[[KeyboardButton(text="Kirim kontak", request_contact=True)],
                  [KeyboardButton(text="Batal")]],
        resize_keyboard=True,
    )
    sent = await bot.send_message(502, "Bagikan nomor", reply_markup=markup)
    assert sent.reply_markup is None  # Telegram only echoes inline keyboards
    assert user.reply_keyboard == [["Kirim kontak"], ["Batal"]]
    assert user.last_message.buttons == ["Kirim kontak", "Batal"]
    contact = await user.press("Kirim kontak")
    assert contact.raw["contact"]["user_id"] == 502
    await bot.send_message(502, "ok", reply_markup=ReplyKeyboardRemove())
    assert user.reply_keyboard is None
    with pytest.raises(TelegramNotFound):  # a method the bot does not use: not here
        await bot.send_chat_action(502, "typing")


# ----------------------------------------------------------------------------- errors


async def test_text_length_and_empty(tg, bot):
    tg.user(503)
    await bot.send_message(503, "a" * 4096)
    with pytest.raises(TelegramBadRequest, match="Bad Request: message is too long"):
        await bot.send_message(503, "a" * 4097)
    # length counts the text after stripping spaces and line breaks around it
    await bot.send_message(503, "  " + "a" * 4096 + "\n")
    for empty in ("", "   \n"):
        with pytest.raises(TelegramBadRequest, match="Bad Request: message text is empty"):
            await bot.send_message(503, empty)
    with pytest.raises(TelegramBadRequest, match="message caption is too long"):
        await bot.send_photo(503, BufferedInputFile(b"jpg", "a.jpg"), caption="c" * 1025)


async def test_button_data_too_long(tg, bot):
    tg.user(506)
    await bot.send_message(506, "ok", reply_markup=kb(("x", "d" * 64)))
    with pytest.raises(TelegramBadRequest, match="Bad Request: BUTTON_DATA_INVALID"):
        await bot.send_message(506, "x", reply_markup=kb(("x", "é" * 33)))  # 66 bytes


async def test_blocked_user_and_unknown_callback(tg, bot_both):
    bot = bot_both
    user = tg.user(507)
    msg = await bot.send_message(507, "hi")
    tg.block(507)
    with pytest.raises(TelegramForbiddenError, match="Forbidden: bot was blocked by the user"):
        await bot.send_message(507, "again")
    with pytest.raises(TelegramForbiddenError):
        await bot.send_photo(507, BufferedInputFile(b"jpg", "a.jpg"))
    assert await bot.delete_message(507, msg.message_id)
    user.unblock()
    await bot.send_message(507, "welcome back")
    with pytest.raises(TelegramBadRequest, match="chat not found"):
        await bot.send_message(-100123, "x")  # private chats only
    with pytest.raises(TelegramBadRequest, match="query is too old and response timeout"):
        await bot.answer_callback_query("12345")


async def test_fail_next_retry_after(tg, bot_both):
    bot = bot_both
    tg.user(509)
    tg.fail_next("sendMessage", n=2, retry_after=3)
    for _ in range(2):
        with pytest.raises(TelegramRetryAfter) as exc:
            await bot.send_message(509, "x")
        assert exc.value.retry_after == 3
        assert "Too Many Requests: retry after 3" in exc.value.message
    await bot.send_message(509, "x")
    assert tg.too_many_requests == 2
    assert [c.status for c in tg.calls_of("sendMessage")] == [429, 429, 200]


async def test_flood_limit_mode():
    async with FakeTelegram(rate_limit_per_s=5, per_chat_per_s=1) as tg:
        bot = tg.make_bot()
        try:
            await bot.send_message(1, "a")
            with pytest.raises(TelegramRetryAfter) as exc:  # per-chat 1/s
                await bot.send_message(1, "b")
            assert exc.value.retry_after == 1
            for chat_id in range(2, 6):
                await bot.send_message(chat_id, "a")
            with pytest.raises(TelegramRetryAfter):  # global 5/s
                await bot.send_message(6, "a")
            assert tg.flood_rejections == 2 == tg.too_many_requests
            await bot.delete_message(1, 1)  # not a send, not limited
        finally:
            await bot.session.close()


# ----------------------------------------------------------------------------- updates


async def test_get_updates_shapes_offset_and_timeout(tg, bot):
    user = tg.user(510, "Budi", username="budi")
    assert await bot.get_updates(timeout=0) == []
    await user.send("/start ref_42")
    await user.send_photo(caption="foto")
    await user.send_location(-6.24, 107.0)
    await user.send_contact("+6281234567890")
    doc = await user.send_document("warga.csv", b"nik,nama\n1,A\n")
    sent = await bot.send_message(510, "pilih", reply_markup=kb(("Ya", "yes")))
    await user.click(sent, "Ya")

    updates = await bot.get_updates(limit=3)
    assert len(updates) == 3
    start = updates[0].message
    assert start.text == "/start ref_42" and start.from_user.username == "budi"
    assert [(e.type, e.offset, e.length) for e in start.entities] == [("bot_command", 0, 6)]
    assert updates[1].message.photo[-1].width == 800 and updates[1].message.caption == "foto"
    assert updates[2].message.location.latitude == -6.24

    updates = await bot.get_updates(offset=updates[-1].update_id + 1)
    assert updates[0].message.contact.user_id == 510
    assert updates[1].message.document.file_name == "warga.csv"
    cq = updates[2].callback_query
    assert cq.data == "yes" and cq.message.message_id == sent.message_id
    assert cq.from_user.id == 510

    # files the user sent can be downloaded by the bot
    file = await bot.get_file(doc.raw["document"]["file_id"])
    assert file.file_path.endswith(".csv")
    data = await bot.download_file(file.file_path)
    assert data.read() == b"nik,nama\n1,A\n"

    await bot.get_updates(offset=updates[-1].update_id + 1)
    assert tg.bot().updates == []

    # long polling waits until an update arrives
    async def later():
        await asyncio.sleep(0.1)
        await user.send("halo")

    task = asyncio.create_task(later())
    updates = await bot.get_updates(timeout=5)
    await task
    assert [u.message.text for u in updates] == ["halo"]
    # ... and returns [] after the timeout
    t0 = asyncio.get_running_loop().time()
    assert await bot.get_updates(offset=updates[0].update_id + 1, timeout=1) == []
    assert asyncio.get_running_loop().time() - t0 >= 0.9
    # negative offset keeps only the last updates
    for i in range(3):
        await user.send(f"m{i}")
    assert [u.message.text for u in await bot.get_updates(offset=-1)] == ["m2"]


async def test_concurrent_get_updates_conflict(tg):
    bot1, bot2 = tg.make_bot(), tg.make_bot()
    try:
        first = asyncio.create_task(bot1.get_updates(timeout=5))
        await asyncio.sleep(0.1)
        second = asyncio.create_task(bot2.get_updates(timeout=0))
        with pytest.raises(TelegramConflictError, match="terminated by other getUpdates request"):
            await first
        assert await second == []
    finally:
        await bot1.session.close()
        await bot2.session.close()


async def test_webhook_mode(tg, bot):
    received: list[tuple[dict, str | None]] = []

    async def handler(request: web.Request) -> web.Response:
        update = await request.json()
        received.append((update, request.headers.get("X-Telegram-Bot-Api-Secret-Token")))
        # The bot answers over the API; a method in the response body is not run.
        return web.json_response({"method": "sendMessage", "chat_id": 1, "text": "not run"})

    app = web.Application()
    app.router.add_post("/hook", handler)
    runner = web.AppRunner(app)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    port = runner.addresses[0][1]
    try:
        user = tg.user(520)
        assert await bot.set_webhook(f"http://127.0.0.1:{port}/hook", secret_token="s3cr3t")
        assert tg.bot().webhook_url.endswith("/hook")
        with pytest.raises(TelegramConflictError, match="can't use getUpdates method while"):
            await bot.get_updates()
        await user.send("ping")
        assert await tg.wait_for(lambda: received and not tg.bot().updates, 3)
        assert received[0][0]["message"]["text"] == "ping"
        assert received[0][1] == "s3cr3t"
        assert tg.count("sendMessage") == 0
        assert await bot.delete_webhook()
        await user.send("queued")
        assert [u.message.text for u in await bot.get_updates()] == ["queued"]
    finally:
        await runner.cleanup()


async def test_commands_per_scope(tg, bot):
    await bot.set_my_commands(
        [BotCommand(command="start", description="Mulai"),
         BotCommand(command="help", description="Bantuan")],
        scope=BotCommandScopeDefault(),
    )
    await bot.set_my_commands(
        [BotCommand(command="start", description="Start")],
        scope=BotCommandScopeAllPrivateChats(), language_code="en",
    )
    await bot.set_my_commands(
        [BotCommand(command="admin", description="Panel admin")],
        scope=BotCommandScopeChat(chat_id=777),
    )
    assert tg.command_names() == ["start", "help"]
    assert tg.command_names("all_private_chats", "en") == ["start"]
    assert tg.command_names({"type": "chat", "chat_id": 777}) == ["admin"]
    assert tg.command_names(BotCommandScopeChat(chat_id=777)) == ["admin"]
    assert tg.commands("all_private_chats") == []
    assert tg.user(777).commands() == ["admin"]
    assert tg.user(778, language_code="en").commands() == ["start"]
    assert tg.user(779, language_code="id").commands() == ["start", "help"]
    await bot.delete_my_commands(scope=BotCommandScopeChat(chat_id=777))
    assert tg.user(777).commands() == ["start", "help"]
    with pytest.raises(TelegramBadRequest, match="BOT_COMMAND_INVALID"):
        await bot.set_my_commands([BotCommand(command="Bad Cmd", description="x")])


async def test_photo_and_document_upload(tg, bot_both):
    bot = bot_both
    user = tg.user(530)
    photo = await bot.send_photo(
        530, BufferedInputFile(b"\xff\xd8jpeg", "p.jpg"), caption=" c "
    )
    assert len(photo.photo) == 3 and photo.caption == "c"
    again = await bot.send_photo(530, photo.photo[-1].file_id)
    assert again.photo[-1].file_id == photo.photo[-1].file_id
    doc = await bot.send_document(530, BufferedInputFile(b"a,b\n", "laporan.csv"))
    assert doc.document.file_name == "laporan.csv" and doc.document.mime_type == "text/csv"
    data = await bot.download(doc.document.file_id)
    assert data.read() == b"a,b\n"
    with pytest.raises(TelegramBadRequest, match="wrong file identifier"):
        await bot.send_document(530, "nonexistent-file-id")
    assert [m.kind for m in user.messages] == ["photo", "photo", "document"]
    file = await bot.get_file(photo.photo[-1].file_id)
    assert (await bot.download_file(file.file_path)).read() == b"\xff\xd8jpeg"


async def test_voice_notes_both_ways(tg, bot_both):
    bot = bot_both
    user = tg.user(531)
    sent = await user.send_voice(caption="tolong")
    assert sent.kind == "voice" and sent.voice["mime_type"] == "audio/ogg"
    again = await bot.send_voice(531, sent.voice["file_id"], caption="A-1")
    assert again.voice.file_id == sent.voice["file_id"] and again.caption == "A-1"
    assert user.messages[-1].kind == "voice"
    with pytest.raises(TelegramBadRequest, match="wrong file identifier"):
        await bot.send_voice(531, "nonexistent-file-id")


# ----------------------------------------------------------------------------- end to end


async def test_polling_dispatcher_conversation(tg):
    router = Router()

    @router.message(CommandStart())
    async def start(message: Message, command: CommandObject) -> None:
        await message.answer(
            f"Halo {message.from_user.first_name}, ref={command.args}",
            reply_markup=kb(("Daftar", "reg")),
        )

    @router.callback_query(F.data == "reg")
    async def register(query: CallbackQuery) -> None:
        await query.answer("Memproses…")
        await query.message.edit_text("Silakan kirim NIK")

    @router.message(F.text)
    async def nik(message: Message) -> None:
        await message.delete()
        await message.answer("NIK diterima")

    dp = Dispatcher()
    dp.include_router(router)
    bot = tg.make_bot()
    await bot.delete_webhook(drop_pending_updates=True)
    polling = asyncio.create_task(
        dp.start_polling(bot, handle_signals=False, close_bot_session=False, polling_timeout=5)
    )
    try:
        user = tg.user(user_id=540, first_name="Siti", language_code="id")
        await user.send("/start abc")
        welcome = await user.wait_message()
        assert welcome.text == "Halo Siti, ref=abc"
        assert welcome.buttons == ["Daftar"]

        query = await user.click(welcome, "Daftar")
        await query.wait_answered()
        assert query.answer_text == "Memproses…"
        await user.wait_for(lambda: welcome.text == "Silakan kirim NIK")
        assert welcome.buttons == []  # keyboard removed by the edit

        sent = await user.send("3216010101010001")
        reply = await user.wait_message()
        assert reply.text == "NIK diterima"
        assert sent.message_id in user.deleted_message_ids
        await user.wait_idle(quiet=0.1)
        assert "user clicked [Daftar]" in user.transcript()

        with pytest.raises(AssertionError, match="no new bot message"):
            await user.wait_message(timeout=0.2)
    finally:
        await dp.stop_polling()
        with contextlib.suppress(asyncio.CancelledError):
            await polling
        await bot.session.close()


async def test_allowed_updates_filter_and_early_updates(tg):
    user = tg.user(550)
    await user.send("before the bot connected")  # adopted by the first token that connects
    bot = tg.make_bot()
    try:
        updates = await bot.get_updates(allowed_updates=["callback_query"])
        assert updates[0].message.text == "before the bot connected"
        await bot.get_updates(offset=updates[0].update_id + 1, allowed_updates=["callback_query"])
        await user.send("not delivered")  # message updates are not allowed any more
        assert await bot.get_updates() == []
        assert json.loads(json.dumps(tg.calls[-1].response)) == {"ok": True, "result": []}
    finally:
        await bot.session.close()


async def test_aiogram_webhook_server(tg, bot):
    from aiogram.webhook.aiohttp_server import SimpleRequestHandler

    dp = Dispatcher()

    @dp.message(F.text == "cepat")
    async def fast(message: Message):
        return message.answer("lewat metode yang dikembalikan")  # aiogram sends it over the API

    @dp.message()
    async def normal(message: Message) -> None:
        await message.answer("lewat API")

    app = web.Application()
    SimpleRequestHandler(dp, bot, secret_token="rahasia").register(app, path="/wh")
    runner = web.AppRunner(app)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    try:
        url = f"http://127.0.0.1:{runner.addresses[0][1]}/wh"
        await bot.set_webhook(url, secret_token="rahasia")
        user = tg.user(560)
        await user.send("cepat")
        assert (await user.wait_message(timeout=3)).text == "lewat metode yang dikembalikan"
        await user.send("halo")
        assert (await user.wait_message(timeout=3)).text == "lewat API"
        await bot.set_webhook(url, secret_token="salah")  # aiogram rejects: 401
        await user.send("x")
        info = await tg.wait_for(lambda: tg.bot().last_error_message, timeout=3)
        assert info == "Wrong response from the webhook: 401 Unauthorized"
        assert len(tg.bot().updates) == 1  # kept, to be delivered again
        await bot.delete_webhook()
    finally:
        await runner.cleanup()
