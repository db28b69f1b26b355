"""Photo links of the exports (services.photo_links): who may open which photo, what the
caption is made of, and that each showing (and each refusal) is audited. On SQLite and
PostgreSQL."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import select

from db.models.accounts import Account
from db.models.cases import Case, CaseMessage
from db.models.field import FieldVisit, QuickReport, StatusReport
from db.models.households import Household, Member
from db.models.system import AuditLog
from services import photo_links
from tests.db.test_bnba_import import Db
from tests.db.test_source_import import db  # noqa: F401  (the fixture)

NOW = dt.datetime(2026, 11, 20, 3, 0, tzinfo=dt.UTC)
CIBENING, SETU, JATIMULYA = "32.16.18.2005", "32.16.18", "32.16.06.1001"


def test_links_and_payloads() -> None:
    assert photo_links.link("nirmiskin_bot", "kunjungan", 7) == (
        "https://t.me/nirmiskin_bot?start=foto_kunjungan_7"
    )
    assert photo_links.link(None, "kasus", 12) == "/start foto_kasus_12"
    assert photo_links.parse("foto_laporan_3") == ("laporan", 3)
    assert photo_links.parse("foto_cepat_44") == ("cepat", 44)
    for wrong in ("foto_kunjungan_", "foto_rumah_3", "ABCD2345", "foto_kunjungan_1x", None):
        assert photo_links.parse(wrong) is None
    assert len(photo_links.payload("kunjungan", 10**12 - 1)) <= 64  # Telegram's limit


async def test_who_may_open_a_photo(db: Db) -> None:  # noqa: F811
    async with db.sessionmaker() as session, session.begin():
        household = Household(desa_code=CIBENING, kecamatan_code=SETU)
        staff = Account(telegram_id=1, role="petugas", consent="given")
        psm = Account(telegram_id=2, role="psm", area_code=CIBENING, consent="given",
                      first_name="Bu Imas")  # fmt: skip
        other_psm = Account(telegram_id=3, role="psm", area_code=JATIMULYA, consent="given")
        tksk = Account(telegram_id=4, role="tksk", area_code=SETU, consent="given")
        no_consent = Account(telegram_id=5, role="psm", area_code=CIBENING, consent="none")
        resident = Account(telegram_id=6, role="warga", consent="given")
        session.add_all([household, staff, psm, other_psm, tksk, no_consent, resident])
        await session.flush()
        session.add(Member(household_id=household.id, name="Ahmad", relationship_to_head="kepala"))
        visit = FieldVisit(
            household_id=household.id,
            volunteer_account_id=psm.id,
            outcome="ditemui",
            photo_file_id="PHOTO-V",
            visited_at=NOW,
        )
        no_photo = FieldVisit(
            household_id=household.id,
            volunteer_account_id=psm.id,
            outcome="ditemui",
            visited_at=NOW,
        )
        report = StatusReport(household_id=household.id, photo_file_id="PHOTO-R", created_at=NOW)
        quick = QuickReport(
            account_id=tksk.id,
            role="tksk",
            area_code=SETU,
            text="Banjir",
            photo_file_id="PHOTO-Q",
            created_at=NOW,
        )
        case = Case(
            kind="aduan",
            household_id=household.id,
            desa_code=CIBENING,
            kecamatan_code=SETU,
            first_answer_due_at=NOW,
            created_at=NOW,
        )
        session.add_all([visit, no_photo, report, quick, case])
        await session.flush()
        session.add_all([
            CaseMessage(case_id=case.id, role="resident", text="Atap bocor", created_at=NOW),
            CaseMessage(case_id=case.id, role="resident", file_id="PHOTO-C", file_kind="photo",
                        created_at=NOW),
            CaseMessage(case_id=case.id, role="resident", file_id="VOICE-C", file_kind="voice",
                        created_at=NOW),
        ])  # fmt: skip
        ids = {"visit": visit.id, "no_photo": no_photo.id, "report": report.id,
               "quick": quick.id, "case": case.id}  # fmt: skip
        people = {a.telegram_id: a for a in (staff, psm, other_psm, tksk, no_consent, resident)}

    async with db.sessionmaker() as session, session.begin():
        for account in people.values():
            session.add(account)

        async def opens(account: Account, kind: str, row_id: int) -> bool:
            return await photo_links.find(session, account, kind, row_id) is not None

        shown = await photo_links.find(session, people[2], "kunjungan", ids["visit"])
        assert shown is not None
        assert ([(f.file_id, f.kind) for f in shown.files], shown.head, shown.place) == (
            [("PHOTO-V", "photo")], "Ahmad", "Cibening")  # fmt: skip
        assert shown.when == NOW
        # Staff see everything; a volunteer their area, once they agreed to the notice.
        assert [await opens(people[t], "kunjungan", ids["visit"]) for t in range(1, 7)] == [
            True, True, False, True, False, False]  # fmt: skip
        assert await opens(people[1], "kunjungan", ids["no_photo"]) is False
        assert await opens(people[1], "kunjungan", 10**6) is False
        assert [await opens(people[t], "laporan", ids["report"]) for t in (1, 2, 6)] == [
            True, True, False]  # fmt: skip
        # A TKSK's quick report is of the kecamatan: not a PSM's to see.
        assert [await opens(people[t], "cepat", ids["quick"]) for t in (1, 2, 4)] == [
            True, False, True]  # fmt: skip
        case_files = await photo_links.find(session, people[1], "kasus", ids["case"])
        assert case_files is not None and case_files.case_number == f"A-{ids['case']}"
        assert [(f.file_id, f.kind) for f in case_files.files] == [
            ("PHOTO-C", "photo"),
            ("VOICE-C", "voice"),
        ]
    async with db.sessionmaker() as session:
        entries = list(await session.execute(
            select(AuditLog.action, AuditLog.actor_role, AuditLog.subject_type)
            .where(AuditLog.action.like("photo.%")).order_by(AuditLog.id)
        ))  # fmt: skip
    # One entry per opening, and per refusal of a photo that exists (never its file id).
    assert [tuple(e) for e in entries[:7]] == [
        ("photo.viewed", "psm", "kunjungan"), ("photo.viewed", "petugas", "kunjungan"),
        ("photo.viewed", "psm", "kunjungan"), ("photo.refused", "psm", "kunjungan"),
        ("photo.viewed", "tksk", "kunjungan"), ("photo.refused", "psm", "kunjungan"),
        ("photo.refused", "warga", "kunjungan"),
    ]  # fmt: skip
    assert len(entries) == 7 + 3 + 3 + 1
