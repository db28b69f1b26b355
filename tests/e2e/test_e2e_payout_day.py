"""The payout day end to end: marking a family collected by name (echoed back, undone),
a family without a KK, who has not collected yet, the printable list per desa (a PDF read
back for its rows), and one family added to and removed from a schedule with a reason."""

from __future__ import annotations

import io
from pathlib import Path

from pypdf import PdfReader
from sqlalchemy import select

from db.models.aid import DisbursementRecipient
from db.models.households import Household, Member
from db.models.system import AuditLog
from tests.fake_telegram import FakeTelegram, FakeUser
from tests.harness import BotApp, as_role, e2e_settings, eventually, t
from tests.staff_data import CIBENING, CIJENGKOL, SRIJAYA, add_household, kk

from .test_staff_schedules import make_schedule


async def _family_without_kk(app: BotApp, name: str) -> int:
    async with app.sessionmaker() as session, session.begin():
        household = Household(
            desa_code=CIBENING, kecamatan_code="32.16.18", address="Kp. Rawa", rt="002",
            rw="004", verification="terverifikasi", source="usulan_relawan",
        )  # fmt: skip
        session.add(household)
        await session.flush()
        session.add(Member(household_id=household.id, name=name, relationship_to_head="kepala"))
        return household.id


async def _collected(app: BotApp, household_id: int) -> bool:
    async with app.sessionmaker() as session:
        row = await session.scalar(
            select(DisbursementRecipient.collected_at).where(
                DisbursementRecipient.household_id == household_id
            )
        )
    return row is not None


async def _open_card(staff: FakeUser):
    await staff.send("/daftarjadwal")
    listing = await staff.wait_message()
    await staff.click(listing, listing.buttons[0])
    await staff.wait_for(lambda: t("⏳ Not collected yet") in listing.buttons)
    return listing


async def test_payout_day(tg: FakeTelegram, tmp_path: Path):
    settings = e2e_settings(tmp_path, tg, throttle_rate=1000)
    async with BotApp(tg, settings) as app:
        staff = tg.user(881, "Petugas")
        await as_role(app, staff, "petugas")
        siti = await add_household(app, 1, CIBENING, members=[{"name": "SITI AMINAH"}])
        await add_household(app, 2, CIJENGKOL, members=[{"name": "Budi Santoso"}])
        no_kk = await _family_without_kk(app, "Ujang Sukarya")
        outside = await add_household(app, 6, SRIJAYA, members=[{"name": "Dewi Lestari"}])
        await make_schedule(staff, expect_count=3)

        # Marking by name, forgiving case and a typo; the name comes back, with an undo.
        card = await _open_card(staff)
        await staff.click(card, t("✔️ Mark collected"))
        await staff.wait_message()
        await staff.send("siti aminh")
        marked = await staff.wait_message()
        assert t("✔️ Marked as collected: {who}.").split("{")[0] in marked.text
        assert "SITI AMINAH" in marked.text and "Cibening" in marked.text
        assert "3216********0001" in marked.text
        await eventually(lambda: _collected(app, siti))
        await staff.click(marked, t("↩️ Undo"))
        undone = await staff.wait_message()
        assert "SITI AMINAH" in undone.text
        assert t("{collected} of {total} households have collected.").format(
            collected=0, total=3
        ) in undone.text
        # A family without a KK is found by name and marked like any other.
        await staff.send("Ujang Sukarya")
        marked = await staff.wait_message()
        assert "Ujang Sukarya" in marked.text and t("no KK yet") in marked.text
        assert "None" not in marked.text
        await eventually(lambda: _collected(app, no_kk))
        await staff.send("/batal")
        await staff.wait_message()

        # Who has not collected yet, by desa.
        card = await _open_card(staff)
        await staff.click(card, t("⏳ Not collected yet"))
        by_desa = await staff.wait_message()
        assert by_desa.buttons == ["Cibening (1)", "Cijengkol (1)"]
        await staff.click(by_desa, "Cibening (1)")
        waiting = await staff.wait_message()
        assert "SITI AMINAH" in waiting.text and "Ujang" not in waiting.text

        # The printable list of a desa: a PDF with every family of it, KK in full.
        await staff.click(card, t("🖨 Payout lists (PDF)"))
        choice = await staff.wait_message()
        await staff.click(choice, "Cibening (2)")
        document = await staff.wait_message(predicate=lambda m: m.document is not None)
        pdf = PdfReader(io.BytesIO(tg.file(document.document["file_id"]).content))
        text = "\n".join(page.extract_text() for page in pdf.pages)
        assert t("ATTENDANCE LIST AND AID RECEIPT") in text
        assert "SITI AMINAH" in text and kk(1) in text
        assert "Ujang Sukarya" in text and t("no KK yet") in text
        assert "Budi" not in text  # another desa
        assert t("Number of families: {count}").format(count=2) in text

        # Remove a family with a reason; add one from another kecamatan.
        card = await _open_card(staff)
        await staff.click(card, t("➖ Remove a family"))
        await staff.wait_message()
        await staff.send("budi santoso")
        pick = await staff.wait_message()
        await staff.click(pick, pick.buttons[0])
        why = await staff.wait_message()
        await staff.click(why, t("Moved away"))
        removed = await staff.wait_message()
        assert removed.text.startswith(t("➖ Removed from schedule #{id}: {who}.").split(":")[0]
                                       .format(id=1))  # fmt: skip
        card = await _open_card(staff)
        await staff.click(card, t("➕ Add a family"))
        await staff.wait_message()
        await staff.send("Dewi Lestari")
        pick = await staff.wait_message()
        await staff.click(pick, pick.buttons[0])
        why = await staff.wait_message()
        await staff.click(why, t("Verified after the list was made"))
        added = await staff.wait_message()
        assert "Dewi Lestari" in added.text

        async def recipients() -> set[int]:
            async with app.sessionmaker() as session:
                rows = await session.scalars(select(DisbursementRecipient.household_id))
            found = set(rows)
            return found if outside in found else set()

        assert await eventually(recipients) == {siti, no_kk, outside}
        async with app.sessionmaker() as session:
            actions = list(await session.scalars(select(AuditLog.action).order_by(AuditLog.id)))
        for action in (
            "disbursement.collected", "disbursement.collected_undone",
            "personal_data.exported", "disbursement.family_removed",
            "disbursement.family_added",
        ):  # fmt: skip
            assert action in actions

        # The same progress in /statistik.
        await staff.send("/statistik")
        progress = await staff.wait_message(
            predicate=lambda m: t("Payouts of these days:") in (m.text or "")
        )
        assert "1 dari 3" in progress.text and "33%" in progress.text
