"""Households from a list without No. KK (P3KE) through every export: no crash, and no cell
that says "None"."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

import pytest
from openpyxl import load_workbook
from openpyxl.utils import get_column_letter
from sqlalchemy import select, update

from db.models.accounts import Account
from db.models.aid import Disbursement, DisbursementRecipient, Enrollment, Training
from db.models.broadcasts import Broadcast
from db.models.field import FieldVisit, StatusReport
from db.models.households import AidProgram, Household, Member
from db.models.system import AuditLog
from services.export import KINDS, Filters, export
from services.export_sources import SOURCE_KIND, SOURCES, VERIFICATION_COLUMNS
from services.field_reports import record_visit
from services.source_layouts import recognise
from services.source_plan import plan_file
from tests.db.test_bnba_import import PROTECTOR, Db
from tests.db.test_export_roundtrip import BDT, fresh_url  # noqa: F401  (the fixture)
from tests.db.test_source_import import HEAD_NIK, db, p3ke_file, write_csv  # noqa: F401

NOW = dt.datetime(2026, 11, 20, 3, 0, tzinfo=dt.UTC)
NOT_SEEDED = ("kasus", "laporan_cepat", "status_keluarga")


async def test_households_without_kk_in_every_export(db: Db, tmp_path: Path):  # noqa: F811
    await db.run(p3ke_file(tmp_path / "p3ke.xlsx"))
    async with db.sessionmaker() as session, session.begin():
        household = await session.scalar(select(Household).order_by(Household.id))
        assert household is not None and household.kk_encrypted is None
        head = await session.scalar(select(Member).where(Member.household_id == household.id,
                                                         Member.relationship_to_head == "kepala"))
        assert head is not None
        volunteer = Account(telegram_id=9101, first_name="PSM", role="psm",
                            area_code=household.desa_code)  # fmt: skip
        program = await session.scalar(select(AidProgram).where(AidProgram.code == "PKH"))
        assert program is not None
        training = Training(title="Menjahit", provider="BLK", starts_at=NOW, place="Cikarang",
                            capacity=20)  # fmt: skip
        disbursement = Disbursement(program_id=program.id, title="PKH tahap 4", amount=600_000,
                                    scheduled_at=NOW, place="Balai Desa")  # fmt: skip
        session.add_all([volunteer, training, disbursement,
                         Broadcast(kind="manual", status="done", text="Info", total=0,
                                   created_at=NOW, audience={"type": "all"})])  # fmt: skip
        await session.flush()
        session.add_all([
            StatusReport(household_id=household.id, income_monthly=500_000, created_at=NOW),
            FieldVisit(household_id=household.id, volunteer_account_id=volunteer.id,
                       outcome="ditemui", visited_at=NOW),
            Enrollment(training_id=training.id, member_id=head.id, status="enrolled",
                       created_at=NOW),
            DisbursementRecipient(disbursement_id=disbursement.id, household_id=household.id),
        ])  # fmt: skip
    async with db.sessionmaker() as session, session.begin():
        for kind in KINDS:
            path = tmp_path / f"{kind}.xlsx"
            filters = Filters(source="p3ke") if kind == "hasil_verifikasi" else Filters()
            result = await export(session, PROTECTOR, kind, filters, path)
            # Cases, quick reports and moved families are not seeded here.
            assert result.rows >= (kind not in NOT_SEEDED) and result.unreadable == []
            cells = [cell for row in load_workbook(path).worksheets[0].iter_rows(values_only=True)
                     for cell in row]  # fmt: skip
            assert "None" not in [str(c) for c in cells if c is not None], kind
    rows = list(load_workbook(tmp_path / "rumah_tangga.xlsx").worksheets[0].iter_rows(
        values_only=True))  # fmt: skip
    header, first = rows[0], dict(zip(rows[0], rows[1], strict=True))
    assert "id_keluarga_sumber" in header
    assert (first["no_kk"], first["daftar_sumber"], first["id_keluarga_sumber"]) == (
        None, "p3ke", "P3KE-3216-001")  # fmt: skip
    assert (first["desil"], first["atap"], first["padan_dukcapil"]) == (1, "Seng", "Ya")


# --------------------------------------------------------------------------- verification


async def _visit(database: Db, account_id: int, household_id: int, answers: dict[str, Any],
                 when: dt.datetime = NOW) -> None:  # fmt: skip
    async with database.sessionmaker() as session, session.begin():
        account = await session.get(Account, account_id)
        household = await session.get(Household, household_id)
        assert account is not None and household is not None
        await record_visit(session, account, household, answers, now=when)


async def _seed_visited(database: Db, tmp_path: Path) -> dict[str, int]:
    """The P3KE families and a DTKS family; a PSM met the first P3KE family (one child no
    longer lives there) and found the DTKS family moved; nobody was home at the P3KE family
    a day later."""
    await database.run(p3ke_file(tmp_path / "p3ke.xlsx"))
    await database.run(write_csv(tmp_path / "bdt.csv", BDT, ";"))
    async with database.sessionmaker() as session, session.begin():
        volunteer = Account(telegram_id=9102, first_name="Bu Imas", role="psm",
                            area_code="32.16.18.2005", consent="given")  # fmt: skip
        session.add(volunteer)
        await session.flush()
        ids = {h.source_system or "": h.id for h in await session.scalars(select(Household))
               if h.source_household_id != "P3KE-3216-002"}  # fmt: skip
        child = await session.scalar(select(Member.id).where(Member.name == "RIZKY PRATAMA"))
    await _visit(database, volunteer.id, ids["p3ke"], {
        "outcome": "ditemui", "gone": [str(child)], "note": "Atap bocor", "photo": "PHOTO-1"})
    await _visit(database, volunteer.id, ids["p3ke"], {"outcome": "tidak_ada_orang"},
                 NOW + dt.timedelta(days=1))  # fmt: skip
    await _visit(database, volunteer.id, ids["dtks"], {
        "outcome": "pindah", "note": "Pindah ke Karawang", "photo": "PHOTO-2"})
    return {"volunteer": volunteer.id, **ids}


def _rows(path: Path) -> list[dict[str, Any]]:
    rows = list(load_workbook(path).worksheets[0].iter_rows(values_only=True))
    return [dict(zip(rows[0], row, strict=True)) for row in rows[1:]]


@pytest.mark.parametrize("source", ["p3ke", "dtks"])
async def test_verification_results_in_the_lists_own_layout(
    db: Db, fresh_url: str, tmp_path: Path, source: str  # noqa: F811
) -> None:
    await _seed_visited(db, tmp_path)
    path = tmp_path / f"hasil_{source}.xlsx"
    async with db.sessionmaker() as session, session.begin():
        result = await export(session, PROTECTOR, SOURCE_KIND, Filters(source=source), path,
                              bot_username="nirmiskin_bot")  # fmt: skip
    layout = SOURCES[source]
    sheet = load_workbook(path).worksheets[0]
    header = [str(cell.value) for cell in next(sheet.iter_rows(max_row=1))]
    assert header == [*layout.columns, *VERIFICATION_COLUMNS]
    last = get_column_letter(len(header))
    assert (sheet.freeze_panes, sheet.auto_filter.ref) == ("A2", f"A1:{last}1")
    # The file is read again as that list's layout, and imports as it is.
    reading = recognise(header)
    assert reading.layout is not None and reading.layout.name == layout.name
    rows = _rows(path)
    if source == "p3ke":
        assert result.rows == 5  # the two P3KE families' people, the one who left included
        people = {row["Nama"]: row for row in rows}
        ahmad, rizky = people["AHMAD SURYADI"], people["RIZKY PRATAMA"]
        assert (ahmad["ID Keluarga P3KE"], ahmad["Kode Kemdagri"], ahmad["Kecamatan"],
                ahmad["Desa/Kelurahan"]) == ("P3KE-3216-001", "3216182005", "SETU", "CIBENING")
        assert (ahmad["NIK"], ahmad["No KK"], ahmad["Padan Dukcapil"], ahmad["Jenis Kelamin"],
                ahmad["Hubungan dengan Kepala Keluarga"], ahmad["Desil Kesejahteraan"]) == (
            HEAD_NIK, None, "Padan", "Laki-laki", "Kepala Keluarga", 1)  # fmt: skip
        assert ahmad["Tanggal Lahir"] == dt.datetime(1978, 5, 12)
        # Met on the 20th (nobody was home on the 21st: the latest visit, not a result).
        assert (ahmad["Hasil Verifikasi"], ahmad["Status Keluarga"], ahmad["Status Anggota"]) == (
            "terverifikasi", "aktif", "tinggal")  # fmt: skip
        assert (ahmad["Tanggal Kunjungan Terakhir"], ahmad["Hasil Kunjungan"],
                ahmad["Pendamping"]) == (dt.datetime(2026, 11, 21), "tidak ada orang di rumah",
                                         "Bu Imas (PSM)")  # fmt: skip
        assert (rizky["Status Anggota"], rizky["Keterangan"]) == (
            "tidak tinggal lagi", "keluar dari keluarga 20/11/2026")  # fmt: skip
        assert people["SARINAH"]["Hasil Verifikasi"] == "menunggu"
        assert ahmad["Foto Kunjungan"] is None  # the latest visit (nobody home) took none
        nik_cell = next(r[header.index("NIK")] for r in sheet.iter_rows(min_row=2))
        assert nik_cell.number_format == "@"
    else:
        assert result.rows == 3
        people = {row["Nama"]: row for row in rows}
        darman = people["DARMAN"]
        assert (darman["IDBDT"], darman["KDPROP"], darman["KDKAB"], darman["KDKEC"],
                darman["NMKEC"], darman["NMDESA"]) == (None, "32", "16", "010", "SETU",
                                                       "CIBENING")  # fmt: skip
        assert (darman["NoKK"], darman["JnsKel"], darman["Hub_KRT"], darman["Sta_kawin"]) == (
            "3216181002150007", 1, 1, "2")  # fmt: skip
        assert (people["EUIS"]["Hub_KRT"], people["BAYI DARMAN"]["NIK"]) == (2, None)
        assert (darman["Hasil Verifikasi"], darman["Status Keluarga"],
                darman["Hasil Kunjungan"], darman["Keterangan"]) == (
            "terverifikasi", "pindah", "pindah", "Pindah ke Karawang")  # fmt: skip
        link = darman["Foto Kunjungan"]
        assert link.startswith("https://t.me/nirmiskin_bot?start=foto_kunjungan_")
        cell = next(r[header.index("Foto Kunjungan")] for r in sheet.iter_rows(min_row=2))
        assert cell.hyperlink is not None and cell.hyperlink.target == link
    fresh = Db(fresh_url)
    try:
        plan = await plan_file(path, fresh.sessionmaker)
        plan.close()
        assert [sheet.label for sheet in plan.sheets] == [f"{SOURCE_KIND} ({layout.name})"]
        summary = await fresh.run(path, rejected_path=tmp_path / "r.xlsx")
        assert (summary.rows, summary.rejected, summary.added) == (result.rows, 0, result.rows)
        async with fresh.sessionmaker() as session:
            systems = set(await session.scalars(select(Household.source_system)))
        assert systems == {source}
    finally:
        await fresh.engine.dispose()


async def test_families_moved_died_or_not_found(db: Db, tmp_path: Path) -> None:  # noqa: F811
    ids = await _seed_visited(db, tmp_path)
    path = tmp_path / "status.xlsx"
    async with db.sessionmaker() as session, session.begin():
        # The audit entry says when the status was set (the visit was recorded "now" in the
        # test's calendar; the entry at the machine's time): pin it to the visit's day.
        await session.execute(update(AuditLog).where(
            AuditLog.action == "household.status_changed").values(at=NOW))  # fmt: skip
        result = await export(session, PROTECTOR, "status_keluarga", Filters(), path)
    assert result.rows == 1  # the DTKS family moved; the P3KE family was met
    (row,) = _rows(path)
    assert (row["no_kk"], row["kepala_keluarga"], row["kecamatan"], row["desa"]) == (
        "3216181002150007", "DARMAN", "Setu", "Cibening")  # fmt: skip
    assert (row["status"], row["status_sejak"], row["diubah_oleh"]) == (
        "pindah", dt.datetime(2026, 11, 20, 10, 0), "PSM")  # in WIB, a role, not a person
    assert (row["hasil_kunjungan"], row["catatan_kunjungan"]) == ("pindah", "Pindah ke Karawang")
    assert row["foto_kunjungan"] == f"/start foto_kunjungan_{_visit_id(row)}"  # no bot name
    kk_cell = next(load_workbook(path).worksheets[0].iter_rows(min_row=2))[0]
    assert kk_cell.number_format == "@"
    async with db.sessionmaker() as session, session.begin():
        await session.execute(update(Household).where(Household.id == ids["p3ke"])
                              .values(status="meninggal"))  # fmt: skip
        later = Filters(date_from=dt.date(2026, 11, 21))
        assert (await export(session, PROTECTOR, "status_keluarga", later, path)).rows == 0
        # Set without a visit (by hand): listed, when and by whom unknown.
        assert (await export(session, PROTECTOR, "status_keluarga", Filters(), path)).rows == 2
    by_kk = {row["id_keluarga_sumber"]: row for row in _rows(path)}
    assert (by_kk["P3KE-3216-001"]["status"], by_kk["P3KE-3216-001"]["status_sejak"]) == (
        "meninggal", None)  # fmt: skip


def _visit_id(row: dict[str, Any]) -> str:
    return str(row["foto_kunjungan"]).rsplit("_", 1)[-1]
