"""XLSX exports on SQLite and PostgreSQL, and the `import` / `export` CLI commands."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

import pytest
from openpyxl import load_workbook
from sqlalchemy import select

from bot.cli import main
from db.engine import create_engine, create_sessionmaker
from db.migrate import upgrade
from db.models.accounts import Account
from db.models.aid import Disbursement, DisbursementRecipient, Enrollment, Training
from db.models.broadcasts import Broadcast, Delivery
from db.models.cases import Case, CaseMessage
from db.models.field import FieldVisit, QuickReport, StatusReport
from db.models.households import AidProgram, Household, Member
from db.models.system import AuditLog
from db.protect import Protector
from services.bnba_import import import_file
from services.export import KINDS, Filters, export
from tests import ROOT
from tests.conftest import TEST_SECRET

SAMPLE = ROOT / "docs" / "contoh_bnba.csv"
PROTECTOR = Protector(TEST_SECRET.encode())
UTC = dt.UTC
NOW = dt.datetime(2026, 11, 20, 3, 0, tzinfo=UTC)  # 10.00 WIB
OLD = dt.datetime(2025, 1, 10, 3, 0, tzinfo=UTC)


def sheet_rows(path: Path) -> list[tuple[Any, ...]]:
    return list(load_workbook(path).worksheets[0].iter_rows(values_only=True))


async def _fill(session: Any) -> dict[str, int]:
    """One row of each kind that the other features write, in Setu (now) and Tambun (old)."""
    households = {
        h.desa_code: h for h in await session.scalars(select(Household).order_by(Household.id))
    }
    setu = households["32.16.18.2005"]  # Cibening
    tambun = households["32.16.06.1001"]  # Jatimulya
    head = await session.scalar(
        select(Member).where(
            Member.household_id == setu.id, Member.relationship_to_head == "kepala"
        )
    )
    volunteer = Account(telegram_id=9001, first_name="Bu PSM", role="psm", area_code=setu.desa_code)
    session.add(volunteer)
    await session.flush()
    session.add_all([
        StatusReport(household_id=setu.id, income_monthly=900_000, members_count=4,
                     income_per_person_day=7_500, extreme_poor=True, urgent=True,
                     answers={"work": "buruh_harian", "needs": ["food", "health"],
                              "house_safety": "tidak_aman"}, created_at=NOW),
        StatusReport(household_id=tambun.id, income_monthly=3_000_000, created_at=OLD),
        FieldVisit(household_id=setu.id, volunteer_account_id=volunteer.id, outcome="ditemui",
                   note="rumah bocor", visited_at=NOW),
    ])  # fmt: skip
    training = Training(title="Menjahit", provider="BLK Bekasi", starts_at=NOW, place="Cikarang",
                        capacity=20)  # fmt: skip
    program = await session.scalar(select(AidProgram).where(AidProgram.code == "BLT"))
    disbursement = Disbursement(program_id=program.id, title="BLT tahap 4", amount=600_000,
                                scheduled_at=NOW, place="Balai Desa Cibening")  # fmt: skip
    broadcast = Broadcast(kind="manual", status="done", text="Info", total=2, created_at=NOW,
                          audience={"type": "desa", "codes": [setu.desa_code]})  # fmt: skip
    session.add_all([training, disbursement, broadcast])
    await session.flush()
    session.add_all([
        Enrollment(training_id=training.id, member_id=head.id, status="enrolled", created_at=NOW),
        DisbursementRecipient(disbursement_id=disbursement.id, household_id=setu.id,
                              collected_at=NOW, resident_answer="ya"),
        DisbursementRecipient(disbursement_id=disbursement.id, household_id=tambun.id),
        Delivery(broadcast_id=broadcast.id, account_id=volunteer.id, chat_id=9001, status="sent"),
        QuickReport(account_id=volunteer.id, role="psm", area_code=setu.desa_code,
                    text="Jalan ke dusun banjir", created_at=NOW),
    ])  # fmt: skip
    case = Case(kind="aduan", household_id=setu.id, desa_code=setu.desa_code,
                kecamatan_code=setu.kecamatan_code, state="closed", level="psm", urgent=True,
                created_at=NOW, first_answer_due_at=NOW, answered_at=NOW, closed_at=NOW,
                last_message_at=NOW, outcome="resolved", outcome_note="Sudah dicek",
                resident_feedback="helped")  # fmt: skip
    session.add(case)
    await session.flush()
    session.add(CaseMessage(case_id=case.id, role="resident", text="BLT belum masuk",
                            created_at=NOW))  # fmt: skip
    await session.flush()
    return {"volunteer": volunteer.id}


async def test_every_report_with_filters(database_url: str, tmp_path: Path) -> None:
    engine = create_engine(database_url)
    try:
        await upgrade(engine)
        sessionmaker = create_sessionmaker(engine)
        await import_file(SAMPLE, sessionmaker, PROTECTOR, lambda code, params: code)
        async with sessionmaker() as session, session.begin():
            await _fill(session)
        counts = {}
        async with sessionmaker() as session, session.begin():
            for kind in KINDS:
                filters = Filters(source="p3ke") if kind == "hasil_verifikasi" else Filters()
                counts[kind] = (await export(
                    session, PROTECTOR, kind, filters, tmp_path / f"{kind}.xlsx", via="test"
                )).rows
        assert counts == {"rumah_tangga": 4, "laporan": 2, "kunjungan": 1, "pelatihan": 1,
                          "penyaluran": 2, "siaran": 1, "kasus": 1, "laporan_cepat": 1,
                          "bnba": 14, "hasil_verifikasi": 0,  # no household from P3KE
                          "status_keluarga": 0}  # fmt: skip
        cases = sheet_rows(tmp_path / "kasus.xlsx")
        case_row = dict(zip(cases[0], cases[1], strict=True))
        assert case_row["jenis"] == "pengaduan" and case_row["status"] == "ditutup"
        assert case_row["hasil"] == "selesai ditangani" and case_row["mendesak"] == "Ya"
        assert case_row["tanggapan_warga"] == "membantu"
        assert case_row["pesan_pertama"] == "BLT belum masuk" and case_row["desa"] == "Cibening"
        quick = dict(zip(*sheet_rows(tmp_path / "laporan_cepat.xlsx")[:2], strict=True))
        assert quick["laporan"] == "Jalan ke dusun banjir" and quick["foto"] is None

        households = sheet_rows(tmp_path / "rumah_tangga.xlsx")
        cibening = next(r for r in households[1:] if r[0] == "3216181503120001")
        assert cibening[1:5] == ("Ahmad Suryadi", "3216181205780003", "Setu", "Cibening")
        assert cibening[8:12] == (4, "BLT, PKH", "daftar BNBA", "terdaftar")
        assert cibening[13] == dt.datetime(2026, 11, 20, 10, 0)  # latest report, in WIB
        assert cibening[14:17] == (7500, "Ya", "Ya")
        recipients = sheet_rows(tmp_path / "penyaluran.xlsx")
        assert {(r[6], r[10]) for r in recipients[1:]} == {
            ("3216181503120001", "Ya"), ("3216062007150004", "Tidak")
        }  # fmt: skip
        enrollment = sheet_rows(tmp_path / "pelatihan.xlsx")[1]
        assert enrollment[4:7] == ("Ahmad Suryadi", "3216181205780003", "3216181503120001")
        assert enrollment[9] == "terdaftar"  # not "enrolled"
        broadcast = sheet_rows(tmp_path / "siaran.xlsx")[1]
        assert broadcast[1] == "siaran" and broadcast[3] == "selesai"
        assert "Cibening" in broadcast[4] and "{" not in broadcast[4]  # no JSON
        assert broadcast[5:9] == (1, 1, 0, 0)
        # Answers as columns with Indonesian values, no JSON, no English codes.
        reports = sheet_rows(tmp_path / "laporan.xlsx")
        header, setu_report = reports[0], next(r for r in reports[1:] if r[1] == cibening[0])
        answer = dict(zip(header, setu_report, strict=True))
        assert answer["jawaban_pekerjaan"] == "buruh harian"
        assert answer["jawaban_kebutuhan"] == "pangan, kesehatan"
        assert answer["jawaban_keadaan_rumah"] == "tidak aman"
        assert answer["mendesak"] == "Ya"
        # A file staff can read: frozen header, filters, widths, KK as text, dates as dates.
        book = load_workbook(tmp_path / "rumah_tangga.xlsx")
        sheet = book.worksheets[0]
        assert sheet.freeze_panes == "A2"
        assert sheet.auto_filter.ref is not None and sheet.auto_filter.ref.startswith("A1:")
        assert sheet.column_dimensions["A"].width == 20
        kk_cell = next(row[0] for row in sheet.iter_rows(min_row=2) if row[0].value == cibening[0])
        assert kk_cell.number_format == "@"
        latest = next(row[13] for row in sheet.iter_rows(min_row=2) if row[0].value == cibening[0])
        assert latest.is_date and latest.number_format == "DD/MM/YYYY HH:MM"

        async with sessionmaker() as session, session.begin():
            setu_recent = Filters(kecamatan_code="32.16.18", date_from=dt.date(2026, 11, 1),
                                  date_to=dt.date(2026, 11, 20))  # fmt: skip
            assert (await export(session, PROTECTOR, "laporan", setu_recent,
                                tmp_path / "l.xlsx")).rows == 1  # fmt: skip
            before = Filters(date_to=dt.date(2026, 11, 19))
            assert (await export(session, PROTECTOR, "laporan", before, tmp_path / "l.xlsx")
                    ).rows == 1
            desa = Filters(desa_code="32.16.06.1001")
            assert (await export(session, PROTECTOR, "penyaluran", desa, tmp_path / "p.xlsx")
                    ).rows == 1
        async with sessionmaker() as session:
            audits = list(await session.scalars(
                select(AuditLog).where(AuditLog.action == "data.exported").order_by(AuditLog.id)
            ))  # fmt: skip
        assert len(audits) == len(KINDS) + 3
        assert audits[-3].detail == {"report": "laporan", "rows": 1, "via": "bot", "unreadable": 0,
                                     "kecamatan": "32.16.18", "desa": None,
                                     "from": "2026-11-01", "to": "2026-11-20"}  # fmt: skip
    finally:
        await engine.dispose()


async def test_households_without_kk_or_nik_are_exported(tmp_path: Path) -> None:
    """A proposal filed without documents (or emptied when its proposer withdrew) has no KK
    and its members no NIK: the export leaves those cells empty rather than failing."""
    engine = create_engine(f"sqlite+aiosqlite:///{tmp_path / 'e.db'}")
    try:
        await upgrade(engine)
        sessionmaker = create_sessionmaker(engine)
        async with sessionmaker() as session, session.begin():
            household = Household(desa_code="32.16.18.2005", kecamatan_code="32.16.18",
                                  source="usulan_relawan", verification="menunggu_verifikasi")
            session.add(household)
            await session.flush()
            head = Member(household_id=household.id, name="Tanpa KTP",
                          relationship_to_head="kepala")  # fmt: skip
            training = Training(title="Menjahit", provider="BLK", starts_at=NOW, place="Cikarang",
                                capacity=20)  # fmt: skip
            session.add_all([head, training])
            await session.flush()
            session.add(Enrollment(training_id=training.id, member_id=head.id, status="enrolled",
                                   created_at=NOW))  # fmt: skip
        async with sessionmaker() as session, session.begin():
            for kind in ("rumah_tangga", "pelatihan"):
                path = tmp_path / f"{kind}.xlsx"
                assert (await export(session, PROTECTOR, kind, Filters(), path)).rows == 1
        row = sheet_rows(tmp_path / "rumah_tangga.xlsx")[1]
        assert row[:5] == (None, "Tanpa KTP", None, "Setu", "Cibening")
        enrollment = sheet_rows(tmp_path / "pelatihan.xlsx")[1]
        assert enrollment[4:7] == ("Tanpa KTP", None, None)
    finally:
        await engine.dispose()


@pytest.fixture
def cli_env(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> str:
    monkeypatch.chdir(tmp_path)  # no developer .env
    url = f"sqlite+aiosqlite:///{tmp_path / 'cli.db'}"
    monkeypatch.setenv("DATABASE_URL", url)
    monkeypatch.setenv("SECRET_KEY", TEST_SECRET)
    monkeypatch.setenv("DATA_DIR", str(tmp_path / "data"))
    return url


def test_cli_import_and_export(cli_env: str, tmp_path: Path, capsys: pytest.CaptureFixture):
    bad = tmp_path / "bad.csv"
    bad.write_text(SAMPLE.read_text(encoding="utf-8").replace(",Sukamahi,", ",Atlantis,", 1))
    assert main(["import", str(bad)]) == 0
    out = capsys.readouterr()
    # Only the row with no such desa is refused; its family is imported, to check.
    assert "Orang ditambahkan: 13" in out.out and "Baris ditolak: 1" in out.out
    assert "baris dibaca" not in out.err and "rows read" in out.err  # progress
    rejected = tmp_path / "bad_rejected.xlsx"
    assert str(rejected) in out.out
    reasons = {r[0]: r[-1] for r in sheet_rows(rejected)[1:]}
    assert reasons[10] == 'Tidak ada desa/kelurahan "Atlantis" di Kabupaten Bekasi.'

    output = tmp_path / "rt.xlsx"
    assert main(["export", "rumah_tangga", "--kecamatan", "setu", "-o", str(output)]) == 0
    assert "2 rows written" in capsys.readouterr().out
    assert sorted(r[0] for r in sheet_rows(output)[1:]) == ["3216181503120001",
                                                            "3216182505190003"]  # fmt: skip
    # A list's own layout is chosen with --source; the sample came from no list.
    output = tmp_path / "hasil.xlsx"
    assert main(["export", "hasil_verifikasi", "--source", "dtks", "-o", str(output)]) == 0
    assert "0 rows written" in capsys.readouterr().out
    assert sheet_rows(output)[0][:2] == ("IDBDT", "KDPROP")


def test_cli_bad_arguments_exit_2(cli_env: str, tmp_path: Path, capsys: pytest.CaptureFixture):
    assert main(["import", str(tmp_path / "missing.csv")]) == 2
    headerless = tmp_path / "x.csv"
    headerless.write_text("nik,nama\n3216181205780003,Ahmad\n")
    assert main(["import", str(headerless)]) == 2
    assert "no_kk" in capsys.readouterr().err
    assert main(["export", "rumah_tangga", "--kecamatan", "Atlantis"]) == 2
    assert main(["export", "laporan", "--from", "31-02-2026"]) == 2
    assert main(["export", "laporan", "--from", "2026-05-01", "--to", "2026-04-01"]) == 2
    assert main(["export", "hasil_verifikasi"]) == 2  # which list?
    assert main(["export", "bnba", "--source", "p3ke"]) == 2
    assert "--source" in capsys.readouterr().err
    with pytest.raises(SystemExit) as exit_:
        main(["export", "semua"])
    assert exit_.value.code == 2
