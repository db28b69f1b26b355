"""Importing the lists Dinsos actually receives (docs/domain.md §9), each generated here in its
own layout with the values real files hold, bad optional values and a second sheet; on SQLite
and PostgreSQL."""

from __future__ import annotations

import csv
import datetime as dt
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest
from openpyxl import Workbook, load_workbook
from sqlalchemy import select

from db.migrate import upgrade
from db.models.households import AidProgram, Household, HouseholdProgram, Member, Region
from db.models.imports import ImportMapping
from services.bnba_file import FileProblem
from services.import_mappings import Choice
from tests.db.test_bnba_import import PROTECTOR, Db, rejected_rows

HEAD_NIK, WIFE_NIK, CHILD_NIK, OTHER_NIK = (
    "3216181205780003", "3216186308820002", "3216180401050001", "3216185911100002")  # fmt: skip


@pytest.fixture
async def db(database_url: str) -> AsyncIterator[Db]:
    database = Db(database_url)
    await upgrade(database.engine)
    yield database
    await database.engine.dispose()


def xlsx(path: Path, sheets: dict[str, list[list[Any]]]) -> Path:
    book = Workbook()
    book.remove(book.active)
    for title, rows in sheets.items():
        sheet = book.create_sheet(title)
        for row in rows:
            sheet.append(row)
    book.save(path)
    return path


def write_csv(path: Path, rows: list[list[Any]], delimiter: str = ",") -> Path:
    with path.open("w", encoding="utf-8", newline="") as handle:
        csv.writer(handle, delimiter=delimiter).writerows(rows)
    return path


async def households(database: Db) -> list[Household]:
    async with database.sessionmaker() as session:
        return list(await session.scalars(select(Household).order_by(Household.id)))


async def members_of(database: Db, household_id: int) -> dict[str, Member]:
    async with database.sessionmaker() as session:
        found = await session.scalars(select(Member).where(Member.household_id == household_id))
        return {m.name: m for m in found}


async def programs_of(database: Db, household_id: int) -> set[str]:
    async with database.sessionmaker() as session:
        return set(await session.scalars(
            select(AidProgram.code).join(HouseholdProgram)
            .where(HouseholdProgram.household_id == household_id)
        ))  # fmt: skip


KELUARGA = ["ID Keluarga P3KE", "Provinsi", "Kabupaten/Kota", "Kecamatan", "Desa/Kelurahan",
            "Kode Kemdagri", "Desil Kesejahteraan", "Persentil", "Alamat", "Kepala Keluarga",
            "NIK", "Padan Dukcapil", "Jenis Kelamin", "Tanggal Lahir", "Pekerjaan", "Pendidikan",
            "Atap", "Dinding", "Lantai", "Penerangan", "Bahan Bakar", "Air Minum", "BAB",
            "Penerima BPNT", "Penerima BST", "Penerima PKH"]  # fmt: skip
INDIVIDU = ["ID Keluarga P3KE", "Kecamatan", "Desa/Kelurahan", "Kode Kemendagri",
            "Desil Kesejahteraan", "ID Individu", "Nama Lengkap", "NIK", "Padan Dukcapil",
            "Jenis Kelamin", "Hubungan dengan Kepala Keluarga", "Tanggal Lahir", "Setatus Kawin",
            "Pekerjaan", "Pendidikan", "Usia 7 sd 12", "Penerima PKH"]  # fmt: skip


def p3ke_file(path: Path) -> Path:
    keluarga = [
        KELUARGA,
        ["P3KE-3216-001", "JAWA BARAT", "KAB. BEKASI", "SETU", "CIBENING", "3216182005", 1, 7,
         "KP. CIBENING", "AHMAD SURYADI", int(HEAD_NIK), "Padan", "Laki-laki",
         "12/05/1978 0:00:00", "BURUH HARIAN LEPAS", "SD", "Seng", "Bambu", "Tanah",
         "PLN tanpa meteran", "Kayu bakar", "Sumur tak terlindung", "Tidak ada", "Ya", "Ya",
         "Tidak"],
        # A bad desil, a bad flag: dropped, the family imported.
        ["P3KE-3216-002", "JAWA BARAT", "KAB. BEKASI", "SETU", "CIBENING", "32.16.18.2005",
         "sebelas", 30, "KP. CIBENING 2", "SARINAH", "`3216185010550001", "Tidak Padan",
         "Perempuan", "10/10/1955 0:00:00", "-", "Tidak Sekolah", "Genteng", "Tembok", "Semen",
         "PLN", "Gas", "Leding", "Sendiri", "Tidak", "mungkin", "Tidak"],
    ]  # fmt: skip
    individu = [
        INDIVIDU,
        ["P3KE-3216-001", "SETU", "CIBENING", "3216182005", 1, "IND-1", "AHMAD SURYADI",
         f"{HEAD_NIK}.0", "Padan", "LAKI-LAKI", "Kepala Keluarga", dt.datetime(1978, 5, 12),
         "Kawin", "BURUH", "SD", "Tidak", "Ya"],
        ["P3KE-3216-001", "SETU", "CIBENING", "3216182005", 1, "IND-2", "SITI AMINAH",
         f"`{WIFE_NIK}", "Padan", "Perempuan", "Istri", "23/8/1982 12:00:00", "Kawin",
         "MENGURUS RUMAH TANGGA", "SD", "Tidak", "Ya"],
        ["P3KE-3216-001", "SETU", "CIBENING", "3216182005", 1, "IND-3", "RIZKY PRATAMA",
         CHILD_NIK, "Tidak Padan", "X", "Anak", 38356, "Belum Kawin", "PELAJAR", "SMA",
         "Tidak", "Ya"],  # a bad sex: dropped
        ["P3KE-3216-001", "SETU", "CIBENING", "3216182005", 1, "IND-4", "NUR AISYAH",
         float(OTHER_NIK), "Padan", "P", "Lainnya", "kemarin", "Belum Kawin", "", "", "Ya",
         "Ya"],  # a bad date: dropped
    ]  # fmt: skip
    return xlsx(path, {"Keluarga": keluarga, "Individu": individu, "Catatan": [["Sumber"]]})


async def test_p3ke_keluarga_and_individu_sheets_are_one_list(db: Db, tmp_path: Path):
    summary = await db.run(p3ke_file(tmp_path / "p3ke.xlsx"), rejected_path=tmp_path / "r.xlsx")
    assert summary.sheets == ["Keluarga (P3KE Keluarga)", "Individu (P3KE Individu)"]
    assert summary.skipped == ["Catatan"]
    assert (summary.rows, summary.rejected, summary.households_added) == (6, 0, 2)
    assert summary.added == 5  # the head is on both sheets: one person
    first, second = await households(db)
    assert (first.kk_hash, first.kk_masked, first.source_system, first.source_household_id) == (
        None, None, "p3ke", "P3KE-3216-001")  # fmt: skip
    assert (first.desa_code, first.desil, first.roof, first.walls, first.floor) == (
        "32.16.18.2005", 1, "Seng", "Bambu", "Tanah")  # fmt: skip
    assert (first.toilet, first.cooking_fuel) == ("Tidak ada", "Kayu bakar")
    assert first.source_programs == "Penerima BPNT, Penerima BST, Penerima PKH"
    assert await programs_of(db, first.id) == {"BPNT", "LAINNYA", "PKH"}
    people = await members_of(db, first.id)
    assert set(people) == {"AHMAD SURYADI", "SITI AMINAH", "RIZKY PRATAMA", "NUR AISYAH"}
    head, wife = people["AHMAD SURYADI"], people["SITI AMINAH"]
    assert (head.relationship_to_head, head.sex, head.birth_date, head.padan_dukcapil) == (
        "kepala", "L", dt.date(1978, 5, 12), True)  # fmt: skip
    assert head.occupation == "BURUH"  # the Individu sheet came second
    assert PROTECTOR.decrypt(head.nik_encrypted or "") == HEAD_NIK
    assert (wife.relationship_to_head, wife.birth_date, wife.marital_status) == (
        "istri", dt.date(1982, 8, 23), "Kawin")  # fmt: skip
    child = people["RIZKY PRATAMA"]
    assert (child.sex, child.birth_date, child.padan_dukcapil) == (None, dt.date(2005, 1, 4),
                                                                   False)  # fmt: skip
    assert people["NUR AISYAH"].birth_date is None
    assert (second.desil, second.source_programs) == (None, None)
    assert summary.rejected_file is not None
    book = load_workbook(summary.rejected_file)
    assert [sheet.title for sheet in book.worksheets] == ["sheet_title - Keluarga",
                                                          "sheet_title - Individu"]
    found = {(sheet.title.split(" - ")[1], row[0]): row[-1]
             for sheet in book.worksheets for row in list(sheet.iter_rows(values_only=True))[1:]}
    assert found == {("Keluarga", 3): "value_dropped; value_dropped",
                     ("Individu", 4): "value_dropped", ("Individu", 5): "value_dropped"}
    assert HEAD_NIK not in str(found)

    # Again: nothing changes. Then the office adds the KK: the same household gets it.
    db.writes.clear()
    again = await db.run(p3ke_file(tmp_path / "p3ke.xlsx"))
    assert (again.added, again.updated, again.households_added) == (0, 0, 0)
    assert db.writes == []
    with_kk = [[*KELUARGA, "No KK"]]
    with_kk.append(["P3KE-3216-001", "", "", "SETU", "CIBENING", "3216182005", 1, 7, "",
                    "AHMAD SURYADI", HEAD_NIK, "", "", "", "", "", "", "", "", "", "", "", "",
                    "", "", "", "3216181503120001"])  # fmt: skip
    later = await db.run(xlsx(tmp_path / "kk.xlsx", {"Keluarga": with_kk}))
    assert (later.households_added, later.households_updated) == (0, 1)
    household = (await households(db))[0]
    assert household.kk_masked == "3216********0001" and household.roof == "Seng"
    assert household.source_household_id == "P3KE-3216-001"


async def test_bdt_with_bps_codes_and_numeric_relations(db: Db, tmp_path: Path):
    rows = [
        ["IDBDT", "IDARTBDT", "KDPROP", "KDKAB", "KDKEC", "KDDESA", "NMDESA", "Nama", "JnsKel",
         "TglLahir", "Hub_KRT", "NIK", "NoKK", "Sta_kawin", "percentile"],
        ["BDT1", "ART1", "32", "16", "010", "005", "CIBENING", "AHMAD", "1", "1978-05-12", "1",
         HEAD_NIK, "3216181503120001", "2", "5"],
        ["BDT1", "ART2", "32", "16", "010", "005", "CIBENING", "SITI", "2", "1982-08-23", "2",
         WIFE_NIK, "3216181503120001", "2", "5"],
        ["BDT1", "ART3", "32", "16", "010", "005", "CIBENING", "RIZKY", "1", "04/01/2005", "3",
         CHILD_NIK, "3216181503120001", "1", "5"],
    ]  # fmt: skip
    summary = await db.run(write_csv(tmp_path / "bdt.csv", rows, ";"))
    assert (summary.added, summary.rejected, summary.warnings) == (3, 0, 0)
    (household,) = await households(db)
    assert (household.kecamatan_code, household.desa_code) == ("32.16.18", "32.16.18.2005")
    # IDBDT is a rumah tangga (it may hold several KK): the KK keys this family.
    assert household.source_household_id is None and household.kk_hash is not None
    people = await members_of(db, household.id)
    assert [people[n].relationship_to_head for n in ("AHMAD", "SITI", "RIZKY")] == [
        "kepala", "istri", "anak"]  # fmt: skip
    assert (people["SITI"].sex, people["RIZKY"].birth_date) == ("P", dt.date(2005, 1, 4))


async def test_regsosek_with_fuzzy_desa_and_programme_flags(db: Db, tmp_path: Path):
    rows = [
        ["nomor_induk_kependudukan", "nomor_kartu_keluarga", "nama", "status_hubungan_keluarga",
         "jenis_kelamin", "tanggal_lahir", "desil_nasional", "kecamatan", "desa", "rt", "rw",
         "penerima_pkh", "penerima_bpnt"],
        [HEAD_NIK, "3216181503120001", "AHMAD", "1", "1", "1978-05-12", "3", "Setu",
         "Ragamanunggal", "1", "3", "1", "2"],
        [WIFE_NIK, "3216181503120001", "SITI", "2", "2", "1982-08-23", "3", "Setu",
         "Ragamanunggal", "1", "3", "1", "2"],
    ]  # fmt: skip
    summary = await db.run(write_csv(tmp_path / "regsosek.csv", rows))
    assert (summary.added, summary.rejected) == (2, 0)
    (household,) = await households(db)
    assert (household.desa_code, household.desil, household.rt, household.rw) == (
        "32.16.18.2009", 3, "001", "003")  # Ragemanunggal since 2025  # fmt: skip
    assert await programs_of(db, household.id) == {"PKH"}


async def test_siks_ng_export_with_backticks_and_no_relation(db: Db, tmp_path: Path):
    rows = [
        ["Nama", "NIK", "NO KK", "Alamat", "Provinsi", "Kabupaten/Kota", "Kecamatan",
         "Desa/Kelurahan", "Atensi", "BLT", "PKH", "RUTILAHU", "YAPI"],
        ["AHMAD SURYADI", f"`{HEAD_NIK}", "`3216181503120001", "KP. CIBENING", "JAWA BARAT",
         "BEKASI", "SETU", "CIBENING", "TIDAK", "YA", "YA", "TIDAK", "TIDAK"],
        ["SITI AMINAH", f"`{WIFE_NIK}", "`3216181503120001", "KP. CIBENING", "JAWA BARAT",
         "BEKASI", "SETU", "CIBENING", "TIDAK", "YA", "YA", "TIDAK", "YA"],
    ]  # fmt: skip
    summary = await db.run(write_csv(tmp_path / "siks.csv", rows))
    assert (summary.added, summary.rejected, summary.warnings) == (2, 0, 0)
    (household,) = await households(db)
    assert await programs_of(db, household.id) == {"BLT", "LAINNYA", "PKH"}
    people = await members_of(db, household.id)
    assert {m.relationship_to_head for m in people.values()} == {"belum_diketahui"}


async def test_kemensos_kpm_list(db: Db, tmp_path: Path):
    rows = [
        ["NAMA_PENERIMA", "NOMOR_KARTU", "NIK_KTP", "NOKK_DTKS", "IDARTBDT", "NMPROP", "NMKAB",
         "NMKEC", "NMKEL", "ALAMAT", "KET_TAMBAHAN"],
        ["SARINAH", "6013010112345678", 3216185010550001, "3.21618E+15", "A1", "JAWA BARAT",
         "BEKASI", "SETU", "CIBENING", "KP. CIBENING", "CLEAN"],
        ["SITI", "6013010112345679", WIFE_NIK, 3216181503120001, "A2", "JAWA BARAT", "BEKASI",
         "SETU", "CIBENING", "KP. CIBENING", "CLEAN"],
    ]  # fmt: skip
    summary = await db.run(xlsx(tmp_path / "kpm.xlsx", {"Sheet1": rows}),
                           rejected_path=tmp_path / "r.xlsx")  # fmt: skip
    # Excel rounded Sarinah's KK and the list has no other household key: refused.
    assert (summary.added, summary.rejected) == (1, 1)
    assert rejected_rows(summary.rejected_file) == {2: ("status_rejected", "excel_number")}


async def test_our_template_keeps_a_family_whose_optional_values_are_bad(db: Db, tmp_path: Path):
    header = ["no_kk", "nik", "nama", "hubungan", "jenis_kelamin", "tanggal_lahir", "alamat",
              "RT/RW", "kecamatan", "desa", "program", "telepon"]  # fmt: skip
    rows = [header]
    for kk, phone in (("3216181503120001", "-"), ("3216181503120002", "0"),
                      ("3216181503120003", "tidak ada"),
                      ("3216181503120004", "0812345678901 / 081298765432")):  # fmt: skip
        serial = kk[-1]
        rows.append([kk, f"321618120578000{serial}", "KEPALA", "Kepala Keluarga", "L",
                     "12/05/1978 0:00:00", "Kp. 1", "1/03", "Setu", "Cibening", "PKH", phone])
        rows.append([kk, f"321618630882000{serial}", "ISTRI", "Istri", "P", "1982-08-23",
                     "Kp. 1", "001/003", "Setu", "Cibening", "PKH", ""])
    path = write_csv(tmp_path / "ours.csv", rows)
    summary = await db.run(path, rejected_path=tmp_path / "r.xlsx")
    assert (summary.added, summary.rejected, summary.households_added) == (8, 0, 4)
    assert summary.warnings == 3  # "-" means nothing; "0", "tidak ada", two numbers dropped
    first = (await households(db))[0]
    assert (first.rt, first.rw, first.phone) == ("001", "003", None)
    reasons = rejected_rows(summary.rejected_file)
    assert {status for status, _r in reasons.values()} == {"status_warning"}


async def test_numeric_relations_are_never_guessed(db: Db, tmp_path: Path):
    rows = [["no_kk", "nik", "nama", "shdk", "desa", "kecamatan"],
            ["3216181503120001", HEAD_NIK, "AHMAD", "1", "Cibening", "Setu"],
            ["3216181503120001", WIFE_NIK, "SITI", "3", "Cibening", "Setu"]]  # fmt: skip
    path = write_csv(tmp_path / "kk.csv", rows)
    with pytest.raises(FileProblem) as problem:
        await db.run(path)
    assert (problem.value.code, problem.value.params) == ("relation_codes_needed",
                                                          {"column": "shdk"})  # fmt: skip
    summary = await db.run(path, choice=Choice({}, relation_codes="dukcapil"))
    assert summary.added == 2
    (household,) = await households(db)
    assert (await members_of(db, household.id))["SITI"].relationship_to_head == "istri"
    # Remembered for files with the same headers: the next one imports without asking.
    again = await db.run(path)
    assert again.unchanged == 2


async def test_a_mapping_by_hand_is_remembered(db: Db, tmp_path: Path):
    rows = [["Nomor Keluarga", "Nomor Identitas", "Nama Warga", "Kelurahan Domisili", "Kec."],
            ["3216181503120001", HEAD_NIK, "AHMAD", "Cibening", "Setu"]]  # fmt: skip
    path = write_csv(tmp_path / "lain.csv", rows)
    with pytest.raises(FileProblem) as problem:
        await db.run(path)
    assert problem.value.params["missing"] == "nik, no_kk, desa"
    mapping = {"no_kk": "Nomor Keluarga", "nik": "Nomor Identitas", "nama": "Nama Warga",
               "desa": "Kelurahan Domisili"}  # fmt: skip
    summary = await db.run(path, choice=Choice(mapping))
    assert summary.added == 1
    async with db.sessionmaker() as session:
        stored = await session.scalar(select(ImportMapping))
    assert stored is not None and stored.mapping == mapping
    assert (await db.run(path)).unchanged == 1


async def test_bdt_with_bps_desa_codes_only(db: Db, tmp_path: Path):
    """BDT gives the desa as KDDESA within KDKEC, in BPS numbers (Setu is 010 in BPS, 32.16.18
    for Kemendagri): with no desa name, the code finds it; a 10-digit BPS code too; a name that
    does not exist falls back on the code."""
    rows = [
        ["IDBDT", "IDARTBDT", "KDKEC", "KDDESA", "Nama", "Hub_KRT", "NIK", "NoKK"],
        ["BDT1", "ART1", "010", "009", "AHMAD", "1", HEAD_NIK, "3216181503120001"],
        ["BDT2", "ART2", "3216082", "3", "SITI", "1", WIFE_NIK, "3216181503120002"],
        ["BDT3", "ART3", "", "3216010001", "RIZKY", "1", CHILD_NIK, "3216181503120003"],
    ]  # fmt: skip
    summary = await db.run(write_csv(tmp_path / "bdt_kode.csv", rows, ";"))
    assert (summary.added, summary.rejected) == (3, 0)
    places = {h.kk_masked: (h.kecamatan_code, h.desa_code) for h in await households(db)}
    async with db.sessionmaker() as session:
        names = {code: await session.scalar(select(Region.name).where(Region.code == code))
                 for _kec, code in places.values()}  # fmt: skip
    # BPS 3216010009 is Cibening (Setu); 3216082003 is Jejalenjaya (Tambun Utara, 32.16.05).
    setu, tambun = places["3216********0001"], places["3216********0002"]
    assert setu[0] == "32.16.18" and names[setu[1]] == "Cibening"
    assert tambun[0] == "32.16.05" and names[tambun[1]] == "Jejalenjaya"
    ten_digits = places["3216********0003"]  # 3216010001: Ragemanunggal, Setu
    assert ten_digits[0] == "32.16.18" and names[ten_digits[1]] == "Ragemanunggal"
