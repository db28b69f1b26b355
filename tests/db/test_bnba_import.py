"""BNBA import on SQLite and PostgreSQL: validation, idempotency, what a re-import may change."""

from __future__ import annotations

import csv
import datetime as dt
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest
from openpyxl import Workbook, load_workbook
from sqlalchemy import event, func, select, update

from db.engine import create_engine, create_sessionmaker
from db.migrate import upgrade
from db.models.households import AidProgram, Household, HouseholdProgram, Member
from db.models.system import AuditLog
from db.protect import Protector
from services.bnba_file import COLUMNS, FileProblem
from services.bnba_import import import_file
from tests import ROOT
from tests.conftest import TEST_SECRET

SAMPLE = ROOT / "docs" / "contoh_bnba.csv"
TODAY = dt.date(2026, 11, 23)
PROTECTOR = Protector(TEST_SECRET.encode())


def codes(code: str, params: dict[str, Any]) -> str:
    """Reasons as their codes, so that tests check what was decided, not the wording."""
    return code


class Db:
    def __init__(self, url: str) -> None:
        self.engine = create_engine(url)
        self.sessionmaker = create_sessionmaker(self.engine)
        self.writes: list[str] = []
        event.listen(self.engine.sync_engine, "before_cursor_execute", self._count)

    def _count(self, _conn: Any, _cursor: Any, statement: str, *_args: Any) -> None:
        verb = statement.lstrip().split(" ", 1)[0].upper()
        if verb in ("INSERT", "UPDATE", "DELETE") and "audit_log" not in statement:
            self.writes.append(statement)

    async def run(self, path: Path, **kwargs: Any) -> Any:
        kwargs.setdefault("today", TODAY)
        return await import_file(path, self.sessionmaker, PROTECTOR, codes, **kwargs)

    async def scalar(self, statement: Any) -> Any:
        async with self.sessionmaker() as session:
            return await session.scalar(statement)

    async def member(self, nik: str) -> Member:
        async with self.sessionmaker() as session:
            found = await session.scalar(
                select(Member).where(Member.nik_hash == PROTECTOR.lookup_hash(nik))
            )
            assert found is not None
            return found

    async def household(self, kk: str) -> Household:
        async with self.sessionmaker() as session:
            found = await session.scalar(
                select(Household).where(Household.kk_hash == PROTECTOR.lookup_hash(kk))
            )
            assert found is not None
            return found


@pytest.fixture
async def db(database_url: str) -> AsyncIterator[Db]:
    database = Db(database_url)
    await upgrade(database.engine)
    yield database
    await database.engine.dispose()


def sample_rows() -> list[dict[str, str]]:
    with SAMPLE.open(encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle))


def write_csv(path: Path, rows: list[dict[str, str]], delimiter: str = ",") -> Path:
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=list(rows[0]), delimiter=delimiter)
        writer.writeheader()
        writer.writerows(rows)
    return path


def rejected_rows(path: Path | None) -> dict[int, tuple[str, str]]:
    """{row: (status, reasons)} of a rejected-rows file."""
    assert path is not None
    sheet = load_workbook(path).worksheets[0]
    rows = list(sheet.iter_rows(values_only=True))
    return {int(r[0]): (r[-2], r[-1]) for r in rows[1:]}


async def test_sample_file_imports_and_a_second_import_writes_nothing(db: Db, tmp_path: Path):
    first = await db.run(SAMPLE, rejected_path=tmp_path / "r.xlsx")
    assert (first.rows, first.added, first.rejected, first.warnings) == (14, 14, 0, 0)
    assert first.households_added == 4 and first.rejected_file is None
    head = await db.household("3216181503120001")
    assert (head.source, head.verification, head.kk_masked) == ("bnba", "terdaftar",
                                                                "3216********0001")
    assert (head.desa_code, head.kecamatan_code, head.rt, head.rw) == (
        "32.16.18.2005", "32.16.18", "002", "005")  # fmt: skip
    assert PROTECTOR.decrypt(head.kk_encrypted) == "3216181503120001"
    async with db.sessionmaker() as session:
        programs = set(await session.scalars(
            select(AidProgram.code).join(HouseholdProgram)
            .where(HouseholdProgram.household_id == head.id)
        ))  # fmt: skip
    assert programs == {"BLT", "PKH"}
    siti = await db.member("3216186308820002")
    assert (siti.relationship_to_head, siti.sex, siti.birth_date) == (
        "istri", "P", dt.date(1982, 8, 23))  # fmt: skip
    sarinah = await db.member("3216205010550001")
    assert sarinah.severe_disability is True

    db.writes.clear()
    again = await db.run(SAMPLE)
    assert (again.added, again.updated, again.unchanged, again.rejected) == (0, 0, 14, 0)
    assert again.households_unchanged == 4
    assert db.writes == []  # nothing but the audit entry
    async with db.sessionmaker() as session:
        audits = list(await session.scalars(
            select(AuditLog).where(AuditLog.action == "bnba.imported").order_by(AuditLog.id)
        ))  # fmt: skip
    assert [a.detail["added"] for a in audits] == [14, 0]
    assert all("nik" not in str(a.detail).lower() for a in audits)


async def test_only_identity_rejects_a_row_and_a_bad_optional_value_is_dropped(
    db: Db, tmp_path: Path
):
    rows = sample_rows()
    rows[2]["tanggal_lahir"] = "31-02-2005"  # row 4: not a date: left out, row imported
    rows[3]["nik"] = rows[1]["nik"]  # row 5: the same NIK as row 3
    rows[4]["hubungan"] = "anak"  # row 6: KK 3216062007150004 loses its head: imported, to check
    rows[8]["desa"] = "Atlantis"  # row 10: the head of KK 3216201011180002: no such desa
    rows[12]["nik"] = "3.37406E+15"  # row 14: Excel's rounding
    rows[13]["jenis_kelamin"] = "P"  # row 15: a man's NIK marked P: imported, to check
    path = write_csv(tmp_path / "bnba.csv", rows, delimiter=";")
    summary = await db.run(path, rejected_path=tmp_path / "ditolak.xlsx")
    found = rejected_rows(summary.rejected_file)
    assert found == {
        4: ("status_warning", "value_dropped"),
        5: ("status_rejected", "duplicate_nik"),
        6: ("status_warning", "no_head"),
        10: ("status_rejected", "desa_unknown"),
        11: ("status_warning", "no_head"),
        14: ("status_rejected", "excel_number"),
        15: ("status_warning", "nik_sex_mismatch"),
    }
    assert (summary.added, summary.rejected, summary.warnings) == (11, 3, 4)
    assert summary.households_added == 4
    assert (await db.member(rows[2]["nik"])).birth_date is None
    # The rejected file keeps the original columns, so it can be fixed and imported again.
    header = next(load_workbook(summary.rejected_file).worksheets[0].iter_rows(values_only=True))
    assert list(header[1:-2]) == list(rows[0])


async def test_missing_columns_refuse_the_whole_file(db: Db, tmp_path: Path):
    path = tmp_path / "x.csv"
    path.write_text("no_kk,nik,nama\n3216181503120001,3216181205780003,Ahmad\n")
    with pytest.raises(FileProblem) as problem:
        await db.run(path)
    assert problem.value.code == "columns_missing"
    assert problem.value.params["missing"] == "desa"


async def test_a_reimport_changes_only_what_the_bnba_list_changed(db: Db, tmp_path: Path):
    await db.run(SAMPLE)
    # Since the import: a volunteer verified the household, the resident corrected a name.
    head = await db.household("3216181503120001")
    rizky = await db.member("3216180401050001")
    async with db.sessionmaker() as session, session.begin():
        await session.execute(
            update(Household).where(Household.id == head.id).values(verification="terverifikasi")
        )
        await session.execute(
            update(Member).where(Member.id == rizky.id).values(name="Rizki Pratama")
        )
    same = await db.run(SAMPLE)
    assert same.unchanged == 14
    assert (await db.member("3216180401050001")).name == "Rizki Pratama"

    rows = sample_rows()
    rows[3]["nama"] = "Nur Aisyah Putri"  # the list corrects another person of the family
    for row in rows[:4]:
        row["rt"] = "003"  # and the family's RT
    changed = await db.run(write_csv(tmp_path / "v2.csv", rows))
    assert (changed.added, changed.updated, changed.unchanged) == (0, 1, 13)
    assert changed.households_updated == 1 and changed.households_unchanged == 3
    assert (await db.member("3216180401050001")).name == "Rizki Pratama"  # kept
    assert (await db.member("3216185911100002")).name == "Nur Aisyah Putri"
    household = await db.household("3216181503120001")
    assert (household.rt, household.verification) == ("003", "terverifikasi")


async def test_a_person_on_another_kk_moves_and_split_kk_rows_are_one_family(
    db: Db, tmp_path: Path
):
    await db.run(SAMPLE)
    rows = sample_rows()
    # Dewi Lestari (KK 3216062007150004) now heads her own new KK; its rows are not together.
    dewi = dict(rows[6], no_kk="3216061010200001", hubungan="kepala keluarga")
    child = dict(rows[7], no_kk="3216061010200001", nik="3216061203230001", nama="Raka",
                 tanggal_lahir="12-03-2023", hubungan="anak")  # fmt: skip
    new_rows = [*rows[:6], dewi, rows[7], *rows[8:], child]
    path = write_csv(tmp_path / "moved.csv", new_rows)
    summary = await db.run(path)
    assert (summary.added, summary.updated, summary.unchanged, summary.rejected) == (1, 1, 13, 0)
    # Dewi moved and became a head: her old family changed too.
    assert (summary.households_added, summary.households_updated) == (1, 1)
    moved = await db.member("3216067009990003")
    new_household = await db.household("3216061010200001")
    assert (moved.household_id, moved.relationship_to_head) == (new_household.id, "kepala")
    assert (await db.member("3216061203230001")).household_id == new_household.id
    db.writes.clear()
    again = await db.run(path)
    assert (again.added, again.updated, again.unchanged) == (0, 0, 15)
    assert db.writes == []


async def test_xlsx_with_numbers_and_dates_in_cells(db: Db, tmp_path: Path):
    book = Workbook()
    sheet = book.active
    sheet.append(["No. KK", "NIK", "Nama Lengkap", "SHDK", "JK", "Tgl Lahir", "Alamat", "RT",
                  "RW", "Kec", "Desa/Kelurahan", "Program"])  # fmt: skip
    kk = 3216181503120001
    sheet.append([kk, 3216181205780003, "AHMAD SURYADI", "Kepala Keluarga", "L",
                  dt.datetime(1978, 5, 12), "Kp. 1", 2, 5, "SETU", " cibening ", "pkh"])
    sheet.append([kk, "3216186308820002", "SITI AMINAH", "ISTRI", "perempuan",
                  "23 Agustus 1982", "Kp. 1", 2, 5, "32.16.18", "3216182005", "PKH"])  # fmt: skip
    sheet.append([None] * 12)  # an empty row is skipped
    path = tmp_path / "bnba.xlsx"
    book.save(path)
    summary = await db.run(path)
    assert (summary.rows, summary.added, summary.rejected) == (2, 2, 0)
    head = await db.household("3216181503120001")
    assert (head.rt, head.desa_code) == ("002", "32.16.18.2005")
    assert (await db.member("3216181205780003")).birth_date == dt.date(1978, 5, 12)
    assert await db.scalar(select(func.count()).select_from(Member)) == 2
    assert COLUMNS[0] == "no_kk"


async def test_progress_is_reported_batch_by_batch(db: Db):
    seen: list[int] = []

    async def progress(rows: int) -> None:
        seen.append(rows)

    summary = await db.run(SAMPLE, progress=progress, batch_rows=4)
    assert summary.added == 14
    assert seen == sorted(seen) and seen[-1] == 14 and len(seen) >= 3


async def test_an_import_that_fails_part_way_has_audited_every_batch_it_wrote(db: Db):
    """The database refuses the third batch (as a killed import leaves it): the two batches
    before it are in the database, and so is an audit entry for each of them."""
    inserts = 0

    def fail_third_batch(_conn: Any, _cursor: Any, statement: str, *_args: Any) -> None:
        nonlocal inserts
        if statement.lstrip().upper().startswith("INSERT INTO HOUSEHOLDS"):
            inserts += 1
            if inserts == 3:
                raise RuntimeError("the import process is killed here")

    event.listen(db.engine.sync_engine, "before_cursor_execute", fail_third_batch)
    with pytest.raises(Exception, match="killed here"):
        await db.run(SAMPLE, batch_rows=3)
    event.remove(db.engine.sync_engine, "before_cursor_execute", fail_third_batch)
    async with db.sessionmaker() as session:
        entries = list(await session.scalars(
            select(AuditLog).where(AuditLog.action.like("bnba.%")).order_by(AuditLog.id)
        ))  # fmt: skip
        households = await session.scalar(select(func.count()).select_from(Household))
        members = await session.scalar(select(func.count()).select_from(Member))
    assert households == 2
    assert [(e.action, e.detail["batch"]) for e in entries] == [
        ("bnba.batch_imported", 1), ("bnba.batch_imported", 2)
    ]  # fmt: skip
    assert len({e.detail["import_id"] for e in entries}) == 1
    assert sum(e.detail["households_added"] for e in entries) == households
    assert sum(e.detail["added"] for e in entries) == members

    summary = await db.run(SAMPLE, batch_rows=3)  # run again: the rest is imported
    async with db.sessionmaker() as session:
        last = await session.scalar(
            select(AuditLog).where(AuditLog.action == "bnba.imported")
        )
    assert last is not None and last.detail["batches"] == 4
    assert summary.households_added == 2 and summary.households_unchanged == 2
