"""Households from a list without No. KK (P3KE) through every export: no crash, and no cell
that says "None"."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from openpyxl import load_workbook
from sqlalchemy import select

from db.models.accounts import Account
from db.models.aid import Disbursement, DisbursementRecipient, Enrollment, Training
from db.models.broadcasts import Broadcast
from db.models.field import FieldVisit, StatusReport
from db.models.households import AidProgram, Household, Member
from services.export import KINDS, Filters, export
from tests.db.test_bnba_import import PROTECTOR, Db
from tests.db.test_source_import import db, p3ke_file  # noqa: F401  (the fixture)

NOW = dt.datetime(2026, 11, 20, 3, 0, tzinfo=dt.UTC)
NOT_SEEDED = ("kasus", "laporan_cepat")


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
            result = await export(session, PROTECTOR, kind, Filters(), path)
            # Cases and quick reports are not seeded here (they carry no KK column).
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
