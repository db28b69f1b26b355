"""/statistik: the numbers per kecamatan match the data, and the chart is a real PNG."""

from __future__ import annotations

import datetime as dt
import struct
from pathlib import Path

from sqlalchemy import select

from db.models.accounts import Account
from db.models.aid import Disbursement, DisbursementRecipient, Enrollment, Training
from db.models.base import utcnow
from db.models.field import FieldVisit, StatusReport
from db.models.households import AidProgram, Member
from handlers.staff.stats import StatsCb, summary_text
from services import stats
from tests.fake_telegram import FakeTelegram
from tests.harness import BotApp, as_role, click_data, e2e_settings, in_id, t
from tests.staff_data import BURANGKENG, CIBENING, CIJENGKOL, SRIJAYA, add_household

PNG_MAGIC = b"\x89PNG\r\n\x1a\n"


async def _seed(app: BotApp) -> None:
    person = [{"name": "Siti"}, {"name": "Budi", "rel": "anak"}]
    s1 = await add_household(app, 1, CIBENING, verification="terverifikasi", members=person)
    s2 = await add_household(app, 2, CIJENGKOL, members=person)
    s3 = await add_household(app, 3, BURANGKENG, verification="menunggu_verifikasi")
    await add_household(app, 4, CIBENING, verification="ditolak")
    t1 = await add_household(app, 5, SRIJAYA)
    now = utcnow()
    days = dt.timedelta(days=1)
    async with app.sessionmaker() as session, session.begin():
        for k, household in enumerate((s1, s2, t1)):
            session.add(Account(telegram_id=9000 + k, role="warga", household_id=household))
        volunteer = Account(telegram_id=9100, role="psm")
        session.add(volunteer)
        await session.flush()
        for household, ago, extreme in (
            (s1, 40, True),
            (s1, 3, False),
            (s2, 10, True),
            (t1, 1, True),
        ):
            session.add(
                StatusReport(
                    household_id=household, extreme_poor=extreme, created_at=now - ago * days
                )
            )
        for household, ago in ((s3, 2), (s1, 20), (s1, 45)):
            session.add(
                FieldVisit(
                    household_id=household,
                    volunteer_account_id=volunteer.id,
                    outcome="ditemui",
                    visited_at=now - ago * days,
                )
            )
        training = Training(
            title="Menjahit", provider="PT Maju", starts_at=now + 5 * days, place="BLK", capacity=2
        )
        session.add(training)
        await session.flush()
        member_ids = list(
            await session.scalars(select(Member.id).order_by(Member.household_id, Member.id))
        )
        for member_id, status in zip(
            member_ids, ("enrolled", "cancelled", "waiting"), strict=False
        ):
            session.add(Enrollment(training_id=training.id, member_id=member_id, status=status))
        program = await session.scalar(select(AidProgram).where(AidProgram.code == "BLT"))
        disbursement = Disbursement(
            program_id=program.id, title="BLT", amount=300000, scheduled_at=now, place="Balai"
        )
        session.add(disbursement)
        await session.flush()
        for household, collected in ((s1, True), (s2, False), (t1, True)):
            session.add(
                DisbursementRecipient(
                    disbursement_id=disbursement.id,
                    household_id=household,
                    collected_at=now if collected else None,
                )
            )
        # Not counted: a cancelled payout, and one still to come.
        cancelled = Disbursement(program_id=program.id, title="Batal", amount=1, place="Balai",
                                 scheduled_at=now - days, status="cancelled")  # fmt: skip
        future = Disbursement(program_id=program.id, title="Nanti", amount=1, place="Balai",
                              scheduled_at=now + 3 * days)  # fmt: skip
        session.add_all([cancelled, future])
        await session.flush()
        for disbursement_id in (cancelled.id, future.id):
            session.add(DisbursementRecipient(disbursement_id=disbursement_id, household_id=s2))


async def test_statistics_message_and_chart(tg: FakeTelegram, tmp_path: Path, database_url: str):
    settings = e2e_settings(tmp_path, tg, database_url=database_url)
    async with BotApp(tg, settings) as app:
        staff = tg.user(811, "Petugas")
        await as_role(app, staff, "petugas")
        await _seed(app)

        async with app.sessionmaker() as session:
            rows = await stats.per_kecamatan(session)
        by_name = {row.name: row for row in rows}
        assert len(rows) == 23
        setu, tambun = by_name["Setu"], by_name["Tambun Utara"]
        assert (setu.households, setu.verified, setu.waiting, setu.linked) == (3, 1, 1, 2)
        assert (setu.reports_7, setu.reports_30, setu.visits_7, setu.visits_30) == (1, 2, 1, 2)
        assert (setu.extreme_poor, setu.trainings, setu.collected, setu.recipients) == (1, 2, 1, 2)
        assert (tambun.households, tambun.linked, tambun.reports_7, tambun.extreme_poor) == (
            1,
            1,
            1,
            1,
        )
        assert (tambun.collected, tambun.recipients, tambun.trainings) == (1, 1, 0)

        await staff.send("/statistik")
        text = await staff.wait_message()
        photo = await staff.wait_message()
        assert text.text == in_id(summary_text, rows)
        assert len(text.text) <= 600
        assert t("Households on the list: {count}").format(count=4) in text.text
        assert t("• verified {verified} ({share}), waiting for verification {waiting}").format(
            verified=1, share="25%", waiting=1
        ) in text.text
        assert t("Aid collected (payouts held): {collected} of {recipients} ({share})").format(
            collected=2, recipients=3, share="67%"
        ) in text.text
        assert t("{count} kecamatan have no data yet.").format(count=21) in text.text

        # Each kecamatan, then each desa, one tap away.
        await staff.click(text, t("Per kecamatan"))
        kecamatan = await staff.wait_message(
            predicate=lambda m: m.text == t("Which kecamatan?")
        )
        assert kecamatan.buttons == ["Setu (3)", "Tambun Utara (1)"]
        await staff.click(kecamatan, "Setu (3)")
        setu_card = await staff.wait_message()
        assert setu_card.text.startswith("📊 Kecamatan Setu")
        assert t("Aid collected (payouts held): {collected} of {recipients} ({share})").format(
            collected=1, recipients=2, share="50%"
        ) in setu_card.text
        assert "Cibening (1)" in setu_card.buttons
        await staff.click(setu_card, "Cibening (1)")
        desa_card = await staff.wait_message()
        assert desa_card.text.startswith("📊 Desa Cibening")
        assert t("Households on the list: {count}").format(count=1) in desa_card.text

        # A PSM sees their desa only; a TKSK their kecamatan.
        psm = tg.user(812, "Bu PSM")
        await as_role(app, psm, "psm", area=CIJENGKOL)
        await psm.send("/statistik")
        own = await psm.wait_message()
        assert own.text.startswith("📊 Desa Cijengkol")
        crafted = await click_data(psm, own, StatsCb(code="32.16.18").pack())
        assert (await crafted.wait_answered()).answer_text == t(
            "These numbers are not for your area."
        )
        tksk = tg.user(813, "Pak TKSK")
        await as_role(app, tksk, "tksk", area="32.16.18")
        await tksk.send("/statistik")
        assert (await tksk.wait_message()).text.startswith("📊 Kecamatan Setu")

        assert photo.kind == "photo"
        png = tg.file(photo.photo[-1]["file_id"]).content
        assert png.startswith(PNG_MAGIC)
        width, height = struct.unpack(">II", png[16:24])
        assert (width, height) == (800, 1000)
