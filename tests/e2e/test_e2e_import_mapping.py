"""End to end: a staff member sends a list whose columns the bot does not know, picks the
columns from buttons (values previewed, NIK/KK masked), the import runs; the next file with
the same headers imports without asking."""

from __future__ import annotations

from pathlib import Path

import pytest

from handlers.staff import data as staff_data
from tests.fake_telegram import FakeTelegram
from tests.harness import BotApp, as_role, e2e_settings, t

WAIT = 15.0
FILE = (b"Nomor Keluarga;Nomor Identitas;Nama;SHDK;Kelurahan Domisili;Kec.\n"
        b"3216181503120001;3216181205780003;AHMAD;1;Cibening;Setu\n"
        b"3216181503120001;3216186308820002;SITI;3;Cibening;Setu\n")  # fmt: skip
QUESTION = t("The columns of this file are not the ones the bot knows. Which column holds "
             "{what}? Below each column are the values of its first rows.").split("{")[0]
FINISHED = t("Import finished: {rows} rows read.").split("{")[0]


async def test_staff_maps_unknown_columns_with_buttons(
    tg: FakeTelegram, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
):
    monkeypatch.setattr(staff_data, "PROGRESS_EVERY", 0.0)
    async with BotApp(tg, e2e_settings(tmp_path, tg, throttle_rate=1000)) as app:
        staff = tg.user(811, "Petugas")
        await as_role(app, staff, "petugas")
        await staff.send("/impor")
        await staff.wait_message()
        await staff.send_document("lain.csv", FILE)

        # The NIK column first; the preview masks the numbers.
        ask_nik = await staff.wait_message(WAIT, predicate=lambda m: m.text.startswith(QUESTION))
        assert t("the NIK (or, if there is none, the name)") in ask_nik.text
        assert "3216********0001" in ask_nik.text and "3216181503120001" not in ask_nik.text
        assert "3. Nama: AHMAD · SITI" in ask_nik.text
        assert ask_nik.buttons[:2] == ["1. Nomor Keluarga", "2. Nomor Identitas"]
        # The names were found, so the NIK may be skipped; it is not: the file has them.
        assert ask_nik.buttons[-1] == t("The file has no such column")
        await staff.click(ask_nik, "2. Nomor Identitas")
        ask_kk = await staff.wait_message(WAIT, predicate=lambda m: m.text.startswith(QUESTION)
                                          and m.message_id != ask_nik.message_id)
        assert t("the No. KK (or the list's own family id)") in ask_kk.text
        await staff.click(ask_kk, "1. Nomor Keluarga")
        ask_desa = await staff.wait_message(WAIT, predicate=lambda m: m.text.startswith(QUESTION)
                                            and m.message_id != ask_kk.message_id)
        assert t("the desa/kelurahan (name or code)") in ask_desa.text
        await staff.click(ask_desa, "5. Kelurahan Domisili")
        # "SHDK" holds relation numbers of an unknown system: asked, never guessed.
        codes = await staff.wait_message(
            WAIT, predicate=lambda m: t("Dukcapil, as on the KK (3 = istri)") in m.buttons)
        await staff.click(codes, t("Dukcapil, as on the KK (3 = istri)"))
        summary = await staff.wait_message(WAIT, predicate=lambda m: m.text.startswith(FINISHED))
        assert t("People added: {n}", n=2) in summary.text
        assert t("Rows rejected: {n}", n=0) in summary.text
        assert t("Imported but to check: {n}", n=0).split(":")[0] not in summary.text

        # The same headers next time: imported at once, nothing asked.
        await staff.send("/impor")
        await staff.wait_message()
        await staff.send_document("lain-2.csv", FILE)
        again = await staff.wait_message(WAIT, predicate=lambda m: m.text.startswith(FINISHED))
        assert t("People unchanged: {n}", n=2) in again.text
        assert not [m for m in staff.messages if m.text.startswith(QUESTION)][3:]
