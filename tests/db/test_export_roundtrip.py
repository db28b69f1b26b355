"""The person-level BNBA export (`bnba`) imports again as it is: a seeded database exported
and imported into a fresh one gives the same households and members, field by field
(families keyed by KK and by a list's own id, a member who left, desil, Padan Dukcapil, the
list's programme names, the house); imported back into the same database it changes
nothing. On SQLite and PostgreSQL."""

from __future__ import annotations

import csv
import datetime as dt
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from openpyxl import load_workbook
from sqlalchemy import select, update

from db.models.households import AidProgram, Household, HouseholdProgram, Member
from domain.dates import WIB
from services.export import Filters, export
from services.export_people import BNBA_COLUMNS
from services.source_layouts import recognise
from tests.databases import ensure_migrated_sqlite
from tests.db.test_bnba_import import PROTECTOR, SAMPLE, Db, rejected_rows
from tests.db.test_source_import import db, p3ke_file, write_csv  # noqa: F401  (the fixture)

LEFT_ON = dt.datetime(2026, 11, 2, 3, 30, tzinfo=dt.UTC)  # 10.30 WIB
HOUSEHOLD_FIELDS = (
    "kk_masked", "address", "rt", "rw", "desa_code", "kecamatan_code", "phone", "desil",
    "source_system", "source_household_id", "source_programs", "roof", "walls", "floor",
    "lighting", "cooking_fuel", "drinking_water", "toilet",
)  # fmt: skip
MEMBER_FIELDS = (
    "nik_masked", "name", "relationship_to_head", "sex", "birth_date", "severe_disability",
    "in_school", "padan_dukcapil", "occupation", "education", "marital_status", "left_reason",
)  # fmt: skip
BDT = [
    ["IDBDT", "IDARTBDT", "KDPROP", "KDKAB", "KDKEC", "KDDESA", "NMDESA", "Nama", "JnsKel",
     "TglLahir", "Hub_KRT", "NIK", "NoKK", "Sta_kawin", "percentile"],
    ["BDT9", "ART1", "32", "16", "010", "005", "CIBENING", "DARMAN", "1", "1970-01-10", "1",
     "3216181001700001", "3216181002150007", "2", "5"],
    ["BDT9", "ART2", "32", "16", "010", "005", "CIBENING", "EUIS", "2", "1975-03-12", "2",
     "3216185203750002", "3216181002150007", "2", "5"],
    # A baby without a NIK yet: the person is known by name within the family.
    ["BDT9", "ART3", "32", "16", "010", "005", "CIBENING", "BAYI DARMAN", "1", "2026-01-05",
     "3", "", "3216181002150007", "1", "5"],
]  # fmt: skip


@pytest.fixture
def fresh_url(database_url: str, request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """A second empty, migrated database of the same kind as ``database_url``."""
    if database_url.startswith("sqlite"):
        url = f"sqlite+aiosqlite:///{tmp_path / 'fresh.db'}"
        ensure_migrated_sqlite(url)
        yield url
        return
    databases = request.getfixturevalue("pg_databases")
    url = databases.take()
    yield url
    databases.give_back(url)


async def seed(database: Db, tmp_path: Path) -> None:
    """P3KE families without KK, our template's families (not the P3KE family's people, who
    are the sample's first KK), a DTKS family; then two people leave."""
    await database.run(p3ke_file(tmp_path / "p3ke.xlsx"))
    with SAMPLE.open(encoding="utf-8", newline="") as handle:
        rows = [row for row in csv.reader(handle) if row[0] != "3216181503120001"]
    await database.run(write_csv(tmp_path / "bnba.csv", rows))
    await database.run(write_csv(tmp_path / "bdt.csv", BDT, ";"))
    async with database.sessionmaker() as session, session.begin():
        for name, reason in (("RIZKY PRATAMA", "tidak_tinggal"), ("Andi Wijaya", "pindah")):
            await session.execute(update(Member).where(Member.name == name).values(
                left_at=LEFT_ON, left_reason=reason))  # fmt: skip


async def snapshot(database: Db) -> dict[str, Any]:
    """Every household and member as the list's data, keyed by KK or the list's id and by NIK
    or name (ids and times of writing differ between two databases)."""
    out: dict[str, Any] = {}
    async with database.sessionmaker() as session:
        programs: dict[int, set[str]] = {}
        for household_id, code in await session.execute(
            select(HouseholdProgram.household_id, AidProgram.code).join(AidProgram)
        ):
            programs.setdefault(household_id, set()).add(code)
        for household in await session.scalars(select(Household)):
            kk = PROTECTOR.decrypt(household.kk_encrypted) if household.kk_encrypted else None
            key = kk or f"{household.source_system}:{household.source_household_id}"
            people = {}
            for member in await session.scalars(
                select(Member).where(Member.household_id == household.id)
            ):
                nik = PROTECTOR.decrypt(member.nik_encrypted) if member.nik_encrypted else None
                left = member.left_at.astimezone(WIB).date() if member.left_at else None
                people[nik or "name:" + member.name] = (
                    nik,
                    left,
                    *(getattr(member, f) for f in MEMBER_FIELDS),
                )
            out[key] = (kk, programs.get(household.id, set()), people,
                        *(getattr(household, f) for f in HOUSEHOLD_FIELDS))  # fmt: skip
    return out


async def test_bnba_export_imports_again_as_it_is(
    db: Db,  # noqa: F811  (the fixture)
    fresh_url: str,
    tmp_path: Path,
) -> None:
    await seed(db, tmp_path)
    before = await snapshot(db)
    # What the seed holds: two families keyed by P3KE's id, four by KK (one of them DTKS's).
    assert sorted(before) == [
        "3216062007150004",
        "3216181002150007",
        "3216182505190003",
        "3216201011180002",
        "p3ke:P3KE-3216-001",
        "p3ke:P3KE-3216-002",
    ]
    assert before["3216181002150007"][3 + HOUSEHOLD_FIELDS.index("source_system")] == "dtks"
    path = tmp_path / "bnba_export.xlsx"
    async with db.sessionmaker() as session, session.begin():
        result = await export(session, PROTECTOR, "bnba", Filters(), path, via="test")
    assert (result.rows, result.unreadable) == (18, [])

    sheet = load_workbook(path).worksheets[0]
    rows = list(sheet.iter_rows(values_only=True))
    assert list(rows[0]) == BNBA_COLUMNS
    reading = recognise([str(h) for h in rows[0]])
    assert reading.layout is not None and reading.layout.name == "Nirmiskin (BNBA)"
    assert reading.missing() == []
    by_name = {row[2]: dict(zip(rows[0], row, strict=True)) for row in rows[1:]}
    rizky = by_name["RIZKY PRATAMA"]
    assert (rizky["no_kk"], rizky["id_keluarga_sumber"], rizky["daftar_sumber"]) == (
        None, "P3KE-3216-001", "P3KE")  # fmt: skip
    assert (rizky["hubungan"], rizky["padan_dukcapil"], rizky["desil"]) == (
        "anak",
        "Tidak Padan",
        1,
    )
    assert (rizky["keluar_pada"], rizky["alasan_keluar"]) == (
        dt.datetime(2026, 11, 2),
        "tidak tinggal lagi",
    )
    assert by_name["AHMAD SURYADI"]["program_menurut_daftar"] == (
        "Penerima BPNT, Penerima BST, Penerima PKH"
    )
    assert by_name["Budi Santoso"]["telepon"] == "+6285711223344"
    nik_cell = next(r[1] for r in sheet.iter_rows(min_row=2) if r[2].value == "Budi Santoso")
    assert nik_cell.value == "3216060202700005" and nik_cell.number_format == "@"
    born = next(r[5] for r in sheet.iter_rows(min_row=2) if r[2].value == "Budi Santoso")
    assert born.is_date and born.number_format == "DD/MM/YYYY"

    fresh = Db(fresh_url)
    try:
        summary = await fresh.run(path, rejected_path=tmp_path / "r.xlsx")
        assert (summary.rows, summary.rejected, summary.added) == (18, 0, 18)
        assert summary.households_added == 6
        assert await snapshot(fresh) == before
    finally:
        await fresh.engine.dispose()

    # Into the database it came from: the same data, nothing to change.
    again = await db.run(path)
    assert (again.added, again.updated, again.rejected) == (0, 0, 0)
    assert (again.households_added, again.households_updated) == (0, 0)
    assert await snapshot(db) == before


async def test_the_exports_own_columns_when_typed_by_hand(
    db: Db,  # noqa: F811  (the fixture)
    tmp_path: Path,
) -> None:
    """A bad value in the columns only our export writes is dropped with a warning, like any
    other optional value: the family is imported."""
    header = ["no_kk", "nik", "nama", "hubungan", "kode_desa", "daftar_sumber", "keluar_pada",
              "alasan_keluar"]  # fmt: skip
    rows = [
        header,
        ["3216181503120001", "3216181205780003", "AHMAD", "kepala keluarga", "32.16.18.2005",
         "Dinsos", "", ""],
        ["3216181503120001", "3216186308820002", "SITI", "istri", "32.16.18.2005", "", "",
         "pindah"],
        ["3216181503120001", "3216180401050001", "RIZKY", "anak", "32.16.18.2005", "",
         "01-01-2099", "menikah"],
        ["3216181503120001", "3216185911100002", "NUR", "anak", "32.16.18.2005", "",
         "02-11-2026", "kabur"],
    ]  # fmt: skip
    summary = await db.run(write_csv(tmp_path / "tangan.csv", rows),
                           rejected_path=tmp_path / "r.xlsx")  # fmt: skip
    assert (summary.added, summary.rejected, summary.warnings) == (4, 0, 4)
    warned = {row: reasons for row, (_status, reasons) in rejected_rows(
        summary.rejected_file).items()}  # fmt: skip
    assert warned == {2: "value_dropped", 3: "value_dropped",
                      4: "value_dropped; value_dropped", 5: "value_dropped"}  # fmt: skip
    household = await db.household("3216181503120001")
    assert household.source_system is None  # "Dinsos" is no list: our own template's
    nur = await db.member("3216185911100002")
    assert (nur.left_at, nur.left_reason) == (
        dt.datetime(2026, 11, 1, 17, 0, tzinfo=dt.UTC),
        None,
    )  # 2 November, 00.00 WIB
    rizky = await db.member("3216180401050001")
    assert (rizky.left_at, rizky.left_reason) == (None, None)  # a day to come, and its reason
