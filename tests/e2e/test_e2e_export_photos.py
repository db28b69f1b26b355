"""End to end: /ekspor offers the person-level BNBA list, the verification results in a
list's own layout (the staff member picks the list) and the families moved, died or not
found; photo cells are t.me links to this bot, and the bot sends the photo to staff who open
one, and tells a resident it is not found."""

from __future__ import annotations

import datetime as dt
import io
from pathlib import Path
from typing import Any

from openpyxl import load_workbook
from sqlalchemy import select

from conversations.validators import format_datetime_id
from db import audit
from db.models.accounts import Account
from db.models.field import FieldVisit
from db.models.households import Household
from services.export_people import BNBA_COLUMNS
from tests.fake_telegram import BOT_USERNAME, FakeMessage, FakeTelegram, FakeUser
from tests.harness import (
    BotApp,
    agree,
    as_role,
    audit_actions,
    click_data,
    e2e_settings,
    in_id,
    t,
)
from tests.staff_data import CIBENING, add_household

VISITED = dt.datetime(2026, 11, 20, 3, 0, tzinfo=dt.UTC)
WAIT = 15.0


async def seed_moved_family(app: BotApp, tg: FakeTelegram) -> int:
    """A P3KE family of Cibening (no KK) that a PSM found moved, with a photo: the visit's id."""
    household_id = await add_household(app, 1, CIBENING, members=[{"name": "Ahmad"}])
    photo = tg._store_photo(b"\xff\xd8\xff\xe0rumah-kosong")
    async with app.sessionmaker() as session, session.begin():
        household = await session.get(Household, household_id)
        assert household is not None
        household.kk_hash = household.kk_encrypted = household.kk_masked = None
        household.source_system, household.source_household_id = "p3ke", "P3KE-3216-009"
        household.status = "pindah"
        volunteer = Account(telegram_id=7701, first_name="Bu Imas", role="psm",
                            area_code=CIBENING, consent="given")  # fmt: skip
        session.add(volunteer)
        await session.flush()
        visit = FieldVisit(household_id=household_id, volunteer_account_id=volunteer.id,
                           outcome="pindah", note="Rumah kosong", photo_file_id=photo.file_id,
                           visited_at=VISITED)  # fmt: skip
        session.add(visit)
        audit.record(session, volunteer, "household.status_changed", "household", household_id,
                     before="aktif", after="pindah")  # fmt: skip
        await session.flush()
        return visit.id


def rows_of(tg: FakeTelegram, message: FakeMessage) -> list[dict[str, Any]]:
    stored = tg.file(message.raw["document"]["file_id"])
    assert stored is not None
    rows = list(load_workbook(io.BytesIO(stored.content)).worksheets[0].iter_rows(
        values_only=True))  # fmt: skip
    return [dict(zip(rows[0], row, strict=True)) for row in rows[1:]]


async def export_via_bot(staff: FakeUser, report: str, source: str | None = None) -> FakeMessage:
    await staff.send("/ekspor")
    menu = await staff.wait_message()
    await staff.click(menu, report)
    if source is not None:
        await staff.wait_for(lambda: menu.text == t("Which list are the results for?"))
        await staff.click(menu, source)
    await staff.wait_for(lambda: menu.text == t("Which area?"))
    await staff.click(menu, t("Whole kabupaten"))
    await staff.wait_for(lambda: menu.text == t("Which period?"))
    await staff.click(menu, t("All time"))
    return await staff.wait_message(WAIT, predicate=lambda m: m.kind == "document")


async def test_ekspor_offers_the_new_reports_with_photo_links(tg: FakeTelegram, tmp_path: Path):
    async with BotApp(tg, e2e_settings(tmp_path, tg, throttle_rate=1000)) as app:
        visit_id = await seed_moved_family(app, tg)
        staff = tg.user(811, "Petugas")
        await as_role(app, staff, "petugas")
        await staff.send("/ekspor")
        menu = await staff.wait_message()
        verification = t("Verification results in the source list's layout")
        for label in (t("BNBA list, one row per person (imports again as it is)"),
                      verification, t("Families moved, died or not found")):  # fmt: skip
            assert label in menu.buttons

        report = await export_via_bot(staff, verification, "P3KE (Individu)")
        assert "P3KE (Individu)" in report.text
        (row,) = rows_of(tg, report)
        assert (row["ID Keluarga P3KE"], row["Nama"], row["Status Keluarga"]) == (
            "P3KE-3216-009", "Ahmad", "pindah")  # fmt: skip
        # The bot's own name, from Telegram: the link opens this bot.
        link = f"https://t.me/{BOT_USERNAME}?start=foto_kunjungan_{visit_id}"
        assert (row["Foto Kunjungan"], row["Pendamping"]) == (link, "Bu Imas (PSM)")

        moved = await export_via_bot(staff, t("Families moved, died or not found"))
        (row,) = rows_of(tg, moved)
        assert (row["kepala_keluarga"], row["status"], row["diubah_oleh"]) == (
            "Ahmad", "pindah", "PSM")  # fmt: skip
        assert (row["catatan_kunjungan"], row["foto_kunjungan"]) == ("Rumah kosong", link)

        bnba = await export_via_bot(staff, t("BNBA list, one row per person (imports again as it "
                                             "is)"))  # fmt: skip
        (row,) = rows_of(tg, bnba)
        assert list(row) == BNBA_COLUMNS and row["id_keluarga_sumber"] == "P3KE-3216-009"

        # A button for the verification results without a list (crafted): no file.
        for data in ("exp:period:hasil_verifikasi::all", "exp:period:hasil_verifikasi-bdt::all"):
            query = await click_data(staff, bnba, data)
            await query.wait_answered()
            assert query.answer_text == t("This button is no longer active.")
        assert tg.count("sendDocument") == 3


async def test_a_photo_link_opens_for_staff_and_not_for_a_resident(
    tg: FakeTelegram, tmp_path: Path
):
    async with BotApp(tg, e2e_settings(tmp_path, tg)) as app:
        visit_id = await seed_moved_family(app, tg)
        async with app.sessionmaker() as session:
            visit = await session.get(FieldVisit, visit_id)
            assert visit is not None and visit.photo_file_id is not None
            file_id = visit.photo_file_id
        staff = tg.user(812, "Petugas")
        account = await as_role(app, staff, "petugas")
        await staff.send(f"/start foto_kunjungan_{visit_id}")
        photo = await staff.wait_message()
        assert photo.kind == "photo" and photo.photo is not None
        assert photo.photo[-1]["file_id"] == file_id  # sent again by its Telegram file id
        when = in_id(format_datetime_id, VISITED)
        assert photo.caption == t("Field visit photo: {whose}, {when}.",
                                  whose="Ahmad, Cibening", when=when)  # fmt: skip
        assert "photo.viewed" in await audit_actions(app, account.id)

        resident = tg.user(813, "Warga")
        await agree(resident)
        await resident.send(f"/start foto_kunjungan_{visit_id}")
        refused = await resident.wait_message()
        assert refused.text == t("Sorry, that photo was not found, or it is not yours to see.")
        # A link to a photo that does not exist reads the same.
        await staff.send(f"/start foto_kunjungan_{visit_id + 100}")
        missing = await staff.wait_message()
        assert missing.text == refused.text
        async with app.sessionmaker() as session:
            photos_sent = [c for c in tg.calls_of("sendPhoto")
                           if c.params.get("chat_id") in (813, "813")]  # fmt: skip
            assert photos_sent == []
            resident_account = await session.scalar(
                select(Account).where(Account.telegram_id == 813))  # fmt: skip
        assert resident_account is not None
        assert "photo.refused" in await audit_actions(app, resident_account.id)
