"""bot/unread.py: the same Bot API calls as aiogram's shortcuts, over HTTP to the fake
Telegram server, with the result left unparsed and Telegram's refusals raised as before."""

from __future__ import annotations

import pytest
from aiogram.exceptions import TelegramBadRequest
from aiogram.types import InlineKeyboardButton, InlineKeyboardMarkup, Message, ReplyKeyboardRemove

from bot import unread


def shown(user, message_id: int):  # type: ignore[no-untyped-def]
    return next(m for m in user.messages if m.message_id == message_id)


def kb(*labels: str) -> InlineKeyboardMarkup:
    return InlineKeyboardMarkup(
        inline_keyboard=[[InlineKeyboardButton(text=t, callback_data=t.lower())] for t in labels]
    )


@pytest.fixture
async def bot(tg):  # type: ignore[no-untyped-def]
    bot = tg.make_bot()
    yield bot
    await bot.session.close()


async def test_unread_calls_do_what_the_shortcuts_do(tg, bot) -> None:  # type: ignore[no-untyped-def]
    user = tg.user(user_id=611, first_name="Siti", language_code="id")
    await user.send("halo")
    question = await bot.send_message(611, "Pekerjaan?", reply_markup=kb("Buruh", "Tani"))
    assert isinstance(question, Message)

    assert await unread.answer(question, "Penghasilan?", reply_markup=kb("Lewati")) is None
    assert user.last_message.text == "Penghasilan?" and user.last_message.buttons == ["Lewati"]

    await unread.edit_text(question, "Pekerjaan: Buruh", reply_markup=kb("Ubah"))
    edited = shown(user, question.message_id)
    assert edited.text == "Pekerjaan: Buruh" and edited.buttons == ["Ubah"] and edited.edited

    await unread.edit_reply_markup(question, None)
    assert shown(user, question.message_id).buttons == []

    await unread.answer(question, "Selesai.", reply_markup=ReplyKeyboardRemove())
    assert user.last_message.text == "Selesai."
    sent = [c for c in tg.calls if c.method in {"sendMessage", "editMessageText"}]
    assert all(c.params["chat_id"] == 611 for c in sent)


async def test_unread_calls_still_raise_telegrams_refusals(tg, bot) -> None:  # type: ignore[no-untyped-def]
    user = tg.user(user_id=612, first_name="Budi", language_code="id")
    await user.send("halo")
    question = await bot.send_message(612, "Pekerjaan?", reply_markup=kb("Buruh"))
    await unread.edit_text(question, "Pekerjaan?", reply_markup=kb("Buruh", "Tani"))
    with pytest.raises(TelegramBadRequest, match="message is not modified"):
        await unread.edit_text(question, "Pekerjaan?", reply_markup=kb("Buruh", "Tani"))
    with pytest.raises(TelegramBadRequest, match="message is not modified"):
        await unread.edit_reply_markup(question, kb("Buruh", "Tani"))
    with pytest.raises(TelegramBadRequest, match="message is too long"):
        await unread.answer(question, "x" * 4097)
