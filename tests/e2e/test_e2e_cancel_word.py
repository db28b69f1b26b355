"""Typing "batal" (no slash) inside a conversation stops it, as /batal does, and the menu
comes back."""

from __future__ import annotations

from tests.fake_telegram import FakeTelegram
from tests.harness import BotApp, agree, t

CANCELLED = "Cancelled. Nothing was saved. Here is the main menu."


async def test_typed_batal_stops_the_link_form(app: BotApp, tg: FakeTelegram) -> None:
    user = tg.user(8901, "Warga")
    await agree(user)
    for word in ("batal", "Batal.", "STOP"):
        await user.send("/daftar")
        await user.wait_message(predicate=lambda m: "NIK" in (m.text or ""))
        typed = await user.send(word)
        answer = await user.wait_message(predicate=lambda m: m.text == t(CANCELLED))
        assert answer.text == t(CANCELLED)
        assert not typed.deleted  # a word, not a NIK: nothing to hide
        assert user.reply_keyboard  # the main menu is back
