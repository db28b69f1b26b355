"""Crafted callback data with an id out of the columns' range (23 digits, negative, past
INTEGER) gets the polite "no longer active" answer, never an error, on SQLite and PostgreSQL."""

from __future__ import annotations

from pathlib import Path

import pytest

from handlers.callback_ids import MAX_ROW_ID, row_id
from handlers.volunteers.ui import HouseholdCb
from tests.fake_telegram import FakeTelegram
from tests.harness import BotApp, as_role, click_data, e2e_settings, t

HUGE = "9" * 23
PAST_INT4 = str(MAX_ROW_ID + 1)
STALE = "This button is no longer active."
ERROR = (
    "Sorry, something went wrong on our side. Please try again in a moment; what you already "
    "answered is kept."
)
# One of each kind of callback data that carries an id (the prefixes of the CallbackData
# classes in handlers/ and bot/broadcast_progress.py), with the id replaced by N.
CRAFTED = [
    "hh:open:N", "hh:visit:N", "tg:N", "sr:name:::N", "inv:revoke:::N", "vol:ask:N",
    "vol:page:N", "aidq:N:ya", "aidc:N", "trn:join:N:1:0", "trn:cancel:0:0:N", "bcc:pause:N",
    "js:view:N", "js:collect:N", "tr:view:N:0", "tr:att:1:N", "ed:menu:N:0:", "ed:mem:1:N:",
]  # fmt: skip


def test_row_id_of_a_text_field() -> None:
    assert row_id("42") == 42 and row_id(str(MAX_ROW_ID)) == MAX_ROW_ID
    for bad in (HUGE, PAST_INT4, "-1", "", "１２", "²", "12a"):
        assert row_id(bad) is None
    with pytest.raises(ValueError):
        HouseholdCb.unpack("hh:open:" + HUGE)


@pytest.mark.parametrize("number", [HUGE, PAST_INT4, "-7"])
async def test_crafted_ids_out_of_range_are_refused_politely(
    tg: FakeTelegram, tmp_path: Path, database_url: str, number: str
) -> None:
    settings = e2e_settings(tmp_path, tg, database_url=database_url, throttle_rate=1000)
    async with BotApp(tg, settings) as app:
        staff = tg.user(871, "Petugas")
        await as_role(app, staff, "petugas")
        anchor = staff.last_message
        for pattern in CRAFTED:
            query = await click_data(staff, anchor, pattern.replace("N", number))
            await query.wait_answered()
            assert query.answer_text == t(STALE), pattern

        # The broadcast audience picker keeps ids in a text field: the same answer.
        await staff.send("/siaran")
        await staff.wait_message()
        await staff.send("Rapat warga")
        ask = await staff.wait_message(predicate=lambda m: m.text == t("Who should receive it?"))
        for step in ("disb", "trn"):
            query = await click_data(staff, ask, f"bcx:{step}:{number}")
            await query.wait_answered()
            assert query.answer_text == t(STALE)
        await tg.wait_idle(quiet=0.05)
        assert t(ERROR) not in [m.text for m in staff.messages]
