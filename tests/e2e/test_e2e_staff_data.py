"""End to end: staff import the BNBA list and export reports through the fake Bot API;
residents are refused (and audited) for every staff command and button."""

from __future__ import annotations

import csv
import io
from pathlib import Path

import pytest
from openpyxl import Workbook, load_workbook
from sqlalchemy import select

from db.models.households import Household
from db.models.system import AuditLog
from handlers.staff import data as staff_data
from handlers.staff.export import DATES_PROMPT
from tests import ROOT
from tests.fake_telegram import FakeMessage, FakeTelegram, FakeUser
from tests.harness import (
    BotApp,
    account_of,
    agree,
    as_role,
    audit_actions,
    click_data,
    e2e_settings,
    eventually,
    in_id,
    t,
)

SAMPLE = ROOT / "docs" / "contoh_bnba.csv"
WAIT = 15.0  # an import runs beside the update; give it room on a busy machine


def sample_with_bad_rows() -> bytes:
    with SAMPLE.open(encoding="utf-8", newline="") as handle:
        rows = list(csv.DictReader(handle))
    rows[2]["nama"] = ""  # row 4: no name: known by the NIK, imported to check
    rows[8]["desa"] = "Atlantis"  # row 10: the head of a KK: its rows 11 and 12 come headless
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=list(rows[0]))
    writer.writeheader()
    writer.writerows(rows)
    return out.getvalue().encode()


def sheet_of(tg: FakeTelegram, message: FakeMessage) -> list[tuple]:
    return list(load_workbook(io.BytesIO(document_of(tg, message))).worksheets[0].iter_rows(
        values_only=True))  # fmt: skip


def document_of(tg: FakeTelegram, message: FakeMessage) -> bytes:
    stored = tg.file(message.raw["document"]["file_id"])
    assert stored is not None
    return stored.content


async def send_file(user: FakeUser, name: str, content: bytes) -> FakeMessage:
    """/impor, the file; returns the summary message."""
    await user.send("/impor")
    prompt = await user.wait_message()
    assert prompt.kind == "document" and "no_kk" in prompt.text  # the sample and the columns
    await user.send_document(name, content)
    started = await user.wait_message()
    first_text = (started.history or [started.text])[0]  # it may be edited already
    assert first_text == t("Importing… The bot will tell you when it is done.")
    finished = t("Import finished: {rows} rows read.").split("{rows}")[0]
    summary = await user.wait_message(WAIT, predicate=lambda m: m.text.startswith(finished))
    # The progress message was edited while it worked, then said it was done.
    assert t("Importing… {rows} rows read so far.", rows=14) in started.history
    assert started.text == t("Import finished.")
    return summary


async def test_staff_import_with_bad_rows_then_reimport_then_export(
    tg: FakeTelegram, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
):
    monkeypatch.setattr(staff_data, "PROGRESS_EVERY", 0.0)  # every progress report is shown
    # A long session of one person: more taps than the flood control lets through in 10 s.
    async with BotApp(tg, e2e_settings(tmp_path, tg, throttle_rate=1000)) as app:
        staff = tg.user(801, "Petugas")
        account = await as_role(app, staff, "petugas")

        summary = await send_file(staff, "bnba.csv", sample_with_bad_rows())
        assert t("People added: {n}", n=13) in summary.text
        assert t("Rows rejected: {n}", n=1) in summary.text
        rejected = await staff.wait_message(WAIT, predicate=lambda m: m.kind == "document")
        sheet = load_workbook(io.BytesIO(document_of(tg, rejected))).worksheets[0]
        rows = list(sheet.iter_rows(values_only=True))
        assert rows[0][0] == t("row") and rows[0][-1] == t("reason")
        reasons = {row[0]: row[-1] for row in rows[1:]}
        no_head = t('This family has no "kepala keluarga" row. It was imported; please check '
                    "who heads it.")  # fmt: skip
        assert reasons == {
            4: t("Column {column} is empty.", column="nama"),
            10: t('No desa/kelurahan "{value}" in Kabupaten Bekasi.', value="Atlantis"),
            11: no_head,
        }
        assert rows[1][2] == "3216180401050001"  # the original cells, digits intact

        again = await send_file(staff, "bnba.csv", sample_with_bad_rows())
        assert t("People unchanged: {n}", n=13) in again.text
        assert t("People added: {n}", n=0) in again.text
        await staff.wait_message(WAIT, predicate=lambda m: m.kind == "document")  # rejects again
        assert "bnba.imported" in await audit_actions(app, account.id)

        # XLSX, the rows fixed: the missing head comes in, the nameless person gets a name.
        book = Workbook()
        with SAMPLE.open(encoding="utf-8", newline="") as handle:
            for row in csv.reader(handle):
                book.active.append(row)
        xlsx = io.BytesIO()
        book.save(xlsx)
        fixed = await send_file(staff, "bnba.xlsx", xlsx.getvalue())
        assert t("People added: {n}", n=1) in fixed.text
        assert t("People updated: {n}", n=1) in fixed.text
        assert t("People unchanged: {n}", n=12) in fixed.text
        assert t("Rows rejected: {n}", n=0) in fixed.text

        # A file that cannot be read: told why, nothing imported; a photo: asked again.
        await staff.send("/impor")
        await staff.wait_message()
        await staff.send_photo()
        again_please = await staff.wait_message()
        assert again_please.text == t("Please send the CSV or XLSX file as a document (📎, "
                                      "then File). To stop: /batal")  # fmt: skip
        await staff.send_document("daftar.csv", b"nama\x00alamat\nSiti\x00Cibening\n")
        refused = await staff.wait_message(
            WAIT, predicate=lambda m: m.text.startswith(t("The file could not be imported: "
                                                          "{reason}").split("{")[0])
        )  # fmt: skip
        assert "daftar.csv" in refused.text

        # Export: households of Kecamatan Setu, all time.
        await staff.send("/ekspor")
        menu = await staff.wait_message()
        await staff.click(menu, t("Households: latest status, verification"))
        await staff.wait_for(lambda: menu.text == t("Which area?"))
        await staff.click(menu, "Setu")
        await staff.wait_for(lambda: menu.text == t("Which desa/kelurahan?"))
        await staff.click(menu, t("Whole kecamatan"))
        await staff.wait_for(lambda: menu.text == t("Which period?"))
        await staff.click(menu, t("All time"))
        report = await staff.wait_message(WAIT, predicate=lambda m: m.kind == "document")
        sheet = load_workbook(io.BytesIO(document_of(tg, report))).worksheets[0]
        rows = list(sheet.iter_rows(values_only=True))
        assert rows[0][:3] == ("no_kk", "kepala_keluarga", "nik_kepala")
        assert sorted(r[0] for r in rows[1:]) == ["3216181503120001", "3216182505190003"]
        assert {r[2] for r in rows[1:]} == {"3216181205780003", "3374061708800006"}
        assert {r[4] for r in rows[1:]} == {"Cibening", "Burangkeng"}

        # Self-reports of one typed period: a wrong date first, then a good range.
        await staff.send("/ekspor")
        menu = await staff.wait_message()
        await staff.click(menu, t("Self-reports"))
        await staff.wait_for(lambda: menu.text == t("Which area?"))
        await staff.click(menu, t("Whole kabupaten"))
        await staff.wait_for(lambda: menu.text == t("Which period?"))
        await staff.click(menu, t("📅 Type the dates"))
        await staff.wait_for(lambda: menu.text == in_id(str, DATES_PROMPT))
        await staff.send("31-02-2026 sampai 10-03-2026")
        wrong = await staff.wait_message()
        assert "31-02-2026" in wrong.text
        await staff.send("01-01-2026 s/d 31-03-2026")
        report = await staff.wait_message(WAIT, predicate=lambda m: m.kind == "document")
        assert "1 Januari 2026 – 31 Maret 2026" in report.text
        assert len(sheet_of(tg, report)) == 1  # the header: no self-reports yet

        async with app.sessionmaker() as session:
            exported = await session.scalar(
                select(AuditLog).where(AuditLog.action == "data.exported").order_by(AuditLog.id)
            )
            assert exported is not None and exported.actor_account_id == account.id
            assert exported.detail["report"] == "rumah_tangga"
            assert exported.detail["kecamatan"] == "32.16.18" and exported.detail["rows"] == 2
            assert len(list(await session.scalars(select(Household)))) == 4


async def test_a_resident_is_refused_every_staff_command_and_button(
    tg: FakeTelegram, tmp_path: Path
):
    async with BotApp(tg, e2e_settings(tmp_path, tg)) as app:
        resident = tg.user(802, "Warga")
        await agree(resident)
        refused = t("Sorry, this is only for Dinas Sosial staff.")
        for command in ("/impor", "/ekspor"):
            await resident.send(command)
            answer = await resident.wait_message()
            assert answer.text == refused
        query = await click_data(resident, answer, "exp:period:rumah_tangga::all")
        await query.wait_answered()
        assert query.answer_text == refused and query.show_alert
        await resident.send_document("bnba.csv", SAMPLE.read_bytes())  # not in the import step
        await resident.wait_message()
        account = await account_of(app, 802)
        assert account is not None

        async def denied() -> list[str]:
            actions = await audit_actions(app, account.id)
            return actions if actions.count("access.denied") == 3 else []

        assert await eventually(denied)
        async with app.sessionmaker() as session:
            assert await session.scalar(select(Household)) is None
            assert not list(await session.scalars(
                select(AuditLog).where(AuditLog.action == "data.exported")
            ))  # fmt: skip
